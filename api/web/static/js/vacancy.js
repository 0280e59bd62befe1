// A vacancy and its ranked candidates: score bars, skills, recognition and German status, commute, the
// blocked list with what is missing, decisions, and the export.
import {
  api,
  data,
  el,
  eligibilityChip,
  factorsTable,
  formatDate,
  formatKm,
  formatPercent,
  labels,
  lang,
  nextStepsList,
  notesAndSteps,
  pageUrl,
  reasonsList,
  requireRole,
  run,
  scoreBar,
  setBusy,
  showStatus,
  skillsBlock,
  statusChips,
  t,
  wireExports,
} from "./common.js";
import { decisionForm, decisionsFor, latestChip } from "./decision.js";

const K = 20;
const vacancyId = data.vacancyId;
const list = document.getElementById("candidates");
const blockedList = document.getElementById("blocked");
const more = document.getElementById("more-candidates");
let offset = 0;
let record = null;
let decisions = new Map();

const candidateUrl = (seekerId) =>
  pageUrl(`/app/advisor/vacancies/${encodeURIComponent(vacancyId)}/candidates/${encodeURIComponent(seekerId)}`);

async function renderSummary(vacancy) {
  const names = await labels([vacancy.occupation_uri]);
  document.getElementById("page-title").textContent = t("candidates.heading", { title: vacancy.title });
  document.title = `${vacancy.title} · skillbridge`;
  const facts = [
    ["vacancy.employer", vacancy.employer],
    ["vacancy.occupation", names.get(vacancy.occupation_uri)],
    ["vacancy.place", [vacancy.location.place, vacancy.location.postcode].filter(Boolean).join(", ") || "—"],
    ["vacancy.german", vacancy.min_german_level || t("form.none")],
    ["vacancy.working_time", `${t(`working_time.${vacancy.working_time}`)}${vacancy.hours_per_week ? ` · ${vacancy.hours_per_week} h` : ""}`],
    ["vacancy.start", formatDate(vacancy.start_date)],
    ["vacancy.positions", String(vacancy.positions)],
    ["vacancy.recognition_support", t(vacancy.recognition_support ? "common.yes" : "common.no")],
    ["vacancy.id", vacancy.id],
  ];
  const summary = document.getElementById("vacancy-summary");
  summary.replaceChildren(
    el("dl", { class: "facts" }, facts.map(([key, value]) => [el("dt", { text: t(key) }), el("dd", { text: value })])),
  );
  setBusy(summary, false);
}

function candidateCard(match) {
  const heading = el(
    "h3",
    {},
    el("a", { href: candidateUrl(match.jobseeker_id), text: t("candidates.seeker", { rank: match.rank, id: match.jobseeker_id }) }),
  );
  const history = decisions.get(match.jobseeker_id) || [];
  const latest = latestChip(history);
  const recorded = (saved) => {
    history.push(saved);
    decisions.set(match.jobseeker_id, history);
    latest.update(history);
  };
  return el(
    "li",
    { class: `card ${match.eligibility}`, dataset: { seeker: match.jobseeker_id } },
    el("div", { class: "card-head" }, heading, el("span", {}, eligibilityChip(match.eligibility), " ", latest)),
    scoreBar(match.score),
    el("p", { class: "meta", text: `${t("match.commute")}: ${formatKm(match.distance_km)}` }),
    statusChips(match, record),
    skillsBlock(match.explanation),
    notesAndSteps(match),
    el("details", {}, el("summary", { text: t("match.details") }), el("p", { text: match.explanation.summary }), factorsTable(match.explanation)),
    el(
      "details",
      { class: "decision" },
      el("summary", { text: t("decision.record") }),
      decisionForm(vacancyId, match.jobseeker_id, recorded),
    ),
  );
}

function blockedCard(match) {
  return el(
    "li",
    { class: "card blocked", dataset: { seeker: match.jobseeker_id } },
    el(
      "div",
      { class: "card-head" },
      el("h3", {}, el("a", { href: candidateUrl(match.jobseeker_id), text: t("blocked.seeker", { id: match.jobseeker_id }) })),
      eligibilityChip("blocked"),
    ),
    el("p", { class: "meta", text: t("blocked.would_score", { score: formatPercent(match.score) }) }),
    el("h4", { text: t("blocked.missing") }),
    reasonsList(match.reasons, { only: ["blocking"] }),
    el("h4", { text: t("steps.title") }),
    nextStepsList(match.next_steps) || el("p", { class: "meta", text: "—" }),
  );
}

// Hard filters (German level, eligibility, must-have skills, places, distance, working time, start, recognition):
// the API applies them while retrieving, so the list stays complete; the exports use the same ones.
const filterForm = document.getElementById("filters");

function filters() {
  const data = new FormData(filterForm);
  const query = {};
  for (const name of ["min_german", "eligibility", "max_distance_km", "working_time", "available_by", "recognition"]) {
    if (data.get(name)) query[name] = data.get(name);
  }
  const places = String(data.get("place") || "").split(",").map((p) => p.trim()).filter(Boolean);
  if (places.length) query.place = places;
  const skills = data.getAll("skill");
  if (skills.length) query.skill = skills;
  return query;
}

async function skillFilters(vacancy) {
  const box = document.getElementById("f-skills");
  const uris = [...vacancy.essential_skill_uris, ...vacancy.optional_skill_uris];
  const names = await labels(uris);
  box.hidden = uris.length === 0;
  for (const uri of uris) {
    const id = `f-skill-${box.querySelectorAll("input").length}`;
    box.append(
      el("label", { class: "choice", for: id }, el("input", { type: "checkbox", id, name: "skill", value: uri }), names.get(uri)),
    );
  }
}

async function reload() {
  offset = 0;
  list.replaceChildren();
  await loadPage();
}

filterForm.addEventListener("submit", (event) => {
  event.preventDefault();
  run(reload);
});
filterForm.addEventListener("reset", () => setTimeout(() => run(reload), 0));

// Save the list with its filters: profiles that later enter its top 20 come to the alerts page.
document.getElementById("save-search").addEventListener("click", () =>
  run(async () => {
    const query = filters();
    const many = (value) => (value === undefined ? [] : [].concat(value));
    const body = {
      kind: "candidates",
      subject_id: vacancyId,
      k: K,
      filters: {
        min_german: query.min_german || null,
        eligibility: many(query.eligibility),
        skills: many(query.skill),
        places: many(query.place),
        max_distance_km: query.max_distance_km ? Number(query.max_distance_km) : null,
        working_time: many(query.working_time),
        available_by: query.available_by || null,
        recognition: many(query.recognition),
      },
    };
    await api("/saved-searches", { method: "POST", body });
    showStatus(t("search.saved"));
  }),
);

async function loadPage() {
  setBusy(list, true);
  const page = await api(`/vacancies/${encodeURIComponent(vacancyId)}/candidates`, {
    query: { k: K, offset, lang, ...filters() },
  });
  list.append(...page.items.map(candidateCard));
  if (offset === 0) {
    document.getElementById("candidates-meta").textContent = t("candidates.meta", {
      n: page.eligible_total,
      considered: page.considered,
    });
    document.getElementById("blocked-meta").textContent = t("blocked.meta", { shown: page.blocked.length, n: page.blocked_total });
    blockedList.replaceChildren(...page.blocked.map(blockedCard));
    if (page.items.length === 0) list.append(el("li", { class: "card", text: t("candidates.none") }));
  }
  offset += page.items.length;
  more.hidden = !page.has_more;
  setBusy(list, false);
}

more.addEventListener("click", () => run(loadPage));
wireExports(`/vacancies/${encodeURIComponent(vacancyId)}/candidates/export`, `candidates-${vacancyId}`, filters);

run(async () => {
  requireRole("advisor", "admin");
  if (new URLSearchParams(location.search).get("created")) showStatus(t("form.saved"));
  record = await api(`/vacancies/${encodeURIComponent(vacancyId)}`);
  decisions = await decisionsFor(vacancyId);
  await Promise.all([renderSummary(record), loadPage(), skillFilters(record)]);
}, "error.vacancy_not_found");
