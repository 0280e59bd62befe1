"""The façade the API, the CLI and notebooks call: storage, indexes and ranking behind one object.

Writes go to the database first (the source of truth), then to the in-memory index. Indexes are saved
with a fingerprint of the rows they were built from; on start-up an index whose fingerprint no longer
matches the database is rebuilt, so a crash can never leave matching on stale data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from matching.embedding import Embedder
from matching.errors import VectorIndexError
from matching.index import VectorIndex
from matching.profiles import ProfileEncoder, validate_concepts
from matching.scoring import DEFAULT_WEIGHTS, ScoringWeights, score_pair
from matching.storage import Repository, Storage
from matching.taxonomy import Taxonomy
from models import JobSeeker, Match, Vacancy

log = logging.getLogger(__name__)

T = TypeVar("T", JobSeeker, Vacancy)
Progress = Callable[[int, int], None]

MIN_OVERFETCH = 200
OVERFETCH_FACTOR = 5


@dataclass(frozen=True, slots=True)
class MatchPage:
    subject_id: str
    items: list[Match]
    offset: int
    k: int
    considered: int  # candidates retrieved and scored for this request

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.considered


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
    ):
        self.taxonomy = taxonomy
        self.storage = storage
        self.encoder = ProfileEncoder(taxonomy, embedder, language)
        self.weights = weights
        self.language = language
        self.index_dir = index_dir
        self.seekers: _Side[JobSeeker] = _Side(
            "jobseekers", storage.jobseekers, self.encoder.encode_seekers, embedder.dim
        )
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

    def candidates_for_vacancy(self, vacancy_id: str, k: int = 20, offset: int = 0) -> MatchPage:
        vacancy = self.get_vacancy(vacancy_id)
        return self.rank_candidates(vacancy, k, offset)

    def rank_candidates(self, vacancy: Vacancy, k: int = 20, offset: int = 0) -> MatchPage:
        query = self.encoder.encode_vacancies([vacancy])[0]
        hits = self.seekers.index.search(query, max(MIN_OVERFETCH, OVERFETCH_FACTOR * (offset + k)))
        found = self.seekers.repo.get_many([h[0] for h in hits])
        scored = []
        for seeker_id, similarity in hits:
            seeker = found.get(seeker_id)
            if seeker is None:  # deleted between search and fetch
                continue
            score, explanation = score_pair(
                seeker, vacancy, similarity, self.taxonomy, self.weights, self.language
            )
            scored.append((score, seeker_id, explanation))
        return self._page(vacancy.id, scored, k, offset, seeker_side=True)

    def vacancies_for_jobseeker(self, seeker_id: str, k: int = 20, offset: int = 0) -> MatchPage:
        seeker = self.get_jobseeker(seeker_id)
        return self.rank_vacancies(seeker, k, offset)

    def rank_vacancies(self, seeker: JobSeeker, k: int = 20, offset: int = 0) -> MatchPage:
        query = self.encoder.encode_seekers([seeker])[0]
        hits = self.vacancies.index.search(query, max(MIN_OVERFETCH, OVERFETCH_FACTOR * (offset + k)))
        found = self.vacancies.repo.get_many([h[0] for h in hits])
        scored = []
        for vacancy_id, similarity in hits:
            vacancy = found.get(vacancy_id)
            if vacancy is None:
                continue
            score, explanation = score_pair(
                seeker, vacancy, similarity, self.taxonomy, self.weights, self.language
            )
            scored.append((score, vacancy_id, explanation))
        return self._page(seeker.id, scored, k, offset, seeker_side=False)

    @staticmethod
    def _page(subject_id: str, scored: list, k: int, offset: int, seeker_side: bool) -> MatchPage:
        scored.sort(key=lambda row: (-row[0], row[1]))  # ties broken by id: stable pages
        items = []
        for rank, (score, other_id, explanation) in enumerate(scored[offset : offset + k], start=offset + 1):
            seeker_id, vacancy_id = (other_id, subject_id) if seeker_side else (subject_id, other_id)
            items.append(
                Match(
                    jobseeker_id=seeker_id,
                    vacancy_id=vacancy_id,
                    rank=rank,
                    score=score,
                    explanation=explanation,
                )
            )
        return MatchPage(subject_id=subject_id, items=items, offset=offset, k=k, considered=len(scored))

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
