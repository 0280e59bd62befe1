// Advisor console start page: find a vacancy (searched in the browser over GET /vacancies) or open a job
// seeker's profile by their pseudonymous id (no list of people is loaded: data minimisation).
import { api, el, pageUrl, requireRole, run, setBusy, showErrorText, t } from "./common.js";

const PAGE = 500; // the API's largest page
const MAX_LOADED = 5000;
const SHOWN_STEP = 50;

const query = document.getElementById("vacancy-query");
const table = document.getElementById("vacancy-table");
const body = table.querySelector("tbody");
const count = document.getElementById("vacancy-count");
const more = document.getElementById("more-vacancies");
let vacancies = [];
let total = 0;
let shown = SHOWN_STEP;

const fold = (text) =>
  (text || "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();

function matches(vacancy, words) {
  const haystack = fold([vacancy.title, vacancy.employer, vacancy.id, vacancy.location.place, vacancy.location.postcode].join(" "));
  return words.every((w) => haystack.includes(w));
}

function render() {
  const words = fold(query.value).split(/\s+/).filter(Boolean);
  const found = words.length ? vacancies.filter((v) => matches(v, words)) : vacancies;
  const rows = found.slice(0, shown).map((v) =>
    el(
      "tr",
      {},
      el("td", {}, el("a", { href: pageUrl(`/app/advisor/vacancies/${encodeURIComponent(v.id)}`), text: v.title })),
      el("td", { text: v.employer }),
      el("td", { text: [v.location.place, v.location.postcode].filter(Boolean).join(", ") || "—" }),
      el("td", { text: v.min_german_level || "—" }),
      el("td", { text: v.id }),
    ),
  );
  body.replaceChildren(...rows);
  table.hidden = rows.length === 0;
  const loadedNote = total > vacancies.length ? ` ${t("home.loaded_of", { n: vacancies.length, total })}` : "";
  count.textContent = t("home.found", { n: found.length }) + loadedNote;
  more.hidden = found.length <= shown;
}

let timer;
query.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    shown = SHOWN_STEP;
    render();
  }, 120);
});
document.getElementById("vacancy-search").addEventListener("submit", (event) => event.preventDefault());
more.addEventListener("click", () => {
  shown += SHOWN_STEP;
  render();
});

document.getElementById("seeker-open").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("seeker-id");
  const id = input.value.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(id)) {
    showErrorText(t("home.seeker_id_invalid"));
    input.focus();
    return;
  }
  location.assign(pageUrl(`/app/advisor/jobseekers/${encodeURIComponent(id)}`));
});

run(async () => {
  requireRole("advisor", "admin");
  setBusy(table, true);
  count.textContent = t("common.loading");
  do {
    const page = await api("/vacancies", { query: { offset: vacancies.length, limit: PAGE } });
    total = page.total;
    vacancies.push(...page.items);
    if (page.items.length === 0) break;
  } while (vacancies.length < total && vacancies.length < MAX_LOADED);
  vacancies = vacancies.sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
  setBusy(table, false);
  render();
});
