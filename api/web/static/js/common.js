// Shared by every page: UI strings, the signed-in key, calls to the JSON API and small DOM helpers.
// Data from the API is only ever put into the page as text (textContent), never as HTML.

const KEY = "skillbridge.key";
const ME = "skillbridge.me";
const main = document.getElementById("main");
const catalog = JSON.parse(document.getElementById("catalog").textContent);

export const lang = document.documentElement.lang;
export const data = main.dataset;

/** A UI string in the page's language, with {placeholders} filled in. */
export function t(key, values = {}) {
  const text = catalog[key];
  if (text === undefined) {
    console.error(`No UI string ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** el("a", {href: "/x", class: "c", onclick: fn}, "text", otherNode) */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Text with a line-break opportunity after each slash ("Pflegefachfrau/<wbr>Pflegefachmann"). */
export function breakable(text) {
  const parts = String(text).split("/");
  return parts.flatMap((part, i) => (i < parts.length - 1 ? [`${part}/`, el("wbr")] : [part]));
}

/** Only web links are shown as links (never javascript: or data: URLs from data). */
export function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
}

/** A page URL in the current language. */
export function pageUrl(path, params = {}) {
  const query = new URLSearchParams({ lang, ...params });
  return `${path}?${query}`;
}

export function session() {
  const key = sessionStorage.getItem(KEY);
  let me = null;
  try {
    me = JSON.parse(sessionStorage.getItem(ME) || "null");
  } catch {
    me = null;
  }
  return { key, me };
}

export function signIn(key, me) {
  sessionStorage.setItem(KEY, key);
  sessionStorage.setItem(ME, JSON.stringify(me));
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(ME);
  // What a job seeker has seen ("new for you") stays on this device only until they sign out.
  for (const name of Object.keys(localStorage)) if (name.startsWith(SEEN_PREFIX)) localStorage.removeItem(name);
}

// -- "new for you": the vacancies a job seeker has already been shown, on their own device only ------------

const SEEN_PREFIX = "skillbridge.seen.";

export function seenVacancies(seekerId) {
  try {
    const stored = JSON.parse(localStorage.getItem(SEEN_PREFIX + seekerId) || "null");
    return Array.isArray(stored) ? new Set(stored) : null;
  } catch {
    return null;
  }
}

export function rememberSeen(seekerId, ids) {
  const seen = seenVacancies(seekerId) || new Set();
  for (const id of ids) seen.add(id);
  localStorage.setItem(SEEN_PREFIX + seekerId, JSON.stringify([...seen].slice(-500)));
}

function toLogin(reason) {
  const next = location.pathname + location.search;
  location.assign(pageUrl("/app/login", { reason, next }));
}

export class ApiError extends Error {
  constructor(status, detail, errors = []) {
    super(detail);
    this.status = status;
    this.errors = errors;
  }
}

/** Call the JSON API with the signed-in key. Throws ApiError with the API's own message. */
export async function api(path, { method = "GET", body, query, raw = false } = {}) {
  const { key } = session();
  if (!key) {
    toLogin("signed_out");
    throw new ApiError(401, t("error.signed_out"));
  }
  const headers = { Authorization: `Bearer ${key}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let url = `/api/v1${path}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      for (const one of Array.isArray(value) ? value : [value]) {
        if (one !== null && one !== undefined && one !== "") params.append(name, one);
      }
    }
    url += `?${params}`;
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, t("error.network"));
  }
  if (response.status === 401) {
    signOut();
    toLogin("expired");
    throw new ApiError(401, t("error.expired"));
  }
  if (!response.ok) {
    let detail = response.statusText;
    let errors = [];
    try {
      const payload = await response.json();
      detail = payload.detail || detail;
      errors = payload.errors || [];
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(response.status, detail, errors);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

const statusBox = document.getElementById("status");
const errorBox = document.getElementById("error");

export function showStatus(text) {
  statusBox.textContent = text || "";
}

export function clearError() {
  errorBox.replaceChildren();
}

/** Show paragraphs (strings or nodes) in the page's alert region and move focus there. */
export function showErrorText(...paragraphs) {
  errorBox.replaceChildren(...paragraphs.map((p) => (typeof p === "string" ? el("p", { text: p }) : p)));
  errorBox.focus();
}

/** Show an error in the page's alert region; 403 and 404 get a plain explanation before the API's detail. */
export function showError(error, notFoundKey = "error.not_found") {
  const parts = [];
  if (error instanceof ApiError) {
    if (error.status === 401) return; // on the way to the sign-in page
    if (error.status === 404) {
      parts.push(el("p", { text: t(notFoundKey) }));
      // Nothing to show: hide the empty sections rather than leave headings over nothing.
      for (const part of main.querySelectorAll(":scope > section, :scope > .actions, :scope > details")) part.hidden = true;
    }
    else if (error.status === 403) parts.push(el("p", { text: t("error.forbidden") }));
    else if (error.status === 0) parts.push(el("p", { text: error.message }));
    if (error.status !== 0) parts.push(el("p", { class: "meta", text: error.message }));
    if (error.errors && error.errors.length > 1) {
      parts.push(el("ul", {}, error.errors.map((e) => el("li", { text: `${e.field}: ${e.message}` }))));
    }
  } else {
    console.error(error);
    parts.push(el("p", { text: t("error.unexpected") }));
  }
  showErrorText(...parts);
}

/** Run a page's loader; any error lands in the alert region. */
export async function run(task, notFoundKey) {
  try {
    await task();
  } catch (error) {
    showError(error, notFoundKey);
  }
}

/** Stop unless signed in with one of the roles; returns {key, me}. */
export function requireRole(...roles) {
  const current = session();
  if (!current.key || !current.me) {
    toLogin("signed_out");
    throw new ApiError(401, t("error.signed_out"));
  }
  if (!roles.includes(current.me.role)) {
    throw new ApiError(403, t("error.wrong_role", { role: t(`role.${current.me.role}`) }));
  }
  return current;
}

export function setBusy(node, busy) {
  node.setAttribute("aria-busy", busy ? "true" : "false");
}

// -- formatting -------------------------------------------------------------------------------------------

const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium" });

export const formatPercent = (value) => percent.format(value);
export const formatKm = (value) => (value === null || value === undefined ? t("match.distance_unknown") : `${decimal.format(value)} km`);
export function formatDate(iso) {
  if (!iso) return "—";
  const date = new Date(`${iso}T00:00:00`);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

/** A text in the page's language from the API's {de, en, uk}. */
export const localText = (text) => (text && (text[lang] || text.en)) || "";

// -- the taxonomy and vacancies, fetched once per page ------------------------------------------------------

const labelCache = new Map();

/** Labels of concept URIs in the page's language: Map(uri -> label). */
export async function labels(uris) {
  const missing = [...new Set(uris)].filter((uri) => !labelCache.has(uri));
  for (let i = 0; i < missing.length; i += 100) {
    const found = await api("/taxonomy/concepts", { query: { uri: missing.slice(i, i + 100), lang } });
    for (const concept of found) labelCache.set(concept.uri, concept.label);
  }
  return new Map(uris.map((uri) => [uri, labelCache.get(uri) || uri]));
}

const vacancyCache = new Map();

export function vacancy(id) {
  if (!vacancyCache.has(id)) vacancyCache.set(id, api(`/vacancies/${encodeURIComponent(id)}`));
  return vacancyCache.get(id);
}

// -- pieces of match lists ----------------------------------------------------------------------------------

export function scoreBar(score, labelKey = "match.score") {
  const width = `${Math.round(Math.max(0, Math.min(1, score)) * 100)}%`;
  const bar = el("span", { class: "bar", "aria-hidden": "true" }, el("span"));
  bar.firstChild.style.width = width;
  return el(
    "div",
    { class: "score" },
    el("span", { class: "visually-hidden", text: `${t(labelKey)}:` }),
    bar,
    el("strong", { text: formatPercent(score) }),
  );
}

export function eligibilityChip(eligibility) {
  return el("span", { class: `chip ${eligibility}`, text: t(`eligibility.${eligibility}`) });
}

// BEGIN reason codes: generated from matching/ranking/reasons.py by `python -m api.web.reason_codes`
export const RECOGNITION_CODES = ["reserved_no_qualification", "recognition_not_applied", "recognition_pending", "recognition_partial", "recognition_rejected", "recognition_no_reference", "permit_valid", "permit_expired", "recognition_placement", "bridge_job", "title_protected", "title_required", "regulation_not_checked", "self_employment_restricted"];
export const LIFTED_BY_RECOGNITION = ["recognition_not_applied", "recognition_pending", "recognition_partial", "recognition_rejected", "recognition_no_reference", "permit_expired", "title_required"];
export const WORK_AUTHORISATION_CODES = ["work_not_permitted", "work_unknown", "work_expired", "work_ends_before_start", "work_occupation_restricted", "work_hours_restricted", "work_needs_approval"];
// END reason codes
const SEVERITY_CLASS = { blocking: "bad", warning: "warn", info: "" };

/** Short recognition, German and work-permit status of a match, derived from its reasons. */
export function statusChips(match, vacancyRecord) {
  const chips = [];
  const codes = new Map(match.reasons.map((r) => [r.code, r]));
  const recognition = RECOGNITION_CODES.filter((code) => codes.has(code));
  if (recognition.length === 0) chips.push(["ok", t("status.recognition_clear")]);
  for (const code of recognition) chips.push([SEVERITY_CLASS[codes.get(code).severity] || "warn", t(`status.${code}`)]);
  if (codes.has("german_gap")) chips.push(["warn", localText(codes.get("german_gap").text)]);
  else if (vacancyRecord && vacancyRecord.min_german_level) {
    chips.push(["ok", t("status.german_ok", { level: vacancyRecord.min_german_level })]);
  }
  for (const [code, reason] of codes) {
    if (WORK_AUTHORISATION_CODES.includes(code)) chips.push([SEVERITY_CLASS[reason.severity] || "warn", t("status.work_issue")]);
  }
  return el(
    "ul",
    { class: "chips", "aria-label": t("status.label") },
    chips.map(([kind, text]) => el("li", { class: `chip ${kind}`, text })),
  );
}

export function reasonsList(reasons, { only } = {}) {
  const shown = only ? reasons.filter((r) => only.includes(r.severity)) : reasons;
  if (shown.length === 0) return null;
  return el(
    "ul",
    { class: "reasons" },
    shown.map((r) =>
      el(
        "li",
        { class: r.severity },
        r.severity === "blocking" ? el("span", { class: "visually-hidden", text: `${t("severity.blocking")}: ` }) : null,
        localText(r.text),
      ),
    ),
  );
}

/** Next steps, each with its authority's web page when there is one. */
export function nextStepsList(steps) {
  if (!steps || steps.length === 0) return null;
  return el(
    "ul",
    { class: "steps" },
    steps.map((step) => {
      const url = safeUrl(step.url);
      return el(
        "li",
        {},
        localText(step.text),
        url ? [" ", el("a", { href: url, rel: "noopener noreferrer", text: t("steps.more_at", { site: new URL(url).host }) })] : null,
      );
    }),
  );
}

export function skillsBlock(explanation) {
  const chips = (items, cls, mark) =>
    el(
      "ul",
      { class: "chips" },
      items.map((s) => el("li", { class: `chip ${cls}` }, el("span", { "aria-hidden": "true", text: `${mark} ` }), s.label)),
    );
  const matched = explanation.matched_essential;
  const missing = explanation.missing_essential;
  const total = matched.length + missing.length;
  return el(
    "div",
    { class: "skills" },
    el("h4", { text: t("match.matched_skills", { n: matched.length, total }) }),
    matched.length ? chips(matched, "ok", "✓") : el("p", { class: "meta", text: "—" }),
    missing.length ? [el("h4", { text: t("match.missing_skills", { n: missing.length }) }), chips(missing, "bad", "✗")] : null,
  );
}

/** Reasons and next steps under their own small headings; nothing when there are none. */
export function notesAndSteps(match) {
  return [
    match.reasons.length ? [el("h4", { text: t("match.reasons") }), reasonsList(match.reasons)] : null,
    match.next_steps.length ? [el("h4", { text: t("steps.title") }), nextStepsList(match.next_steps)] : null,
  ];
}

export function factorsTable(explanation) {
  return el(
    "div",
    { class: "table-wrap" },
    el(
      "table",
      {},
      el("caption", { class: "visually-hidden", text: t("match.factors") }),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["match.factor", "match.value", "match.weight", "match.contribution"].map((k) => el("th", { scope: "col", text: t(k) })),
        ),
      ),
      el(
        "tbody",
        {},
        explanation.factors.map((f) =>
          el(
            "tr",
            {},
            el("th", { scope: "row", text: t(`factor.${f.name}`) }),
            el("td", { text: formatPercent(f.value) }),
            el("td", { text: formatPercent(f.weight) }),
            el("td", { text: formatPercent(f.contribution) }),
          ),
        ),
      ),
    ),
  );
}

/**
 * What would unlock more: the blocked matches' next steps, grouped, with the number of jobs each opens.
 * Returns [{text, url, count, vacancyIds}], most jobs first.
 */
export function unlockSummary(blocked) {
  const groups = new Map();
  for (const match of blocked) {
    for (const step of match.next_steps) {
      const text = localText(step.text);
      const group = groups.get(text) || { text, url: safeUrl(step.url), count: 0, vacancyIds: [] };
      if (!group.vacancyIds.includes(match.vacancy_id)) {
        group.count += 1;
        group.vacancyIds.push(match.vacancy_id);
      }
      groups.set(text, group);
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.text.localeCompare(b.text));
}

export function unlockList(container, blocked, countKey) {
  const groups = unlockSummary(blocked);
  if (groups.length === 0) {
    container.replaceChildren(el("li", { class: "card", text: t("unlock.nothing") }));
    return;
  }
  container.replaceChildren(
    ...groups.map((g) =>
      el(
        "li",
        { class: "card" },
        el("p", {}, el("strong", { text: g.text })),
        el("p", { class: "meta", text: t(countKey, { n: g.count }) }),
        g.url ? el("p", {}, el("a", { href: g.url, rel: "noopener noreferrer", text: t("steps.more_at", { site: new URL(g.url).host }) })) : null,
      ),
    ),
  );
}

/** Download an export from the API (the key goes in the header, so a plain link cannot do it). */
export async function download(path, query, fallbackName) {
  const response = await api(path, { query, raw: true });
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: match ? match[1] : fallbackName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return match ? match[1] : fallbackName;
}

export function wireExports(path, stem, extra = () => ({})) {
  for (const button of document.querySelectorAll("[data-export]")) {
    button.addEventListener("click", () =>
      run(async () => {
        const format = button.dataset.export;
        button.disabled = true;
        try {
          const name = await download(path, { format, lang, k: 50, ...extra() }, `${stem}.${format}`);
          showStatus(t("export.done", { file: name }));
        } finally {
          button.disabled = false;
        }
      }),
    );
  }
}

// -- every page: the sign-out button ------------------------------------------------------------------------

const signOutButton = document.getElementById("sign-out");
if (session().key && !document.body.classList.contains("signed-out")) {
  signOutButton.hidden = false;
  signOutButton.addEventListener("click", () => {
    signOut();
    location.assign(pageUrl("/app/login", { reason: "signed_out_now" }));
  });
}
