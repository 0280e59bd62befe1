// Enter a vacancy: occupation and skills picked through the taxonomy autocomplete, title and description
// linked to ESCO through POST /normalize, stored through POST /vacancies.
import { api, clearError, el, formatPercent, lang, pageUrl, requireRole, run, showErrorText, showStatus, t } from "./common.js";
import { Picker } from "./combobox.js";

const form = document.getElementById("vacancy-form");
const pickers = Object.fromEntries(
  [...document.querySelectorAll("[data-picker]")].map((root) => [root.dataset.picker, new Picker(root)]),
);
const value = (id) => document.getElementById(id).value.trim();
const number = (id) => (value(id) === "" ? null : Number(value(id)));

function suggestionButton(text, label, onclick) {
  return el("button", { type: "button", class: "secondary", "aria-label": label, text, onclick });
}

async function linkText() {
  const title = value("v-title");
  const text = value("v-description");
  if (!title && !text) {
    showErrorText(t("form.normalize_empty"));
    return;
  }
  clearError();
  showStatus(t("common.loading"));
  const linked = await api("/normalize", { method: "POST", body: { title: title || null, text: text ? text.slice(0, 2000) : null, k: 5 }, query: { lang } });
  showStatus("");
  const occupations = document.getElementById("linked-occupations");
  occupations.replaceChildren(
    ...linked.occupations.map((c) =>
      el("li", {}, suggestionButton(`${c.label} (${formatPercent(c.confidence ?? c.score)})`, t("form.use_occupation", { label: c.label }), () => {
        pickers.occupation.add(c.uri, c.label);
        showStatus(t("form.occupation_set", { label: c.label }));
      })),
    ),
  );
  if (linked.occupations.length === 0) occupations.append(el("li", { class: "meta", text: t("form.no_suggestions") }));
  if (linked.confirm) occupations.prepend(el("li", { class: "meta confirm", role: "note", text: t("form.please_confirm") }));
  const skills = document.getElementById("linked-skills");
  skills.replaceChildren(
    ...linked.skills.map((c) =>
      el(
        "li",
        { class: "chip" },
        `${c.label} `,
        suggestionButton(t("form.add_essential"), t("form.add_essential_label", { label: c.label }), () => {
          pickers.essential.add(c.uri, c.label);
          showStatus(t("form.skill_added", { label: c.label }));
        }),
        " ",
        suggestionButton(t("form.add_optional"), t("form.add_optional_label", { label: c.label }), () => {
          pickers.optional.add(c.uri, c.label);
          showStatus(t("form.skill_added", { label: c.label }));
        }),
      ),
    ),
  );
  if (linked.skills.length === 0) skills.append(el("li", { class: "meta", text: t("form.no_suggestions") }));
  document.getElementById("normalize-result").hidden = false;
}

document.getElementById("normalize").addEventListener("click", () => run(linkText));

function body() {
  const occupation = pickers.occupation.values()[0];
  const problems = [];
  if (!value("v-id")) problems.push(t("form.missing", { field: t("vacancy.id") }));
  if (!value("v-employer")) problems.push(t("form.missing", { field: t("vacancy.employer") }));
  if (!value("v-title")) problems.push(t("form.missing", { field: t("vacancy.title") }));
  if (!occupation) problems.push(t("form.missing", { field: t("vacancy.occupation") }));
  if (!value("v-place") && !value("v-postcode")) problems.push(t("form.missing_place"));
  if (problems.length) return { problems };
  const essential = pickers.essential.values();
  return {
    vacancy: {
      id: value("v-id"),
      employer: value("v-employer"),
      title: value("v-title"),
      description: value("v-description") || null,
      occupation_uri: occupation,
      essential_skill_uris: essential,
      optional_skill_uris: pickers.optional.values().filter((uri) => !essential.includes(uri)),
      min_german_level: value("v-german") || null,
      location: { place: value("v-place") || null, postcode: value("v-postcode") || null },
      working_time: value("v-working-time"),
      hours_per_week: number("v-hours"),
      start_date: value("v-start") || null,
      positions: number("v-positions") || 1,
      recognition_support: document.getElementById("v-support").checked,
      requires_recognised_title: document.getElementById("v-title").checked,
    },
  };
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => {
    clearError();
    const { vacancy, problems } = body();
    if (problems) {
      showErrorText(t("form.fix"), el("ul", {}, problems.map((p) => el("li", { text: p }))));
      return;
    }
    const saved = await api("/vacancies", { method: "POST", body: vacancy });
    location.assign(pageUrl(`/app/advisor/vacancies/${encodeURIComponent(saved.id)}`, { created: "1" }));
  });
});

run(async () => {
  const { me } = requireRole("advisor", "admin");
  // Ids an organisation creates start with its name and a colon (the default organisation's need none).
  const id = document.getElementById("v-id");
  if (me.role === "advisor" && me.organisation !== "default" && !id.value) id.value = `${me.organisation}:`;
});
