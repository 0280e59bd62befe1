"""Calibrated link confidence: temperature scaling for occupations, Platt scaling for skills."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matching.linking.confidence import (
    Calibration,
    expected_calibration_error,
    fit_platt,
    fit_temperature,
    load_calibration,
)


def test_close_candidates_share_the_probability_and_a_clear_winner_holds_it() -> None:
    calibration = Calibration(occupation_temperature=0.05, skill_slope=10.0, skill_intercept=-5.0)
    close = calibration.occupation_probabilities(np.asarray([0.80, 0.79, 0.30, 0.20]))
    clear = calibration.occupation_probabilities(np.asarray([0.80, 0.50, 0.30, 0.20]))
    assert close.sum() == pytest.approx(1.0) and clear.sum() == pytest.approx(1.0)
    assert close[0] < 0.6 and clear[0] > 0.99
    assert calibration.skill_probability(0.7) > calibration.skill_probability(0.4)


def test_the_fitted_temperature_recovers_the_one_that_generated_the_labels() -> None:
    rng = np.random.default_rng(7)
    scores = rng.uniform(0.2, 0.9, size=(3000, 20))
    truth = Calibration(0.08, 1.0, 0.0)
    gold = [[int(rng.choice(20, p=truth.occupation_probabilities(row)))] for row in scores]
    assert fit_temperature(scores, gold) == pytest.approx(0.08, rel=0.15)
    assert fit_temperature(scores, gold, target="all") == pytest.approx(0.08, rel=0.15)


def _best_confidence(scores: np.ndarray, gold: list[list[int]], temperature: float) -> tuple[list, list]:
    calibration = Calibration(temperature, 1.0, 0.0)
    best = [int(np.argmax(row)) for row in scores]
    confidence = [
        float(calibration.occupation_probabilities(row)[b]) for row, b in zip(scores, best, strict=True)
    ]
    return confidence, [b in g for b, g in zip(best, gold, strict=True)]


def test_the_best_occupations_probability_is_calibrated_where_the_softmax_is_not_the_true_model() -> None:
    # Whether the best-scoring occupation is right follows a softmax with temperature 0.08, but when it is
    # wrong the gold one is any other candidate, not the runner-up the softmax would favour. Fitting the whole
    # distribution bends the temperature to explain those; fitting the best one's probability does not.
    rng = np.random.default_rng(11)
    scores = rng.uniform(0.2, 0.9, size=(4000, 30))
    truth = Calibration(0.08, 1.0, 0.0)
    gold = []
    for row in scores:
        best = int(np.argmax(row))
        right = rng.uniform() < truth.occupation_probabilities(row)[best]
        gold.append([best] if right else [int(rng.choice([i for i in range(30) if i != best]))])
    fit, held = slice(0, 2000), slice(2000, 4000)
    errors = {}
    for target in ("best", "all"):
        temperature = fit_temperature(scores[fit], gold[fit], target=target)
        errors[target] = expected_calibration_error(*_best_confidence(scores[held], gold[held], temperature))
    assert errors["best"] < 0.04 and errors["all"] > errors["best"] + 0.04, errors


def test_platt_scaling_is_calibrated_on_data_drawn_from_a_logistic() -> None:
    rng = np.random.default_rng(3)
    scores = rng.uniform(0.0, 1.0, 20_000)
    correct = rng.uniform(size=scores.size) < 1 / (1 + np.exp(-(8 * scores - 4)))
    slope, intercept = fit_platt(scores, correct)
    assert slope == pytest.approx(8, rel=0.15) and intercept == pytest.approx(-4, rel=0.15)
    confidence = [Calibration(1.0, slope, intercept).skill_probability(s) for s in scores]
    assert expected_calibration_error(confidence, correct) < 0.02
    assert expected_calibration_error([0.9] * 100, [False] * 100) == pytest.approx(0.9)


def test_a_model_without_its_own_entry_falls_back_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    entry = {"occupation_temperature": 0.05, "skill_slope": 9.0, "skill_intercept": -5.0}
    path.write_text(json.dumps({"default": entry, "model-a": {**entry, "occupation_temperature": 0.02}}))
    assert load_calibration("model-a", path) == Calibration(0.02, 9.0, -5.0, calibrated=True)
    assert load_calibration("model-b", path) == Calibration(0.05, 9.0, -5.0, calibrated=False)


def test_fitting_refuses_data_that_cannot_calibrate() -> None:
    with pytest.raises(ValueError, match="labelled titles"):
        fit_temperature(np.zeros((2, 3)), [[], []])
    with pytest.raises(ValueError, match="both correct and wrong"):
        fit_platt([0.1, 0.2], [True, True])
