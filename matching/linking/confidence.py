"""How sure a link is: calibrated probabilities for suggestions, and when to ask the user to confirm.

Occupations for a title compete with each other, so their confidence is a softmax over the title's scores for
every occupation with a temperature fitted on labelled titles so that the best occupation's probability says
how often it is right: two close candidates share the probability, and the page says "please confirm" when
the best one holds less than half of it.
Skills found in a text do not compete (a sentence names several), so each gets a logistic function of its
score (Platt scaling) fitted on labelled sentences.

Raw scores are not probabilities and their scale depends on the embedding model (e5's cosines are
compressed), so the fitted values are kept per model in ``data/linking_calibration.json``, written by
``benchmarks/calibration.py --write``. A model without an entry gets the ``default`` one and its
confidences say so (``calibrated`` is false).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

CALIBRATION_FILE = Path(__file__).resolve().parents[2] / "data" / "linking_calibration.json"
CONFIRM_BELOW = 0.5  # the best occupation holds less than half of the probability: ask the user


@dataclass(frozen=True, slots=True)
class Calibration:
    occupation_temperature: float
    skill_slope: float
    skill_intercept: float
    calibrated: bool = True  # fitted for this model, not the fallback

    def occupation_probabilities(self, scores: np.ndarray) -> np.ndarray:
        """Softmax of one title's scores over all occupations."""
        z = (scores.astype(np.float64) - float(scores.max())) / self.occupation_temperature
        e = np.exp(z)
        return e / e.sum()

    def skill_probability(self, score: float) -> float:
        return 1.0 / (1.0 + math.exp(-(self.skill_slope * score + self.skill_intercept)))


def load_calibration(model_id: str, path: Path = CALIBRATION_FILE) -> Calibration:
    entries = json.loads(path.read_text(encoding="utf-8"))
    entry = entries.get(model_id)
    calibrated = entry is not None
    entry = entry or entries["default"]
    return Calibration(
        occupation_temperature=float(entry["occupation_temperature"]),
        skill_slope=float(entry["skill_slope"]),
        skill_intercept=float(entry["skill_intercept"]),
        calibrated=calibrated,
    )


def fit_temperature(
    scores: Sequence[np.ndarray] | np.ndarray,
    gold: Sequence[Sequence[int]],
    target: Literal["best", "all"] = "best",
) -> float:
    """The temperature fitted on labelled titles, whose rows may differ in length (titles ranked against
    different candidate sets).

    ``best`` (the default): the binary log loss of the best occupation's probability against whether it is a
    gold one. That probability is what the pages show and what decides "please confirm", so it is the one to
    calibrate; on e5's held-out dev titles its expected calibration error is 0.05 where ``all`` leaves 0.08.
    ``all``: the negative log-likelihood of the gold concepts under the whole distribution (several gold
    concepts of one title share the credit), classic temperature scaling. Both recover the temperature that
    generated the labels when the softmax is the true model."""
    rows = [(scores[i].astype(np.float64), list(g)) for i, g in enumerate(gold) if len(g)]
    if not rows:
        raise ValueError("no labelled titles to fit a temperature on")
    shifted = [(row - row.max(), g, int(np.argmax(row)) in g) for row, g in rows]

    def loss(temperature: float) -> float:
        total = 0.0
        for z, g, best_is_gold in shifted:
            e = np.exp(z / temperature)
            if target == "all":
                total -= math.log(max(e[g].sum() / e.sum(), 1e-300))
            else:  # the best candidate's probability: its exp is exp(0) = 1
                p = min(max(1.0 / e.sum(), 1e-12), 1 - 1e-12)
                total -= math.log(p) if best_is_gold else math.log(1 - p)
        return total / len(shifted)

    grid = np.exp(np.linspace(math.log(0.002), math.log(1.0), 60))
    best = min(grid, key=loss)
    fine = np.exp(np.linspace(math.log(best) - 0.12, math.log(best) + 0.12, 25))
    return float(min(fine, key=loss))


def fit_platt(scores: Sequence[float], correct: Sequence[bool]) -> tuple[float, float]:
    """Slope and intercept of P(correct | score) by logistic regression."""
    from sklearn.linear_model import LogisticRegression

    if len(set(correct)) < 2:
        raise ValueError("Platt scaling needs both correct and wrong suggestions")
    model = LogisticRegression(C=100.0).fit(
        np.asarray(scores, dtype=np.float64)[:, None], np.asarray(correct)
    )
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Mean |accuracy − confidence| over equal-width confidence bins, weighted by the bins' sizes."""
    conf, hit = np.asarray(confidence, dtype=np.float64), np.asarray(correct, dtype=np.float64)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(hit[mask].mean() - conf[mask].mean())
    return float(error)
