// A job seeker's profile as an advisor sees it: qualifications with their recognition, languages, work
// authorisation, place and availability. Protected attributes (kept for fairness audits only) are never shown.
import { el, formatDate, labels, t } from "./common.js";

export async function profileView(seeker) {
  const uris = [...seeker.qualifications.map((q) => q.occupation_uri), ...seeker.experience.map((e) => e.occupation_uri), ...seeker.skill_uris];
  const names = await labels(uris);
  const qualifications = seeker.qualifications.map((q) => {
    const parts = [q.title || names.get(q.occupation_uri), `(${q.country}${q.year ? `, ${q.year}` : ""})`];
    const recognition = [t(`recognition.${q.recognition}`)];
    if (q.compensation_measure) {
      recognition.push(`${t(`measure.${q.compensation_measure}`)}: ${t(`measure_state.${q.compensation_state || "open"}`)}`);
    }
    if (q.recognition_filed_on) recognition.push(t("profile.filed_on", { date: formatDate(q.recognition_filed_on) }));
    if (q.permit_valid_until) recognition.push(t("profile.permit_until", { date: formatDate(q.permit_valid_until) }));
    return el("li", {}, parts.join(" "), el("br"), el("span", { class: "meta", text: `${t("profile.recognition")}: ${recognition.join(" · ")}` }));
  });
  const experience = seeker.experience.map((e) =>
    el("li", { text: `${names.get(e.occupation_uri)} — ${t("profile.years", { n: e.years })}${e.country ? ` (${e.country})` : ""}` }),
  );
  const languages = seeker.languages.map((l) => `${l.language.toUpperCase()} ${l.level}`).join(", ") || "—";
  const auth = seeker.work_authorisation;
  const authText = [t(`work.${auth.status}`), auth.basis, auth.max_hours_per_week ? t("profile.max_hours", { n: auth.max_hours_per_week }) : null, auth.valid_until ? t("profile.valid_until", { date: formatDate(auth.valid_until) }) : null]
    .filter(Boolean)
    .join(" · ");
  const facts = [
    ["profile.id", seeker.id],
    ["profile.languages", languages],
    ["profile.work", authText],
    ["profile.home", [seeker.home.place, seeker.home.postcode].filter(Boolean).join(", ") || "—"],
    ["profile.max_commute", `${seeker.max_commute_km} km`],
    ["profile.available", formatDate(seeker.available_from)],
    ["profile.working_time", `${t(`working_time.${seeker.working_time}`)}${seeker.hours_per_week ? ` · ${seeker.hours_per_week} h` : ""}`],
  ];
  return el(
    "div",
    {},
    el("dl", { class: "facts" }, facts.map(([key, value]) => [el("dt", { text: t(key) }), el("dd", { text: value })])),
    el("h3", { text: t("profile.qualifications") }),
    qualifications.length ? el("ul", {}, qualifications) : el("p", { class: "meta", text: "—" }),
    el("h3", { text: t("profile.experience") }),
    experience.length ? el("ul", {}, experience) : el("p", { class: "meta", text: "—" }),
    el(
      "details",
      {},
      el("summary", { text: t("profile.skills", { n: seeker.skill_uris.length }) }),
      el("ul", {}, seeker.skill_uris.map((uri) => el("li", { text: names.get(uri) }))),
      seeker.skills_text ? el("p", { text: seeker.skills_text }) : null,
    ),
  );
}
