"""The labelled synthetic set: the generator's data stays as it was, planted people are what they were made to
be, the grades follow the documented rule on hand-made cases, and the fast judging equals judging every pair."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from matching.evaluation.ground_truth import UNMET_REASONS, GroundTruth, transpose
from matching.evaluation.labelled import LabelledSet, generate_labelled_set, simulate_feedback
from matching.ingest.synthetic import LeipzigGenerator
from matching.paths import DEMO_ESCO_DIR
from matching.ranking.regulation import RegulationTable
from matching.taxonomy import Taxonomy
from matching.taxonomy.esco import load_esco
from models import JobSeeker, RecognitionStatus, Vacancy
from models.feedback import Decision, RejectionReason

TODAY = dt.date(2026, 11, 25)
OCC = "http://data.europa.eu/esco/occupation/"
NURSE = OCC + "8d3e8aaa-791b-4c75-a465-f3f827028f50"  # 2221, practice reserved
NURSING_ASSISTANT = OCC + "87d0795a-d41f-47ee-979f-0ab7d73836e7"  # 5321, a bridge job for nurses
CARE_ASSISTANT = OCC + "d38c2107-98f2-47b7-8bb4-f69750d51082"  # 5321, broader of the nursing assistant
HOME_CARE = OCC + "1391bdf9-bd61-4fb5-91ca-c29036ab2b60"  # 5322
WAREHOUSE = OCC + "bea705fe-06ac-4147-b8e0-6e8ac1208d8f"  # 9333
ORDER_PICKER = OCC + "cd94def5-3442-4c2e-ae3d-0761a3008bcb"  # 9333, narrower of the warehouse worker
PACKER = OCC + "f5cb9901-86fc-48d0-9cde-667fbe8cef3a"  # 9321
COOK = OCC + "90f75f67-495d-49fa-ab57-2f320e251d7e"  # 5120


@pytest.fixture(scope="module")
def demo() -> Taxonomy:
    return load_esco(DEMO_ESCO_DIR)


@pytest.fixture(scope="module")
def truth(demo: Taxonomy) -> GroundTruth:
    return GroundTruth(demo, RegulationTable.load(), TODAY)


@pytest.fixture(scope="module")
def labelled(demo: Taxonomy) -> LabelledSet:
    return generate_labelled_set(demo, 200, 25, seed=3, today=TODAY)


def person(
    occupation: str, recognition: str = "not_required", german: str | None = "B2", **extra: Any
) -> JobSeeker:
    data: dict[str, Any] = {
        "id": "js-1",
        "qualifications": [{"occupation_uri": occupation, "country": "UA", "recognition": recognition}],
        "languages": [{"language": "uk", "level": "C2"}]
        + ([{"language": "de", "level": german}] if german else []),
        "home": {"place": "Leipzig-Zentrum", "lat": 51.3397, "lon": 12.3731},
        "max_commute_km": 20,
        "work_authorisation": {"status": "permitted"},
    }
    data.update(extra)
    return JobSeeker.model_validate(data)


def job(occupation: str, german: str | None = "B1", **extra: Any) -> Vacancy:
    data: dict[str, Any] = {
        "id": "vac-1",
        "employer": "Betrieb",
        "title": "Stelle",
        "occupation_uri": occupation,
        "min_german_level": german,
        "location": {"place": "Leipzig-Lindenau", "lat": 51.3383, "lon": 12.3311},  # ~3 km west
    }
    data.update(extra)
    return Vacancy.model_validate(data)


@pytest.mark.parametrize(
    ("seeker", "vacancy", "grade", "fit", "unmet"),
    [
        (person(WAREHOUSE), job(WAREHOUSE), 3, "same", ()),
        (person(COOK, experience=[{"occupation_uri": WAREHOUSE, "years": 2}]), job(WAREHOUSE), 3, "same", ()),
        (person(COOK, experience=[{"occupation_uri": WAREHOUSE, "years": 0.5}]), job(WAREHOUSE), 1, "related", ()),
        (person(ORDER_PICKER), job(WAREHOUSE), 2, "close", ()),  # ESCO narrower
        (person(NURSING_ASSISTANT), job(CARE_ASSISTANT), 2, "close", ()),  # ESCO broader
        (person(CARE_ASSISTANT), job(HOME_CARE), 1, "related", ()),  # same ISCO minor group 532
        (person(PACKER), job(WAREHOUSE), 0, "none", ("occupation",)),  # 9321 vs 9333: minor group 932 vs 933
        (person(NURSE, "pending"), job(NURSING_ASSISTANT), 2, "bridge", ()),  # bridge job of a reserved profession
        (person(NURSE, "full_equivalence"), job(NURSE, "B2"), 3, "same", ()),
        (person(NURSE, "pending"), job(NURSE, "B2"), 0, "same", ("recognition",)),
        (person(NURSE, "partial_equivalence", qualifications=[{"occupation_uri": NURSE, "country": "UA",
         "recognition": "partial_equivalence", "compensation_measure": "knowledge_test"}]),
         job(NURSE, "B2", recognition_support=True), 2, "bridge", ()),  # a placement during recognition
        (person(NURSE, "pending", german="B1"), job(NURSE, "B2", recognition_support=True), 0, "bridge",
         ("german",)),
        (person(WAREHOUSE, german="A2"), job(WAREHOUSE, "B1"), 0, "same", ("german",)),
        (person(WAREHOUSE, german=None), job(WAREHOUSE, None), 3, "same", ()),
        (person(WAREHOUSE, max_commute_km=2), job(WAREHOUSE), 0, "same", ("commute",)),
        (person(WAREHOUSE, work_authorisation={"status": "not_permitted"}), job(WAREHOUSE), 0, "same",
         ("authorisation",)),
        (person(WAREHOUSE, work_authorisation={"status": "unknown"}), job(WAREHOUSE), 0, "same", ("authorisation",)),
        (person(WAREHOUSE, work_authorisation={"status": "restricted", "max_hours_per_week": 20}), job(WAREHOUSE),
         0, "same", ("authorisation",)),  # a full-time job counts as 40 hours
        (person(WAREHOUSE, work_authorisation={"status": "restricted", "max_hours_per_week": 20}),
         job(WAREHOUSE, working_time="part_time", hours_per_week=20), 3, "same", ()),
        (person(WAREHOUSE, working_time="part_time"), job(WAREHOUSE), 2, "same", ()),  # one grade less
        (person(CARE_ASSISTANT, working_time="part_time"), job(HOME_CARE), 0, "related", ("working_time",)),
        (person(PACKER, german="A1", max_commute_km=1), job(WAREHOUSE), 0, "none", ("occupation", "german", "commute")),
    ],
)  # fmt: skip
def test_the_grade_follows_the_documented_rule(
    truth: GroundTruth, seeker: JobSeeker, vacancy: Vacancy, grade: int, fit: str, unmet: tuple[str, ...]
) -> None:
    judgement = truth.judge(seeker, vacancy)
    assert (judgement.grade, judgement.fit, judgement.unmet) == (grade, fit, unmet)


def test_the_generators_data_is_unchanged_and_planted_people_follow(
    demo: Taxonomy, labelled: LabelledSet
) -> None:
    plain = LeipzigGenerator(demo, seed=3, today=TODAY).generate(200, 25)
    assert labelled.jobseekers[:200] == plain.jobseekers
    assert labelled.vacancies == plain.vacancies
    extra = labelled.jobseekers[200:]
    assert [s.id for s in extra] == [f"js-{n:06d}" for n in range(201, 201 + 25 * 4)]
    assert set(labelled.planted) == {s.id for s in extra}
    assert all(s.protected is not None and s.protected.nationality for s in extra)  # like everyone else
    again = generate_labelled_set(demo, 200, 25, seed=3, today=TODAY)
    assert (again.jobseekers, again.qrels, again.planted) == (
        labelled.jobseekers,
        labelled.qrels,
        labelled.planted,
    )


def test_planted_people_are_what_they_were_made_to_be(labelled: LabelledSet) -> None:
    seekers = {s.id: s for s in labelled.jobseekers}
    vacancies = {v.id: v for v in labelled.vacancies}
    kinds: Counter[str] = Counter()
    for seeker_id, planted in labelled.planted.items():
        judgement = labelled.truth.judge(seekers[seeker_id], vacancies[planted.vacancy_id])
        if planted.kind == "suitable":
            assert judgement.grade >= 2 and judgement.unmet == (), (seeker_id, judgement)
            assert labelled.grade(planted.vacancy_id, seeker_id) == judgement.grade
        else:
            assert judgement.grade == 0 and judgement.unmet == (planted.broken,), (
                seeker_id,
                planted,
                judgement,
            )
            assert judgement.fit in ("same", "bridge")
        kinds[planted.broken or planted.kind] += 1
    assert kinds["suitable"] == 50 and sum(kinds.values()) == 100
    assert {"german", "commute", "authorisation"} <= set(kinds)
    # Every vacancy has at least its two planted suitable candidates.
    assert all(len(labelled.qrels[v.id]) >= 2 for v in labelled.vacancies)


def test_fast_judging_equals_judging_every_pair(labelled: LabelledSet) -> None:
    brute = {
        v.id: {s.id: g for s in labelled.jobseekers if (g := labelled.truth.judge(s, v).grade) > 0}
        for v in labelled.vacancies
    }
    assert labelled.qrels == brute
    grades = Counter(g for judged in brute.values() for g in judged.values())
    assert set(grades) == {1, 2, 3}
    assert transpose(labelled.qrels) == labelled.seeker_qrels()
    assert sum(map(len, labelled.seeker_qrels().values())) == sum(map(len, labelled.qrels.values()))


def test_simulated_feedback_follows_the_ground_truth(labelled: LabelledSet) -> None:
    shown = {v.id: [s.id for s in labelled.jobseekers[200:212]] for v in labelled.vacancies[:6]}
    decisions = simulate_feedback(labelled, shown, seed=1)
    assert [(v, s) for v, s, _ in decisions] == [(v, s) for v, people in shown.items() for s in people]
    assert decisions == simulate_feedback(labelled, shown, seed=1)
    seekers = {s.id: s for s in labelled.jobseekers}
    vacancies = {v.id: v for v in labelled.vacancies}
    anyway = {RejectionReason.CANDIDATE_DECLINED, RejectionReason.POSITION_FILLED}
    for vacancy_id, seeker_id, request in decisions:
        judgement = labelled.truth.judge(seekers[seeker_id], vacancies[vacancy_id])
        if request.reason in anyway:
            continue
        if judgement.grade == 0:
            assert request.decision == Decision.REJECTED
            assert request.reason == UNMET_REASONS[judgement.unmet[0]]
        elif judgement.grade == 3:
            assert request.decision in (Decision.HIRED, Decision.INTERVIEW, Decision.CONTACTED)
        else:
            assert request.decision != Decision.REJECTED or request.reason == RejectionReason.SKILLS_MISMATCH


def test_recognition_states_of_planted_people(demo: Taxonomy) -> None:
    data = generate_labelled_set(demo, 50, 40, seed=11, today=TODAY)
    statuses = Counter(
        s.qualifications[0].recognition for s in data.jobseekers if data.planted.get(s.id, None) is not None
    )
    assert statuses[RecognitionStatus.NOT_REQUIRED] > 0 and statuses[RecognitionStatus.FULL] > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_jobseekers": -1}, "The 'n_jobseekers' parameter must be an int >= 0. Got -1 instead."),
        (
            {"suitable_per_vacancy": 1.5},
            "The 'suitable_per_vacancy' parameter must be an int >= 0. Got 1.5 instead.",
        ),
    ],
)
def test_bad_sizes_are_refused(demo: Taxonomy, kwargs: dict, message: str) -> None:
    arguments = {"n_jobseekers": 10, "n_vacancies": 2, **kwargs}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        generate_labelled_set(demo, **arguments)
