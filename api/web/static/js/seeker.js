// The job seeker's own page: their suggestions in plain language, what they can do next, and what would
// open more jobs. Advisors may open it for a person to show it to them.
import {
  ApiError,
  api,
  breakable,
  data,
  el,
  formatDate,
  formatKm,
  formatPercent,
  lang,
  localText,
  nextStepsList,
  pageUrl,
  rememberSeen,
  requireRole,
  run,
  scoreBar,
  seenVacancies,
  setBusy,
  showErrorText,
  t,
  unlockList,
  vacancy,
} from "./common.js";

const K = 10;
// The page shows a person only jobs that fit reasonably well (the same floor as the API's blocked list);
// advisors see the whole ranking in the console.
const MIN_SCORE = 0.5;
const list = document.getElementById("suggestions");
const later = document.getElementById("later");
const more = document.getElementById("more-suggestions");
let offset = 0;
let seekerId = null;
let ownPage = false;

function plainStatus(eligibility) {
  return el("p", { class: `status chip ${eligibility}`, text: t(`me.status_${eligibility}`) });
}

let seenBefore = null; // vacancies shown on earlier visits (none on the first one: then nothing is "new")

async function card(match, blocked) {
  const job = await vacancy(match.vacancy_id);
  const isNew = !blocked && seenBefore !== null && !seenBefore.has(match.vacancy_id);
  const explanation = match.explanation;
  const notes = match.reasons.filter((r) => (blocked ? r.severity === "blocking" : true));
  return el(
    "li",
    { class: `card ${match.eligibility}`, dataset: { vacancy: match.vacancy_id } },
    el("h3", {}, breakable(job.title)),
    isNew ? el("p", { class: "chip new", text: t("me.new_for_you") }) : null,
    el("p", { class: "meta", text: [job.employer, job.location.place, formatKm(match.distance_km)].filter(Boolean).join(" · ") }),
    plainStatus(match.eligibility),
    blocked ? null : scoreBar(match.score, "me.fit"),
    notes.length ? el("h4", { text: t(blocked ? "me.missing" : "me.why") }) : null,
    notes.length ? el("ul", { class: "reasons" }, notes.map((r) => el("li", { text: localText(r.text) }))) : null,
    match.next_steps.length ? el("h4", { text: t("me.next_steps") }) : null,
    nextStepsList(match.next_steps),
    blocked
      ? null
      : el(
          "details",
          {},
          el("summary", { text: t("me.skills", { n: explanation.matched_essential.length, total: explanation.matched_essential.length + explanation.missing_essential.length }) }),
          explanation.matched_essential.length ? el("p", {}, `${t("me.skills_have")}: `, explanation.matched_essential.map((s) => s.label).join(", ")) : null,
          explanation.missing_essential.length ? el("p", {}, `${t("me.skills_learn")}: `, explanation.missing_essential.map((s) => s.label).join(", ")) : null,
        ),
    blocked ? el("p", { class: "meta", text: t("me.would_fit", { score: formatPercent(match.score) }) }) : null,
  );
}

async function loadPage() {
  setBusy(list, true);
  const page = await api(`/jobseekers/${encodeURIComponent(seekerId)}/vacancies`, { query: { k: K, offset, lang } });
  const good = page.items.filter((m) => m.score >= MIN_SCORE);
  list.append(...(await Promise.all(good.map((m) => card(m, false)))));
  if (ownPage) rememberSeen(seekerId, good.map((m) => m.vacancy_id));
  if (offset === 0) {
    if (good.length === 0) list.append(el("li", { class: "card", text: t("me.none") }));
    unlockList(document.getElementById("unlock"), page.blocked, "unlock.count_seeker");
    later.replaceChildren(...(await Promise.all(page.blocked.map((m) => card(m, true)))));
    if (page.blocked.length === 0) later.append(el("li", { class: "card", text: t("me.later_none") }));
  }
  offset += page.items.length;
  more.hidden = !page.has_more || good.length < page.items.length;
  setBusy(list, false);
}

more.addEventListener("click", () => run(loadPage));

// Who else may see this profile, why and until when (shares with other organisations of the one-stop shop).
async function loadAccess() {
  const shares = (await api(`/jobseekers/${encodeURIComponent(seekerId)}/shares`)).filter((s) => s.active);
  const list = document.getElementById("access");
  list.replaceChildren(
    ...shares.map((s) =>
      el("li", { class: "card", dataset: { share: s.id } }, el("h3", { text: s.organisation }), el("p", { text: s.purpose }),
        el("p", { class: "meta", text: t("me.access_until", { date: formatDate(s.until) }) })),
    ),
  );
  if (shares.length === 0) list.append(el("li", { class: "card", text: t("me.access_none") }));
  document.getElementById("access-section").hidden = false;
}

run(async () => {
  const { me } = requireRole("jobseeker", "advisor", "admin");
  seekerId = data.seekerId || me.subject_id;
  ownPage = me.role === "jobseeker";
  if (ownPage) seenBefore = seenVacancies(seekerId);
  if (!seekerId) {
    // An advisor's key has no profile of its own: send them to the console.
    showErrorText(t("me.no_profile"), el("p", {}, el("a", { href: pageUrl("/app/advisor"), text: t("nav.vacancies") })));
    return;
  }
  try {
    await loadPage();
    if (ownPage) await loadAccess();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      setBusy(list, false);
      const own = me.role === "jobseeker" ? el("p", {}, el("a", { href: pageUrl("/app/jobseeker"), text: t("me.to_own_page") })) : null;
      showErrorText(t("me.not_found"), own);
      for (const section of document.querySelectorAll("main section, #seeker-intro")) section.hidden = true;
      return;
    }
    throw error;
  }
});
