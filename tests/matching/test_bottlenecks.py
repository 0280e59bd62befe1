"""Bottlenecks on the demo taxonomy with the real regulation table: causes read from the reasons, and the
counterfactual scenarios (recognition completed, German one level up) re-ranked with the service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.evaluation import bottlenecks
from matching.paths import DEMO_ESCO_DIR
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.geo import Gazetteer
from matching.ranking.regulation import RegulationTable
from matching.service import Matcher
from matching.store.storage import Storage
from matching.taxonomy.esco import load_esco
from models import CEFRLevel, Eligibility, JobSeeker, RecognitionStatus, Vacancy
from tests.conftest import TODAY

OCC = "http://data.europa.eu/esco/occupation/"
NURSE = OCC + "8d3e8aaa-791b-4c75-a465-f3f827028f50"
WAREHOUSE = OCC + "bea705fe-06ac-4147-b8e0-6e8ac1208d8f"
HOME = {"place": "Leipzig-Zentrum", "lat": 51.3397, "lon": 12.3731}


def person(id: str, occupation: str, recognition: str, german: str | None, **extra: Any) -> JobSeeker:
    data: dict[str, Any] = {
        "id": id,
        "qualifications": [{"occupation_uri": occupation, "country": "UA", "recognition": recognition}],
        "languages": [{"language": "de", "level": german}] if german else [],
        "home": HOME,
        "max_commute_km": 30,
        "work_authorisation": {"status": "permitted"},
    }
    data.update(extra)
    return JobSeeker.model_validate(data)


def job(id: str, occupation: str, german: str) -> Vacancy:
    return Vacancy.model_validate(
        {"id": id, "employer": "Betrieb", "title": "Stelle", "occupation_uri": occupation,
         "min_german_level": german, "location": HOME}
    )  # fmt: skip


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matcher]:
    taxonomy = load_esco(DEMO_ESCO_DIR)
    storage = Storage(f"sqlite:///{tmp_path_factory.mktemp('bottlenecks') / 'db.sqlite'}")
    rules = EligibilityRules(taxonomy, RegulationTable.load(), Gazetteer())
    built = Matcher(taxonomy, CachedEmbedder(HashingEmbedder(64)), storage, None, rules=rules, today=TODAY)
    built.bulk_load(
        [
            person("js-olena", NURSE, "pending", "B2"),  # a nurse whose recognition is pending
            person(
                "js-no-permit",
                WAREHOUSE,
                "not_required",
                "B1",
                work_authorisation={"status": "not_permitted"},
            ),
            person("js-a1", WAREHOUSE, "not_required", "A1"),
            person(
                "js-de",
                NURSE,
                "not_required",
                "C2",
                qualifications=[{"occupation_uri": NURSE, "country": "DE", "recognition": "not_required"}],
            ),
        ],
        [job("vac-nurse", NURSE, "B2"), job("vac-store", WAREHOUSE, "A2")],
    )
    yield built
    storage.dispose()


def test_blocked_matches_name_their_causes(matcher: Matcher) -> None:
    pairs = bottlenecks.blocked_matches(matcher, 5).set_index(["jobseeker", "vacancy"])
    olena = pairs.loc[("js-olena", "vac-nurse")]
    assert (olena["eligibility"], olena["by_recognition"], olena["by_authorisation"]) == (
        "blocked",
        True,
        False,
    )
    assert olena["recognition"] == "pending" and olena["occupation_group"].startswith("2 ")
    no_permit = pairs.loc[("js-no-permit", "vac-store")]
    assert (no_permit["eligibility"], no_permit["by_authorisation"]) == ("blocked", True)
    low = pairs.loc[("js-a1", "vac-store")]
    assert (low["eligibility"], low["by_language"], low["german_level"]) == ("eligible", True, "A1")
    assert pairs.loc[("js-de", "vac-nurse"), "eligibility"] == "eligible"  # a German qualification

    summary = bottlenecks.summarise_blocked(pairs.reset_index())
    assert summary.loc["recognition", "jobseekers"] == 1
    assert summary.loc["authorisation", "jobseekers"] == 1
    assert summary.loc["language", "pairs"] >= 1
    assert summary.attrs["blocked_pairs"] == int((pairs["eligibility"] == "blocked").sum())


def test_scenarios_change_only_what_they_should(matcher: Matcher) -> None:
    recognise = bottlenecks.complete_recognition(matcher)
    olena = matcher.get_jobseeker("js-olena")
    recognised = recognise(olena)
    assert recognised is not None and recognised.qualifications[0].recognition == RecognitionStatus.FULL
    assert recognised.model_copy(update={"qualifications": olena.qualifications}) == olena
    assert recognise(matcher.get_jobseeker("js-a1")) is None  # not a regulated profession
    assert recognise(matcher.get_jobseeker("js-de")) is None  # a German qualification
    partial = person("p", NURSE, "partial_equivalence", "B1", qualifications=[
        {"occupation_uri": NURSE, "country": "SY", "recognition": "partial_equivalence",
         "compensation_measure": "knowledge_test", "compensation_state": "in_progress"}])  # fmt: skip
    done = recognise(partial)
    assert done is not None and (
        done.qualifications[0].compensation_measure,
        done.qualifications[0].recognition,
    ) == (
        None,
        RecognitionStatus.FULL,
    )

    assert bottlenecks.german_one_level_up(olena).language_level("de") == CEFRLevel.C1  # type: ignore[union-attr]
    nobody = person("p", WAREHOUSE, "not_required", None)
    assert bottlenecks.german_one_level_up(nobody).language_level("de") == CEFRLevel.A1  # type: ignore[union-attr]
    assert bottlenecks.german_one_level_up(matcher.get_jobseeker("js-de")) is None
    both = bottlenecks.combined(recognise, bottlenecks.german_one_level_up)(olena)
    assert both is not None and both.language_level("de") == CEFRLevel.C1
    assert both.qualifications[0].recognition == RecognitionStatus.FULL


def test_counterfactual_re_ranking_unlocks_what_the_rules_allow(matcher: Matcher) -> None:
    results = bottlenecks.counterfactuals(
        matcher, bottlenecks.scenarios(matcher), 5, suitable=lambda s, v: v == "vac-nurse"
    )
    recognition = results["recognition completed"].set_index("jobseeker")
    assert list(recognition.index) == ["js-olena"]
    olena = recognition.loc["js-olena"]
    assert (olena["newly_eligible"], olena["unlocked"], olena["blocked_before"]) == (1, 1, 1)
    assert (olena["suitable_before"], olena["suitable_after"], olena["newly_eligible_suitable"]) == (0, 1, 1)
    stored = matcher.get_jobseeker("js-olena")  # nothing was stored
    assert stored.qualifications[0].recognition == RecognitionStatus.PENDING
    assert matcher.what_if(stored, matcher.get_vacancy("vac-nurse")).eligibility == Eligibility.BLOCKED

    german = results["German one level up"].set_index("jobseeker")
    assert set(german.index) == {"js-olena", "js-no-permit", "js-a1"}  # js-de has C2 already
    assert german.loc["js-a1", ["german_gap_before", "german_gap_after", "newly_eligible"]].tolist() == [
        1,
        0,
        0,
    ]
    assert german.loc["js-no-permit", ["eligible_before", "eligible_after"]].tolist() == [0, 0]

    summary = bottlenecks.summarise_counterfactuals(results)
    assert summary.loc["recognition completed", "newly_eligible_matches"] == 1
    assert summary.loc["recognition completed", "jobseekers_gaining"] == 1
    assert (
        summary.loc["German one level up", "german_gaps_after"]
        < summary.loc["German one level up", "german_gaps_before"]
    )
    assert summary.loc["both", "jobseekers"] == 3


def test_sampling_is_seeded(matcher: Matcher) -> None:
    one = bottlenecks.blocked_matches(matcher, 5, max_jobseekers=2, seed=3)
    assert one["jobseeker"].nunique() <= 2
    assert one.equals(bottlenecks.blocked_matches(matcher, 5, max_jobseekers=2, seed=3))
