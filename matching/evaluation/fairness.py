"""Fairness measures for rankings of people: position-discounted exposure, exposure ratios, skew@k and NDKL.

Notation: a ranking is a list of people, best first; ``group_of`` gives each person's group (e.g. a
nationality, gender or age band from the analytics export — audit data that ranking itself never reads).

- **Exposure** of the person at rank r is ``1 / log2(1 + r)`` (the DCG discount: the attention a list's
  reader gives to each position). A group's exposure share is its members' exposure over everyone's.
- **Exposure ratio** = exposure share / reference share. References: the group's share of the population
  (demographic parity: 1.0 means seen as often as they are numerous) or of the truly suitable pairs
  (*merit*, after Singh & Joachims 2018: 1.0 means seen as often as they deserve by suitability).
- **skew@k** (Geyik, Ambler & Kenthapadi 2019) of group g = ``ln(p_top_k(g) / p_desired(g))``: 0 is
  proportional, negative under-represented, positive over-represented. ``-inf`` when the group is absent
  from the top k.
- **NDKL** (same paper) = ``(1/Z) Σ_{i=1..n} KL(D_top_i ‖ D_desired) / log2(i + 1)``, with
  ``Z = Σ_{i=1..n} 1/log2(i + 1)``: 0 when every prefix of the ranking has the desired group mix, larger
  the further it strays, with the top positions weighing most.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

UNKNOWN = "unknown"


def exposure_weight(rank: int) -> float:
    """The attention given to position ``rank`` (1-based): ``1 / log2(1 + rank)``."""
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
        raise ValueError(f"The 'rank' parameter must be an int >= 1. Got {rank!r} instead.")
    return 1.0 / math.log2(1 + rank)


def group_exposure(
    rankings: Iterable[Sequence[str]], group_of: Mapping[str, str], k: int
) -> dict[str, float]:
    """Total position-discounted exposure of each group over the top k of every ranking."""
    _check_k(k)
    totals: dict[str, float] = {}
    for ranking in rankings:
        for rank, person in enumerate(ranking[:k], start=1):
            group = group_of.get(person, UNKNOWN)
            totals[group] = totals.get(group, 0.0) + exposure_weight(rank)
    return totals


def shares(counts: Mapping[str, float]) -> dict[str, float]:
    total = math.fsum(counts.values())
    return {g: v / total for g, v in counts.items()} if total > 0 else {g: 0.0 for g in counts}


def exposure_table(
    rankings: Sequence[Sequence[str]],
    group_of: Mapping[str, str],
    k: int,
    *,
    population: Mapping[str, float] | None = None,
    merit: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Per group: exposure share, and its ratio to each reference given (shares or counts; normalised here).

    Columns: ``exposure_share``, ``population_share`` and ``exposure_ratio`` (with ``population``),
    ``merit_share`` and ``merit_ratio`` (with ``merit``), ``top_k_slots`` (how often in a top k).
    """
    exposure = shares(group_exposure(rankings, group_of, k))
    slots = Counter(group_of.get(p, UNKNOWN) for r in rankings for p in r[:k])
    groups = sorted(set(exposure) | set(population or {}) | set(merit or {}))
    frame = pd.DataFrame(index=pd.Index(groups, name="group"))
    frame["exposure_share"] = [exposure.get(g, 0.0) for g in groups]
    frame["top_k_slots"] = [slots.get(g, 0) for g in groups]
    for name, reference in (("population", population), ("merit", merit)):
        if reference is None:
            continue
        ref = shares(reference)
        frame[f"{name}_share"] = [ref.get(g, 0.0) for g in groups]
        ratio = "exposure_ratio" if name == "population" else "merit_ratio"
        frame[ratio] = [exposure.get(g, 0.0) / ref[g] if ref.get(g, 0.0) > 0 else math.nan for g in groups]
    return frame


def skew_at_k(ranked_groups: Sequence[str], group: str, desired: float, k: int) -> float:
    """ln(share of ``group`` in the top k / ``desired``); ``-inf`` when absent from the top k."""
    _check_k(k)
    if not 0 < desired <= 1:
        raise ValueError(f"The 'desired' share of {group!r} must be in (0, 1]. Got {desired!r} instead.")
    top = ranked_groups[:k]
    if not top:
        raise ValueError("skew@k of an empty ranking is undefined; leave such rankings out.")
    share = sum(1 for g in top if g == group) / len(top)
    return math.log(share / desired) if share > 0 else -math.inf


def pooled_skew(
    rankings: Iterable[Sequence[str]], group_of: Mapping[str, str], desired: Mapping[str, float], k: int
) -> dict[str, float]:
    """skew@k per group over all top-k slots of all rankings taken together (one list of every top k)."""
    pooled: list[str] = []
    for ranking in rankings:
        pooled.extend(group_of.get(p, UNKNOWN) for p in ranking[:k])
    wanted = shares(desired)
    return {g: skew_at_k(pooled, g, wanted[g], len(pooled)) for g in sorted(wanted) if wanted[g] > 0}


def kl_divergence(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """KL(p ‖ q) in nats; ``inf`` when p puts weight where q has none."""
    total = 0.0
    for group, pg in p.items():
        if pg <= 0:
            continue
        qg = q.get(group, 0.0)
        if qg <= 0:
            return math.inf
        total += pg * math.log(pg / qg)
    return total


def ndkl(ranked_groups: Sequence[str], desired: Mapping[str, float]) -> float:
    """Normalised discounted cumulative KL divergence of a ranking's group mix from ``desired``."""
    if not ranked_groups:
        raise ValueError("NDKL of an empty ranking is undefined; leave such rankings out.")
    wanted = shares(desired)
    counts: Counter[str] = Counter()
    total = norm = 0.0
    for i, group in enumerate(ranked_groups, start=1):
        counts[group] += 1
        weight = 1.0 / math.log2(i + 1)
        total += weight * kl_divergence({g: c / i for g, c in counts.items()}, wanted)
        norm += weight
    return total / norm


def mean_ndkl(
    rankings: Iterable[Sequence[str]], group_of: Mapping[str, str], desired: Mapping[str, float], k: int
) -> float:
    """NDKL of each ranking's top k, averaged over the rankings that are not empty."""
    _check_k(k)
    values = [ndkl([group_of.get(p, UNKNOWN) for p in r[:k]], desired) for r in rankings if len(r) > 0]
    return math.fsum(values) / len(values) if values else math.nan


def random_ndkl(
    group_of: Mapping[str, str], desired: Mapping[str, float], k: int, *, rankings: int = 500, seed: int = 7
) -> float:
    """Mean NDKL of ``rankings`` lists of k people drawn at random from ``group_of``: the divergence a list of
    that length shows by chance alone (with many small groups, far above 0)."""
    import random

    _check_k(k)
    people = sorted(group_of)
    if len(people) < k:
        raise ValueError(f"Cannot draw {k} people from {len(people)}; use a smaller k.")
    rng = random.Random(seed)
    draws = [[group_of[p] for p in rng.sample(people, k)] for _ in range(rankings)]
    return math.fsum(ndkl(d, desired) for d in draws) / rankings


def recall_by_group(
    rankings: Mapping[str, Sequence[str]],
    relevant: Mapping[str, Mapping[str, int]],
    group_of: Mapping[str, str],
    k: int,
) -> pd.DataFrame:
    """Equal opportunity: per group, the share of truly suitable (query, person) pairs whose person is in the
    query's top k. Columns ``suitable_pairs``, ``in_top_k`` and ``recall``."""
    _check_k(k)
    suitable: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for query, judged in relevant.items():
        top = set(rankings.get(query, ())[:k])
        for person, grade in judged.items():
            if grade <= 0:
                continue
            group = group_of.get(person, UNKNOWN)
            suitable[group] += 1
            found[group] += person in top
    groups = sorted(suitable)
    return pd.DataFrame(
        {
            "suitable_pairs": [suitable[g] for g in groups],
            "in_top_k": [found[g] for g in groups],
            "recall": [found[g] / suitable[g] for g in groups],
        },
        index=pd.Index(groups, name="group"),
    )


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"The 'k' parameter must be an int >= 1. Got {k!r} instead.")
