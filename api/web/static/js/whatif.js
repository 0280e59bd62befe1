// "What if …?": a blocked vacancy re-assessed with the obstacle removed from a copy of the profile
// (POST /what-if stores nothing). Used by the advisor's view of a job seeker.
import {
  LIFTED_BY_RECOGNITION,
  WORK_AUTHORISATION_CODES,
  api,
  el,
  eligibilityChip,
  formatPercent,
  lang,
  reasonsList,
  t,
} from "./common.js";

/** The counterfactual profile for a blocked match, or null when no change of status could lift the block. */
export function counterfactual(seeker, match) {
  const blocking = match.reasons.filter((r) => r.severity === "blocking").map((r) => r.code);
  const recognition = blocking.some((code) => LIFTED_BY_RECOGNITION.includes(code));
  const work = blocking.some((code) => WORK_AUTHORISATION_CODES.includes(code));
  if (!recognition && !work) return null;
  const changed = structuredClone(seeker);
  if (recognition) {
    for (const q of changed.qualifications) {
      if (q.recognition !== "not_required") {
        q.recognition = "full_equivalence";
        if (q.compensation_measure) q.compensation_state = "passed";
        q.permit_valid_until = null;
      }
    }
  }
  if (work) {
    changed.work_authorisation = { ...changed.work_authorisation, status: "permitted", max_hours_per_week: null, allowed_occupation_uris: [], valid_until: null };
  }
  const key = recognition && work ? "whatif.both" : recognition ? "whatif.recognition" : "whatif.work";
  return { seeker: changed, key };
}

export function whatIfControl(seeker, vacancy, match) {
  const plan = counterfactual(seeker, match);
  if (!plan) return el("p", { class: "meta", text: t("whatif.not_applicable") });
  const result = el("div", { "aria-live": "polite" });
  const button = el("button", {
    type: "button",
    class: "secondary",
    text: t(plan.key),
    onclick: async () => {
      button.disabled = true;
      result.replaceChildren(el("p", { class: "meta", text: t("common.loading") }));
      try {
        const outcome = await api("/what-if", { method: "POST", body: { jobseeker: plan.seeker, vacancy }, query: { lang } });
        result.replaceChildren(
          el("p", {}, t("whatif.result"), " ", eligibilityChip(outcome.eligibility), " ", t("whatif.score", { score: formatPercent(outcome.score) })),
          reasonsList(outcome.reasons, { only: ["blocking"] }),
        );
      } catch (error) {
        result.replaceChildren(el("p", { class: "message error", text: error.message }));
      } finally {
        button.disabled = false;
      }
    },
  });
  return el("div", { class: "whatif" }, button, result);
}
