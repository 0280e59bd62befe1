"""The pages in a real browser (Debian's headless Chromium): the advisor's and the job seeker's main flows,
with screenshots in var/screenshots/ to look at."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.web.world import NURSE as NURSE_URI
from tests.api.web.world import World

pytestmark = pytest.mark.browser

WAIT_S = 15


class Browser:
    def __init__(self, driver: Any, world: World, screenshots: Path):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.world = world
        self.screenshots = screenshots
        self.by = By
        self.wait = WebDriverWait(driver, WAIT_S)

    def open(self, path: str) -> None:
        self.driver.get(self.world.base_url + path)

    def sign_in(self, who: str, lang: str = "en", next_path: str | None = None) -> None:
        self.open(f"/app/login?lang={lang}" + (f"&next={next_path}" if next_path else ""))
        self.driver.execute_script("sessionStorage.clear()")
        field = self.one("#api-key")
        field.send_keys(self.world.keys[who])
        field.submit()
        self.wait.until(lambda d: "/app/login" not in d.current_url)

    def one(self, css: str) -> Any:
        return self.wait.until(lambda d: d.find_element(self.by.CSS_SELECTOR, css))

    def all(self, css: str) -> list[Any]:
        return self.driver.find_elements(self.by.CSS_SELECTOR, css)

    def until(self, condition: Callable[[], Any], what: str) -> Any:
        deadline = time.monotonic() + WAIT_S
        from selenium.common.exceptions import StaleElementReferenceException

        while time.monotonic() < deadline:
            try:
                value = condition()
            except StaleElementReferenceException:  # the page re-rendered what was being read: look again
                value = None
            if value:
                return value
            time.sleep(0.05)
        self.shot(f"failed-{what.replace(' ', '-')}")
        raise AssertionError(
            f"Timed out after {WAIT_S} s waiting for {what}; page text: {self.text()[:2000]}"
        )

    def loaded(self, css: str) -> None:
        """Wait until the element's aria-busy is false (the page's scripts have rendered the API's answer)."""
        self.until(lambda: self.one(css).get_attribute("aria-busy") == "false", f"{css} loaded")

    def phone(self) -> None:
        """A 390 px wide touch screen (a headless window cannot be narrower than 500 px, so emulate it)."""
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
        )

    def desktop(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def no_sideways_scrolling(self) -> None:
        width = self.driver.execute_script("return document.documentElement.scrollWidth - innerWidth")
        assert width <= 0, f"the page is {width} px wider than the screen"

    def text(self) -> str:
        return str(self.driver.find_element(self.by.TAG_NAME, "body").text)

    def error(self) -> str:
        return str(self.driver.find_element(self.by.ID, "error").text)

    def shot(self, name: str) -> None:
        self.driver.save_screenshot(str(self.screenshots / f"{name}.png"))

    def full_shot(self, name: str) -> None:
        """The whole page, not only the window (at most 6,000 px high)."""
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip}
        )
        (self.screenshots / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture
def browser(chromium: Any, web_world: World, screenshots: Path) -> Browser:
    chromium.set_window_size(1280, 1000)
    return Browser(chromium, web_world, screenshots)


def audit_events(world: World, key_name: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{world.base_url}/api/v1/audit",
        params={"key_id": world.key_ids[key_name], "limit": 500},
        headers={"Authorization": f"Bearer {world.keys['admin']}"},
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_advisor_finds_a_vacancy_ranks_candidates_records_a_decision_and_exports(browser: Browser) -> None:
    browser.sign_in("advisor")
    assert "/app/advisor" in browser.driver.current_url
    search = browser.one("#vacancy-query")
    browser.until(lambda: "Vacancies found" in browser.one("#vacancy-count").text, "the vacancy list")
    search.send_keys("Station 3")
    browser.until(lambda: len(browser.all("#vacancy-table tbody tr")) == 1, "one search hit")
    browser.shot("01-advisor-find-vacancy")
    browser.one("#vacancy-table tbody a").click()

    browser.loaded("#candidates")
    assert "Candidates for: Pflegefachfrau/Pflegefachmann Station 3" in browser.one("#page-title").text
    cards = browser.all("#candidates > li.card")
    assert cards, "no ranked candidates"
    # Score bars: the width follows the score, and ranks are in order.
    widths = [
        float(
            c.find_element(browser.by.CSS_SELECTOR, ".bar > span")
            .get_attribute("style")
            .split(":")[1]
            .strip(" %;")
        )
        for c in cards
    ]
    assert widths == sorted(widths, reverse=True) and widths[0] > 0
    first = cards[0]
    assert "Has " in first.text and "essential skills" in first.text
    assert "Commute:" in first.text and "km" in first.text
    assert "German B1: met" in first.text or "German needed" in first.text
    # The blocked list: the nurse whose recognition is pending, what is missing and where to ask.
    blocked = browser.one('#blocked li[data-seeker="js-olena"]')
    assert "Recognition as" in blocked.text and "decision pending" in blocked.text
    link = blocked.find_element(browser.by.CSS_SELECTOR, ".steps a")
    assert link.get_attribute("href") == "https://www.ksv-sachsen.de/"
    browser.full_shot("02-advisor-candidates-and-blocked-list")

    # Record decisions: a rejection needs a reason; then "contacted" is stored and shown.
    seeker_id = first.get_attribute("data-seeker")
    first.find_element(browser.by.CSS_SELECTOR, "details.decision summary").click()
    form = first.find_element(browser.by.CSS_SELECTOR, "form.decision-form")
    form.find_element(browser.by.CSS_SELECTOR, 'input[value="rejected"]').click()
    form.find_element(browser.by.CSS_SELECTOR, "button[type=submit]").click()
    browser.until(lambda: "choose a reason" in form.text, "the missing-reason message")
    form.find_element(browser.by.CSS_SELECTOR, 'input[value="contacted"]').click()
    form.find_element(browser.by.CSS_SELECTOR, "textarea").send_keys("Called, interview next week")
    form.find_element(browser.by.CSS_SELECTOR, "button[type=submit]").click()
    browser.until(lambda: "Recorded: contacted" in form.text, "the decision to be recorded")
    assert "Stage: contacted" in first.find_element(browser.by.CSS_SELECTOR, ".decision-latest").text
    browser.shot("03-advisor-decision-recorded")
    stored = httpx.get(
        f"{browser.world.base_url}/api/v1/vacancies/vac-nurse-a/feedback",
        headers={"Authorization": f"Bearer {browser.world.keys['advisor']}"},
    ).json()
    assert [(f["jobseeker_id"], f["decision"], f["note"]) for f in stored] == [
        (seeker_id, "contacted", "Called, interview next week")
    ]

    # Export: the CSV comes through the API with the key, as a download.
    for old in browser.driver.downloads.glob("*"):
        old.unlink()
    browser.one('button[data-export="csv"]').click()
    exported = browser.driver.downloads / "candidates-vac-nurse-a.csv"
    browser.until(lambda: exported.exists() and exported.stat().st_size > 0, "the CSV download")
    rows = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    assert len(rows) > 2 and any(seeker_id in row for row in rows[1:])
    assert "Downloaded: candidates-vac-nurse-a.csv" in browser.one("#status").text

    # Open the candidate: the pair assessed, the profile (never the protected attributes), the history.
    first.find_element(browser.by.CSS_SELECTOR, "h3 a").click()
    browser.loaded("#profile")
    assert "contacted" in browser.one("#decision .history").text
    assert "Work authorisation" in browser.one("#profile").text
    assert "female" not in browser.text() and "birth" not in browser.text().lower()
    browser.full_shot("04-advisor-candidate")

    # Every read went through the API and into the audit log under the advisor's key.
    events = {(e["action"], e["entity_kind"], e["entity_id"]) for e in audit_events(browser.world, "advisor")}
    assert ("match", "vacancy", "vac-nurse-a") in events
    assert ("read", "jobseeker", seeker_id) in events


def test_advisor_enters_a_vacancy_with_the_taxonomy_autocomplete(browser: Browser) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.sign_in("advisor", lang="de", next_path="/app/advisor/vacancies/new?lang=de")
    id_field = browser.one("#v-id")
    browser.until(lambda: id_field.get_attribute("value") == "leipzig:", "the organisation's id prefix")
    id_field.send_keys("vac-ui-1")
    browser.one("#v-employer").send_keys("Seniorenresidenz Plagwitz")
    browser.one("#v-title").send_keys("Pflegefachkraft (m/w/d) in der Altenpflege")
    browser.one("#v-description").send_keys("Grundpflege, Medikamentengabe und Dokumentation der Pflege.")
    browser.one("#normalize").click()
    first_occupation = browser.until(lambda: browser.all("#linked-occupations button"), "linked occupations")[
        0
    ]
    linked_label = first_occupation.text.rsplit(" (", 1)[0]
    first_occupation.click()
    chosen = browser.until(lambda: browser.all("#occupation-chosen li"), "the chosen occupation")
    assert linked_label in chosen[0].text
    occupation_uri = chosen[0].get_attribute("data-uri")

    # The essential skills by keyboard: type, arrow down, Enter.
    skill = browser.one("#essential-input")
    skill.send_keys("Medika")
    browser.until(
        lambda: browser.one("#essential-input").get_attribute("aria-expanded") == "true", "suggestions"
    )
    options = browser.until(
        lambda: browser.all('#essential-list [role="option"]:not([aria-disabled])'), "skill options"
    )
    first_label = options[0].text.split("\n")[0]
    skill.send_keys(Keys.ARROW_DOWN)
    assert browser.one("#essential-input").get_attribute("aria-activedescendant") == "essential-list-0"
    browser.shot("05-advisor-new-vacancy-autocomplete")
    skill.send_keys(Keys.ENTER)
    picked = browser.until(lambda: browser.all("#essential-chosen li"), "a picked skill")
    skill_uri = picked[0].get_attribute("data-uri")
    assert skill_uri.startswith("http://data.europa.eu/esco/skill/")
    assert picked[0].text.startswith(first_label)
    browser.one("#v-place").send_keys("Leipzig-Plagwitz")
    browser.one("#v-german").send_keys("B1")
    browser.full_shot("06-advisor-new-vacancy-filled")
    browser.one("#vacancy-form button[type=submit]").click()

    browser.until(
        lambda: "/app/advisor/vacancies/leipzig%3Avac-ui-1" in browser.driver.current_url,
        "the new vacancy's page",
    )
    browser.loaded("#candidates")
    assert "Die Stelle wurde gespeichert." in browser.one("#status").text
    stored = browser.world.matcher.get_vacancy("leipzig:vac-ui-1")
    assert stored.employer == "Seniorenresidenz Plagwitz"
    assert stored.occupation_uri == occupation_uri
    assert stored.essential_skill_uris == [skill_uri]
    assert stored.location.place == "Leipzig-Plagwitz" and stored.min_german_level == "B1"


def test_advisor_enters_a_job_seeker_from_ukrainian_text_and_corrects_the_links(browser: Browser) -> None:
    """The qualification's title and the skills as the person wrote them (Ukrainian) become ESCO suggestions;
    the advisor takes some, leaves others, and the profile is stored with exactly the chosen concepts."""
    browser.sign_in("advisor", lang="de", next_path="/app/advisor/jobseekers/new?lang=de")
    id_field = browser.one("#s-id")
    browser.until(lambda: id_field.get_attribute("value") == "leipzig:", "the organisation's id prefix")
    id_field.send_keys("js-ui-1")
    browser.one("#s-place").send_keys("Leipzig-Grünau")
    browser.one("#q-title").send_keys("Медична сестра")
    browser.one('[data-suggest-occupation="q"]').click()
    suggested = browser.until(lambda: browser.all("#q-suggestions button"), "occupation suggestions")
    assert suggested[0].text.startswith("Pflegefachmann/Pflegefachfrau")  # the German label, page language
    suggested[0].click()
    chosen = browser.until(lambda: browser.all("#q-occupation-chosen li"), "the qualification's occupation")
    assert chosen[0].get_attribute("data-uri") == NURSE_URI
    browser.one("#q-recognition").send_keys("beantragt")  # "beantragt, Entscheidung offen" (pending)

    # A title without a chosen occupation is not stored silently: the form asks for it.
    browser.one("#e-title").send_keys("Pflegehelferin")
    browser.one("#seeker-form button[type=submit]").click()
    browser.until(lambda: "Berufserfahrung: bitte den Beruf wählen" in browser.error(), "the missing link")
    stored_yet = httpx.get(
        f"{browser.world.base_url}/api/v1/jobseekers/leipzig:js-ui-1",
        headers={"Authorization": f"Bearer {browser.world.keys['admin']}"},
    )
    assert stored_yet.status_code == 404
    browser.one('[data-suggest-occupation="e"]').click()
    browser.until(lambda: browser.all("#e-suggestions button"), "experience suggestions")[0].click()
    browser.until(lambda: browser.all("#e-occupation-chosen li"), "the experience's occupation")

    browser.one("#s-skills-text").send_keys("Надання першої допомоги, робота в команді, трохи Excel")
    browser.one("#suggest-skills").click()
    offered = browser.until(lambda: browser.all("#skills-suggestions li"), "skill suggestions")
    labels = [item.text for item in offered]
    assert any(label.startswith("Erste Hilfe leisten") for label in labels), labels
    first_aid = next(item for item in offered if item.text.startswith("Erste Hilfe leisten"))
    first_aid.find_element(browser.by.CSS_SELECTOR, "button").click()  # taken; the others are left out
    picked = browser.until(lambda: browser.all("#skills-chosen li"), "a taken skill")
    assert len(picked) == 1
    first_aid_uri = picked[0].get_attribute("data-uri")
    browser.one("#l-de").send_keys("B1")
    browser.one("#l-level-1").send_keys("C2")
    browser.one("#w-status").send_keys("erlaubt")
    browser.full_shot("06b-advisor-new-jobseeker-linked")
    browser.one("#seeker-form button[type=submit]").click()

    browser.until(
        lambda: "/app/advisor/jobseekers/leipzig%3Ajs-ui-1" in browser.driver.current_url, "the profile page"
    )
    browser.until(lambda: "Das Profil wurde gespeichert." in browser.one("#status").text, "the saved note")
    stored = browser.world.matcher.get_jobseeker("leipzig:js-ui-1")
    assert [q.occupation_uri for q in stored.qualifications] == [NURSE_URI]
    assert stored.qualifications[0].title == "Медична сестра"
    assert stored.qualifications[0].recognition == "pending"
    assert stored.experience[0].description == "Pflegehelferin"
    assert stored.skill_uris == [first_aid_uri]
    assert stored.skills_text == "Надання першої допомоги, робота в команді, трохи Excel"
    assert {(lang.language, lang.level) for lang in stored.languages} == {("de", "B1"), ("uk", "C2")}
    assert stored.work_authorisation.status == "permitted"


def test_advisor_sees_a_job_seekers_vacancies_bridge_jobs_and_what_would_unlock_more(
    browser: Browser,
) -> None:
    browser.sign_in("advisor")
    browser.open("/app/advisor/jobseekers/js-olena?lang=en")
    browser.loaded("#suitable")
    assert "Recognition: pending" not in browser.text()
    assert "applied for, decision pending" in browser.one("#profile").text
    bridge = browser.one("#bridge").text
    assert "Pflegefachkraft mit Anerkennungsbegleitung" in bridge and "Krankenpflegehelferin" in bridge
    unlock = browser.one("#unlock").text
    assert "Ask Kommunaler Sozialverband Sachsen" in unlock and "Opens" in unlock
    blocked = browser.one('#blocked li[data-vacancy="vac-nurse-a"]')
    blocked.find_element(browser.by.CSS_SELECTOR, ".whatif button").click()
    browser.until(lambda: "Then:" in blocked.text, "the what-if result")
    assert "eligible" in blocked.find_element(browser.by.CSS_SELECTOR, ".whatif").text
    browser.full_shot("07-advisor-jobseeker-view")

    # An id the advisor's organisation does not have: the API's 404, said plainly, and no empty sections.
    browser.open("/app/advisor/vacancies/vac-elsewhere?lang=en")
    browser.until(lambda: browser.error(), "the not-found message")
    assert "There is no such vacancy, or it does not belong to your organisation." in browser.error()
    assert not [s for s in browser.all("main section") if s.is_displayed()]


def test_job_seeker_sees_own_suggestions_in_ukrainian_and_switches_language(browser: Browser) -> None:
    browser.phone()
    browser.sign_in("olena", lang="uk")
    assert "/app/jobseeker" in browser.driver.current_url
    browser.loaded("#suggestions")
    assert browser.one("html").get_attribute("lang") == "uk"
    text = browser.text()
    assert "Мої пропозиції вакансій" in text and "Вакансії, що вам підходять" in text
    assert "Можливо, поки триває визнання вашої кваліфікації." in text  # plain-language bridge status
    assert "Заяву про визнання за фахом" in text  # the API's reason, in Ukrainian
    later = browser.one("#later").text
    assert "Чого ще бракує" in later and "Докладніше: www.ksv-sachsen.de" in later
    # Nothing of the advisor's console: no other people's ids, no decision forms.
    assert "js-0" not in text and not browser.all("form.decision-form")
    browser.no_sideways_scrolling()
    browser.shot("08-jobseeker-uk-mobile")
    browser.full_shot("09-jobseeker-uk-mobile-full")

    browser.driver.find_element(browser.by.LINK_TEXT, "English").click()
    browser.until(lambda: browser.one("html").get_attribute("lang") == "en", "the English page")
    browser.loaded("#suggestions")
    assert "My job suggestions" in browser.text() and "Recognition as" in browser.text()
    browser.driver.find_element(browser.by.LINK_TEXT, "Deutsch").click()
    browser.until(lambda: browser.one("html").get_attribute("lang") == "de", "the German page")
    browser.loaded("#suggestions")
    assert "Meine Stellenvorschläge" in browser.text()
    browser.shot("10-jobseeker-de-mobile")
    browser.desktop()


def test_a_job_seeker_cannot_see_another_persons_page(browser: Browser) -> None:
    browser.sign_in("ivan", lang="uk")
    browser.open("/app/jobseeker/js-olena?lang=uk")
    browser.until(lambda: browser.error(), "the error message")
    assert "Ви можете бачити лише власний профіль." in browser.error()
    assert browser.driver.switch_to.active_element.get_attribute("id") == "error"
    assert "Пойзод" not in browser.text() and "Klinikum" not in browser.text()
    assert not [s for s in browser.all("main section") if s.is_displayed()]
    browser.shot("11-jobseeker-other-persons-page")
    # The same through the API: 404, so not even the existence of the profile is revealed.
    response = httpx.get(
        f"{browser.world.base_url}/api/v1/jobseekers/js-olena/vacancies",
        headers={"Authorization": f"Bearer {browser.world.keys['ivan']}"},
    )
    assert response.status_code == 404
    # And the advisor console is not for job seekers.
    browser.open("/app/advisor?lang=en")
    browser.until(lambda: browser.error(), "the wrong-role message")
    assert "This page is not for the role “job seeker”" in browser.error()


def test_sign_in_refuses_unknown_keys_and_roles_without_pages(browser: Browser) -> None:
    browser.open("/app/login?lang=en")
    browser.driver.execute_script("sessionStorage.clear()")
    browser.one("#api-key").send_keys("sbk_not-a-real-key")
    browser.one("#login-form button[type=submit]").click()
    browser.until(lambda: browser.error(), "the error message")
    assert "unknown or has been revoked" in browser.error()
    browser.shot("12-login-unknown-key")
    field = browser.one("#api-key")
    field.clear()
    field.send_keys(browser.world.keys["employer"])
    browser.one("#login-form button[type=submit]").click()
    browser.until(lambda: "no pages for the role" in browser.error(), "the employer message")
    assert browser.driver.execute_script("return sessionStorage.length") == 0
    # Signed out, a console page sends the browser to sign in and back.
    browser.open("/app/advisor/vacancies/vac-nurse-a?lang=en")
    browser.until(lambda: "/app/login" in browser.driver.current_url, "the sign-in page")
    assert "Please sign in to see this page." in browser.one("#status").text
    browser.one("#api-key").send_keys(browser.world.keys["advisor"])
    browser.one("#login-form button[type=submit]").click()
    browser.until(lambda: "/app/advisor/vacancies/vac-nurse-a" in browser.driver.current_url, "the way back")


def test_advisor_filters_a_candidate_list_and_it_matches_the_api(browser: Browser) -> None:
    browser.sign_in("advisor")
    browser.open("/app/advisor/vacancies/vac-assist?lang=en")
    browser.loaded("#candidates")
    everyone = [c.get_attribute("data-seeker") for c in browser.all("#candidates > li.card")]
    browser.one("#filters-panel summary").click()
    browser.one("#f-german option[value='C1']").click()
    browser.one("#f-time option[value='part_time']").click()
    browser.one("#apply-filters").click()
    api = httpx.get(
        f"{browser.world.base_url}/api/v1/vacancies/vac-assist/candidates",
        params={"k": 20, "min_german": "C1", "working_time": "part_time"},
        headers={"Authorization": f"Bearer {browser.world.keys['advisor']}"},
    ).json()
    expected = [x["jobseeker_id"] for x in api["items"]]
    assert expected != everyone[: len(expected)] or len(expected) < len(everyone), (
        "the filter changed nothing"
    )

    def shown() -> list[str | None]:
        return [c.get_attribute("data-seeker") for c in browser.all("#candidates > li.card")]

    browser.until(
        lambda: browser.one("#candidates").get_attribute("aria-busy") == "false" and shown() == expected,
        "the filtered list",
    )
    browser.shot("13-advisor-filtered-candidates")
    browser.one("#clear-filters").click()
    browser.until(lambda: shown() == everyone, "the unfiltered list again")


def test_advisor_filters_a_job_seekers_vacancies_and_they_match_the_api(browser: Browser) -> None:
    browser.sign_in("advisor")
    browser.open("/app/advisor/jobseekers/js-olena?lang=en")
    browser.loaded("#suitable")

    def shown() -> list[str | None]:
        cards = browser.all("#suitable > li.card, #bridge > li.card, #weaker > li.card")
        return sorted(c.get_attribute("data-vacancy") for c in cards if c.get_attribute("data-vacancy"))

    everyone = shown()
    browser.one("#filters-panel summary").click()
    browser.one("#f-eligibility option[value='bridge']").click()
    browser.one("#apply-filters").click()
    api = httpx.get(
        f"{browser.world.base_url}/api/v1/jobseekers/js-olena/vacancies",
        params={"k": 20, "eligibility": "bridge"},
        headers={"Authorization": f"Bearer {browser.world.keys['advisor']}"},
    ).json()
    expected = sorted(x["vacancy_id"] for x in api["items"])
    assert expected and expected != everyone and all(x["eligibility"] == "bridge" for x in api["items"])
    browser.until(
        lambda: browser.one("#suitable").get_attribute("aria-busy") == "false" and shown() == expected,
        "the filtered list",
    )
    browser.one("#clear-filters").click()
    browser.until(lambda: shown() == everyone, "the unfiltered list again")


def test_advisor_saves_a_list_and_is_alerted_when_a_strong_candidate_arrives(browser: Browser) -> None:
    from tests.api.web.world import GRUENAU, NURSING_ASSISTANT

    world = browser.world
    headers = {"Authorization": f"Bearer {world.keys['advisor']}"}
    browser.sign_in("advisor")
    browser.open("/app/advisor/vacancies/vac-assist?lang=en")
    browser.loaded("#candidates")
    browser.one("#filters-panel summary").click()
    browser.one("#save-search").click()
    browser.until(lambda: "Saved: new matching profiles" in browser.text(), "the saved-search confirmation")
    assert len(httpx.get(f"{world.base_url}/api/v1/saved-searches", headers=headers).json()) == 1

    skills = list(world.matcher.taxonomy.essential_skills(NURSING_ASSISTANT))
    strong = {
        "id": "leipzig:js-strong",
        "qualifications": [
            {"occupation_uri": NURSING_ASSISTANT, "country": "DE", "recognition": "not_required"}
        ],
        "skill_uris": skills,
        "languages": [{"language": "de", "level": "C2"}],
        "home": GRUENAU,
        "max_commute_km": 30,
        "work_authorisation": {"status": "permitted"},
    }
    assert httpx.post(f"{world.base_url}/api/v1/jobseekers", json=strong, headers=headers).status_code == 201
    browser.until(
        lambda: httpx.get(f"{world.base_url}/api/v1/alerts", headers=headers).json()["unread"] == 1,
        "the alert (the change log is evaluated a few times a second)",
    )
    browser.open("/app/advisor/alerts?lang=en")
    browser.loaded("#alerts")
    card = browser.one("#alerts li.unread")
    assert "js-strong entered at rank" in card.text and "for vac-assist" in card.text
    browser.shot("14-advisor-alerts")
    card.find_element(browser.by.CSS_SELECTOR, "button").click()
    browser.until(lambda: not browser.all("#alerts li.unread"), "the alert marked as read")
    assert httpx.get(f"{world.base_url}/api/v1/alerts", headers=headers).json()["unread"] == 0


def test_a_job_seeker_sees_what_is_new_since_the_last_visit(browser: Browser) -> None:
    world = browser.world
    browser.sign_in("olena", lang="en")
    browser.driver.execute_script("localStorage.clear()")
    browser.open("/app/jobseeker?lang=en")
    browser.loaded("#suggestions")
    assert browser.all("#suggestions li.card"), "no suggestions"
    assert "New for you" not in browser.one("#suggestions").text  # a first visit marks nothing

    advisor = {"Authorization": f"Bearer {world.keys['advisor']}"}
    template = httpx.get(f"{world.base_url}/api/v1/vacancies/vac-assist", headers=advisor).json()
    fresh = {**template, "id": "leipzig:vac-assist-new", "title": "Pflegehelfer/in Frühdienst (m/w/d)"}
    assert httpx.post(f"{world.base_url}/api/v1/vacancies", json=fresh, headers=advisor).status_code == 201

    browser.open("/app/jobseeker?lang=en")
    browser.loaded("#suggestions")
    new = browser.until(
        lambda: [c for c in browser.all("#suggestions li.card") if "New for you" in c.text],
        "a new suggestion",
    )
    assert [c.get_attribute("data-vacancy") for c in new] == ["leipzig:vac-assist-new"]
    browser.shot("15-jobseeker-new-for-you")
    browser.open("/app/jobseeker?lang=en")  # seen now: no longer new
    browser.loaded("#suggestions")
    assert "New for you" not in browser.one("#suggestions").text


def test_a_job_seeker_sees_who_else_has_access_and_why(browser: Browser) -> None:
    world = browser.world
    advisor = {"Authorization": f"Bearer {world.keys['advisor']}"}
    until = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    shared = httpx.post(
        f"{world.base_url}/api/v1/jobseekers/js-ivan/shares",
        json={"organisation": "sozialamt", "purpose": "Leistungen und Vermittlung abstimmen", "until": until},
        headers=advisor,
    )
    assert shared.status_code == 201, shared.text
    browser.sign_in("ivan", lang="en")
    browser.loaded("#suggestions")
    access = browser.until(
        lambda: browser.one("#access").text if browser.all("#access li") else "", "the access list"
    )
    assert "sozialamt" in access and "Leistungen und Vermittlung abstimmen" in access
    browser.shot("16-jobseeker-who-has-access")


def test_advisor_shares_a_case_and_ends_the_share(browser: Browser) -> None:
    world = browser.world
    browser.sign_in("advisor")
    browser.open("/app/advisor/jobseekers/js-olena?lang=en")
    browser.until(
        lambda: "Not shared with any other office." in browser.one("#shares").text, "the empty share list"
    )
    browser.loaded("#suitable")  # the vacancy lists above are in: the share form no longer moves

    from selenium.common.exceptions import ElementClickInterceptedException

    def press(css: str) -> None:
        """Scrolled to the middle first (the status line may cover the window's bottom); tried again while
        the sections still loading below move it."""
        for attempt in range(20):
            element = browser.one(css)
            browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
            try:
                element.click()
                return
            except ElementClickInterceptedException:
                if attempt == 19:
                    raise
                time.sleep(0.1)

    press("#sharing details summary")
    browser.until(lambda: browser.one("#share-org").is_displayed(), "the opened share form")
    browser.one("#share-org").send_keys("agentur")
    browser.one("#share-purpose").send_keys("Vermittlung in Pflegehilfe")
    until = dt.date.today() + dt.timedelta(days=30)
    browser.driver.execute_script(
        "document.getElementById('share-until').value = arguments[0]", until.isoformat()
    )
    press("#share-submit")
    browser.until(lambda: "agentur" in browser.one("#shares").text, "the new share")
    shares = httpx.get(
        f"{world.base_url}/api/v1/jobseekers/js-olena/shares",
        headers={"Authorization": f"Bearer {world.keys['advisor']}"},
    ).json()
    assert [(s["organisation"], s["active"]) for s in shares] == [("agentur", True)]
    browser.shot("17-advisor-shares-a-case")
    press("#shares li[data-share] button")
    browser.until(lambda: "Ended" in browser.one("#shares").text, "the ended share")
