// The advisor's inbox: profiles that entered the top k of a saved list (GET /alerts), newest first, unread
// ones marked; each links to the candidate's page for the vacancy and can be marked as read.
import { api, el, eligibilityChip, formatPercent, pageUrl, requireRole, run, setBusy, t } from "./common.js";

const list = document.getElementById("alerts");

function card(alert) {
  const match = alert.match;
  const item = el(
    "li",
    { class: alert.read ? "card" : "card unread", "data-alert": alert.id },
    el(
      "div",
      { class: "card-head" },
      el(
        "h3",
        {},
        el("a", {
          href: pageUrl(
            `/app/advisor/vacancies/${encodeURIComponent(match.vacancy_id)}/candidates/${encodeURIComponent(match.jobseeker_id)}`,
          ),
          text: t("alerts.entered", { seeker: match.jobseeker_id, vacancy: match.vacancy_id, rank: match.rank }),
        }),
      ),
      eligibilityChip(match.eligibility),
    ),
    el("p", { class: "meta", text: t("alerts.score", { score: formatPercent(match.score), when: new Date(alert.created_at).toLocaleString() }) }),
    el("p", {}, match.explanation.summary),
  );
  if (!alert.read) {
    const button = el("button", { type: "button", class: "secondary", text: t("alerts.mark_read") });
    button.addEventListener("click", () =>
      run(async () => {
        await api(`/alerts/${alert.id}/read`, { method: "POST", raw: true });
        item.classList.remove("unread");
        button.remove();
      }),
    );
    item.append(el("div", { class: "actions" }, button));
  }
  return item;
}

run(async () => {
  requireRole("advisor", "admin");
  setBusy(list, true);
  const page = await api("/alerts", { query: { limit: 100 } });
  document.getElementById("alerts-meta").textContent = t("alerts.meta", { n: page.total, unread: page.unread });
  list.replaceChildren(...page.items.map(card));
  if (page.items.length === 0) list.append(el("li", { class: "card", text: t("alerts.none") }));
  setBusy(list, false);
});
