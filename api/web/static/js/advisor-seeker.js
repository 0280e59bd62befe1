// The reverse view: a job seeker's profile, suitable vacancies, bridge jobs, the blocked ones with what is
// missing, and what would unlock more (grouped next steps and what-if re-assessments).
import {
  ApiError,
  api,
  breakable,
  data,
  el,
  eligibilityChip,
  formatDate,
  formatKm,
  formatPercent,
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
  t,
  unlockList,
  vacancy,
  wireExports,
} from "./common.js";
import { profileView } from "./profile.js";
import { whatIfControl } from "./whatif.js";

const K = 20;
const seekerId = data.seekerId;
const suitable = document.getElementById("suitable");
const bridge = document.getElementById("bridge");
const weaker = document.getElementById("weaker");
const weakerBox = document.getElementById("weaker-box");
// Matches below this score go to a folded "weaker matches" list (the API's floor for the blocked list).
const MIN_SCORE = 0.5;
const more = document.getElementById("more-vacancies");
let offset = 0;
let seeker = null;

const vacancyUrl = (id) => pageUrl(`/app/advisor/vacancies/${encodeURIComponent(id)}`);

async function vacancyCard(match, blocked) {
  const job = await vacancy(match.vacancy_id);
  const where = [job.employer, job.location.place].filter(Boolean).join(" · ");
  return el(
    "li",
    { class: `card ${match.eligibility}`, dataset: { vacancy: match.vacancy_id } },
    el("div", { class: "card-head" }, el("h3", {}, el("a", { href: vacancyUrl(job.id) }, breakable(job.title))), eligibilityChip(match.eligibility)),
    el("p", { class: "meta", text: `${where} · ${t("match.commute")}: ${formatKm(match.distance_km)} · ${job.id}` }),
    blocked
      ? [
          el("p", { class: "meta", text: t("blocked.would_score", { score: formatPercent(match.score) }) }),
          el("h4", { text: t("blocked.missing") }),
          reasonsList(match.reasons, { only: ["blocking"] }),
          el("h4", { text: t("steps.title") }),
          nextStepsList(match.next_steps) || el("p", { class: "meta", text: "—" }),
          whatIfControl(seeker, job, match),
        ]
      : [scoreBar(match.score), skillsBlock(match.explanation), notesAndSteps(match)],
  );
}

async function loadPage() {
  setBusy(suitable, true);
  const page = await api(`/jobseekers/${encodeURIComponent(seekerId)}/vacancies`, { query: { k: K, offset, lang, ...filters() } });
  const cards = await Promise.all(page.items.map((m) => vacancyCard(m, false)));
  for (const empty of document.querySelectorAll("#suitable .empty, #bridge .empty")) empty.remove();
  page.items.forEach((match, i) => {
    const target = match.score < MIN_SCORE ? weaker : match.eligibility === "bridge" ? bridge : suitable;
    target.append(cards[i]);
  });
  if (offset === 0) {
    unlockList(document.getElementById("unlock"), page.blocked, "unlock.count_advisor");
    const blockedCards = await Promise.all(page.blocked.map((m) => vacancyCard(m, true)));
    document.getElementById("blocked").replaceChildren(...blockedCards);
    if (page.blocked.length === 0) document.getElementById("blocked").append(el("li", { class: "card", text: t("blocked.none") }));
  }
  offset += page.items.length;
  if (!suitable.children.length) suitable.append(el("li", { class: "card empty", text: t("suitable.none") }));
  if (!bridge.children.length) bridge.append(el("li", { class: "card empty", text: t("bridge.none") }));
  weakerBox.hidden = weaker.children.length === 0;
  weakerBox.querySelector("summary").textContent = t("weaker.title", { n: weaker.children.length });
  more.hidden = !page.has_more;
  setBusy(suitable, false);
}

// Hard filters on the vacancies (eligibility, places, distance, working time): applied by the API while
// retrieving, so the list stays complete; the exports use the same ones.
const filterForm = document.getElementById("filters");

function filters() {
  const data = new FormData(filterForm);
  const query = {};
  for (const name of ["eligibility", "max_distance_km", "working_time"]) {
    if (data.get(name)) query[name] = data.get(name);
  }
  const places = String(data.get("place") || "").split(",").map((p) => p.trim()).filter(Boolean);
  if (places.length) query.place = places;
  return query;
}

async function reload() {
  offset = 0;
  for (const list of [suitable, bridge, weaker]) list.replaceChildren();
  await loadPage();
}

filterForm.addEventListener("submit", (event) => {
  event.preventDefault();
  run(reload);
});
filterForm.addEventListener("reset", () => setTimeout(() => run(reload), 0));

more.addEventListener("click", () => run(loadPage));
wireExports(`/jobseekers/${encodeURIComponent(seekerId)}/vacancies/export`, `vacancies-${seekerId}`, filters);

run(async () => {
  requireRole("advisor", "admin");
  seeker = await api(`/jobseekers/${encodeURIComponent(seekerId)}`);
  document.getElementById("page-title").textContent = t("seeker.heading", { id: seeker.id });
  const profile = document.getElementById("profile");
  profile.replaceChildren(await profileView(seeker));
  setBusy(profile, false);
  if (new URLSearchParams(location.search).get("created")) showStatus(t("seekerform.saved"));
  await loadPage();
}, "error.seeker_not_found");

// Sharing the case with another organisation of the one-stop shop (for a purpose, until a date), ending a share,
// handing the case over. The owning organisation's advisors only; others get 404 and the section stays empty.
const sharesList = document.getElementById("shares");

async function loadShares() {
  let shares;
  try {
    shares = await api(`/jobseekers/${encodeURIComponent(seekerId)}/shares`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      document.getElementById("sharing").hidden = true; // shared with us: only the owning office shares
      return;
    }
    throw error;
  }
  sharesList.replaceChildren(
    ...shares.map((share) => {
      const item = el(
        "li",
        { class: "card", dataset: { share: share.id } },
        el("h3", { text: share.organisation }),
        el("p", { text: share.purpose }),
        el("p", { class: "meta", text: t(share.active ? "sharing.active_until" : "sharing.ended", { date: formatDate(share.until) }) }),
      );
      if (share.active) {
        const end = el("button", { type: "button", class: "secondary", text: t("sharing.end") });
        end.addEventListener("click", () =>
          run(async () => {
            await api(`/jobseekers/${encodeURIComponent(seekerId)}/shares/${share.id}`, { method: "DELETE", raw: true });
            await loadShares();
          }),
        );
        item.append(el("div", { class: "actions" }, end));
      }
      return item;
    }),
  );
  if (shares.length === 0) sharesList.append(el("li", { class: "card", text: t("sharing.none") }));
}

document.getElementById("share-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  run(async () => {
    await api(`/jobseekers/${encodeURIComponent(seekerId)}/shares`, {
      method: "POST",
      body: { organisation: form.get("organisation"), purpose: form.get("purpose"), until: form.get("until") },
    });
    event.target.reset();
    showStatus(t("sharing.shared"));
    await loadShares();
  });
});

document.getElementById("handover-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  run(async () => {
    await api(`/jobseekers/${encodeURIComponent(seekerId)}/handover`, {
      method: "POST",
      body: { organisation: form.get("organisation"), purpose: form.get("purpose") },
      raw: true,
    });
    location.assign(pageUrl("/app/advisor", { handed_over: seekerId }));
  });
});

run(loadShares);
