"""Saved searches and alerts: tell an advisor when a profile enters the top k of a list they saved.

Evaluated incrementally on the change log, not by re-running every saved search: for each job seeker (or
vacancy) that changed, only its own pair with each saved search's subject is assessed and scored, and compared
with the search's stored top k. A bound on the score from the pair's vector similarity skips most pairs
without assessing them. Each range of the log is evaluated exactly once, by whichever process comes first
(:meth:`matching.store.searches.SavedSearches.evaluate`).
"""

from __future__ import annotations

from typing import Any

from matching.access import Actor, scope_of
from matching.embedding.base import above_floor
from matching.errors import InvalidInputError, NotFoundError
from matching.ranking.filters import MatchFilters, filters_from_json, filters_to_json
from matching.ranking.pipeline import Ranker
from matching.service.matching import Direction, Matching
from matching.service.sides import Side
from matching.store.audit import Action, entries
from matching.store.changes import Change
from matching.store.searches import Outcome, SavedSearch
from matching.store.storage import Storage
from models import Eligibility

KINDS = {"candidates": "vacancy", "vacancies": "jobseeker"}  # saved-search kind -> its subject's kind


class Alerts:
    def __init__(self, storage: Storage, matching: Matching, ranker: Ranker):
        self.storage, self.matching, self.ranker = storage, matching, ranker
        self.seekers: Side[Any] = matching.for_vacancy.found
        self.vacancies: Side[Any] = matching.for_jobseeker.found
        weights = ranker.weights.as_dict()
        self._semantic_share = weights["semantic"] / sum(weights.values())

    def _direction(self, kind: str) -> Direction[Any, Any]:
        return self.matching.for_vacancy if kind == "candidates" else self.matching.for_jobseeker

    # -- saved searches -------------------------------------------------------------------------

    def save(self, kind: str, subject_id: str, k: int, filters: MatchFilters, actor: Actor) -> SavedSearch:
        """Save a list (as the key may see it now); from now on profiles entering its top k raise alerts."""
        if kind not in KINDS:
            raise InvalidInputError("kind", "'candidates' (of a vacancy) or 'vacancies' (of a job seeker)")
        if actor.key_id is None:
            raise InvalidInputError("owner", "a saved search belongs to an API key")
        direction = self._direction(kind)
        _, organisation = direction.query.repo.get_in_scope(subject_id, scope_of(actor, direction.query.kind))
        page = self.matching.rank_stored(direction, subject_id, k, 0, None, actor, filters)
        top = [[_listed(kind, m), m.score] for m in page.items]
        audit = entries(actor, Action.CREATE, "saved_search", [None])
        return self.storage.searches.create(
            organisation, actor.key_id, kind, subject_id, k, filters_to_json(filters), top, audit
        )

    # -- evaluation -----------------------------------------------------------------------------

    def evaluate(self) -> int:
        """Evaluate the log up to where this process's indexes are; returns the alerts raised."""
        until = min(self.seekers.position, self.vacancies.position)
        return self.storage.searches.evaluate(until, self._decide)

    def _decide(self, start: int, until: int) -> Outcome:
        outcome = Outcome()
        searches = self.storage.searches.all()
        if not searches:
            return outcome
        written: dict[str, list[str]] = {"jobseeker": [], "vacancy": []}
        for change in self._changes(start, until):
            if change.op == "write" and change.entity_id not in written[change.kind]:
                written[change.kind].append(change.entity_id)
        tops = {s.id: [list(t) for t in s.top] for s in searches}
        for search in searches:
            subject_kind = KINDS[search.kind]
            if search.subject_id in written[subject_kind]:  # the subject changed: a new baseline, no alerts
                self._rebaseline(search, tops, outcome)
        for kind, side in (("jobseeker", self.seekers), ("vacancy", self.vacancies)):
            listed_kind = "candidates" if kind == "jobseeker" else "vacancies"
            for entity_id in written[kind]:
                try:
                    item, organisation = side.repo.get_in_scope(entity_id)
                except NotFoundError:
                    item, organisation = None, None
                for search in searches:
                    if search.kind == listed_kind and search.id not in outcome.gone:
                        self._one(search, entity_id, item, organisation, tops, outcome)
        for search in searches:
            if search.id not in outcome.gone and tops[search.id] != search.top:
                outcome.tops[search.id] = tops[search.id]
        return outcome

    def _changes(self, start: int, until: int) -> list[Change]:
        out: list[Change] = []
        position = start
        while position < until:
            batch = [c for c in self.storage.changes.since(position, 5000) if c.seq <= until]
            if not batch:
                break
            out += batch
            position = batch[-1].seq
        return out

    def _rebaseline(self, search: SavedSearch, tops: dict[str, list[list[Any]]], outcome: Outcome) -> None:
        try:
            page = self.matching.rank_stored(
                self._direction(search.kind), search.subject_id, search.k, 0, None, None,
                filters_from_json(search.filters),
            )  # fmt: skip
        except NotFoundError:
            outcome.gone.add(search.id)
            return
        tops[search.id] = [[_listed(search.kind, m), m.score] for m in page.items]

    def _one(
        self,
        search: SavedSearch,
        entity_id: str,
        item: Any,
        organisation: str | None,
        tops: dict[str, list[list[Any]]],
        outcome: Outcome,
    ) -> None:
        """The changed entity against one saved search: enters (alert), moves, leaves, or nothing."""
        top = tops[search.id]
        in_top = any(entry[0] == entity_id for entry in top)
        if item is None or organisation != search.organisation:
            if in_top:
                tops[search.id] = [e for e in top if e[0] != entity_id]
            return
        direction = self._direction(search.kind)
        subject_side, listed_side = direction.query, direction.found
        found = subject_side.repo.get_many([search.subject_id])
        if search.subject_id not in found:
            outcome.gone.add(search.id)
            return
        subject = found[search.subject_id]
        similarity = self._similarity(subject_side, subject, listed_side, item)
        full = len(top) >= search.k
        if full and not in_top:  # the best score this pair could reach, from its similarity alone
            bound = 1.0 - self._semantic_share * (
                1.0 - max(0.0, above_floor(similarity, self.ranker.similarity_floor))
            )
            if bound <= top[-1][1]:
                return
        seeker, vacancy, _ = direction.pair(subject, item, similarity)
        score, assessment = self.ranker.scored((seeker, vacancy, similarity))
        filters = filters_from_json(search.filters)
        passes = assessment.eligibility != Eligibility.BLOCKED and (
            not filters.active
            or filters.accepts(
                seeker, vacancy, assessment, self.matching.taxonomy, search.kind == "candidates"
            )
        )
        rest = [e for e in top if e[0] != entity_id]
        if not passes:
            tops[search.id] = rest
            return
        ranked = sorted([*rest, [entity_id, score]], key=lambda e: (-e[1], e[0]))[: search.k]
        tops[search.id] = ranked
        if not in_top and any(e[0] == entity_id for e in ranked):
            rank = next(i for i, e in enumerate(ranked) if e[0] == entity_id) + 1
            match = self.ranker.match(seeker, vacancy, similarity, rank=rank, assessment=assessment)
            outcome.alerts.append((search, entity_id, match.model_dump(mode="json")))

    @staticmethod
    def _similarity(subject_side: Side[Any], subject: Any, listed_side: Side[Any], item: Any) -> float:
        def vector(side: Side[Any], entity: Any) -> Any:
            return side.index.vector(entity.id) if entity.id in side.index else side.encode([entity])[0]

        return float(vector(subject_side, subject) @ vector(listed_side, item))


def _listed(kind: str, match: Any) -> str:
    return str(match.jobseeker_id if kind == "candidates" else match.vacancy_id)
