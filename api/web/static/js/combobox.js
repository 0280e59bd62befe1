// A taxonomy picker: the ARIA 1.2 combobox pattern (list autocomplete) over GET /taxonomy/autocomplete.
// Keyboard: Down/Up move through the suggestions, Enter picks, Escape closes; picked concepts are chips
// with a remove button.
import { api, el, lang, t } from "./common.js";

export class Picker {
  constructor(root) {
    this.root = root;
    this.kind = root.dataset.kind;
    this.multiple = root.dataset.multiple === "true";
    this.input = root.querySelector('[role="combobox"]');
    this.listbox = root.querySelector('[role="listbox"]');
    this.chosenList = root.querySelector(".chips");
    this.label = root.querySelector("label").textContent;
    this.options = [];
    this.active = -1;
    this.chosen = new Map(); // uri -> label
    this.onchange = () => {};
    this.timer = null;
    this.request = 0;
    this.input.addEventListener("input", () => this.typed());
    this.input.addEventListener("keydown", (event) => this.key(event));
    this.input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  typed() {
    clearTimeout(this.timer);
    const q = this.input.value.trim();
    if (!q) {
      this.close();
      return;
    }
    this.timer = setTimeout(() => this.suggest(q), 150);
  }

  async suggest(q) {
    const request = ++this.request;
    let found;
    try {
      found = await api("/taxonomy/autocomplete", { query: { q, kind: this.kind, lang, limit: 8 } });
    } catch (error) {
      this.show([], error.message);
      return;
    }
    if (request === this.request) this.show(found.filter((s) => !this.chosen.has(s.uri)));
  }

  show(suggestions, problem) {
    this.options = suggestions;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    const id = this.listbox.id;
    const items = suggestions.map((s, i) =>
      el(
        "li",
        { id: `${id}-${i}`, role: "option", "aria-selected": "false", onmousedown: (event) => event.preventDefault(), onclick: () => this.pick(i) },
        s.label,
        s.matched_label && s.matched_label !== s.label ? el("small", { text: s.matched_label }) : null,
      ),
    );
    if (items.length === 0) items.push(el("li", { role: "option", "aria-disabled": "true", "aria-selected": "false", text: problem || t("form.no_suggestions") }));
    this.listbox.replaceChildren(...items);
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  }

  close() {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  }

  move(step) {
    if (this.listbox.hidden || this.options.length === 0) return;
    const previous = this.listbox.children[this.active];
    if (previous) previous.setAttribute("aria-selected", "false");
    this.active = (this.active + step + this.options.length) % this.options.length;
    const option = this.listbox.children[this.active];
    option.setAttribute("aria-selected", "true");
    option.scrollIntoView({ block: "nearest" });
    this.input.setAttribute("aria-activedescendant", option.id);
  }

  key(event) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (this.listbox.hidden && this.input.value.trim()) this.suggest(this.input.value.trim());
      else this.move(1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      this.move(-1);
    } else if (event.key === "Enter") {
      if (!this.listbox.hidden && this.active >= 0) {
        event.preventDefault();
        this.pick(this.active);
      }
    } else if (event.key === "Escape") {
      this.close();
    }
  }

  pick(index) {
    const s = this.options[index];
    if (s) this.add(s.uri, s.label);
    this.input.value = "";
    this.close();
    this.input.focus();
  }

  add(uri, label) {
    if (!this.multiple) this.chosen.clear();
    this.chosen.set(uri, label);
    this.renderChosen();
    this.onchange();
  }

  remove(uri) {
    this.chosen.delete(uri);
    this.renderChosen();
    this.onchange();
    this.input.focus();
  }

  renderChosen() {
    this.chosenList.replaceChildren(
      ...[...this.chosen].map(([uri, label]) =>
        el(
          "li",
          { class: "chip", dataset: { uri } },
          label,
          el("button", { type: "button", "aria-label": t("form.remove", { label }), text: "×", onclick: () => this.remove(uri) }),
        ),
      ),
    );
  }

  values() {
    return [...this.chosen.keys()];
  }
}
