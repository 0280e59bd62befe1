"""k-anonymity for the analysts' job seeker export: every released combination is shared by at least k people.

A pseudonymous row can still single a person out: the set of skills, languages, experience and commute limit
of one job seeker is almost always unique, so whoever knows a few facts of a person finds their row. Every
column except the id therefore counts as a quasi-identifier. Each column has a ladder of ever coarser values
(:data:`LADDERS`: exact, then bands, ISCO groups or counts, then nothing); greedily, the column whose
next rung leaves the fewest rows in rare combinations climbs one rung at a time, the same for every row, until at most
:data:`MAX_SUPPRESSED` of the rows sit in a combination shared by fewer than ``k`` people. Those rows keep only
their id (every other value ``None``), so they still count in totals without saying anything. Protected
attributes (nationality, gender, age band) climb last: they are what fairness audits need. Rows are ordered
by their keyed hash, never in the order they were stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]
Isco = Callable[[str, int], str]  # occupation uri, digits -> ISCO group code ("?" when unknown)

MAX_SUPPRESSED = 0.05
NOT_IDENTIFYING = ("id",)


@dataclass(frozen=True)
class Disclosure:
    """What an export guarantees, sent with it (response headers) and documented in the README."""

    k: int
    level: str  # the rung each generalised column climbed to, e.g. "skill_uris:1,home_area:2" ("exact")
    rows: int
    suppressed: int  # rows whose values were all suppressed
    unique_before: int  # rows whose exact combination was unique before generalisation

    def headers(self) -> dict[str, str]:
        return {
            "X-Anonymity-K": str(self.k),
            "X-Anonymity-Level": self.level,
            "X-Anonymity-Suppressed": str(self.suppressed),
        }


def _band(value: float | None, edges: Sequence[float]) -> str | None:
    if value is None:
        return None
    lower = 0.0
    for edge in edges:
        if value < edge:
            return f"{lower:g}-{edge:g}"
        lower = edge
    return f"{lower:g}+"


def _count(values: list[str] | None) -> str | None:
    return None if values is None else _band(len(values), (1, 5, 10, 20))


def _experience(items: list[str], isco: Isco, digits: int) -> list[str]:
    out = []
    for item in items:
        uri, _, years = item.rpartition("|")
        out.append(f"isco:{isco(uri, digits)}|{_band(float(years), (1, 3, 5, 10))}")
    return sorted(set(out))


def _qualifications(items: list[str], isco: Isco, digits: int | None) -> list[str]:
    # occupation|country|recognition[|measure[|state]] -> ISCO group and recognition, no country
    out = []
    for item in items:
        uri, _country, *state = item.split("|")
        recognition = "|".join(state)
        out.append(recognition if digits is None else f"isco:{isco(uri, digits)}|{recognition}")
    return sorted(set(out))


def _languages(items: list[str], rung: int) -> list[str]:
    german = [x for x in items if x.startswith("de:")]
    if rung == 1:
        return [*german, f"other:{_band(len(items) - len(german), (1, 2, 3))}"]
    return [g[:4] for g in german]  # de:B2 -> de:B (CEFR band)


Ladder = tuple[Callable[[Any, Isco], Any], ...]
# Rung 0 is the exact value, rungs 1..n these steps, and the rung after them None (suppressed).
LADDERS: dict[str, Ladder] = {
    "qualifications": (
        lambda v, isco: _qualifications(v, isco, 3),
        lambda v, isco: _qualifications(v, isco, 1),
        lambda v, isco: _qualifications(v, isco, None),
        lambda v, isco: _count(v),
    ),
    "experience": (
        lambda v, isco: _experience(v, isco, 3),
        lambda v, isco: _experience(v, isco, 1),
        lambda v, isco: _count(v),
    ),
    "skill_uris": (lambda v, isco: _count(v),),
    "languages": (lambda v, isco: _languages(v, 1), lambda v, isco: _languages(v, 2)),
    "home_area": (lambda v, isco: v[:2],),
    "max_commute_km": (lambda v, isco: _band(v, (10, 25, 50)),),
    "available_from": (lambda v, isco: v[:4],),  # 2026-03 -> 2026
    "hours_per_week": (lambda v, isco: _band(v, (20, 30, 35)),),
    "work_authorisation_max_hours": (lambda v, isco: _band(v, (20, 30)),),
}
PROTECTED = ("nationality", "gender", "age_band")  # climb only when nothing else can


def _hashable(values: list[Any]) -> list[Any]:
    return [tuple(v) if isinstance(v, list) else v for v in values]


def _small(columns: list[list[Any]], k: int) -> set[int]:
    """Rows whose combination of (hashable) values occurs fewer than k times."""
    keys = list(zip(*columns, strict=True))
    counts = Counter(keys)
    return {i for i, key in enumerate(keys) if counts[key] < k}


def _rung(column: str, rung: int, exact: list[Any], isco: Isco) -> list[Any]:
    ladder = LADDERS.get(column, ())
    if rung == 0:
        return exact
    if rung > len(ladder):
        return [None] * len(exact)
    step = ladder[rung - 1]
    return [None if value is None else step(value, isco) for value in exact]


def _specialise(
    columns: list[str],
    exact: dict[str, list[Any]],
    current: dict[str, list[Any]],
    keys: dict[str, list[Any]],
    rungs: dict[str, int],
    k: int,
    isco: Isco,
    small: set[int],
) -> set[int]:
    """Step columns back down while the result stays within the suppression budget: the greedy climb
    overshoots, because early on no single step makes any row less rare."""
    budget = MAX_SUPPRESSED * len(exact[columns[0]])
    for column in sorted(columns, key=lambda c: c in PROTECTED, reverse=True):
        while rungs[column] > 0:
            values = _rung(column, rungs[column] - 1, exact[column], isco)
            hashable = _hashable(values)
            trial = _small(list((keys | {column: hashable}).values()), k)
            if len(trial) > budget:
                break
            rungs[column] -= 1
            current[column], keys[column], small = values, hashable, trial
    return small


def k_anonymise(rows: list[Row], k: int, isco: Isco) -> tuple[list[Row], Disclosure]:
    """Global recoding of ``rows`` until every released combination has >= k rows; the rest suppressed."""
    ordered = sorted(rows, key=lambda row: str(row["id"]))
    columns = [name for name in (ordered[0] if ordered else {}) if name not in NOT_IDENTIFYING]
    exact = {name: [row[name] for row in ordered] for name in columns}
    current = dict(exact)
    keys = {name: _hashable(values) for name, values in exact.items()}
    unique = len(_small(list(keys.values()), 2)) if ordered else 0
    rungs = dict.fromkeys(columns, 0)
    small = _small(list(keys.values()), k) if k > 1 and ordered else set()
    while k > 1 and len(small) > MAX_SUPPRESSED * len(ordered):
        # Climb the rung that leaves the fewest rows in rare combinations; protected columns last.
        trials = {}
        for column in columns:
            if rungs[column] <= len(LADDERS.get(column, ())):
                values = _rung(column, rungs[column] + 1, exact[column], isco)
                hashable = _hashable(values)
                trials[column] = (values, hashable, _small(list((keys | {column: hashable}).values()), k))
        open_ = [c for c in trials if c not in PROTECTED] or list(trials)
        if not open_:
            break
        # Ties (often: no single step helps yet) go to the column with the most distinct values.
        best = min(open_, key=lambda c: (len(trials[c][2]), -len(set(keys[c]))))
        rungs[best] += 1
        current[best], keys[best], small = trials[best]
    if k > 1 and ordered:
        small = _specialise(columns, exact, current, keys, rungs, k, isco, small)
    released = []
    for i, row in enumerate(ordered):
        kept = {name: (None if i in small else current[name][i]) for name in columns}
        released.append({"id": row["id"]} | kept)
    level = ",".join(f"{c}:{r}" for c, r in rungs.items() if r) or "exact"
    return released, Disclosure(k, level, len(released), len(small), unique)
