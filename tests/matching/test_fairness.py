"""Fairness measures on hand-made rankings: exposure, exposure ratios, skew@k, KL, NDKL and recall by group."""

from __future__ import annotations

import math
import re

import pytest

from matching.evaluation import fairness

LOG3 = math.log2(3)
GROUP = {"a": "X", "b": "Y", "c": "Y", "d": "Y"}


def test_exposure_weights_follow_the_dcg_discount() -> None:
    assert [fairness.exposure_weight(r) for r in (1, 3, 7)] == pytest.approx([1.0, 0.5, 1 / 3])
    with pytest.raises(
        ValueError, match=re.escape("The 'rank' parameter must be an int >= 1. Got 0 instead.")
    ):
        fairness.exposure_weight(0)


def test_group_exposure_and_ratios() -> None:
    rankings = [["a", "b", "c"], ["c", "a"]]
    # Top 2 of each: a at 1 and 2, b at 2, c at 1.
    assert fairness.group_exposure(rankings, GROUP, 2) == pytest.approx(
        {"X": 1 + 1 / LOG3, "Y": 1 / LOG3 + 1}
    )
    table = fairness.exposure_table(rankings, GROUP, 2, population={"X": 1, "Y": 3}, merit={"X": 5, "Y": 5})
    assert table.loc["X"].to_dict() == pytest.approx(
        {"exposure_share": 0.5, "top_k_slots": 2, "population_share": 0.25, "exposure_ratio": 2.0,
         "merit_share": 0.5, "merit_ratio": 1.0}
    )  # fmt: skip
    assert table.loc["Y", "exposure_ratio"] == pytest.approx(0.5 / 0.75)
    unknown = fairness.exposure_table([["z"]], GROUP, 1, population={"X": 1})
    assert unknown.loc["unknown", "exposure_share"] == 1.0 and math.isnan(
        unknown.loc["unknown", "exposure_ratio"]
    )


def test_skew_at_k() -> None:
    groups = ["X", "Y", "Y", "Y"]
    assert fairness.skew_at_k(groups, "X", 0.5, 4) == pytest.approx(math.log(0.5))
    assert fairness.skew_at_k(groups, "Y", 0.5, 4) == pytest.approx(math.log(1.5))
    assert fairness.skew_at_k(groups, "X", 0.25, 4) == pytest.approx(0.0)
    assert fairness.skew_at_k(groups, "X", 0.5, 1) == pytest.approx(math.log(2))  # top 1 is all X
    assert fairness.skew_at_k(groups[1:], "X", 0.5, 3) == -math.inf
    with pytest.raises(ValueError, match=r"The 'desired' share of 'X' must be in \(0, 1\]. Got 0 instead."):
        fairness.skew_at_k(groups, "X", 0, 4)
    with pytest.raises(ValueError, match="skew@k of an empty ranking is undefined"):
        fairness.skew_at_k([], "X", 0.5, 4)
    pooled = fairness.pooled_skew([["a", "b"], ["c", "d"]], GROUP, {"X": 1, "Y": 1}, 2)
    assert pooled == pytest.approx({"X": math.log(0.25 / 0.5), "Y": math.log(0.75 / 0.5)})


def test_kl_and_ndkl_by_hand() -> None:
    assert fairness.kl_divergence({"X": 1.0}, {"X": 0.5, "Y": 0.5}) == pytest.approx(math.log(2))
    assert fairness.kl_divergence({"X": 0.5, "Y": 0.5}, {"X": 0.5, "Y": 0.5}) == 0.0
    assert fairness.kl_divergence({"Z": 1.0}, {"X": 1.0}) == math.inf
    # Prefix 1: all X, KL ln 2, weight 1; prefix 2: X/Y half each, KL 0, weight 1/log2(3).
    assert fairness.ndkl(["X", "Y"], {"X": 1, "Y": 1}) == pytest.approx(math.log(2) / (1 + 1 / LOG3))
    assert fairness.ndkl(["X", "Y", "X", "Y"], {"X": 0.5, "Y": 0.5}) < fairness.ndkl(
        ["X", "X", "Y", "Y"], {"X": 1, "Y": 1}
    )
    with pytest.raises(ValueError, match="NDKL of an empty ranking is undefined"):
        fairness.ndkl([], {"X": 1})
    assert fairness.mean_ndkl([["a", "b"], [], ["b", "a"]], GROUP, {"X": 1, "Y": 1}, 2) == pytest.approx(
        math.log(2) / (1 + 1 / LOG3)
    )


def test_random_baseline_is_deterministic_and_above_zero() -> None:
    population = {f"p{i}": "X" if i % 3 else "Y" for i in range(60)}
    desired = {"X": 40, "Y": 20}
    value = fairness.random_ndkl(population, desired, 5, rankings=200, seed=1)
    assert value == fairness.random_ndkl(population, desired, 5, rankings=200, seed=1)
    assert 0 < value < 1
    with pytest.raises(ValueError, match=re.escape("Cannot draw 61 people from 60; use a smaller k.")):
        fairness.random_ndkl(population, desired, 61)


def test_recall_by_group_is_equal_opportunity() -> None:
    rankings = {"v1": ["a", "b"], "v2": ["c"]}
    relevant = {"v1": {"a": 3, "c": 1, "d": 0}, "v2": {"c": 2, "b": 2}}
    table = fairness.recall_by_group(rankings, relevant, GROUP, 2)
    assert table.to_dict("index") == {
        "X": {"suitable_pairs": 1, "in_top_k": 1, "recall": 1.0},
        "Y": {"suitable_pairs": 3, "in_top_k": 1, "recall": pytest.approx(1 / 3)},
    }
