// Recording an advisor's decision on a candidate: POST /vacancies/{id}/candidates/{seeker}/feedback.
// Decisions are a history (proposed, contacted, interview, hired, or rejected with a reason).
import { ApiError, api, el, t } from "./common.js";

export const DECISIONS = ["proposed", "contacted", "interview", "hired", "rejected"];
export const REJECTION_REASONS = [
  "skills_mismatch",
  "language",
  "recognition_pending",
  "commute",
  "working_time",
  "candidate_declined",
  "position_filled",
  "other",
];

const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" });

/** The decisions recorded for a vacancy, as Map(seeker id -> list, oldest first). */
export async function decisionsFor(vacancyId) {
  const all = await api(`/vacancies/${encodeURIComponent(vacancyId)}/feedback`);
  const bySeeker = new Map();
  for (const item of all) {
    if (!bySeeker.has(item.jobseeker_id)) bySeeker.set(item.jobseeker_id, []);
    bySeeker.get(item.jobseeker_id).push(item);
  }
  return bySeeker;
}

export function decisionText(item) {
  const reason = item.reason ? ` (${t(`reason.${item.reason}`)})` : "";
  return `${t(`decision.${item.decision}`)}${reason}`;
}

export function latestChip(items) {
  const chip = el("span", { class: "chip decision-latest" });
  const update = (list) => {
    const last = list && list.length ? list[list.length - 1] : null;
    chip.textContent = last ? t("decision.latest", { decision: decisionText(last) }) : t("decision.none_yet");
    chip.classList.toggle("ok", Boolean(last && last.decision === "hired"));
    chip.classList.toggle("bad", Boolean(last && last.decision === "rejected"));
  };
  update(items);
  chip.update = update;
  return chip;
}

export function historyList(items) {
  const list = el("ol", { class: "history" });
  const update = (all) => {
    list.replaceChildren(
      ...(all.length
        ? all.map((item) =>
            el(
              "li",
              {},
              el("strong", { text: decisionText(item) }),
              ` · ${timeFormat.format(new Date(item.created_at))}`,
              item.note ? el("br") : null,
              item.note ? el("span", { class: "meta", text: item.note }) : null,
            ),
          )
        : [el("li", { class: "meta", text: t("decision.none_yet") })]),
    );
  };
  update(items || []);
  list.update = update;
  return list;
}

/**
 * The decision form for one candidate. ``onrecorded(feedback)`` runs after a decision is stored.
 */
export function decisionForm(vacancyId, seekerId, onrecorded = () => {}) {
  const prefix = `decision-${seekerId}`;
  const problem = el("div", { class: "message", role: "alert" });
  const done = el("p", { class: "meta", role: "status" });
  const reasonField = el(
    "div",
    { class: "field", hidden: true },
    el("label", { for: `${prefix}-reason`, text: t("decision.reason") }),
    el(
      "select",
      { id: `${prefix}-reason`, name: "reason" },
      el("option", { value: "", text: t("decision.reason_choose") }),
      REJECTION_REASONS.map((code) => el("option", { value: code, text: t(`reason.${code}`) })),
    ),
  );
  const radios = DECISIONS.map((code, i) =>
    el(
      "label",
      { class: "choice" },
      el("input", { type: "radio", name: `${prefix}-decision`, value: code, checked: i === 0 }),
      ` ${t(`decision.${code}`)}`,
    ),
  );
  const note = el("textarea", { id: `${prefix}-note`, name: "note", rows: "2", maxlength: "1000", "aria-describedby": `${prefix}-note-hint` });
  const button = el("button", { type: "submit", text: t("decision.save") });
  const form = el(
    "form",
    { class: "decision-form", novalidate: true, dataset: { seeker: seekerId } },
    el("fieldset", {}, el("legend", { text: t("decision.choose") }), el("div", { class: "choices" }, radios)),
    reasonField,
    el(
      "div",
      { class: "field" },
      el("label", { for: `${prefix}-note`, text: t("decision.note") }),
      el("p", { class: "hint", id: `${prefix}-note-hint`, text: t("decision.note_hint") }),
      note,
    ),
    el("div", { class: "actions" }, button),
    problem,
    done,
  );
  const chosen = () => form.querySelector(`input[name="${prefix}-decision"]:checked`).value;
  form.addEventListener("change", () => {
    reasonField.hidden = chosen() !== "rejected";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    done.textContent = "";
    const decision = chosen();
    const reason = form.querySelector("select").value || null;
    if (decision === "rejected" && !reason) {
      problem.replaceChildren(el("p", { text: t("decision.reason_required") }));
      form.querySelector("select").focus();
      return;
    }
    button.disabled = true;
    try {
      const body = { decision, reason: decision === "rejected" ? reason : null, note: note.value.trim() || null };
      const saved = await api(`/vacancies/${encodeURIComponent(vacancyId)}/candidates/${encodeURIComponent(seekerId)}/feedback`, {
        method: "POST",
        body,
      });
      done.textContent = t("decision.saved", { decision: decisionText(saved) });
      note.value = "";
      onrecorded(saved);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      const text = error instanceof ApiError && error.status === 404 ? t("error.candidate_not_found") : error.message;
      problem.replaceChildren(el("p", { text }));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
