"""The façade the API, the CLI and notebooks call: storage, indexes and ranking behind one object.

Writes go to the database first (the source of truth), then to the in-memory index. Indexes are saved
with a fingerprint of the rows they were built from; on start-up an index whose fingerprint no longer
matches the database is rebuilt, so a crash can never leave matching on stale data.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from matching.eligibility import EligibilityRules
from matching.embedding import Embedder
from matching.errors import VectorIndexError
from matching.geo import Gazetteer
from matching.index import VectorIndex
from matching.linking.autocomplete import Autocompleter
from matching.linking.linker import LinkedConcept, TaxonomyLinker
from matching.profiles import ProfileEncoder, validate_concepts
from matching.regulation import RegulationTable
from matching.scoring import DEFAULT_WEIGHTS, ScoringWeights, score_pair
from matching.storage import Repository, Storage
from matching.taxonomy import Taxonomy
from models import Eligibility, JobSeeker, Match, Vacancy

log = logging.getLogger(__name__)

T = TypeVar("T", JobSeeker, Vacancy)
Progress = Callable[[int, int], None]

MIN_OVERFETCH = 200
OVERFETCH_FACTOR = 5
# Blocked pairs are listed for advisors when they would otherwise be a reasonable match; all of them
# still count in ``blocked_total``, so none disappears unnoticed.
BLOCKED_LIST_MIN_SCORE = 0.5


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


class _Side(Generic[T]):
    """One kind of entity: its repository, its vector index and the lock that keeps both in step."""

    repo: Repository[T]
    encode: Callable[[Sequence[T]], np.ndarray]

    def __init__(self, name: str, repo: Repository[T], encode: Callable[[Sequence[T]], np.ndarray], dim: int):
        self.name = name
        self.repo = repo
        self.encode = encode
        self.index = VectorIndex(dim)
        self.write_lock = threading.Lock()


class Matcher:
    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder: Embedder,
        storage: Storage,
        index_dir: Path | None = None,
        weights: ScoringWeights = DEFAULT_WEIGHTS,
        language: str = "en",
        rules: EligibilityRules | None = None,
        today: dt.date | None = None,
    ):
        self.taxonomy = taxonomy
        self.rules = rules or EligibilityRules(taxonomy, RegulationTable.load(), Gazetteer())
        self.today = today  # None: the real date at each request
        self.storage = storage
        self.encoder = ProfileEncoder(taxonomy, embedder, language)
        self.weights = weights
        self.language = language
        self.index_dir = index_dir
        self.seekers: _Side[JobSeeker] = _Side(
            "jobseekers", storage.jobseekers, self.encoder.encode_seekers, embedder.dim
        )
        self._linker: TaxonomyLinker | None = None
        self._autocompleter: Autocompleter | None = None
        self._linker_lock = threading.Lock()
        self.vacancies: _Side[Vacancy] = _Side(
            "vacancies", storage.vacancies, self.encoder.encode_vacancies, embedder.dim
        )

    # -- life cycle ------------------------------------------------------------------------------

    def open(self, progress: Progress | None = None) -> dict[str, str]:
        """Load each saved index if it matches the database, else rebuild it. Returns what happened."""
        outcome = {}
        for side in (self.seekers, self.vacancies):
            outcome[side.name] = self._load_or_rebuild(side, progress)
        return outcome

    def _index_path(self, side: _Side) -> Path | None:
        return self.index_dir / f"{side.name}.npz" if self.index_dir else None

    def _load_or_rebuild(self, side: _Side, progress: Progress | None) -> str:
        path = self._index_path(side)
        if path is not None and path.exists():
            try:
                loaded = VectorIndex.load(path)
            except VectorIndexError as exc:
                log.warning("Index %s is unreadable (%s); rebuilding from the database.", side.name, exc)
            else:
                if loaded.dim == side.index.dim and loaded.fingerprint == side.repo.fingerprint():
                    side.index = loaded
                    return "loaded"
                log.info("Index %s does not match the database; rebuilding.", side.name)
        self._rebuild(side, progress)
        return "rebuilt"

    def rebuild_indexes(self, progress: Progress | None = None) -> None:
        for side in (self.seekers, self.vacancies):
            self._rebuild(side, progress)

    def _rebuild(self, side: _Side, progress: Progress | None, batch: int = 2000) -> None:
        with side.write_lock:
            fresh = VectorIndex(side.index.dim)
            total = side.repo.count()
            done = 0
            chunk: list = []
            for item in side.repo.iter_all():
                chunk.append(item)
                if len(chunk) == batch:
                    fresh.upsert([i.id for i in chunk], side.encode(chunk))
                    done += len(chunk)
                    chunk = []
                    if progress:
                        progress(done, total)
            if chunk:
                fresh.upsert([i.id for i in chunk], side.encode(chunk))
                done += len(chunk)
            if progress:
                progress(done, total)
            fresh.fingerprint = side.repo.fingerprint()
            side.index = fresh
            self._save(side)

    def _save(self, side: _Side) -> None:
        path = self._index_path(side)
        if path is not None:
            side.index.save(path)

    def save_indexes(self) -> None:
        """Persist both indexes with a fresh fingerprint (callers: shutdown, CLI)."""
        for side in (self.seekers, self.vacancies):
            with side.write_lock:
                side.index.fingerprint = side.repo.fingerprint()
                self._save(side)

    def close(self) -> None:
        self.save_indexes()
        self.storage.dispose()

    # -- CRUD --------------------------------------------------------------------------------------

    def _write(self, side: _Side[T], item: T, create: bool) -> T:
        validate_concepts(item, self.taxonomy)
        vector = side.encode([item])  # before the write: a failure here stores nothing
        with side.write_lock:
            (side.repo.create if create else side.repo.replace)(item)
            side.index.upsert([item.id], vector)
            side.index.fingerprint = ""  # the saved fingerprint no longer describes this index
        return item

    def create_jobseeker(self, seeker: JobSeeker) -> JobSeeker:
        return self._write(self.seekers, seeker, create=True)

    def replace_jobseeker(self, seeker: JobSeeker) -> JobSeeker:
        return self._write(self.seekers, seeker, create=False)

    def create_vacancy(self, vacancy: Vacancy) -> Vacancy:
        return self._write(self.vacancies, vacancy, create=True)

    def replace_vacancy(self, vacancy: Vacancy) -> Vacancy:
        return self._write(self.vacancies, vacancy, create=False)

    def _delete(self, side: _Side, entity_id: str) -> None:
        with side.write_lock:
            side.repo.delete(entity_id)
            side.index.remove([entity_id])
            side.index.fingerprint = ""

    def delete_jobseeker(self, seeker_id: str) -> None:
        self._delete(self.seekers, seeker_id)

    def delete_vacancy(self, vacancy_id: str) -> None:
        self._delete(self.vacancies, vacancy_id)

    def get_jobseeker(self, seeker_id: str) -> JobSeeker:
        return self.seekers.repo.get(seeker_id)

    def get_vacancy(self, vacancy_id: str) -> Vacancy:
        return self.vacancies.repo.get(vacancy_id)

    def list_jobseekers(self, offset: int = 0, limit: int = 50) -> tuple[list[JobSeeker], int]:
        return self.seekers.repo.list(offset, limit), self.seekers.repo.count()

    def list_vacancies(self, offset: int = 0, limit: int = 50) -> tuple[list[Vacancy], int]:
        return self.vacancies.repo.list(offset, limit), self.vacancies.repo.count()

    def bulk_load(
        self, seekers: Iterable[JobSeeker], vacancies: Iterable[Vacancy], progress: Progress | None = None
    ) -> None:
        """Insert many validated entities in one transaction per side, then rebuild the indexes."""
        seeker_list, vacancy_list = list(seekers), list(vacancies)
        for seeker in seeker_list:
            validate_concepts(seeker, self.taxonomy)
        for vacancy in vacancy_list:
            validate_concepts(vacancy, self.taxonomy)
        self.storage.jobseekers.create_many(seeker_list)
        self.storage.vacancies.create_many(vacancy_list)
        self.rebuild_indexes(progress)

    # -- matching ----------------------------------------------------------------------------------

    def candidates_for_vacancy(
        self, vacancy_id: str, k: int = 20, offset: int = 0, language: str | None = None
    ) -> MatchPage:
        return self.rank_candidates(self.get_vacancy(vacancy_id), k, offset, language)

    def rank_candidates(
        self, vacancy: Vacancy, k: int = 20, offset: int = 0, language: str | None = None
    ) -> MatchPage:
        query = self.encoder.encode_vacancies([vacancy])[0]
        hits = self.seekers.index.search(query, max(MIN_OVERFETCH, OVERFETCH_FACTOR * (offset + k)))
        found = self.seekers.repo.get_many([h[0] for h in hits])
        pairs = [
            (found[sid], vacancy, sim) for sid, sim in hits if sid in found
        ]  # skip ones deleted meanwhile
        return self._page(vacancy.id, pairs, k, offset, language or self.language)

    def vacancies_for_jobseeker(
        self, seeker_id: str, k: int = 20, offset: int = 0, language: str | None = None
    ) -> MatchPage:
        return self.rank_vacancies(self.get_jobseeker(seeker_id), k, offset, language)

    def rank_vacancies(
        self, seeker: JobSeeker, k: int = 20, offset: int = 0, language: str | None = None
    ) -> MatchPage:
        query = self.encoder.encode_seekers([seeker])[0]
        hits = self.vacancies.index.search(query, max(MIN_OVERFETCH, OVERFETCH_FACTOR * (offset + k)))
        found = self.vacancies.repo.get_many([h[0] for h in hits])
        pairs = [(seeker, found[vid], sim) for vid, sim in hits if vid in found]
        return self._page(seeker.id, pairs, k, offset, language or self.language)

    def what_if(self, seeker: JobSeeker, vacancy: Vacancy, language: str | None = None) -> Match:
        """Assess one pair given as data; nothing is stored. The advisor's "what if …?" tool."""
        validate_concepts(seeker, self.taxonomy)
        validate_concepts(vacancy, self.taxonomy)
        a = self.encoder.encode_seekers([seeker])[0]
        b = self.encoder.encode_vacancies([vacancy])[0]
        return self._match(seeker, vacancy, float(a @ b), language or self.language, rank=1)

    def _match(
        self, seeker: JobSeeker, vacancy: Vacancy, similarity: float, language: str, rank: int
    ) -> Match:
        assessment = self.rules.assess(seeker, vacancy, self.today)
        score, explanation = score_pair(
            seeker, vacancy, similarity, self.taxonomy, self.weights, language, assessment
        )
        return Match(
            jobseeker_id=seeker.id,
            vacancy_id=vacancy.id,
            rank=rank,
            score=score,
            eligibility=assessment.eligibility,
            reasons=assessment.reasons,
            next_steps=assessment.next_steps,
            distance_km=assessment.distance_km,
            explanation=explanation,
        )

    def _page(
        self,
        subject_id: str,
        pairs: list[tuple[JobSeeker, Vacancy, float]],
        k: int,
        offset: int,
        language: str,
    ) -> MatchPage:
        matches = [self._match(s, v, sim, language, rank=0) for s, v, sim in pairs]

        def order(m: Match) -> tuple[float, str, str]:  # ties broken by ids: stable pages
            return (-m.score, m.jobseeker_id, m.vacancy_id)

        open_ = sorted((m for m in matches if m.eligibility != Eligibility.BLOCKED), key=order)
        blocked = sorted((m for m in matches if m.eligibility == Eligibility.BLOCKED), key=order)
        items = [
            m.model_copy(update={"rank": offset + i + 1}) for i, m in enumerate(open_[offset : offset + k])
        ]
        return MatchPage(
            subject_id=subject_id,
            items=items,
            offset=offset,
            k=k,
            considered=len(matches),
            eligible_total=len(open_),
            blocked=[m for m in blocked if m.score >= BLOCKED_LIST_MIN_SCORE][:k] if offset == 0 else [],
            blocked_total=len(blocked),
        )

    # -- free text to concepts --------------------------------------------------------------------------

    @property
    def linker(self) -> TaxonomyLinker:
        """Built on first use: on a full ESCO download the first build embeds every label (then cached)."""
        with self._linker_lock:
            if self._linker is None:
                self._linker = TaxonomyLinker(self.taxonomy, self.encoder.embedder, self.language)
            return self._linker

    @property
    def autocompleter(self) -> Autocompleter:
        with self._linker_lock:
            if self._autocompleter is None:
                self._autocompleter = Autocompleter(self.taxonomy)
            return self._autocompleter

    def normalize(
        self, title: str | None, text: str | None, k: int = 5, language: str | None = None
    ) -> tuple[list[LinkedConcept], list[LinkedConcept]]:
        """Occupations for a job title and skills mentioned in a text, for the user to confirm or correct."""
        lang = language or self.language
        occupations = self.linker.link_occupation(title or text or "", k, lang) if (title or text) else []
        skills = []
        if text:
            top = occupations[0].uri if occupations else None
            skills = self.linker.extract_skills(text, top, language=lang)
        return occupations, skills

    # -- status ------------------------------------------------------------------------------------

    def health(self) -> dict:
        started = time.perf_counter()
        self.storage.ping()
        return {
            "status": "ok",
            "database": "ok",
            "database_ms": round((time.perf_counter() - started) * 1000, 2),
            "jobseekers_indexed": len(self.seekers.index),
            "vacancies_indexed": len(self.vacancies.index),
            "embedding_model": self.encoder.embedder.model_id,
            "taxonomy": self.taxonomy.stats(),
        }
