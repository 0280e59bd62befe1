"""Saved searches and alerts: tell an advisor when a profile enters the top k of a list they saved.

Evaluated incrementally on the change log, not by re-running every saved search: for each job seeker (or
vacancy) that changed, only its own pair with each saved search's subject is assessed and scored, and compared
with the search's stored top k. A bound on the score from the pair's vector similarity skips most pairs
without assessing them. Each range of the log is evaluated exactly once, by whichever process comes first
(:meth:`matching.store.searches.SavedSearches.evaluate`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

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
from matching.taxonomy.profiles import seeker_skills, vacancy_requirements
from models import Eligibility

KINDS = {"candidates": "vacancy", "vacancies": "jobseeker"}  # saved-search kind -> its subject's kind


class Alerts:
    def __init__(self, storage: Storage, matching: Matching, ranker: Ranker):
        self.storage, self.matching, self.ranker = storage, matching, ranker
        self.seekers: Side[Any] = matching.for_vacancy.found
        self.vacancies: Side[Any] = matching.for_jobseeker.found
        weights = ranker.weights.as_dict()
        # A factor's most influence on a score: its weight over all weights (the score divides by the weights of
        # the factors that apply, at most all of them).
        self._semantic_share = weights["semantic"] / sum(weights.values())
        self._essential_share = weights["essential_skills"] / sum(weights.values())
        self._parsed: dict[str, MatchFilters] = {}
        self._evaluated_until = -1  # the log is evaluated up to here (by this or another process)
        self._matrices: dict[str, tuple[tuple[Any, ...], tuple[str, ...], np.ndarray]] = {}

    def _direction(self, kind: str) -> Direction[Any, Any]:
        return self.matching.for_vacancy if kind == "candidates" else self.matching.for_jobseeker

    # -- saved searches -------------------------------------------------------------------------

    def save(
        self,
        kind: str,
        subject_id: str,
        k: int,
        filters: MatchFilters,
        actor: Actor,
        webhook: str | None = None,
    ) -> SavedSearch:
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
            organisation, actor.key_id, kind, subject_id, k, filters_to_json(filters), top, audit, webhook
        )

    # -- evaluation -----------------------------------------------------------------------------

    def evaluate(self) -> int:
        """Evaluate the log up to where this process's indexes are; returns the alerts raised."""
        until = min(self.seekers.position, self.vacancies.position)
        if until <= self._evaluated_until:  # nothing new since this process last looked: no transaction
            return 0
        raised = self.storage.searches.evaluate(until, self._decide)
        self._evaluated_until = until
        return raised

    def _decide(
        self, start: int, until: int, searches: list[SavedSearch], members: dict[str, set[str]]
    ) -> Outcome:
        outcome = Outcome()
        if not searches:
            return outcome
        written: dict[str, list[str]] = {"jobseeker": [], "vacancy": []}
        for change in self._changes(start, until):
            if change.op == "write" and change.entity_id not in written[change.kind]:
                written[change.kind].append(change.entity_id)
        tops: dict[str, list[list[Any]]] = {}  # the tops that change, replaced (never changed in place)
        for search in searches:
            if search.subject_id in written[KINDS[search.kind]]:  # the subject changed: a new baseline
                self._rebaseline(search, tops, outcome)
        for kind, side in (("jobseeker", self.seekers), ("vacancy", self.vacancies)):
            listed_kind = "candidates" if kind == "jobseeker" else "vacancies"
            relevant = [s for s in searches if s.kind == listed_kind and s.id not in outcome.gone]
            if relevant and written[kind]:
                self._listed(listed_kind, side, relevant, written[kind], members, tops, outcome)
        outcome.tops = {i: t for i, t in tops.items() if i not in outcome.gone}
        return outcome

    def _listed(
        self,
        listed_kind: str,
        side: Side[Any],
        relevant: list[SavedSearch],
        changed: list[str],
        members: dict[str, set[str]],
        tops: dict[str, list[list[Any]]],
        outcome: Outcome,
    ) -> None:
        """Changed profiles of the listed side against the saved searches that list them.

        Searches are grouped by subject: a pair is assessed and scored once however many searches share its
        subject, and only for subjects where the score the pair could reach at best (from its similarity,
        every other factor at 1) beats the lowest entry of a full top k.
        """
        subjects = self._direction(listed_kind).query
        by_subject: dict[str, list[SavedSearch]] = {}
        for search in relevant:
            by_subject.setdefault(search.subject_id, []).append(search)
        subject_ids = list(by_subject)
        documents = subjects.repo.get_many(subject_ids)
        matrix = self._subject_vectors(subjects, subject_ids, documents)

        def lowest(subject_id: str) -> float:
            """The score to beat for this subject: the lowest last entry of its full tops (-1: one isn't full)."""
            scores = []
            for search in by_subject[subject_id]:
                top = tops.get(search.id, search.top)
                scores.append(top[-1][1] if len(top) >= search.k else -1.0)
            return min(scores)

        to_beat = np.array([lowest(i) for i in subject_ids])
        for entity_id in changed:
            try:
                item, organisation = side.repo.get_in_scope(entity_id)
            except NotFoundError:
                item, organisation = None, None
            containing = members.get(entity_id, set())
            if item is None:
                for search in relevant:
                    if search.id in containing:
                        self._leave(search, entity_id, tops)
                continue
            similarities = matrix @ self._vector(side, item)
            bounds = 1.0 - self._semantic_share * (
                1.0 - np.clip(above_floor(similarities, self.ranker.similarity_floor), 0.0, None)
            )
            wanted = {i for i in np.nonzero(bounds > to_beat)[0].tolist() if self._could_enter(
                listed_kind, documents.get(subject_ids[i]), item, float(bounds[i]), float(to_beat[i])
            )}  # fmt: skip
            if containing:
                wanted |= {
                    i for i, sid in enumerate(subject_ids) if any(s.id in containing for s in by_subject[sid])
                }
            for index in sorted(wanted):
                subject_id = subject_ids[index]
                subject = documents.get(subject_id)
                if subject is None:
                    outcome.gone.update(s.id for s in by_subject[subject_id])
                    continue
                similarity = float(similarities[index])
                seeker, vacancy, _ = self._direction(listed_kind).pair(subject, item, similarity)
                group = [
                    s for s in by_subject[subject_id]
                    if s.id in containing or (s.organisation == organisation and self._filters(s).accepts_profiles(
                        seeker, vacancy, self.matching.taxonomy, listed_kind == "candidates"))
                ]  # fmt: skip
                if not group:
                    continue  # filtered out without assessing the pair
                score, assessment = self.ranker.scored((seeker, vacancy, similarity))
                for search in group:
                    if search.organisation != organisation:
                        if search.id in containing:
                            self._leave(search, entity_id, tops)
                        continue
                    self._place(
                        search, entity_id, seeker, vacancy, similarity, score, assessment, tops, outcome
                    )

    def _could_enter(self, listed_kind: str, subject: Any, item: Any, bound: float, to_beat: float) -> bool:
        """The similarity bound tightened by the share of the vacancy's essential skills the person has."""
        if subject is None:
            return True  # let the caller find the subject gone
        seeker, vacancy, _ = self._direction(listed_kind).pair(subject, item, 0.0)
        essential, _ = vacancy_requirements(vacancy, self.matching.taxonomy)
        if not essential:
            return True
        has = seeker_skills(seeker, self.matching.taxonomy)
        coverage = sum(1 for skill in essential if skill in has) / len(essential)
        return bound - self._essential_share * (1.0 - coverage) > to_beat

    def _leave(self, search: SavedSearch, entity_id: str, tops: dict[str, list[list[Any]]]) -> None:
        tops[search.id] = [e for e in tops.get(search.id, search.top) if e[0] != entity_id]

    def _place(
        self,
        search: SavedSearch,
        entity_id: str,
        seeker: Any,
        vacancy: Any,
        similarity: float,
        score: float,
        assessment: Any,
        tops: dict[str, list[list[Any]]],
        outcome: Outcome,
    ) -> None:
        """One scored pair in one saved search: it enters the top k (alert), moves in it, leaves it, or not."""
        top = tops.get(search.id, search.top)
        in_top = any(entry[0] == entity_id for entry in top)
        filters = self._filters(search)
        passes = assessment.eligibility != Eligibility.BLOCKED and (
            not filters.active
            or filters.accepts(
                seeker, vacancy, assessment, self.matching.taxonomy, search.kind == "candidates"
            )
        )
        rest = [e for e in top if e[0] != entity_id] if in_top else top
        if not passes:
            if in_top:
                tops[search.id] = rest
            return
        if not in_top and len(top) >= search.k and (-score, entity_id) >= (-top[-1][1], top[-1][0]):
            return  # below the cut
        ranked = sorted([*rest, [entity_id, score]], key=lambda e: (-e[1], e[0]))[: search.k]
        tops[search.id] = ranked
        if not in_top:
            rank = next(i for i, e in enumerate(ranked) if e[0] == entity_id) + 1
            match = self.ranker.match(seeker, vacancy, similarity, rank=rank, assessment=assessment)
            outcome.alerts.append((search, entity_id, match.model_dump(mode="json")))

    def _subject_vectors(self, subjects: Side[Any], ids: list[str], documents: dict[str, Any]) -> np.ndarray:
        """One row per subject: its vector (zeros for a subject no longer stored). Reused while the subjects'
        documents are the same objects (a changed row is a new object in the document cache)."""
        held = tuple(documents.get(i) for i in ids)
        cached = self._matrices.get(subjects.kind)
        if (
            cached is not None
            and cached[1] == tuple(ids)
            and all(a is b for a, b in zip(cached[0], held, strict=True))
        ):
            return cached[2]
        zero = np.zeros(subjects.index.dim, dtype=np.float32)
        rows = [
            subjects.index.vector(i) if i in subjects.index
            else subjects.encode([documents[i]])[0] if i in documents else zero
            for i in ids
        ]  # fmt: skip
        matrix = np.stack(rows) if rows else np.zeros((0, subjects.index.dim), dtype=np.float32)
        self._matrices[subjects.kind] = (held, tuple(ids), matrix)
        return matrix

    @staticmethod
    def _vector(side: Side[Any], item: Any) -> np.ndarray:
        return side.index.vector(item.id) if item.id in side.index else side.encode([item])[0]

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

    def _filters(self, search: SavedSearch) -> MatchFilters:
        # By id: a saved search's filters never change (it is deleted and saved anew instead).
        parsed = self._parsed.get(search.id)
        if parsed is None:
            if len(self._parsed) > 100_000:
                self._parsed.clear()
            parsed = self._parsed[search.id] = filters_from_json(search.filters)
        return parsed


def _listed(kind: str, match: Any) -> str:
    return str(match.jobseeker_id if kind == "candidates" else match.vacancy_id)
