"""Match requests: retrieve from the index → assess → score → page, one implementation for both directions.

A vacancy's candidates and a job seeker's vacancies differ only in which side is the query and which side
is searched (:class:`Direction`); everything after retrieval is :class:`~matching.ranking.pipeline.Ranker`.
Requests about stored entities are scoped to the caller, written to the audit log, and shown to employers
under pseudonyms until an advisor releases a candidate.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import numpy as np

from matching.access import Actor, Role, scope_of
from matching.errors import InvalidInputError
from matching.pseudonyms import SECRET_NAME, candidate_pseudonym
from matching.ranking.filters import NO_FILTERS, MatchFilters
from matching.ranking.pipeline import MatchPage, Pair, Ranker
from matching.service.sides import Side
from matching.store.audit import Action, AuditEntry
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy
from matching.taxonomy.profiles import validate_concepts
from models import JobSeeker, Match, MatchExplanation, Vacancy

Q = TypeVar("Q", JobSeeker, Vacancy)
C = TypeVar("C", JobSeeker, Vacancy)

# Retrieval asks for more than a page because the rules then remove or reorder candidates.
MIN_OVERFETCH = 60
OVERFETCH_FACTOR = 3


@dataclass(frozen=True, slots=True)
class Direction(Generic[Q, C]):
    """Which side asks (``query``), which side is searched (``found``), and how two items make a pair."""

    query: Side[Q]
    found: Side[C]
    pair: Callable[[Q, C, float], Pair]


class Matching:
    def __init__(
        self,
        taxonomy: Taxonomy,
        storage: Storage,
        seekers: Side[JobSeeker],
        vacancies: Side[Vacancy],
        ranker: Ranker,
    ):
        self.taxonomy = taxonomy
        self.storage = storage
        self.ranker = ranker
        self.for_vacancy: Direction[Vacancy, JobSeeker] = Direction(
            vacancies, seekers, lambda vacancy, seeker, sim: (seeker, vacancy, sim)
        )
        self.for_jobseeker: Direction[JobSeeker, Vacancy] = Direction(
            seekers, vacancies, lambda seeker, vacancy, sim: (seeker, vacancy, sim)
        )

    def rank(
        self,
        direction: Direction[Q, C],
        item: Q,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        organisation: str | None = None,
        query_vector: np.ndarray | None = None,
        filters: MatchFilters = NO_FILTERS,
    ) -> MatchPage:
        """``item`` (stored or not) against the stored entities of the other side, those that pass ``filters``."""
        accept = self._accept(direction, item, filters.check(self.taxonomy))
        query = direction.query.encode([item])[0] if query_vector is None else query_vector
        found = self._retrieve(direction.found, query, offset + k, organisation, accept)
        pairs = [direction.pair(item, other, similarity) for other, similarity in found]
        return self.ranker.page(item.id, pairs, k, offset, language)

    def retrieves(
        self,
        direction: Direction[Q, C],
        item: Q,
        query_vector: np.ndarray,
        entity_id: str,
        k: int,
        organisation: str | None,
        filters: MatchFilters = NO_FILTERS,
        nearest: list[str] | None = None,
    ) -> bool:
        """Whether a list of ``item``'s top ``k`` considers the stored ``entity_id`` at all: a list ranks only
        the nearest entities (:meth:`considers` many) of those it may show. ``nearest``: a list kept by the
        caller across calls for the same ``item``, filled with the ids nearest it of all, best first. Costs
        at most one look at each entity nearer than ``entity_id``."""
        want = self.considers(k)
        side = direction.found
        accept = self._accept(direction, item, filters.check(self.taxonomy))
        shared = self._shared(side, organisation)
        nearest = [] if nearest is None else nearest
        fetch = max(want, len(nearest))
        while True:
            if len(nearest) < fetch:
                nearest[:] = [hit for hit, _ in side.index.search(query_vector, fetch)]
            if entity_id in nearest[:want]:
                return True  # among the nearest of all, so among the nearest of any part it belongs to
            visible = fetch == want and accept is None
            if visible and len(side.repo.get_many(nearest[:want], organisation, shared)) == want:
                return False  # the nearest of all may all be listed: they are the ones considered
            if entity_id in nearest or len(nearest) < fetch:
                break
            fetch *= 4
        if entity_id not in nearest:
            return False  # not stored (any more)
        nearer = nearest[: nearest.index(entity_id)]
        found = side.repo.get_many(nearer, organisation, shared)
        listed = 0
        for other_id in nearer:
            other = found.get(other_id)
            if other is not None and (accept is None or accept(other)):
                listed += 1
                if listed >= want:
                    return False
        return True

    def _shared(self, side: Side[C], organisation: str | None) -> Set[str]:
        """Job seekers of other organisations shared with this one: its candidates too, while shared."""
        if organisation is None or side.kind != "jobseeker":
            return frozenset()
        return self.storage.shares.active_ids(organisation)

    @staticmethod
    def considers(k: int) -> int:
        """How many of the nearest entities a list of ``k`` ranks."""
        return max(MIN_OVERFETCH, OVERFETCH_FACTOR * k)

    def rank_stored(
        self,
        direction: Direction[Q, Any],
        item_id: str,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        actor: Actor | None = None,
        filters: MatchFilters = NO_FILTERS,
    ) -> MatchPage:
        """A stored entity's matches from its own organisation only; the request is audited."""
        side = direction.query
        item, organisation = side.repo.get_in_scope(item_id, scope_of(actor, side.kind))
        if actor is not None and actor.role == Role.ADVISOR:
            organisation = actor.organisation  # a person shared with this organisation meets its vacancies
        # A stored entity's vector is in its index (kept in step with the rows): no need to embed it again.
        vector = side.index.vector(item_id) if item_id in side.index else None
        page: MatchPage = self.rank(direction, item, k, offset, language, organisation, vector, filters)
        if actor is not None:  # the people a vacancy's list showed are named, for their own GDPR export
            shown = [m.jobseeker_id for m in (*page.items, *page.blocked)] if side.kind == "vacancy" else []
            self.storage.audit.record(
                [AuditEntry(actor, Action.MATCH, side.kind, item_id, listed=tuple(shown))]
            )
        return page

    def candidates_for_vacancy(
        self,
        vacancy_id: str,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        actor: Actor | None = None,
        filters: MatchFilters = NO_FILTERS,
    ) -> MatchPage:
        """Job seekers ranked for a stored vacancy, from the vacancy's organisation only.

        Employers see candidates under a per-vacancy pseudonym, without reasons or next steps (they
        describe recognition and residence status) and without the blocked list, until an advisor
        releases a candidate to the vacancy. Employers cannot filter: narrowing a list by place, distance or
        skills would single out people they may not know yet.
        """
        if actor is not None and actor.role == Role.EMPLOYER and filters.active:
            raise InvalidInputError(
                "filters", "employer keys get candidate lists unfiltered; an advisor can filter"
            )
        page = self.rank_stored(self.for_vacancy, vacancy_id, k, offset, language, actor, filters)
        if actor is not None and actor.role == Role.EMPLOYER:
            released = {r.jobseeker_id for r in self.storage.releases(vacancy_id=vacancy_id)}
            page = for_employer(page, released, self.storage.secret(SECRET_NAME))
        return page

    def _accept(
        self, direction: Direction[Q, C], item: Q, filters: MatchFilters
    ) -> Callable[[C], bool] | None:
        """The test a listed entity must pass, or None without filters."""
        if not filters.active:
            return None
        listed_is_seeker = direction.found.kind == "jobseeker"
        rules, today, taxonomy = self.ranker.rules, self.ranker.today, self.taxonomy

        def accept(other: C) -> bool:
            seeker, vacancy, _ = direction.pair(item, other, 0.0)
            assessment = rules.assess(seeker, vacancy, today)
            return filters.accepts(seeker, vacancy, assessment, taxonomy, listed_is_seeker)

        return accept

    def _retrieve(
        self,
        side: Side[C],
        query: np.ndarray,
        needed: int,
        organisation: str | None,
        accept: Callable[[C], bool] | None = None,
    ) -> list[tuple[C, float]]:
        """The nearest stored entities (over-fetched), skipping ones deleted meanwhile.

        With ``organisation`` or ``accept``, the nearest ones *within* the organisation that pass the test:
        the search widens until enough are found or the index is exhausted, so each organisation gets the
        results a separate index would give it, and a filtered list is as complete as an unfiltered one.
        """
        want = self.considers(needed)
        fetch = want
        shared = self._shared(side, organisation)
        while True:
            hits = side.index.search(query, fetch)
            found = side.repo.get_many([h[0] for h in hits], organisation, shared)
            pairs = [
                (found[entity_id], sim)
                for entity_id, sim in hits
                if entity_id in found and (accept is None or accept(found[entity_id]))
            ]
            if (organisation is None and accept is None) or len(pairs) >= want or len(hits) < fetch:
                return pairs[:want]
            fetch *= 4

    def what_if(self, seeker: JobSeeker, vacancy: Vacancy, language: str | None = None) -> Match:
        """Assess one pair given as data; nothing is stored. The advisor's "what if …?" tool."""
        validate_concepts(seeker, self.taxonomy)
        validate_concepts(vacancy, self.taxonomy)
        a = self.for_jobseeker.query.encode([seeker])[0]
        b = self.for_vacancy.query.encode([vacancy])[0]
        return self.ranker.match(seeker, vacancy, float(a @ b), language)


DISTANCE_BANDS_KM = (5, 10, 25, 50)  # an employer sees "within 10 km", never the distance itself
SCORE_BAND = 0.1


def for_employer(page: MatchPage, released: set[str], secret: bytes) -> MatchPage:
    """An employer's view of a candidate list: until an advisor releases a candidate, a per-vacancy pseudonym,
    the score and distance in bands, and no similarity, factors or skills.

    Exact values are per-person fingerprints: the same person has the same similarity, factor values and
    skills in every copy of a vacancy, which links their pseudonyms, and exact distances from a few
    vacancy locations give away where they live.
    """

    def redact(match: Match) -> Match:
        if match.jobseeker_id in released:
            return match
        return match.model_copy(
            update={
                "jobseeker_id": candidate_pseudonym(secret, match.vacancy_id, match.jobseeker_id),
                "score": _banded_score(match.score),
                "reasons": [],
                "next_steps": [],
                "distance_km": _banded_distance(match.distance_km),
                "explanation": WITHHELD,
            }
        )

    return replace(page, items=[redact(m) for m in page.items], blocked=[])


def _banded_score(score: float) -> float:
    return round(int(score / SCORE_BAND + 1e-9) * SCORE_BAND, 1)


def _banded_distance(km: float | None) -> float | None:
    """The upper bound of the distance's band; beyond the last band, twice the last bound."""
    if km is None:
        return None
    return float(next((bound for bound in DISTANCE_BANDS_KM if km <= bound), 2 * DISTANCE_BANDS_KM[-1]))


# Counts of matched skills would still tell candidates apart across copies of a vacancy: none before release.
WITHHELD = MatchExplanation(
    semantic_similarity=None,
    factors=[],
    matched_essential=[],
    missing_essential=[],
    matched_optional=[],
    missing_optional=[],
    summary="Details, matched skills included, follow when an advisor releases the candidate.",
)
