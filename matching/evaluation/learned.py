"""A learned re-ranking of the service's candidates, compared with the rule-based score.

The learned part only re-orders what the rules allow: its pool is a vacancy's eligible and bridge candidates
as :meth:`Matcher.rank_candidates` returns them, so a blocked pair is never in it and can never be promoted.
Its features are the score's own factors (:class:`~matching.ranking.scoring.ScoringWeights`), read from each match's
explanation, plus whether the match is a bridge job.

The model is scikit-learn's :class:`~sklearn.ensemble.HistGradientBoostingRegressor` on graded labels
(hired 3, interview 2, contacted 1, else 0), with monotonic constraints where more must never be worse:
skill coverage, occupation closeness, German fit, commute, working time and availability. Vacancies are split
into folds (:class:`~sklearn.model_selection.GroupKFold`), so no vacancy is both trained and tested on; each
fold's model ranks its test vacancies, and both rankings are scored against the same labels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matching.evaluation.metrics import ndcg_at_k, precision_at_k
from models import Eligibility, Match

if TYPE_CHECKING:
    from matching.service import Matcher

# Feature -> monotonic constraint (1: the prediction may only rise with it; 0: free).
FEATURES: dict[str, int] = {
    "essential_skills": 1,
    "optional_skills": 1,
    "occupation": 1,
    "semantic": 0,
    "german": 1,
    "commute": 1,
    "working_time": 1,
    "availability": 1,
    "bridge": 0,
}
Pseudonym = Callable[[str, str], str]


def match_features(match: Match) -> dict[str, float]:
    """The factor values of a match's explanation (NaN where a factor does not apply) and ``bridge``."""
    values = {f.name: f.value for f in match.explanation.factors}
    out = {name: float(values.get(name, math.nan)) for name in FEATURES if name != "bridge"}
    out["bridge"] = 1.0 if match.eligibility == Eligibility.BRIDGE else 0.0
    return out


def _identity(kind: str, entity_id: str) -> str:
    return entity_id


def candidate_pools(
    matcher: Matcher,
    pool: int = 50,
    *,
    grade: Callable[[str, str], int] | None = None,
    organisation: str | None = None,
    pseudonym: Pseudonym = _identity,
) -> pd.DataFrame:
    """Each vacancy's top ``pool`` eligible and bridge candidates: ``vacancy``, ``jobseeker``, ``rule_rank``,
    ``rule_score``, ``eligibility``, the features and, with ``grade(vacancy_id, jobseeker_id)``, ``grade``."""
    if isinstance(pool, bool) or not isinstance(pool, int) or pool < 1:
        raise ValueError(f"The 'pool' parameter must be an int >= 1. Got {pool!r} instead.")
    rows = []
    for record in matcher.vacancies.repo.iter_records():
        if organisation is not None and record.organisation != organisation:
            continue
        page = matcher.rank_candidates(record.item, pool, organisation=record.organisation)
        for match in page.items:
            row: dict[str, Any] = {
                "vacancy": pseudonym("vacancy", match.vacancy_id),
                "jobseeker": pseudonym("jobseeker", match.jobseeker_id),
                "rule_rank": match.rank,
                "rule_score": match.score,
                "eligibility": match.eligibility.value,
                **match_features(match),
            }
            if grade is not None:
                row["grade"] = grade(match.vacancy_id, match.jobseeker_id)
            rows.append(row)
    columns = ["vacancy", "jobseeker", "rule_rank", "rule_score", "eligibility", *FEATURES]
    return pd.DataFrame(rows, columns=[*columns, "grade"] if grade is not None else columns)


def make_model(seed: int = 7) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=20,
        l2_regularization=1.0,
        monotonic_cst=[FEATURES[name] for name in FEATURES],
        random_state=seed,
    )


@dataclass
class RankerComparison:
    """Per test vacancy, both rankings' nDCG@k and P@k; and the summary with a bootstrap interval."""

    k: int
    per_vacancy: pd.DataFrame
    summary: pd.DataFrame
    models: list[Any] = field(repr=False)

    def helps(self, metric: str | None = None) -> bool:
        """True when the learned ranking's mean gain is above zero with 95 % confidence."""
        row = self.summary.loc[metric or f"nDCG@{self.k}"]
        return bool(row["ci_low"] > 0)


def compare_rankers(
    pools: pd.DataFrame,
    relevant: Mapping[str, Mapping[str, int]],
    k: int = 10,
    *,
    label: str = "grade",
    folds: int = 5,
    seed: int = 7,
    bootstrap: int = 2000,
) -> RankerComparison:
    """Cross-validated comparison of the rule-based order with a learned re-ranking of the same pools.

    ``pools`` comes from :func:`candidate_pools`; the model learns the column ``label`` (e.g. ``grade``, or
    grades from advisor feedback). ``relevant`` holds every vacancy's graded relevant candidates, also those
    outside its pool, so both rankings are measured against the same full ground truth.
    """
    from sklearn.model_selection import GroupKFold

    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"The 'k' parameter must be an int >= 1. Got {k!r} instead.")
    if label not in pools:
        raise ValueError(
            f"The pools have no label column {label!r}; they have {', '.join(map(str, pools.columns))}."
        )
    if (pools["eligibility"] == Eligibility.BLOCKED.value).any():
        raise ValueError(
            "The pools hold blocked pairs; the learned ranking may only re-order eligible and bridge ones."
        )
    vacancies = pools["vacancy"].unique()
    if len(vacancies) < folds:
        raise ValueError(f"{len(vacancies)} vacancies cannot be split into {folds} folds; use fewer folds.")
    features = list(FEATURES)
    groups = pools["vacancy"].to_numpy()
    rows = []
    models = []
    splitter = GroupKFold(n_splits=folds)
    for fold, (train, test) in enumerate(splitter.split(pools, groups=groups)):
        model = make_model(seed)
        model.fit(pools.iloc[train][features].to_numpy(), pools.iloc[train][label].to_numpy())
        models.append(model)
        tested = pools.iloc[test].copy()
        tested["learned_score"] = model.predict(tested[features].to_numpy())
        for vacancy, group in tested.groupby("vacancy", sort=True):
            judged = relevant.get(str(vacancy), {})
            rule = list(group.sort_values(["rule_rank"])["jobseeker"])
            learned = list(
                group.sort_values(
                    ["learned_score", "rule_score", "jobseeker"], ascending=[False, False, True]
                )["jobseeker"]
            )
            rel = {d for d, g in judged.items() if g > 0}
            rows.append(
                {
                    "vacancy": vacancy,
                    "fold": fold,
                    "relevant": len(rel),
                    f"nDCG@{k} rule": ndcg_at_k(rule, judged, k),
                    f"nDCG@{k} learned": ndcg_at_k(learned, judged, k),
                    f"P@{k} rule": precision_at_k(rule, rel, k),
                    f"P@{k} learned": precision_at_k(learned, rel, k),
                }
            )
    per_vacancy = pd.DataFrame(rows)
    judged_rows = per_vacancy[per_vacancy["relevant"] > 0]
    rng = np.random.default_rng(seed)
    summary = {}
    for metric in (f"nDCG@{k}", f"P@{k}"):
        rule = judged_rows[f"{metric} rule"].to_numpy()
        learned = judged_rows[f"{metric} learned"].to_numpy()
        diff = learned - rule
        if len(diff):
            samples = rng.integers(0, len(diff), size=(bootstrap, len(diff)))
            means = diff[samples].mean(axis=1)
            low, high = np.quantile(means, [0.025, 0.975])
        else:
            low = high = math.nan
        summary[metric] = {
            "rule": float(rule.mean()) if len(rule) else math.nan,
            "learned": float(learned.mean()) if len(learned) else math.nan,
            "difference": float(diff.mean()) if len(diff) else math.nan,
            "ci_low": float(low),
            "ci_high": float(high),
            "vacancies": len(diff),
        }
    return RankerComparison(
        k=k,
        per_vacancy=per_vacancy,
        summary=pd.DataFrame.from_dict(summary, orient="index").rename_axis("metric"),
        models=models,
    )


def partial_dependence(model: Any, pools: pd.DataFrame, feature: str, points: int = 11) -> pd.DataFrame:
    """Mean prediction as ``feature`` sweeps 0..1 with the other features as they are (a monotone feature
    gives a curve that never falls)."""
    if feature not in FEATURES:
        raise ValueError(f"Unknown feature {feature!r}; use one of {', '.join(FEATURES)}.")
    data = pools[list(FEATURES)].to_numpy(dtype=float, copy=True)
    column = list(FEATURES).index(feature)
    grid = np.linspace(0.0, 1.0, points)
    means = []
    for value in grid:
        data[:, column] = value
        means.append(float(model.predict(data).mean()))
    return pd.DataFrame({feature: grid, "mean_prediction": means})
