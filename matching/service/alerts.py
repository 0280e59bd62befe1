"""Saved searches and alerts: tell an advisor when a profile enters the top k of a list they saved.

Evaluated incrementally on the change log, not by re-running every saved search: for each job seeker (or
vacancy) that changed, only its own pair with each saved search's subject is assessed and scored, and compared
with the search's stored top k. A bound on the score from the pair's vector similarity skips most pairs
without assessing them. Each range of the log is evaluated exactly once, by whichever process comes first
(:meth:`matching.store.searches.SavedSearches.evaluate`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from matching.access import Actor, scope_of
from matching.embedding.base import above_floor
from matching.errors import InvalidInputError, NotFoundError
from matching.ranking.filters import MatchFilters, filters_from_json, filters_to_json
from matching.ranking.pipeline import Ranker
from matching.ranking.scoring import score_ceiling
from matching.service.matching import Direction, Matching
from matching.service.sides import Side
from matching.store.audit import Action, entries
from matching.store.changes import Change
from matching.store.searches import Members, Outcome, SavedSearch
from matching.store.storage import Storage
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
        self._parsed: dict[str, MatchFilters] = {}
        self._evaluated_until = -1  # the log is evaluated up to here (by this or another process)
        self._matrices: dict[str, tuple[tuple[Any, ...], tuple[str, ...], np.ndarray]] = {}
        self._grouping: dict[
            str, tuple[list[SavedSearch], dict[str, list[SavedSearch]], list[str], np.ndarray]
        ] = {}
        self._kinds: tuple[list[SavedSearch], dict[str, list[SavedSearch]]] | None = None
        self._erased_places: set[str] = set()  # the searches whose top holds an erased member's place
        self._subject_documents: dict[str, tuple[int, list[str], dict[str, Any]]] = {}

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

    def _decide(self, start: int, until: int, searches: list[SavedSearch], members: Members) -> Outcome:
        outcome = Outcome()
        if not searches:
            return outcome
        self._erased_places = members.get(None, set())
        written: dict[str, dict[str, None]] = {"jobseeker": {}, "vacancy": {}}  # ids in log order, once each
        for change in self._changes(start, until):
            if change.op == "write":
                written[change.kind][change.entity_id] = None
        by_kind = self._by_kind(searches)
        tops: dict[str, list[list[Any]]] = {}  # the tops that change, replaced (never changed in place)
        for kind, subject_kind in KINDS.items():
            if written[subject_kind]:
                for search in by_kind[kind]:
                    if search.subject_id in written[subject_kind]:  # the subject changed: a new baseline
                        self._rebaseline(search, tops, outcome)
        for kind, side in (("jobseeker", self.seekers), ("vacancy", self.vacancies)):
            listed_kind = "candidates" if kind == "jobseeker" else "vacancies"
            relevant = (
                [s for s in by_kind[listed_kind] if s.id not in outcome.gone]
                if outcome.gone
                else by_kind[listed_kind]
            )
            if relevant and written[kind]:
                self._listed(
                    listed_kind, side, searches, relevant, list(written[kind]), members, tops, outcome
                )
        outcome.tops = {i: t for i, t in tops.items() if i not in outcome.gone}
        return outcome

    def _listed(
        self,
        listed_kind: str,
        side: Side[Any],
        searches: list[SavedSearch],
        relevant: list[SavedSearch],
        changed: list[str],
        members: Members,
        tops: dict[str, list[list[Any]]],
        outcome: Outcome,
    ) -> None:
        """Changed profiles of the listed side against the saved searches that list them.

        Searches are grouped by subject: a pair is assessed and scored once however many searches share its
        subject, and only for subjects where the score the pair could reach at best (from its similarity,
        every other factor at 1) beats the lowest entry of a full top k.
        """
        subjects = self._direction(listed_kind).query
        entrants = set(changed)
        by_subject, subject_ids, to_beat = self._grouped(listed_kind, searches, relevant, tops, outcome)
        documents = self._documents(subjects, subject_ids)
        matrix = self._subject_vectors(subjects, subject_ids, documents)
        for entity_id in changed:
            try:
                item, organisation = side.repo.get_in_scope(entity_id)
            except NotFoundError:
                item, organisation = None, None
            containing = members.get(entity_id, set())
            if item is None:
                for search in relevant:
                    if search.id in containing:
                        self._refill(search, tops, outcome, entrants)
                continue
            similarities = matrix @ self._vector(side, item)
            # First the similarity alone, for all subjects at once; then the cheap factors, for those left.
            bounds = 1.0 - self._semantic_share * (
                1.0 - np.clip(above_floor(similarities, self.ranker.similarity_floor), 0.0, None)
            )
            wanted = {i for i in np.nonzero(bounds > to_beat)[0].tolist() if self._could_enter(
                listed_kind, documents.get(subject_ids[i]), item, float(similarities[i]), float(to_beat[i])
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
                considered = self._considered(listed_kind, subject, matrix[index], entity_id)
                for search in group:
                    if search.organisation != organisation:
                        if search.id in containing:
                            self._refill(search, tops, outcome, entrants)
                        continue
                    self._place(
                        search, entity_id, (seeker, vacancy, similarity), score, assessment, tops, outcome,
                        entrants, considered,
                    )  # fmt: skip

    def _by_kind(self, searches: list[SavedSearch]) -> dict[str, list[SavedSearch]]:
        """The saved searches of each kind; reused while they are the same list (one per version)."""
        if self._kinds is None or self._kinds[0] is not searches:
            split: dict[str, list[SavedSearch]] = {kind: [] for kind in KINDS}
            for search in searches:
                split[search.kind].append(search)
            self._kinds = (searches, split)
        return self._kinds[1]

    def _grouped(
        self,
        listed_kind: str,
        searches: list[SavedSearch],
        relevant: list[SavedSearch],
        tops: dict[str, list[list[Any]]],
        outcome: Outcome,
    ) -> tuple[dict[str, list[SavedSearch]], list[str], np.ndarray]:
        """The searches by subject, and per subject the score to beat: the lowest last entry of its full tops
        (-1 where one is not full: it takes anyone). Reused while the saved searches are the same list (the
        store hands out one per version) and nothing changed them in this evaluation yet."""
        unchanged = not tops and not outcome.gone
        cached = self._grouping.get(listed_kind)
        if unchanged and cached is not None and cached[0] is searches:
            return cached[1], cached[2], cached[3]
        by_subject: dict[str, list[SavedSearch]] = {}
        lowest: dict[str, float] = {}
        for search in relevant:
            by_subject.setdefault(search.subject_id, []).append(search)
            top = tops.get(search.id, search.top)
            # -1: a list that is not full takes anyone, and one with an erased member is ranked afresh
            cut = top[-1][1] if len(top) >= search.k and not self._erased_in(search, tops) else -1.0
            lowest[search.subject_id] = min(cut, lowest.get(search.subject_id, cut))
        subject_ids = list(by_subject)
        to_beat = np.array([lowest[i] for i in subject_ids])
        if unchanged:
            self._grouping[listed_kind] = (searches, by_subject, subject_ids, to_beat)
        return by_subject, subject_ids, to_beat

    def _documents(self, subjects: Side[Any], ids: list[str]) -> dict[str, Any]:
        """The subjects' documents; reused while the followed cache of their side forgot nothing (no change to
        any of them reached this process) and the subjects are the same."""
        repo = subjects.repo
        cached = self._subject_documents.get(subjects.kind)
        if repo.cache_followed and cached is not None and cached[0] == repo.cache_epoch and cached[1] is ids:
            return cached[2]
        epoch = repo.cache_epoch
        documents = repo.get_many(ids)
        self._subject_documents[subjects.kind] = (epoch, ids, documents)
        return documents

    def _could_enter(
        self, listed_kind: str, subject: Any, item: Any, similarity: float, to_beat: float
    ) -> bool:
        """Whether the pair could enter a list whose lowest score is ``to_beat``: not blocked by a rule that is
        cheap to check, and a score ceiling from its cheap factors above ``to_beat``."""
        if subject is None:
            return True  # let the caller find the subject gone
        seeker, vacancy, _ = self._direction(listed_kind).pair(subject, item, 0.0)
        if self.ranker.rules.surely_blocked(seeker, vacancy):
            return False  # a blocked pair is never listed
        semantic = above_floor(similarity, self.ranker.similarity_floor)
        return score_ceiling(seeker, vacancy, semantic, self.matching.taxonomy, self.ranker.weights) > to_beat

    def _place(
        self,
        search: SavedSearch,
        entity_id: str,
        pair: tuple[Any, Any, float],
        score: float,
        assessment: Any,
        tops: dict[str, list[list[Any]]],
        outcome: Outcome,
        entrants: set[str],
        considered: Callable[[SavedSearch], bool],
    ) -> None:
        """One scored pair in one saved search: it enters the top k (alert), moves in it, leaves it, or not.
        ``considered``: whether the search's list ranks the profile at all (see :meth:`_considered`)."""
        seeker, vacancy, similarity = pair
        top = tops.get(search.id, search.top)
        held = next((entry[1] for entry in top if entry[0] == entity_id), None)
        filters = self._filters(search)
        passes = assessment.eligibility != Eligibility.BLOCKED and (
            not filters.active
            or filters.accepts(
                seeker, vacancy, assessment, self.matching.taxonomy, search.kind == "candidates"
            )
        )
        if held is not None and (not passes or score < held):
            # A member left or fell: who follows it is not kept, so the list is ranked afresh.
            self._refill(search, tops, outcome, entrants)
            return
        if not passes:
            return
        if held is None and self._erased_in(search, tops):
            # A member was erased since: who was next in line is not kept, so the list is ranked afresh.
            self._refill(search, tops, outcome, entrants)
            return
        if held is None and len(top) >= search.k and (-score, entity_id) >= (-top[-1][1], top[-1][0]):
            return  # below the cut (a list shorter than k holds everyone who may be listed)
        if held is None and not considered(search):
            return  # a list ranks the profiles nearest its subject only, and this one is not among them
        rest = [e for e in top if e[0] != entity_id]
        ranked = sorted([*rest, [entity_id, score]], key=lambda e: (-e[1], e[0] or ""))[: search.k]
        tops[search.id] = ranked
        if held is None:
            rank = next(i for i, e in enumerate(ranked) if e[0] == entity_id) + 1
            match = self.ranker.match(seeker, vacancy, similarity, rank=rank, assessment=assessment)
            outcome.alerts.append((search, entity_id, match.model_dump(mode="json")))

    def _considered(
        self, listed_kind: str, subject: Any, vector: np.ndarray, entity_id: str
    ) -> Callable[[SavedSearch], bool]:
        """Whether a search's list ranks ``entity_id`` at all: a list ranks the profiles nearest its subject
        (over-fetched) among those it may show, so a profile with a high score but an unlike profile vector
        is not in it, and must not be alerted as if it were. Asked only of profiles that beat a cut."""

        nearest: list[str] = []  # searched once for all the lists asking
        return lambda search: self.matching.retrieves(
            self._direction(listed_kind), subject, vector, entity_id, search.k, search.organisation,
            self._filters(search), nearest,
        )  # fmt: skip

    def _erased_in(self, search: SavedSearch, tops: dict[str, list[list[Any]]]) -> bool:
        """Whether the search's top holds the place of a member erased since (an entry without an id)."""
        if search.id in tops:
            return any(entry[0] is None for entry in tops[search.id])
        return search.id in self._erased_places

    def _refill(
        self, search: SavedSearch, tops: dict[str, list[list[Any]]], outcome: Outcome, entrants: set[str]
    ) -> None:
        """Rank the list afresh; profiles written in this range that are in it now and were not before have
        entered it (an alert each), whoever else moved up was next in line already."""
        before = {entry[0] for entry in tops.get(search.id, search.top)}
        for match in self._rebaseline(search, tops, outcome):
            listed = _listed(search.kind, match)
            if listed in entrants and listed not in before:
                outcome.alerts.append((search, listed, match.model_dump(mode="json")))

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

    def _rebaseline(
        self, search: SavedSearch, tops: dict[str, list[list[Any]]], outcome: Outcome
    ) -> list[Any]:
        """The search's list ranked afresh becomes its top; returns its matches (none where it is gone)."""
        try:
            page = self.matching.rank_stored(
                self._direction(search.kind), search.subject_id, search.k, 0, None, None,
                filters_from_json(search.filters),
            )  # fmt: skip
        except NotFoundError:
            outcome.gone.add(search.id)
            return []
        tops[search.id] = [[_listed(search.kind, m), m.score] for m in page.items]
        return list(page.items)

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
