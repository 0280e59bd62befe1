"""The pages' UI string catalog: complete in German, English and Ukrainian, and in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.web.i18n import LANGUAGES, Catalog, CatalogError, catalog, negotiate
from matching.access import Role
from matching.ranking.scoring import DEFAULT_WEIGHTS
from matching.ranking.steps import TEMPLATES as TEMPLATES_BY_CODE
from models import Eligibility
from models.common import WorkingTime
from models.feedback import Decision, RejectionReason
from models.jobseeker import (
    CompensationMeasure,
    CompensationState,
    RecognitionStatus,
    WorkAuthorisationStatus,
)

WEB = Path(__file__).resolve().parents[3] / "api" / "web"
SCRIPTS = {p.name: p.read_text(encoding="utf-8") for p in (WEB / "static" / "js").glob("*.js")}
TEMPLATES = {p.name: p.read_text(encoding="utf-8") for p in (WEB / "templates").glob("*.html")}

# Keys built at run time from a prefix and a value the API sends: every value must have its string.
DYNAMIC = {
    "eligibility.": [e.value for e in Eligibility],
    "me.status_": [e.value for e in Eligibility],
    "factor.": list(DEFAULT_WEIGHTS.as_dict()),
    "working_time.": [w.value for w in WorkingTime],
    "recognition.": [r.value for r in RecognitionStatus],
    "measure.": [m.value for m in CompensationMeasure],
    "measure_state.": [s.value for s in CompensationState] + ["open"],
    "work.": [w.value for w in WorkAuthorisationStatus],
    "role.": [r.value for r in Role],
    "decision.": [d.value for d in Decision],
    "reason.": [r.value for r in RejectionReason],
}


def js_list(script: str, name: str) -> list[str]:
    found = re.search(rf"const {name} = \[(.*?)\];", SCRIPTS[script], re.S)
    assert found, f"{name} not found in {script}"
    return re.findall(r'"([a-z_]+)"', found[1])


def used_keys() -> set[str]:
    keys: set[str] = set()
    for text in TEMPLATES.values():
        keys |= {k for k in re.findall(r"""t\(\s*["']([a-z_.]+)["']""", text) if not k.endswith(".")}
        # t("recognition." ~ value): one key per value the template is given (the model's enum values)
        for prefix in re.findall(r"""t\(\s*["']([a-z_]+\.)["']\s*~""", text):
            keys |= {prefix + value for value in DYNAMIC[prefix]}
        for label_key, hint_key in re.findall(
            r'picker\("[a-z]+", "[a-z]+", "([a-z_.]+)", "([a-z_.]+)"', text
        ):
            keys |= {label_key, hint_key}
    for text in SCRIPTS.values():
        keys |= {k for k in re.findall(r'"([a-z_]+\.[a-z_]+)"', text) if not k.startswith("skillbridge.")}
        for prefix in re.findall(r"t\(`([a-z_.]+)\$\{", text):
            values = js_list("common.js", "RECOGNITION_CODES") if prefix == "status." else DYNAMIC[prefix]
            keys |= {prefix + value for value in values}
    pages = (WEB / "pages.py").read_text(encoding="utf-8")
    # The title of each page: render(request, "page.html", "title.key", …)
    keys |= set(re.findall(r'render\(\s*request,\s*"[a-z_]+\.html",\s*"([a-z_.]+)"', pages))
    return keys


def test_every_string_is_in_german_english_and_ukrainian() -> None:
    strings = {lang: catalog().strings(lang) for lang in LANGUAGES}
    assert strings["de"].keys() == strings["en"].keys() == strings["uk"].keys()
    assert len(strings["uk"]) > 250
    # Ukrainian strings are Ukrainian (Cyrillic), not English left untranslated (codes and names aside).
    untranslated = [
        k for k, v in strings["uk"].items() if not re.search("[а-яіїєґ]", v.lower()) and v == strings["en"][k]
    ]
    assert set(untranslated) <= {"export.csv", "export.xlsx", "candidates.seeker", "blocked.seeker"}


def test_every_key_the_pages_use_exists_and_every_string_is_used() -> None:
    used = used_keys()
    assert used - catalog().keys() == set()
    assert catalog().keys() - used == set()


def test_recognition_chips_name_real_reason_codes() -> None:
    codes = js_list("common.js", "RECOGNITION_CODES")
    assert set(codes) <= set(TEMPLATES_BY_CODE)
    assert {c for c in TEMPLATES_BY_CODE if c.startswith("recognition_")} <= set(codes)


def test_the_decision_form_offers_exactly_what_the_feedback_api_accepts() -> None:
    assert js_list("decision.js", "DECISIONS") == [d.value for d in Decision]
    assert js_list("decision.js", "REJECTION_REASONS") == [r.value for r in RejectionReason]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"a.b": {"de": "x", "en": "y"}}, "'a.b': needs exactly the languages de, en, uk; got ['de', 'en']"),
        ({"a.b": {"de": "x", "en": "y", "uk": " "}}, "'a.b': empty text for uk"),
        (
            {"a.b": {"de": "{n} x", "en": "{n} y", "uk": "{m} z"}},
            "'a.b': placeholders differ between languages",
        ),
        ({"Login": {"de": "x", "en": "y", "uk": "z"}}, "'Login': keys are dotted lower-case names"),
    ],
)
def test_a_malformed_catalog_is_refused_with_the_reason(entries: dict, message: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(message)):
        Catalog(entries)


def test_missing_strings_fail_loudly() -> None:
    with pytest.raises(
        KeyError, match=r"No UI string 'nope\.nope' in language 'uk'; add it to catalog\.json"
    ):
        catalog().translate("uk", "nope.nope")
    assert catalog().translate("en", "home.found", n=3) == "Vacancies found: 3"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "de"),
        ("", "de"),
        ("uk", "uk"),
        ("uk-UA,uk;q=0.9,ru;q=0.8,en;q=0.7", "uk"),
        ("en-GB,en;q=0.9,de;q=0.8", "en"),
        ("ar,de;q=0.5,en;q=0.7", "en"),
        ("fr, ru", "de"),
        ("en;q=abc, uk;q=0.1", "uk"),
    ],
)
def test_the_language_is_negotiated_from_accept_language(header: str | None, language: str) -> None:
    assert negotiate(header) == language
