"""Assess → score → page: what becomes of retrieved pairs, the same for both directions of matching.

Every retrieved pair is assessed by the rules and scored cheaply; only the pairs on the page shown get their
explanation and their reasons rendered in three languages. Blocked pairs are kept apart: the best of them are
listed for advisors with what is missing, and all of them are counted.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from matching.embedding.base import above_floor
from matching.ranking.assessment import Assessment
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.scoring import ScoreParts, ScoringWeights, explain, score_parts
from matching.taxonomy import Taxonomy
from models import Eligibility, JobSeeker, Match, Vacancy

# Blocked pairs are listed for advisors when they would otherwise be a reasonable match; all of them
# still count in ``blocked_total``, so none disappears unnoticed.
BLOCKED_LIST_MIN_SCORE = 0.5

Pair = tuple[JobSeeker, Vacancy, float]  # (job seeker, vacancy, profile similarity)

# Pairs whose assessment and score parts are kept (about 2 KB each): a few hundred vacancies' candidate lists.
PAIR_MEMO_SIZE = 40_000


@dataclass(frozen=True, slots=True)
class MatchPage:
    subject_id: str
    items: list[Match]  # eligible and bridge matches, ranked
    offset: int
    k: int
    considered: int  # pairs retrieved and assessed for this request
    eligible_total: int
    blocked: list[Match]  # best blocked pairs with what is missing (first page only)
    blocked_total: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.eligible_total


@dataclass(frozen=True, slots=True)
class _Scored:
    key: tuple[
        float, str, str
    ]  # (-score, job seeker id, vacancy id): ties broken by ids, so pages are stable
    pair: Pair
    assessment: Assessment
    parts: ScoreParts  # what the score came from: the explanation of a shown pair is built from it

    @property
    def score(self) -> float:
        return -self.key[0]


class _PairMemo:
    """The assessment and score parts of recently ranked pairs, least recently used dropped first.

    The same lists are asked for again and again (an advisor reopens a vacancy, a person their suggestions)
    while neither profile changed. A changed profile is a new object (the document cache replaces, never
    edits), so keying by the profile objects never serves a stale result. The memo holds them only weakly: a
    pair is forgotten as soon as either profile is no longer held elsewhere (replaced, erased, evicted), so
    it never keeps a person's data in memory longer than the cache does. The date is part of the key, as the
    rules judge by it; new rules, weights or taxonomy empty the memo."""

    def __init__(self, size: int = PAIR_MEMO_SIZE):
        self._items: OrderedDict[tuple[int, int, float, dt.date], _Remembered] = OrderedDict()
        self._size = size
        self._lock = threading.RLock()  # a profile freed while the lock is held forgets its pairs in-thread
        self._config: tuple[object, ...] = ()

    def __len__(self) -> int:
        return len(self._items)

    def configure(self, config: tuple[object, ...]) -> None:
        with self._lock:
            same = len(config) == len(self._config) and all(
                a is b for a, b in zip(config, self._config, strict=True)
            )
            if not same:
                self._items.clear()
                self._config = config

    def get(
        self, seeker: JobSeeker, vacancy: Vacancy, similarity: float, today: dt.date
    ) -> tuple[Assessment, ScoreParts] | None:
        key = (id(seeker), id(vacancy), similarity, today)
        with self._lock:
            found = self._items.get(key)
            if found is None or found.seeker() is not seeker or found.vacancy() is not vacancy:
                return None
            self._items.move_to_end(key)
        return found.assessment, found.parts

    def put(
        self,
        seeker: JobSeeker,
        vacancy: Vacancy,
        similarity: float,
        today: dt.date,
        found: tuple[Assessment, ScoreParts],
    ) -> None:
        if self._size == 0:
            return
        key = (id(seeker), id(vacancy), similarity, today)

        def forget(_: object) -> None:
            with self._lock:
                self._items.pop(key, None)

        with self._lock:
            self._items[key] = _Remembered(weakref.ref(seeker, forget), weakref.ref(vacancy, forget), *found)
            if len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass(frozen=True, slots=True)
class _Remembered:
    seeker: weakref.ref[JobSeeker]
    vacancy: weakref.ref[Vacancy]
    assessment: Assessment
    parts: ScoreParts


class Ranker:
    """The rules and the score applied to given pairs; knows nothing of storage or indexes.

    ``today`` is the date the rules judge by; ``None`` means the real date at each call. ``similarity_floor`` is
    the profile similarity of unrelated profiles under the embedding model (see
    :func:`matching.embedding.base.similarity_floor`): it counts as 0 in the score's semantic factor.
    ``pairs_kept``: how many recently ranked pairs are remembered (see :class:`_PairMemo`).
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        rules: EligibilityRules,
        weights: ScoringWeights,
        language: str,
        today: dt.date | None = None,
        similarity_floor: float = 0.0,
        pairs_kept: int = PAIR_MEMO_SIZE,
    ):
        self.taxonomy = taxonomy
        self.rules = rules
        self.weights = weights
        self.language = language
        self.today = today
        self.similarity_floor = similarity_floor
        self._memo = _PairMemo(pairs_kept)

    def match(
        self,
        seeker: JobSeeker,
        vacancy: Vacancy,
        similarity: float,
        language: str | None = None,
        rank: int = 1,
        assessment: Assessment | None = None,
    ) -> Match:
        """One pair, assessed, scored and explained."""
        return self._explain(self._scored((seeker, vacancy, similarity), assessment), language, rank)

    def page(
        self, subject_id: str, pairs: Sequence[Pair], k: int, offset: int, language: str | None = None
    ) -> MatchPage:
        """Eligible and bridge matches ranked from ``offset``, with the best blocked pairs on the first page."""
        self._memo.configure((self.rules, self.weights, self.taxonomy, self.similarity_floor))
        today = self.today or dt.date.today()
        scored = sorted((self._remembered(pair, today) for pair in pairs), key=lambda s: s.key)
        open_ = [s for s in scored if s.assessment.eligibility != Eligibility.BLOCKED]
        blocked = [s for s in scored if s.assessment.eligibility == Eligibility.BLOCKED]
        shown_blocked = [s for s in blocked if s.score >= BLOCKED_LIST_MIN_SCORE][:k] if offset == 0 else []
        return MatchPage(
            subject_id=subject_id,
            items=[
                self._explain(s, language, offset + i + 1) for i, s in enumerate(open_[offset : offset + k])
            ],
            offset=offset,
            k=k,
            considered=len(scored),
            eligible_total=len(open_),
            blocked=[self._explain(s, language, 0) for s in shown_blocked],
            blocked_total=len(blocked),
        )

    def scored(self, pair: Pair) -> tuple[float, Assessment]:
        """One pair's score and assessment, without the explanation."""
        found = self._scored(pair)
        return found.score, found.assessment

    def _remembered(self, pair: Pair, today: dt.date) -> _Scored:
        seeker, vacancy, similarity = pair
        found = self._memo.get(seeker, vacancy, similarity, today)
        if found is None:
            scored = self._scored(pair, today=today)
            self._memo.put(seeker, vacancy, similarity, today, (scored.assessment, scored.parts))
            return scored
        assessment, parts = found
        return _Scored((-parts.score, seeker.id, vacancy.id), pair, assessment, parts)

    def _scored(
        self, pair: Pair, assessment: Assessment | None = None, today: dt.date | None = None
    ) -> _Scored:
        seeker, vacancy, similarity = pair
        assessment = assessment or self.rules.assess(seeker, vacancy, today or self.today)
        parts = score_parts(
            seeker,
            vacancy,
            above_floor(similarity, self.similarity_floor),
            self.taxonomy,
            self.weights,
            assessment,
        )
        return _Scored((-parts.score, seeker.id, vacancy.id), pair, assessment, parts)

    def _explain(self, scored: _Scored, language: str | None, rank: int) -> Match:
        (seeker, vacancy, _), assessment = scored.pair, scored.assessment
        return Match(
            jobseeker_id=seeker.id,
            vacancy_id=vacancy.id,
            rank=rank,
            score=scored.parts.score,
            eligibility=assessment.eligibility,
            reasons=assessment.reasons,
            next_steps=assessment.next_steps,
            distance_km=assessment.distance_km,
            explanation=explain(scored.parts, self.taxonomy, language or self.language),
        )
