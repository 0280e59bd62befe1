"""The outcome of the rules for one pair: eligible, bridge or blocked, with its reasons and next steps.

Reasons and steps are kept as codes with values and rendered into text (three languages) only when read,
since most assessed pairs are never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

from matching.ranking.reasons import REASONS, reason
from matching.ranking.steps import step
from models import CEFRLevel, Eligibility, NextStep, Reason, Severity

N = TypeVar("N")
R = TypeVar("R")


@dataclass(slots=True)
class Assessment:
    """The decision and its grounds. Reasons and steps are kept as codes with values and rendered into
    text (three languages) only when read, since most assessed pairs are never shown."""

    eligibility: Eligibility = Eligibility.ELIGIBLE
    notes: list[ReasonNote] = field(default_factory=list)
    steps: list[StepNote] = field(default_factory=list)
    factors: dict[str, float] = field(default_factory=dict)
    bridge: bool = False
    distance_km: float | None = None

    def block(self, reason_note: ReasonNote, *steps: StepNote) -> None:
        self.eligibility = Eligibility.BLOCKED
        self.notes.append(reason_note)
        self._add_steps(steps)

    def note(self, reason_note: ReasonNote, *steps: StepNote) -> None:
        self.notes.append(reason_note)
        self._add_steps(steps)

    def _add_steps(self, steps: tuple[StepNote, ...]) -> None:
        self.steps.extend(s for s in steps if s not in self.steps)

    @property
    def reasons(self) -> list[Reason]:
        return [_rendered(_reason, n) for n in self.notes]

    @property
    def next_steps(self) -> list[NextStep]:
        return [_rendered(_step, s) for s in self.steps]


@dataclass(frozen=True, slots=True)
class ReasonNote:
    code: str
    severity: Severity
    values: tuple[tuple[str, object], ...] = ()

    def with_severity(self, severity: Severity) -> ReasonNote:
        return ReasonNote(self.code, severity, self.values)


@dataclass(frozen=True, slots=True)
class StepNote:
    code: str
    authority: str | None = None
    url: str | None = None
    authority_name: str | None = None
    values: tuple[tuple[str, object], ...] = ()


def why(code: str, **values: object) -> ReasonNote:
    """A reason note with the code's own severity (reasons.REASONS); ``with_severity`` where context changes it."""
    return ReasonNote(code, REASONS[code].severity, tuple(values.items()))


def then(
    code: str,
    authority: str | None = None,
    url: str | None = None,
    authority_name: str | None = None,
    **values: object,
) -> StepNote:
    return StepNote(code, authority, url, authority_name, tuple(values.items()))


def german_factor(required: CEFRLevel | None, has: CEFRLevel | None) -> float:
    """The score's German factor: 1 when the level meets the vacancy's minimum, 0.35 less per level missing."""
    if required is None or (has is not None and has >= required):
        return 1.0
    return max(0.0, 1.0 - 0.35 * (required.rank - (has.rank if has is not None else -1)))


# The same few hundred notes recur in every list; their three-language texts are rendered once. Notes are frozen
# and hashable unless a value is not (then rendered each time).
@lru_cache(maxsize=8192)
def _reason(note: ReasonNote) -> Reason:
    return reason(note.code, note.severity, dict(note.values))


@lru_cache(maxsize=8192)
def _step(note: StepNote) -> NextStep:
    return step(note.code, note.authority, note.url, note.authority_name, **dict(note.values))


def _rendered(render: Callable[[N], R], note: N) -> R:
    try:
        return render(note)
    except TypeError:  # an unhashable value
        return render.__wrapped__(note)  # type: ignore[attr-defined]
