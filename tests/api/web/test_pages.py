"""The page routes without a browser: every page renders in each language, carries its security headers and
its scripts, and holds no personal data whoever asks (the data comes only from the API, by key)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.web.i18n import LANGUAGES, catalog
from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.geo import Gazetteer
from matching.ranking.regulation import RegulationTable
from matching.service import Matcher
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy
from tests import factories
from tests import mini_esco as m
from tests.conftest import TODAY, auth

PAGES = [
    ("/app/login", "login.title"),
    ("/app/advisor", "home.title"),
    ("/app/advisor/vacancies/new", "form.title"),
    ("/app/advisor/jobseekers/new", "seekerform.title"),
    ("/app/advisor/vacancies/vac-1", "candidates.page_title"),
    ("/app/advisor/vacancies/vac-1/candidates/js-1", "candidate.page_title"),
    ("/app/advisor/jobseekers/js-1", "seeker.page_title"),
    ("/app/jobseeker", "me.title"),
    ("/app/jobseeker/js-1", "me.title"),
]


@pytest.fixture
def matcher(taxonomy: Taxonomy, gazetteer: Gazetteer, tmp_path: Path) -> Iterator[Matcher]:
    """The pages never touch the database themselves: SQLite only (the API tests cover PostgreSQL)."""
    storage = Storage(f"sqlite:///{tmp_path / 'pages.db'}")
    rules = EligibilityRules(taxonomy, RegulationTable([]), gazetteer)
    embedder = CachedEmbedder(HashingEmbedder(32))
    built = Matcher(taxonomy, embedder, storage, tmp_path / "indexes", rules=rules, today=TODAY)
    built.open()
    yield built
    storage.dispose()


@pytest.fixture
def pages(matcher: Matcher) -> TestClient:
    return TestClient(create_app(matcher=matcher))


@pytest.mark.parametrize(("path", "title_key"), PAGES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_renders_in_each_language(pages: TestClient, path: str, title_key: str, lang: str) -> None:
    response = pages.get(path, params={"lang": lang})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert f'<html lang="{lang}">' in html
    title = catalog().translate(lang, title_key)
    assert f"<title>{title} · skillbridge</title>" in html
    # The UI strings of this language are embedded for the page's scripts, and only those.
    embedded = json.loads(
        re.search(r'<script type="application/json" id="catalog">(.*?)</script>', html, re.S)[1]
    )
    assert embedded == catalog().strings(lang)
    # Its stylesheet and script exist (with a content fingerprint).
    for asset in re.findall(r'(?:src|href)="(/app/static/[^"?]+)\?v=[0-9a-f]{12}"', html):
        assert pages.get(asset).status_code == 200, asset
    assert re.search(r'<script type="module" src="/app/static/js/[a-z-]+\.js\?v=', html)
    # Language links keep the page and switch only the language.
    for other in LANGUAGES:
        assert f'href="{path}?lang={other}" lang="{other}" hreflang="{other}"' in html


def test_pages_forbid_foreign_and_inline_scripts(pages: TestClient) -> None:
    response = pages.get("/app/advisor")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    # No inline code: every script is a file of this server or a JSON data block.
    assert re.findall(r"<script(?![^>]*(?:src=\"/app/static/|type=\"application/json\"))", html) == []
    assert re.findall(r"<[^>]*\son[a-z]+=", html) == []  # no inline event handlers
    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []  # nothing loaded from elsewhere


def test_the_language_follows_the_browser_when_not_chosen(pages: TestClient) -> None:
    uk = pages.get("/app/login", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"})
    assert '<html lang="uk">' in uk.text and "Вхід" in uk.text
    en = pages.get("/app/login", params={"lang": "fr"}, headers={"Accept-Language": "fr, en;q=0.8"})
    assert '<html lang="en">' in en.text
    assert '<html lang="de">' in pages.get("/app/login", headers={"Accept-Language": "ar"}).text


def test_start_redirects_to_sign_in(pages: TestClient) -> None:
    root = pages.get("/", follow_redirects=False)
    assert (root.status_code, root.headers["location"]) == (303, "/app/")
    start = pages.get("/app/", params={"lang": "uk"}, follow_redirects=False)
    assert (start.status_code, start.headers["location"]) == (303, "/app/login?lang=uk")


def test_malformed_ids_get_a_404_page(pages: TestClient) -> None:
    response = pages.get("/app/advisor/jobseekers/<script>", params={"lang": "en"})
    assert response.status_code == 404
    assert "There is no page at this address." in response.text
    assert "<script>" not in response.text.split("</head>")[1]


def test_pages_are_not_part_of_the_api_schema(pages: TestClient) -> None:
    paths = pages.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/app") or p == "/"]
    assert "/api/v1/me" in paths and "/api/v1/taxonomy/concepts" in paths


def test_no_personal_data_in_the_html_whoever_asks(matcher: Matcher) -> None:
    """The pages are the same shell for everyone: the server never puts stored data into them."""
    secret = "Dialysepflege-Erfahrung-4711"
    matcher.create_jobseeker(
        factories.seeker(
            "js-secret",
            m.NURSE,
            [m.MEDICATION],
            skills_text=secret,
            protected={"nationality": "UA", "gender": "female", "birth_year": 1979},
        )
    )
    matcher.create_vacancy(factories.vacancy("vac-secret", title="Stationsleitung Dialyse 4711"))
    other_key, other = matcher.storage.keys.create("jobseeker", "default", "js-other")
    advisor_key, advisor = matcher.storage.keys.create("advisor", "default")
    client = TestClient(create_app(matcher=matcher))
    for path in (
        "/app/advisor/jobseekers/js-secret",
        "/app/jobseeker/js-secret",
        "/app/advisor/vacancies/vac-secret/candidates/js-secret",
        "/app/advisor/vacancies/vac-secret",
    ):
        bodies = {
            who: client.get(path, params={"lang": "en"}, headers=headers).text
            for who, headers in (("nobody", {}), ("other", auth(other)), ("advisor", auth(advisor)))
        }
        assert bodies["nobody"] == bodies["other"] == bodies["advisor"], path
        for leak in (secret, "4711", "1979", "female", m.MEDICATION):
            assert leak not in bodies["nobody"], (path, leak)
    # Serving the shells read nothing, so nothing was audited under the keys that asked.
    for record in (other_key, advisor_key):
        assert matcher.storage.audit.query(key_id=record.id)[1] == 0
