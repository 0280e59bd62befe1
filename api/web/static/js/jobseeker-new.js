// Enter a job seeker: the qualification and the last job as written (any language) are linked to ESCO
// occupations, the skills in the person's own words to ESCO skills, through POST /normalize; the advisor
// picks or corrects every link before POST /jobseekers stores the profile.
import { api, clearError, el, formatPercent, lang, pageUrl, requireRole, run, showErrorText, showStatus, t } from "./common.js";
import { Picker } from "./combobox.js";

const form = document.getElementById("seeker-form");
const pickers = Object.fromEntries(
  [...document.querySelectorAll("[data-picker]")].map((root) => [root.dataset.picker, new Picker(root)]),
);
const value = (id) => document.getElementById(id).value.trim();
const number = (id) => (value(id) === "" ? null : Number(value(id)));
const LANGUAGE_CODE = /^[a-z]{2,3}$/;
const COUNTRY_CODE = /^[A-Z]{2}$/;

function suggestions(prefix, items, button, confirm = false) {
  const list = document.getElementById(`${prefix}-suggestions`);
  list.replaceChildren(...items.map((c) => el("li", {}, button(c))));
  // The best candidate is not clearly ahead: say so rather than let the first one look settled.
  if (confirm) list.prepend(el("li", { class: "meta confirm", role: "note", text: t("form.please_confirm") }));
  if (items.length === 0) list.append(el("li", { class: "meta", text: t("form.no_suggestions") }));
  document.getElementById(`${prefix}-linked`).hidden = false;
}

async function normalize(title, text) {
  showStatus(t("common.loading"));
  // /normalize reads at most 2,000 characters of text: the start of a longer one is linked.
  const linked = await api("/normalize", { method: "POST", body: { title, text: text ? text.slice(0, 2000) : text, k: 5 }, query: { lang } });
  showStatus("");
  return linked;
}

// A title as written on a certificate or in a CV: ranked occupations, one click sets the picker.
async function suggestOccupation(prefix) {
  const title = value(`${prefix}-title`);
  if (!title) {
    showErrorText(t("seekerform.enter_text_first"));
    return;
  }
  clearError();
  const { occupations, confirm } = await normalize(title, null);
  const picker = pickers[`${prefix}-occupation`];
  suggestions(prefix, occupations, (c) =>
    el("button", {
      type: "button",
      class: "secondary",
      "aria-label": t("form.use_occupation", { label: c.label }),
      text: `${c.label} (${formatPercent(c.confidence ?? c.score)})`,
      onclick: () => {
        picker.add(c.uri, c.label);
        showStatus(t("form.occupation_set", { label: c.label }));
      },
    }),
    confirm,
  );
}

// Skills in the person's own words: the skills found, each added to the picker with one click. The
// qualification's title goes along, so skills of that occupation's ESCO profile are preferred.
async function suggestSkills() {
  const text = value("s-skills-text");
  if (!text) {
    showErrorText(t("seekerform.enter_text_first"));
    return;
  }
  clearError();
  const { skills } = await normalize(value("q-title") || value("e-title") || null, text);
  suggestions("skills", skills, (c) =>
    el(
      "span",
      { class: "chip" },
      `${c.label} `,
      el("button", {
        type: "button",
        class: "secondary",
        "aria-label": t("seekerform.add_skill_label", { label: c.label }),
        text: t("seekerform.add_skill"),
        onclick: () => {
          pickers.skills.add(c.uri, c.label);
          showStatus(t("form.skill_added", { label: c.label }));
        },
      }),
    ),
  );
}

for (const button of document.querySelectorAll("[data-suggest-occupation]")) {
  button.addEventListener("click", () => run(() => suggestOccupation(button.dataset.suggestOccupation)));
}
document.getElementById("suggest-skills").addEventListener("click", () => run(suggestSkills));

function languages(problems) {
  const out = [];
  if (value("l-de")) out.push({ language: "de", level: value("l-de") });
  for (const n of [1, 2]) {
    const code = value(`l-code-${n}`).toLowerCase();
    const level = value(`l-level-${n}`);
    if (!code || !level) continue;
    if (!LANGUAGE_CODE.test(code)) problems.push(t("seekerform.language_code_invalid"));
    else if (!out.some((l) => l.language === code)) out.push({ language: code, level });
  }
  return out;
}

function body() {
  const problems = [];
  if (!value("s-id")) problems.push(t("form.missing", { field: t("profile.id") }));
  if (!value("s-place") && !value("s-postcode")) problems.push(t("form.missing_place"));
  const qualification = pickers["q-occupation"].values()[0];
  const experience = pickers["e-occupation"].values()[0];
  if (value("q-title") && !qualification) problems.push(t("seekerform.pick_occupation", { section: t("seekerform.qualification") }));
  if (value("e-title") && !experience) problems.push(t("seekerform.pick_occupation", { section: t("profile.experience") }));
  const country = value("q-country").toUpperCase();
  if (qualification && !COUNTRY_CODE.test(country)) problems.push(t("seekerform.country_invalid"));
  const experienceCountry = value("e-country").toUpperCase();
  if (experienceCountry && !COUNTRY_CODE.test(experienceCountry)) problems.push(t("seekerform.country_invalid"));
  const spoken = languages(problems);
  if (problems.length) return { problems };
  const measure = value("q-measure") || null;
  return {
    seeker: {
      id: value("s-id"),
      qualifications: qualification
        ? [{
            occupation_uri: qualification,
            title: value("q-title") || null,
            country,
            year: number("q-year"),
            recognition: value("q-recognition"),
            recognition_filed_on: value("q-filed") || null,
            compensation_measure: measure,
            compensation_state: measure ? value("q-measure-state") || null : null,
            permit_valid_until: value("q-permit") || null,
          }]
        : [],
      experience: experience
        ? [{ occupation_uri: experience, years: number("e-years") ?? 0, country: experienceCountry || null, description: value("e-title") || null }]
        : [],
      skill_uris: pickers.skills.values(),
      skills_text: value("s-skills-text") || null,
      languages: spoken,
      home: { place: value("s-place") || null, postcode: value("s-postcode") || null },
      max_commute_km: number("s-commute") ?? 30,
      available_from: value("s-available") || null,
      working_time: value("s-working-time"),
      hours_per_week: number("s-hours"),
      work_authorisation: {
        status: value("w-status"),
        basis: value("w-basis") || null,
        max_hours_per_week: number("w-hours"),
        valid_until: value("w-until") || null,
      },
    },
  };
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => {
    clearError();
    const { seeker, problems } = body();
    if (problems) {
      showErrorText(t("form.fix"), el("ul", {}, problems.map((p) => el("li", { text: p }))));
      return;
    }
    const saved = await api("/jobseekers", { method: "POST", body: seeker });
    location.assign(pageUrl(`/app/advisor/jobseekers/${encodeURIComponent(saved.id)}`, { created: "1" }));
  });
});

run(async () => {
  const { me } = requireRole("advisor", "admin");
  // Ids an organisation creates start with its name and a colon (the default organisation's need none).
  const id = document.getElementById("s-id");
  if (me.role === "advisor" && me.organisation !== "default" && !id.value) id.value = `${me.organisation}:`;
});
