import datetime as dt

import numpy as np
import pytest

from matching.errors import AlreadyExistsError, NotFoundError, UnknownConceptError
from matching.index.vector_index import VectorIndex
from matching.service import Matcher
from models import JobSeeker
from tests import mini_esco as m
from tests.factories import seeker, vacancy

NURSE_SKILLS = [m.MEDICATION, m.HYGIENE, m.VITALS, m.CARE_PLAN, m.DOCUMENTATION]


@pytest.fixture
def populated(matcher: Matcher) -> Matcher:
    matcher.create_jobseeker(seeker("nurse-full", m.NURSE, [*NURSE_SKILLS, m.TEAMWORK]))
    matcher.create_jobseeker(seeker("nurse-some", m.NURSE, [m.MEDICATION]))
    matcher.create_jobseeker(seeker("assistant", m.NURSING_ASSISTANT))
    matcher.create_jobseeker(seeker("forklift", m.FORKLIFT, [m.FORKLIFT_DRIVING, m.LOADING]))
    matcher.create_jobseeker(seeker("electrician", m.ELECTRICIAN, [m.WIRING, m.SAFETY]))
    matcher.create_vacancy(vacancy("vac-nurse", m.NURSE))
    matcher.create_vacancy(vacancy("vac-forklift", m.FORKLIFT, title="Staplerfahrer (m/w/d)"))
    matcher.create_vacancy(vacancy("vac-electric", m.ELECTRICIAN, title="Elektriker (m/w/d)"))
    return matcher


def test_candidates_are_ranked_by_score_with_the_best_nurse_first(populated: Matcher):
    page = populated.candidates_for_vacancy("vac-nurse", k=5)
    ids = [match.jobseeker_id for match in page.items]
    assert ids[:2] == ["nurse-full", "nurse-some"]
    assert ids.index("assistant") < ids.index("forklift")
    scores = [match.score for match in page.items]
    assert scores == sorted(scores, reverse=True)
    assert [match.rank for match in page.items] == [1, 2, 3, 4, 5]


def test_vacancies_for_a_forklift_driver_put_the_forklift_job_first(populated: Matcher):
    page = populated.vacancies_for_jobseeker("forklift", k=3)
    assert page.items[0].vacancy_id == "vac-forklift"
    assert page.items[0].jobseeker_id == "forklift"


def test_pages_continue_without_overlap(populated: Matcher):
    whole = [x.jobseeker_id for x in populated.candidates_for_vacancy("vac-nurse", k=5).items]
    first = populated.candidates_for_vacancy("vac-nurse", k=2, offset=0)
    second = populated.candidates_for_vacancy("vac-nurse", k=2, offset=2)
    assert [x.jobseeker_id for x in first.items + second.items] == whole[:4]
    assert [x.rank for x in second.items] == [3, 4]
    assert first.has_more and second.has_more
    last = populated.candidates_for_vacancy("vac-nurse", k=2, offset=4)
    assert len(last.items) == 1 and not last.has_more


def test_deleted_and_replaced_entities_change_results(populated: Matcher):
    populated.delete_jobseeker("nurse-full")
    ids = [x.jobseeker_id for x in populated.candidates_for_vacancy("vac-nurse", k=5).items]
    assert "nurse-full" not in ids and ids[0] == "nurse-some"
    populated.replace_jobseeker(seeker("forklift", m.NURSE, NURSE_SKILLS))
    assert populated.candidates_for_vacancy("vac-nurse", k=1).items[0].jobseeker_id == "forklift"
    with pytest.raises(NotFoundError, match="No job seeker with id 'nurse-full'"):
        populated.delete_jobseeker("nurse-full")


def test_unknown_concepts_store_nothing(matcher: Matcher):
    bad = seeker("x", m.NURSE, [m.SKILL + "does-not-exist"])
    with pytest.raises(UnknownConceptError, match=r"skill_uris\[0\]"):
        matcher.create_jobseeker(bad)
    with pytest.raises(NotFoundError):
        matcher.get_jobseeker("x")
    assert "x" not in matcher.seekers.index


def test_duplicate_create_keeps_the_original(populated: Matcher):
    with pytest.raises(AlreadyExistsError):
        populated.create_jobseeker(seeker("forklift", m.ELECTRICIAN))
    assert populated.get_jobseeker("forklift").qualifications[0].occupation_uri == m.FORKLIFT


def test_restart_loads_the_saved_index_and_catches_up_from_the_change_log(populated: Matcher):
    populated.save_indexes()
    again = Matcher(populated.taxonomy, populated.encoder.embedder, populated.storage, populated.index_dir)
    assert again.open() == {"jobseekers": "loaded", "vacancies": "loaded"}
    assert sorted(again.seekers.index.ids()) == sorted(populated.seekers.index.ids())

    # Writes the saved index never saw (a crash before saving, another process) are caught up, not rebuilt.
    populated.storage.jobseekers.delete("electrician")
    moved = populated.get_jobseeker("forklift")
    moved = moved.model_copy(update={"skills_text": "Gabelstapler fahren, Lager, Kommissionierung"})
    populated.storage.jobseekers.replace(moved)
    third = Matcher(populated.taxonomy, populated.encoder.embedder, populated.storage, populated.index_dir)
    assert third.open()["jobseekers"] == "loaded"
    assert "electrician" not in third.seekers.index
    fresh = Matcher(populated.taxonomy, populated.encoder.embedder, populated.storage, None)
    fresh.open()
    np.testing.assert_allclose(third.seekers.index.vector("forklift"), fresh.seekers.index.vector("forklift"))
    assert sorted(third.seekers.index.ids()) == sorted(fresh.seekers.index.ids())


def test_an_index_older_than_the_kept_log_or_from_another_database_is_rebuilt(populated: Matcher):
    populated.save_indexes()
    populated.storage.jobseekers.delete("electrician")
    populated.storage.changes.prune(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    again = Matcher(populated.taxonomy, populated.encoder.embedder, populated.storage, populated.index_dir)
    assert again.open()["jobseekers"] == "rebuilt"
    assert "electrician" not in again.seekers.index

    again.save_indexes()
    populated.storage.clear()  # a new log: positions of the old one mean nothing
    third = Matcher(populated.taxonomy, populated.encoder.embedder, populated.storage, populated.index_dir)
    assert third.open() == {"jobseekers": "rebuilt", "vacancies": "rebuilt"}
    assert len(third.seekers.index) == 0


def test_corrupt_index_file_is_rebuilt_from_the_database(populated: Matcher):
    populated.save_indexes()
    path = populated.index_dir / "jobseekers.npz"
    path.write_bytes(path.read_bytes()[:100])
    again = Matcher(populated.taxonomy, populated.encoder.embedder, populated.storage, populated.index_dir)
    assert again.open()["jobseekers"] == "rebuilt"
    assert len(again.seekers.index) == 5


def test_index_vectors_equal_fresh_encodings(populated: Matcher):
    stored = populated.seekers.index.vector("assistant")
    fresh = populated.encoder.encode_seekers([populated.get_jobseeker("assistant")])[0]
    np.testing.assert_allclose(stored, fresh, atol=1e-6)
    assert isinstance(populated.seekers.index, VectorIndex)


def test_bulk_load_is_all_or_nothing(matcher: Matcher):
    good = seeker("a", m.NURSE)
    bad = seeker("b", m.NURSE, [m.SKILL + "unknown"])
    with pytest.raises(UnknownConceptError):
        matcher.bulk_load([good, bad], [])
    assert matcher.storage.jobseekers.count() == 0
    matcher.bulk_load([good], [vacancy()])
    assert len(matcher.seekers.index) == 1 and len(matcher.vacancies.index) == 1


def test_health_reports_counts(populated: Matcher):
    health = populated.health()
    assert health["status"] == "ok"
    assert (health["jobseekers_indexed"], health["vacancies_indexed"]) == (5, 3)


def _ranking(matcher: Matcher, vacancy_id: str) -> list[tuple[str, float]]:
    page = matcher.candidates_for_vacancy(vacancy_id, k=10)
    return [(x.jobseeker_id, x.score) for x in page.items] + [(x.jobseeker_id, x.score) for x in page.blocked]


def test_protected_attributes_never_change_rankings(populated: Matcher):
    before = {v: _ranking(populated, v) for v in ("vac-nurse", "vac-forklift", "vac-electric")}
    profiles = [
        {
            "nationality": "UA",
            "gender": "female",
            "birth_year": 1968,
            "religion": "orthodox",
            "disability": True,
        },
        {
            "nationality": "SY",
            "gender": "male",
            "birth_year": 2001,
            "religion": "muslim",
            "disability": False,
        },
        {"nationality": "DE", "gender": "diverse", "birth_year": 1985, "ethnic_origin": "sorbian"},
    ]
    for round_, attributes in enumerate(profiles):
        for i, seeker_id in enumerate(sorted(populated.seekers.index.ids())):
            current = populated.get_jobseeker(seeker_id)
            shifted = profiles[(i + round_) % len(profiles)] if i % 2 else attributes
            populated.replace_jobseeker(
                JobSeeker.model_validate({**current.model_dump(), "protected": shifted})
            )
        after = {v: _ranking(populated, v) for v in before}
        assert after == before
    assert populated.get_jobseeker("forklift").protected is not None  # stored, for audit


@pytest.fixture
def regulated(taxonomy, embedder, storage, gazetteer, tmp_path) -> Matcher:
    """The mini nurse is a reserved profession with the nursing assistant as its bridge job."""
    from matching.ranking.eligibility import EligibilityRules
    from matching.ranking.regulation import Regulation, RegulationRule, RegulationTable
    from tests.conftest import TODAY

    rule = RegulationRule(
        id="nurse", regulation=Regulation.PRACTICE_RESERVED, esco_uris=frozenset({m.NURSE, m.SPECIALIST_NURSE}),
        isco_prefixes=(), reference_de="Pflegefachfrau/Pflegefachmann", reference_en="Nurse",
        legal_basis="§ 1 PflBG", authority="KSV Sachsen", authority_url="", min_german_level=None,
        bridge_uris=(m.NURSING_ASSISTANT,), temporary_permit="", notes="",
    )  # fmt: skip
    rules = EligibilityRules(taxonomy, RegulationTable([rule]), gazetteer)
    built = Matcher(taxonomy, embedder, storage, tmp_path / "idx", rules=rules, today=TODAY)
    built.open()
    built.create_jobseeker(seeker("recognised", m.NURSE, NURSE_SKILLS, qualifications=[
        {"occupation_uri": m.NURSE, "country": "UA", "recognition": "full_equivalence"}]))  # fmt: skip
    built.create_jobseeker(seeker("pending", m.NURSE, NURSE_SKILLS, qualifications=[
        {"occupation_uri": m.NURSE, "country": "UA", "recognition": "pending"}]))  # fmt: skip
    built.create_jobseeker(seeker("no-permit", m.NURSE, NURSE_SKILLS, qualifications=[
        {"occupation_uri": m.NURSE, "country": "DE", "recognition": "not_required"}],
        work_authorisation={"status": "not_permitted"}))  # fmt: skip
    built.create_vacancy(vacancy("vac-nurse", m.NURSE))
    built.create_vacancy(vacancy("vac-assistant", m.NURSING_ASSISTANT, title="Pflegehilfskraft (m/w/d)"))
    return built


def test_blocked_pairs_are_listed_separately_with_reasons(regulated: Matcher):
    page = regulated.candidates_for_vacancy("vac-nurse", k=10)
    assert [x.jobseeker_id for x in page.items] == ["recognised"]
    assert {x.jobseeker_id for x in page.blocked} == {"pending", "no-permit"}
    assert (page.eligible_total, page.blocked_total) == (1, 2)
    reasons = {x.jobseeker_id: {r.code for r in x.reasons if r.severity == "blocking"} for x in page.blocked}
    assert reasons == {"pending": {"recognition_pending"}, "no-permit": {"work_not_permitted"}}
    assert all(x.next_steps for x in page.blocked)


def test_bridge_jobs_are_labelled_in_a_job_seekers_suggestions(regulated: Matcher):
    page = regulated.vacancies_for_jobseeker("pending", k=10)
    assert [(x.vacancy_id, x.eligibility) for x in page.items] == [("vac-assistant", "bridge")]
    assert [x.vacancy_id for x in page.blocked] == ["vac-nurse"]


def test_what_if_changes_nothing_stored(regulated: Matcher):
    pending = regulated.get_jobseeker("pending")
    job = regulated.get_vacancy("vac-nurse")
    assert regulated.what_if(pending, job).eligibility == "blocked"
    data = pending.model_dump()
    data["qualifications"][0]["recognition"] = "full_equivalence"
    recognised = JobSeeker.model_validate(data)
    result = regulated.what_if(recognised, job)
    assert result.eligibility == "eligible"
    assert [r.code for r in result.reasons] == ["german_gap"]  # B1 for a B2 job: a soft factor only
    assert regulated.get_jobseeker("pending").qualifications[0].recognition == "pending"
