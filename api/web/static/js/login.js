// Sign-in: check the pasted key with GET /api/v1/me, keep it in this tab's sessionStorage, open the
// page for the key's role.
import { clearError, el, pageUrl, showErrorText, showStatus, signIn, signOut, t } from "./common.js";

const form = document.getElementById("login-form");
const input = document.getElementById("api-key");
const params = new URLSearchParams(location.search);
const reason = params.get("reason");
if (reason === "expired") showStatus(t("login.expired"));
else if (reason === "signed_out") showStatus(t("login.please_sign_in"));
else if (reason === "signed_out_now") showStatus(t("login.signed_out"));

const PAGES = { advisor: "/app/advisor", admin: "/app/advisor", jobseeker: "/app/jobseeker" };

/** Where to go after signing in: back to the page that asked, if it is one of ours, else the role's page. */
function destination(role) {
  const next = params.get("next");
  const home = PAGES[role];
  if (next && next.startsWith("/app/") && !next.startsWith("/app/login")) {
    const forSeeker = next.startsWith("/app/jobseeker");
    if (role === "jobseeker" ? forSeeker : true) return next;
  }
  return pageUrl(home);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = input.value.trim();
  if (!key) {
    showErrorText(t("login.key_missing"));
    input.focus();
    return;
  }
  clearError();
  showStatus(t("login.checking"));
  let response;
  try {
    response = await fetch("/api/v1/me", { headers: { Authorization: `Bearer ${key}`, Accept: "application/json" } });
  } catch {
    showStatus("");
    showErrorText(t("error.network"));
    return;
  }
  showStatus("");
  if (response.status === 401) {
    signOut();
    showErrorText(t("login.key_invalid"));
    input.select();
    return;
  }
  if (!response.ok) {
    showErrorText(t("error.unexpected"), `${response.status} ${response.statusText}`);
    return;
  }
  const me = await response.json();
  if (!(me.role in PAGES)) {
    signOut();
    showErrorText(
      t("login.no_page_for_role", { role: t(`role.${me.role}`) }),
      el("p", {}, el("a", { href: "/docs", text: t("footer.api_docs") })),
    );
    return;
  }
  signIn(key, me);
  input.value = "";
  location.assign(destination(me.role));
});
