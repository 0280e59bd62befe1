"""Match-quality evaluation: per-query metrics against hand-computed values (through the shared metric
functions), means and coverage, slicing, and evaluation of the service's own rankings against ground truth and
against stored feedback."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from matching.evaluation.matching_quality import (
    QualityReport,
    RankedList,
    evaluate_against_feedback,
    evaluate_lists,
    evaluate_matching,
    query_metrics,
    rank_for_vacancies,
    summarise,
)
from matching.evaluation.trec import EvaluationInputError
from matching.pseudonyms import SECRET_NAME, analytics_pseudonym
from matching.service import Matcher
from matching.service.feedback import record_feedback
from models.feedback import Decision, FeedbackRequest, RejectionReason
from tests import factories
from tests import mini_esco as m

LOG3 = math.log2(3)


def test_query_metrics_by_hand() -> None:
    ranked = ["a", "b", "c", "d"]
    grades = {"b": 2, "d": 1, "x": 3}  # x is relevant but was not retrieved
    assert query_metrics(ranked, grades, 3) == pytest.approx(
        {
            "P@3": 1 / 3,
            "R@3": 1 / 3,
            # DCG = 2 / log2(3); ideal order x, b, d: 3 + 2 / log2(3) + 1 / 2
            "nDCG@3": (2 / LOG3) / (3 + 2 / LOG3 + 0.5),
            "MRR": 1 / 2,
        }
    )
    # Only grade >= 2 counts as relevant for P, R and MRR; nDCG keeps every grade.
    assert query_metrics(ranked, grades, 4, min_grade=2) == pytest.approx(
        {
            "P@4": 1 / 4,
            "R@4": 1 / 2,
            "nDCG@4": (2 / LOG3 + 1 / math.log2(5)) / (3 + 2 / LOG3 + 0.5),
            "MRR": 1 / 2,
        }
    )
    # MRR looks at the top k only.
    assert query_metrics(["a", "b", "c", "d"], {"d": 1}, 3)["MRR"] == 0.0
    assert query_metrics([], {"a": 1}, 5) == {"P@5": 0.0, "R@5": 0.0, "nDCG@5": 0.0, "MRR": 0.0}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "The 'k' parameter must be an int >= 1. Got 0 instead."),
        ({"k": True}, "The 'k' parameter must be an int >= 1. Got True instead."),
        ({"k": 3, "min_grade": 0}, "The 'min_grade' parameter must be an int >= 1. Got 0 instead."),
    ],
)
def test_query_metrics_refuses_bad_parameters(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("'", "'")):
        query_metrics(["a"], {"a": 1}, **kwargs)


def _lists() -> list[RankedList]:
    return [
        RankedList("q1", ("a", "b"), (0.9, 0.8), ("eligible", "bridge"), 1, {"german_level": "B1"}),
        RankedList("q2", (), (), (), 4, {"german_level": "B2"}),  # nothing eligible: not covered
        RankedList("q3", ("c",), (0.7,), ("eligible",), 0, {"german_level": "B1"}),  # no relevant judged
    ]


QRELS = {"q1": {"b": 1, "z": 2}, "q2": {"a": 3}, "q3": {"c": 0}}


def test_per_query_table_and_summary() -> None:
    frame = evaluate_lists(_lists(), QRELS, 2, pseudonym=lambda q: f"h-{q}")
    assert list(frame["query"]) == ["h-q1", "h-q2", "h-q3"]
    assert list(frame["relevant"]) == [2, 1, 0]
    assert list(frame["covered"]) == [True, False, True]
    assert list(frame["eligible_in_top_k"]) == [2, 0, 1] and list(frame["blocked"]) == [1, 4, 0]
    ndcg_q1 = (1 / LOG3) / (2 + 1 / LOG3)
    assert frame.loc[0, ["P@2", "R@2", "nDCG@2", "MRR"]].tolist() == pytest.approx([0.5, 0.5, ndcg_q1, 0.5])
    overall = summarise(frame, 2)
    # Metrics: mean over q1 and q2 (q3 has nothing relevant); coverage over all three.
    assert overall.loc["all"].to_dict() == pytest.approx(
        {"queries": 3, "with_relevant": 2, "P@2": 0.25, "R@2": 0.25, "nDCG@2": ndcg_q1 / 2, "MRR": 0.25,
         "coverage": 2 / 3}
    )  # fmt: skip
    sliced = summarise(frame, 2, by="german_level")
    assert list(sliced.index) == ["B1", "B2"]
    assert sliced.loc["B1"].to_dict() == pytest.approx(
        {
            "queries": 2,
            "with_relevant": 1,
            "P@2": 0.5,
            "R@2": 0.5,
            "nDCG@2": ndcg_q1,
            "MRR": 0.5,
            "coverage": 1.0,
        }
    )
    assert sliced.loc["B2", "coverage"] == 0.0 and sliced.loc["B2", "P@2"] == 0.0


def test_summary_of_a_slice_without_relevant_queries_is_nan_not_zero() -> None:
    frame = evaluate_lists(_lists()[2:], QRELS, 2)
    row = summarise(frame, 2).loc["all"]
    assert row["with_relevant"] == 0 and math.isnan(row["P@2"]) and row["coverage"] == 1.0


def test_summary_errors_name_the_problem() -> None:
    frame = evaluate_lists(_lists(), QRELS, 2)
    with pytest.raises(
        EvaluationInputError, match=r"Cannot slice by 'colour'.*occupation_group, german_level, recognition"
    ):
        summarise(frame, 2, by="colour")
    with pytest.raises(
        EvaluationInputError, match=r"no column\(s\) \['P@5', 'R@5', 'nDCG@5'\]; was it evaluated at k=5"
    ):
        summarise(frame, 5)
    report = QualityReport(k=2, labels="test", per_query={"candidates": frame})
    with pytest.raises(
        EvaluationInputError, match="The side 'vacancies' was not evaluated; this report has candidates"
    ):
        report.sliced("german_level", "vacancies")
    as_dict = report.as_dict(["german_level"])
    assert as_dict["candidates"]["overall"]["queries"] == 3
    assert set(as_dict["candidates"]["by_german_level"]) == {"B1", "B2"}
    assert list(report.overall().index) == ["candidates"]


@pytest.fixture
def loaded(matcher: Matcher) -> Matcher:
    """Two vacancies and four job seekers on the mini taxonomy (no regulated professions there)."""
    matcher.create_vacancy(
        factories.vacancy("vac-nurse", m.NURSE, [m.MEDICATION, m.VITALS], min_german_level="B1")
    )
    matcher.create_vacancy(
        factories.vacancy("vac-fork", m.FORKLIFT, [m.FORKLIFT_DRIVING], min_german_level="A2")
    )
    matcher.create_jobseeker(factories.seeker("js-nurse", m.NURSE, [m.MEDICATION, m.VITALS]))
    matcher.create_jobseeker(factories.seeker("js-assistant", m.NURSING_ASSISTANT, [m.HYGIENE]))
    matcher.create_jobseeker(factories.seeker("js-fork", m.FORKLIFT, [m.FORKLIFT_DRIVING]))
    matcher.create_jobseeker(
        factories.seeker(
            "js-blocked", m.FORKLIFT, [m.FORKLIFT_DRIVING], work_authorisation={"status": "unknown"}
        )
    )
    return matcher


def test_the_services_rankings_against_ground_truth(loaded: Matcher) -> None:
    qrels = {"vac-nurse": {"js-nurse": 3, "js-assistant": 1}, "vac-fork": {"js-fork": 3, "js-blocked": 3}}
    report = evaluate_matching(loaded, qrels, 3)
    secret = loaded.storage.secret(SECRET_NAME)
    candidates = report.per_query["candidates"].set_index("query")
    assert set(candidates.index) == {analytics_pseudonym(secret, "vacancy", v) for v in qrels}
    lists = {r.query_id: r for r in rank_for_vacancies(loaded, 3)}
    assert "js-blocked" not in lists["vac-fork"].doc_ids  # blocked pairs are never ranked
    for vacancy_id, judged in qrels.items():
        row = candidates.loc[analytics_pseudonym(secret, "vacancy", vacancy_id)]
        assert row[["P@3", "R@3", "nDCG@3", "MRR"]].to_dict() == pytest.approx(
            query_metrics(lists[vacancy_id].doc_ids, judged, 3)
        )
        assert row["blocked"] == lists[vacancy_id].blocked_total
    fork = candidates.loc[analytics_pseudonym(secret, "vacancy", "vac-fork")]
    assert (fork["R@3"], fork["german_level"], fork["recognition"]) == (0.5, "A2", "not_regulated")
    seekers = report.per_query["vacancies"].set_index("query")
    blocked = seekers.loc[analytics_pseudonym(secret, "jobseeker", "js-blocked")]
    assert (blocked["covered"], blocked["relevant"], blocked["P@3"]) == (False, 1, 0.0)
    assert report.overall().loc["vacancies", "coverage"] == pytest.approx(3 / 4)
    assert report.overall().loc["candidates", "coverage"] == 1.0
    plain = evaluate_matching(loaded, qrels, 3, sides=("candidates",), pseudonymise=False)
    assert set(plain.per_query["candidates"]["query"]) == {"vac-nurse", "vac-fork"}
    with pytest.raises(
        ValueError, match="The 'sides' parameter must name one or both of candidates, vacancies"
    ):
        evaluate_matching(loaded, qrels, 3, sides=("employers",))  # type: ignore[arg-type]


def test_the_services_rankings_against_feedback(loaded: Matcher) -> None:
    record_feedback(loaded, "vac-nurse", "js-nurse", FeedbackRequest(decision=Decision.INTERVIEW))
    record_feedback(loaded, "vac-nurse", "js-nurse", FeedbackRequest(decision=Decision.HIRED))
    record_feedback(
        loaded,
        "vac-nurse",
        "js-assistant",
        FeedbackRequest(decision=Decision.REJECTED, reason=RejectionReason.SKILLS_MISMATCH),
    )
    report = evaluate_against_feedback(loaded, 2, sides=("candidates",))
    assert report.labels == "feedback"
    frame = report.per_query["candidates"]
    secret = loaded.storage.secret(SECRET_NAME)
    nurse = frame.set_index("query").loc[analytics_pseudonym(secret, "vacancy", "vac-nurse")]
    ranked = {r.query_id: r.doc_ids for r in rank_for_vacancies(loaded, 2)}["vac-nurse"]
    assert nurse["relevant"] == 1
    assert nurse[["P@2", "R@2", "nDCG@2", "MRR"]].to_dict() == pytest.approx(
        query_metrics(ranked, {"js-nurse": 3, "js-assistant": 0}, 2)
    )
    overall = report.overall().loc["candidates"]
    assert (overall["queries"], overall["with_relevant"]) == (2, 1)  # vac-fork has no feedback


def test_slices_have_readable_group_names(loaded: Matcher) -> None:
    report = evaluate_matching(loaded, {"vac-nurse": {"js-nurse": 3}}, 2, sides=("vacancies",))
    groups = set(report.sliced("occupation_group", "vacancies").index)
    assert all(g == "unknown" or g[0].isdigit() for g in groups)
    assert isinstance(report.sliced("recognition", "vacancies"), pd.DataFrame)
