"""The learned re-ranking: features from explanations, pools without blocked pairs, a cross-validated
comparison that finds a gain where there is one, and monotonic constraints that hold against the data."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from matching.evaluation.learned import (
    FEATURES,
    candidate_pools,
    compare_rankers,
    match_features,
    partial_dependence,
)
from matching.service import Matcher
from tests import factories
from tests import mini_esco as m


def _pools(
    vacancies: int = 30, per: int = 20, seed: int = 0
) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """Candidates whose true grade depends on German fit and commute, in an order the rule does not know."""
    rng = np.random.default_rng(seed)
    rows = []
    for v in range(vacancies):
        for c in range(per):
            features = {name: float(rng.uniform()) for name in FEATURES}
            features["german"] = float(rng.choice([0.3, 0.65, 1.0]))
            features["bridge"] = 0.0
            grade = 3 if features["german"] == 1.0 and features["commute"] > 0.5 else 0
            rows.append({"vacancy": f"v{v}", "jobseeker": f"v{v}-c{c}", "rule_rank": 0, "rule_score": 0.0,
                         "eligibility": "eligible", **features, "grade": grade})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["rule_score"] = rng.uniform(size=len(frame))  # a rule that knows nothing
    frame["rule_rank"] = (
        frame.groupby("vacancy")["rule_score"].rank(ascending=False, method="first").astype(int)
    )
    relevant = {v: dict(zip(g["jobseeker"], g["grade"], strict=True)) for v, g in frame.groupby("vacancy")}
    return frame, relevant


def test_learning_helps_where_the_rule_misses_what_matters() -> None:
    pools, relevant = _pools()
    result = compare_rankers(pools, relevant, 5, folds=3, seed=1, bootstrap=500)
    assert len(result.models) == 3
    assert sorted(result.per_vacancy["vacancy"]) == sorted(pools["vacancy"].unique())  # each tested once
    ndcg = result.summary.loc["nDCG@5"]
    assert ndcg["learned"] > 0.9 > 0.6 > ndcg["rule"]
    assert ndcg["difference"] == pytest.approx(ndcg["learned"] - ndcg["rule"])
    assert ndcg["ci_low"] < ndcg["difference"] < ndcg["ci_high"]
    assert result.helps() and result.helps("P@5")
    again = compare_rankers(pools, relevant, 5, folds=3, seed=1, bootstrap=500)
    assert again.summary.equals(result.summary)


def test_no_gain_is_reported_as_none() -> None:
    pools, relevant = _pools(seed=2)
    # The rule already knows the answer: its order is the true grade (ties by a random score).
    pools["rule_score"] = pools["grade"] + 0.01 * np.random.default_rng(3).uniform(size=len(pools))
    pools["rule_rank"] = (
        pools.groupby("vacancy")["rule_score"].rank(ascending=False, method="first").astype(int)
    )
    result = compare_rankers(pools, relevant, 5, folds=3, bootstrap=500)
    assert result.summary.loc["nDCG@5", "rule"] == pytest.approx(1.0)
    assert not result.helps()


def test_monotonic_constraints_hold_even_against_the_data() -> None:
    pools, relevant = _pools(seed=4)
    pools["grade"] = np.where(pools["commute"] < 0.5, 3, 0)  # the data say: farther is better
    result = compare_rankers(pools, relevant, 5, folds=3, bootstrap=100)
    for model in result.models:
        for feature, constraint in FEATURES.items():
            curve = partial_dependence(model, pools, feature)["mean_prediction"]
            if constraint == 1:
                assert curve.is_monotonic_increasing, feature
        commute = partial_dependence(model, pools, "commute")["mean_prediction"]
        assert commute.iloc[-1] == pytest.approx(commute.iloc[0])  # the constraint flattens it
    with pytest.raises(ValueError, match="Unknown feature 'salary'; use one of essential_skills, "):
        partial_dependence(result.models[0], pools, "salary")


def test_the_comparison_refuses_what_it_cannot_do() -> None:
    pools, relevant = _pools(vacancies=4)
    with pytest.raises(
        ValueError, match=re.escape("4 vacancies cannot be split into 5 folds; use fewer folds.")
    ):
        compare_rankers(pools, relevant, 5)
    with pytest.raises(
        ValueError, match="The pools have no label column 'feedback_grade'; they have vacancy, "
    ):
        compare_rankers(pools, relevant, 5, label="feedback_grade", folds=2)
    blocked = pools.copy()
    blocked.loc[0, "eligibility"] = "blocked"
    with pytest.raises(
        ValueError, match="The pools hold blocked pairs; the learned ranking may only re-order"
    ):
        compare_rankers(blocked, relevant, 5, folds=2)


def test_pools_come_from_the_service_without_blocked_pairs(matcher: Matcher) -> None:
    matcher.create_vacancy(
        factories.vacancy("vac-1", m.NURSE, [m.MEDICATION, m.VITALS], min_german_level="B1")
    )
    matcher.create_jobseeker(factories.seeker("js-a", m.NURSE, [m.MEDICATION]))
    matcher.create_jobseeker(factories.seeker("js-b", m.NURSING_ASSISTANT, [m.HYGIENE]))
    matcher.create_jobseeker(
        factories.seeker("js-x", m.NURSE, work_authorisation={"status": "not_permitted"})
    )
    pools = candidate_pools(matcher, 10, grade=lambda v, s: 3 if s == "js-a" else 0)
    assert sorted(pools["jobseeker"]) == ["js-a", "js-b"]  # js-x is blocked: never in a pool
    assert list(pools.sort_values("rule_rank")["rule_rank"]) == [1, 2]
    assert dict(zip(pools["jobseeker"], pools["grade"], strict=True)) == {"js-a": 3, "js-b": 0}
    match = matcher.what_if(matcher.get_jobseeker("js-a"), matcher.get_vacancy("vac-1"))
    features = match_features(match)
    assert list(features) == list(FEATURES)
    factors = {f.name: f.value for f in match.explanation.factors}
    assert {k: v for k, v in features.items() if k in factors} == factors
    assert features["bridge"] == 0.0 and features["german"] == 1.0
    assert math.isnan(features["optional_skills"])  # the vacancy lists no optional skills
    row = pools.set_index("jobseeker").loc["js-a"]
    assert row["rule_score"] == match.score
    assert row[[n for n in FEATURES if n != "optional_skills"]].to_dict() == {
        n: v for n, v in features.items() if n != "optional_skills"
    }
    with pytest.raises(
        ValueError, match=re.escape("The 'pool' parameter must be an int >= 1. Got 0 instead.")
    ):
        candidate_pools(matcher, 0)
