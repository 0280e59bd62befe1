// One candidate for one vacancy: the pair assessed with the what-if endpoint (which stores nothing), the
// profile and the decision form.
import {
  api,
  data,
  el,
  eligibilityChip,
  factorsTable,
  formatKm,
  lang,
  nextStepsList,
  reasonsList,
  requireRole,
  run,
  scoreBar,
  setBusy,
  skillsBlock,
  statusChips,
  t,
} from "./common.js";
import { decisionForm, decisionsFor, historyList } from "./decision.js";
import { profileView } from "./profile.js";

const { vacancyId, seekerId } = data;

run(async () => {
  requireRole("advisor", "admin");
  const [vacancy, seeker] = await Promise.all([
    api(`/vacancies/${encodeURIComponent(vacancyId)}`),
    api(`/jobseekers/${encodeURIComponent(seekerId)}`),
  ]);
  document.getElementById("page-title").textContent = t("candidate.heading", { id: seeker.id, title: vacancy.title });
  const match = await api("/what-if", { method: "POST", body: { jobseeker: seeker, vacancy }, query: { lang } });
  const matchBox = document.getElementById("match");
  const optional = [...match.explanation.matched_optional.map((s) => `✓ ${s.label}`), ...match.explanation.missing_optional.map((s) => `✗ ${s.label}`)];
  matchBox.replaceChildren(
    el("div", { class: `card ${match.eligibility}` },
      el("div", { class: "card-head" }, el("h3", { text: vacancy.title }), eligibilityChip(match.eligibility)),
      scoreBar(match.score),
      el("p", { class: "meta", text: `${t("match.commute")}: ${formatKm(match.distance_km)}` }),
      statusChips(match, vacancy),
      skillsBlock(match.explanation),
      optional.length ? el("p", { class: "meta", text: `${t("match.optional_skills")}: ${optional.join(", ")}` }) : null,
      el("h4", { text: t("match.reasons") }),
      reasonsList(match.reasons) || el("p", { class: "meta", text: "—" }),
      el("h4", { text: t("steps.title") }),
      nextStepsList(match.next_steps) || el("p", { class: "meta", text: "—" }),
      el("h4", { text: t("match.factors") }),
      el("p", { text: match.explanation.summary }),
      factorsTable(match.explanation),
    ),
  );
  setBusy(matchBox, false);
  const history = (await decisionsFor(vacancyId)).get(seekerId) || [];
  const historyView = historyList(history);
  const form = decisionForm(vacancyId, seekerId, (saved) => {
    history.push(saved);
    historyView.update(history);
  });
  document.getElementById("decision").replaceChildren(el("h3", { text: t("decision.history") }), historyView, form);
  const profile = document.getElementById("profile");
  profile.replaceChildren(await profileView(seeker));
  setBusy(profile, false);
}, "error.candidate_not_found");
