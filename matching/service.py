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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from matching.access import Actor, Kind, Role
from matching.analytics import analytics_record
from matching.audit import Action, AuditEntry, entries
from matching.bulk import ImportReport, parse_upload
from matching.eligibility import Assessment, EligibilityRules
from matching.embedding import Embedder
from matching.errors import ImportRejectedError, InvalidInputError, NotFoundError, VectorIndexError
from matching.gdpr import free_texts, subject_access_export
from matching.geo import Gazetteer
from matching.index import VectorIndex
from matching.linking.autocomplete import Autocompleter
from matching.linking.linker import LinkedConcept, TaxonomyLinker
from matching.profiles import ProfileEncoder, validate_concepts
from matching.pseudonyms import SECRET_NAME as PSEUDONYM_SECRET
from matching.pseudonyms import candidate_pseudonym, erased_id
from matching.regulation import RegulationTable
from matching.scoring import DEFAULT_WEIGHTS, ScoringWeights, score_only, score_pair
from matching.sharding import AnyIndex, load_saved_index, saved_index_exists
from matching.storage import DEFAULT_ORGANISATION, Release, Repository, Storage
from matching.taxonomy import Taxonomy
from models import Eligibility, JobSeeker, Match, Vacancy

log = logging.getLogger(__name__)

T = TypeVar("T", JobSeeker, Vacancy)
Progress = Callable[[int, int], None]

# Retrieval asks for more than a page because the rules then remove or reorder candidates.
MIN_OVERFETCH = 60
OVERFETCH_FACTOR = 3
STALE_TEMP_SECONDS = 600
_KIND: dict[str, Kind] = {"jobseekers": "jobseeker", "vacancies": "vacancy"}
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
        self.index: AnyIndex = VectorIndex(dim)  # or shards built on a cluster (matching/sharding.py)
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
        if path is not None:
            _remove_stale_temp_files(path)
        if path is not None and saved_index_exists(path):
            fingerprint = side.repo.fingerprint()
            try:
                loaded = load_saved_index(path, fingerprint, self.encoder.embedder.model_id)
            except VectorIndexError as exc:
                log.warning("Index %s is unreadable (%s); rebuilding from the database.", side.name, exc)
            else:
                if loaded.dim == side.index.dim and loaded.fingerprint == fingerprint:
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
    #
    # ``actor`` is the caller (an API key or the command line): it limits which rows a call may reach
    # (rows outside its scope behave as missing) and is written to the audit log with every read and change.
    # ``actor=None`` is a trusted library call (notebooks, tests): no scope, no audit entry.

    def _write(self, side: _Side[T], item: T, create: bool, actor: Actor | None) -> T:
        validate_concepts(item, self.taxonomy)
        vector = side.encode([item])  # before the write: a failure here stores nothing
        kind = _KIND[side.name]
        audit = entries(actor, Action.CREATE if create else Action.UPDATE, kind, [item.id])
        with side.write_lock:
            if create:
                side.repo.create(item, actor.organisation if actor else DEFAULT_ORGANISATION, audit)
            else:
                side.repo.replace(item, actor.scope(kind) if actor else None, audit)
            side.index.upsert([item.id], vector)
            side.index.fingerprint = ""  # the saved fingerprint no longer describes this index
        return item

    def create_jobseeker(self, seeker: JobSeeker, actor: Actor | None = None) -> JobSeeker:
        return self._write(self.seekers, seeker, create=True, actor=actor)

    def replace_jobseeker(self, seeker: JobSeeker, actor: Actor | None = None) -> JobSeeker:
        return self._write(self.seekers, seeker, create=False, actor=actor)

    def create_vacancy(self, vacancy: Vacancy, actor: Actor | None = None) -> Vacancy:
        return self._write(self.vacancies, _own_vacancy(vacancy, actor), create=True, actor=actor)

    def replace_vacancy(self, vacancy: Vacancy, actor: Actor | None = None) -> Vacancy:
        return self._write(self.vacancies, _own_vacancy(vacancy, actor), create=False, actor=actor)

    def delete_jobseeker(self, seeker_id: str, actor: Actor | None = None) -> None:
        """Erase a job seeker (GDPR art. 17): every trace of them, not just the row.

        In one transaction: the row, their releases, their id in the audit log (replaced by a keyed hash)
        and the keys issued to them (revoked). Then their vector leaves the index, the saved index file is
        rewritten without it, and the cached embeddings of their free text are deleted. The cache is
        cleared before the transaction too, so a crash in between cannot leave their text behind.
        """
        side = self.seekers
        scope = actor.scope("jobseeker") if actor else None
        current = side.repo.get(seeker_id, scope)  # 404 before anything is touched
        replacement = erased_id(self.storage.secret(PSEUDONYM_SECRET), seeker_id)
        self._forget_free_text(current)
        with side.write_lock:
            erased = self.storage.erase_jobseeker(
                seeker_id, scope, replacement, entries(actor, Action.ERASE, "jobseeker", [replacement])
            )
            side.index.remove([seeker_id])
            side.index.fingerprint = side.repo.fingerprint()
            self._save(side)
        self._forget_free_text(erased)
        self.storage.checkpoint()

    def _forget_free_text(self, seeker: JobSeeker) -> None:
        forget = getattr(self.encoder.embedder, "forget", None)
        if forget is not None:
            forget(free_texts(seeker))

    def delete_vacancy(self, vacancy_id: str, actor: Actor | None = None) -> None:
        side = self.vacancies
        with side.write_lock:
            side.repo.delete(
                vacancy_id,
                actor.scope("vacancy") if actor else None,
                entries(actor, Action.DELETE, "vacancy", [vacancy_id]),
            )  # its releases go with it (ON DELETE CASCADE)
            side.index.remove([vacancy_id])
            side.index.fingerprint = ""

    def get_jobseeker(self, seeker_id: str, actor: Actor | None = None) -> JobSeeker:
        seeker = self.seekers.repo.get(seeker_id, actor.scope("jobseeker") if actor else None)
        self.storage.audit.record(entries(actor, Action.READ, "jobseeker", [seeker_id]))
        return seeker

    def get_vacancy(self, vacancy_id: str, actor: Actor | None = None) -> Vacancy:
        return self.vacancies.repo.get(vacancy_id, actor.scope("vacancy") if actor else None)

    def list_jobseekers(
        self, offset: int = 0, limit: int = 50, actor: Actor | None = None
    ) -> tuple[list[JobSeeker], int]:
        scope = actor.scope("jobseeker") if actor else None
        items = self.seekers.repo.list(offset, limit, scope)
        self.storage.audit.record(entries(actor, Action.READ, "jobseeker", [s.id for s in items]))
        return items, self.seekers.repo.count(scope)

    def list_vacancies(
        self, offset: int = 0, limit: int = 50, actor: Actor | None = None
    ) -> tuple[list[Vacancy], int]:
        scope = actor.scope("vacancy") if actor else None
        return self.vacancies.repo.list(offset, limit, scope), self.vacancies.repo.count(scope)

    def bulk_load(
        self,
        seekers: Iterable[JobSeeker],
        vacancies: Iterable[Vacancy],
        progress: Progress | None = None,
        organisation: str = DEFAULT_ORGANISATION,
    ) -> None:
        """Insert many validated entities in one transaction per side, then rebuild the indexes."""
        seeker_list, vacancy_list = list(seekers), list(vacancies)
        for seeker in seeker_list:
            validate_concepts(seeker, self.taxonomy)
        for vacancy in vacancy_list:
            validate_concepts(vacancy, self.taxonomy)
        self.storage.jobseekers.create_many(seeker_list, organisation)
        self.storage.vacancies.create_many(vacancy_list, organisation)
        self.rebuild_indexes(progress)

    def import_entities(
        self,
        kind: Kind,
        items: Sequence[JobSeeker] | Sequence[Vacancy],
        actor: Actor,
        progress: Progress | None = None,
    ) -> int:
        """Store validated entities in one transaction with one audit entry each, then index them.

        All or nothing: a crash or error before the commit stores none of them; after it, a restart finds
        the index out of date (fingerprint) and rebuilds it from the database.
        """
        side: _Side = self.seekers if kind == "jobseeker" else self.vacancies
        checked: list[Any] = [_own_vacancy(i, actor) if isinstance(i, Vacancy) else i for i in items]
        for item in checked:
            validate_concepts(item, self.taxonomy)
        vectors = side.encode(checked) if checked else None
        audit = entries(actor, Action.CREATE, kind, [i.id for i in checked])
        with side.write_lock:
            side.repo.create_many(checked, actor.organisation, audit, progress)
            if vectors is not None:
                side.index.upsert([i.id for i in checked], vectors)
            side.index.fingerprint = ""
        return len(checked)

    def import_file(
        self,
        kind: Kind,
        data: bytes,
        filename: str,
        actor: Actor,
        skip_invalid: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Bulk import from CSV or Excel (layout in matching/bulk.py). Any invalid row rejects the whole
        file (ImportRejectedError with the report) unless ``skip_invalid``: then the valid rows are stored."""
        side: _Side = self.seekers if kind == "jobseeker" else self.vacancies
        parsed = parse_upload(
            kind, data, filename, self.taxonomy, exists=lambda ids: set(side.repo.get_many(ids))
        )
        report = ImportReport(kind=kind, rows=parsed.rows, imported=0, errors=parsed.errors)
        if parsed.errors and not skip_invalid:
            raise ImportRejectedError(report, report.summary())
        report.imported = self.import_entities(kind, parsed.items, actor, progress)
        return report

    # -- releases, exports and analytics ---------------------------------------------------------------

    def release_candidate(self, vacancy_id: str, seeker_id: str, actor: Actor | None = None) -> Release:
        """Show a candidate's real id (and reasons) to the vacancy's employer."""
        vacancy = self.vacancies.repo.get_record(vacancy_id, actor.scope("vacancy") if actor else None)
        seeker = self.seekers.repo.get_record(seeker_id, actor.scope("jobseeker") if actor else None)
        if seeker.organisation != vacancy.organisation:
            raise NotFoundError("job seeker", seeker_id)  # candidates come from the vacancy's organisation
        audit = (
            [AuditEntry(actor, Action.RELEASE, "jobseeker", seeker_id, f"vacancy:{vacancy_id}")]
            if actor
            else []
        )
        return self.storage.release(vacancy_id, seeker_id, actor.key_id if actor else None, audit)

    def withdraw_release(self, vacancy_id: str, seeker_id: str, actor: Actor | None = None) -> None:
        self.vacancies.repo.get(vacancy_id, actor.scope("vacancy") if actor else None)
        audit = (
            [AuditEntry(actor, Action.WITHDRAW, "jobseeker", seeker_id, f"vacancy:{vacancy_id}")]
            if actor
            else []
        )
        self.storage.withdraw_release(vacancy_id, seeker_id, audit)

    def releases(self, vacancy_id: str, actor: Actor | None = None) -> list[Release]:
        self.vacancies.repo.get(vacancy_id, actor.scope("vacancy") if actor else None)
        return self.storage.releases(vacancy_id=vacancy_id)

    def export_jobseeker(self, seeker_id: str, actor: Actor | None = None) -> dict:
        """Everything stored about one person, as JSON-ready data (GDPR art. 15 and 20)."""
        record = self.seekers.repo.get_record(seeker_id, actor.scope("jobseeker") if actor else None)
        self.storage.audit.record(entries(actor, Action.EXPORT, "jobseeker", [seeker_id]))
        return subject_access_export(self.storage, record)

    def analytics_export(self, kind: Kind, actor: Actor | None = None) -> list[dict]:
        """Pseudonymised records for fairness and labour-market analysis (see matching/analytics.py)."""
        side: _Side = self.seekers if kind == "jobseeker" else self.vacancies
        secret = self.storage.secret(PSEUDONYM_SECRET)
        rows = [
            analytics_record(kind, record, secret)
            for record in side.repo.iter_records(actor.scope(kind) if actor else None)
        ]
        self.storage.audit.record(entries(actor, Action.EXPORT, "analytics", [None]))
        return rows

    # -- matching ----------------------------------------------------------------------------------

    def candidates_for_vacancy(
        self,
        vacancy_id: str,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        actor: Actor | None = None,
    ) -> MatchPage:
        """Job seekers ranked for a stored vacancy, from the vacancy's organisation only.

        Employers see candidates under a per-vacancy pseudonym, without reasons or next steps (they
        describe recognition and residence status) and without the blocked list, until an advisor
        releases a candidate to the vacancy.
        """
        record = self.vacancies.repo.get_record(vacancy_id, actor.scope("vacancy") if actor else None)
        page = self.rank_candidates(record.item, k, offset, language, organisation=record.organisation)
        self.storage.audit.record(entries(actor, Action.MATCH, "vacancy", [vacancy_id]))
        if actor is not None and actor.role == Role.EMPLOYER:
            released = {r.jobseeker_id for r in self.storage.releases(vacancy_id=vacancy_id)}
            page = for_employer(page, released, self.storage.secret(PSEUDONYM_SECRET))
        return page

    def rank_candidates(
        self,
        vacancy: Vacancy,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        organisation: str | None = None,
    ) -> MatchPage:
        query = self.encoder.encode_vacancies([vacancy])[0]
        found = self._retrieve(self.seekers, query, offset + k, organisation)
        pairs = [(seeker, vacancy, sim) for seeker, sim in found]
        return self._page(vacancy.id, pairs, k, offset, language or self.language)

    def vacancies_for_jobseeker(
        self,
        seeker_id: str,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        actor: Actor | None = None,
    ) -> MatchPage:
        """Vacancies ranked for a stored job seeker, from the job seeker's organisation only."""
        record = self.seekers.repo.get_record(seeker_id, actor.scope("jobseeker") if actor else None)
        page = self.rank_vacancies(record.item, k, offset, language, organisation=record.organisation)
        self.storage.audit.record(entries(actor, Action.MATCH, "jobseeker", [seeker_id]))
        return page

    def rank_vacancies(
        self,
        seeker: JobSeeker,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        organisation: str | None = None,
    ) -> MatchPage:
        query = self.encoder.encode_seekers([seeker])[0]
        found = self._retrieve(self.vacancies, query, offset + k, organisation)
        pairs = [(seeker, vacancy, sim) for vacancy, sim in found]
        return self._page(seeker.id, pairs, k, offset, language or self.language)

    def _retrieve(
        self, side: _Side[T], query: np.ndarray, needed: int, organisation: str | None
    ) -> list[tuple[T, float]]:
        """The nearest stored entities (over-fetched), skipping ones deleted meanwhile.

        With ``organisation``, the nearest ones *within* it: the search widens until enough are found or
        the index is exhausted, so each organisation gets the results a separate index would give it.
        """
        want = max(MIN_OVERFETCH, OVERFETCH_FACTOR * needed)
        fetch = want
        while True:
            hits = side.index.search(query, fetch)
            found = side.repo.get_many([h[0] for h in hits], organisation)
            pairs = [(found[entity_id], sim) for entity_id, sim in hits if entity_id in found]
            if organisation is None or len(pairs) >= want or len(hits) < fetch:
                return pairs[:want]
            fetch *= 4

    def what_if(self, seeker: JobSeeker, vacancy: Vacancy, language: str | None = None) -> Match:
        """Assess one pair given as data; nothing is stored. The advisor's "what if …?" tool."""
        validate_concepts(seeker, self.taxonomy)
        validate_concepts(vacancy, self.taxonomy)
        a = self.encoder.encode_seekers([seeker])[0]
        b = self.encoder.encode_vacancies([vacancy])[0]
        return self._match(seeker, vacancy, float(a @ b), language or self.language, rank=1)

    def _match(
        self,
        seeker: JobSeeker,
        vacancy: Vacancy,
        similarity: float,
        language: str,
        rank: int,
        assessment: Assessment | None = None,
    ) -> Match:
        assessment = assessment or self.rules.assess(seeker, vacancy, self.today)
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
        """Assess and score every pair cheaply, then explain only the ones on the page."""
        scored = []
        for seeker, vacancy, similarity in pairs:
            assessment = self.rules.assess(seeker, vacancy, self.today)
            score = score_only(seeker, vacancy, similarity, self.taxonomy, self.weights, assessment)
            # Ties broken by ids: stable pages.
            scored.append(((-score, seeker.id, vacancy.id), seeker, vacancy, similarity, assessment))
        scored.sort(key=lambda row: row[0])
        open_ = [row for row in scored if row[4].eligibility != Eligibility.BLOCKED]
        blocked = [row for row in scored if row[4].eligibility == Eligibility.BLOCKED]
        items = [
            self._match(s, v, sim, language, offset + i + 1, a)
            for i, (_, s, v, sim, a) in enumerate(open_[offset : offset + k])
        ]
        shown_blocked = (
            [row for row in blocked if -row[0][0] >= BLOCKED_LIST_MIN_SCORE][:k] if offset == 0 else []
        )
        return MatchPage(
            subject_id=subject_id,
            items=items,
            offset=offset,
            k=k,
            considered=len(scored),
            eligible_total=len(open_),
            blocked=[self._match(s, v, sim, language, 0, a) for _, s, v, sim, a in shown_blocked],
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
        title, text = (title or "").strip() or None, (text or "").strip() or None
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


def _remove_stale_temp_files(path: Path) -> None:
    """Index saves write a temp file and rename it; a process killed in between leaves the temp file behind.

    Only old ones go: a fresh one may belong to another process saving right now."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for leftover in path.parent.glob(f".{path.name}.*"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                log.info("Removed %s, left by an interrupted index save.", leftover.name)
        except FileNotFoundError:  # removed by someone else meanwhile
            pass


def _own_vacancy(vacancy: Vacancy, actor: Actor | None) -> Vacancy:
    """An employer's key writes only vacancies with its own employer id (filled in when left empty)."""
    if actor is None or actor.role != Role.EMPLOYER:
        return vacancy
    if vacancy.employer_id is None:
        return vacancy.model_copy(update={"employer_id": actor.subject_id})
    if vacancy.employer_id != actor.subject_id:
        raise InvalidInputError(
            "employer_id",
            f"an employer key manages only vacancies with employer_id {actor.subject_id!r} (or none)",
        )
    return vacancy


def for_employer(page: MatchPage, released: set[str], secret: bytes) -> MatchPage:
    """An employer's view of a candidate list: pseudonyms and no reasons, except for released candidates."""

    def redact(match: Match) -> Match:
        if match.jobseeker_id in released:
            return match
        return match.model_copy(
            update={
                "jobseeker_id": candidate_pseudonym(secret, match.vacancy_id, match.jobseeker_id),
                "reasons": [],
                "next_steps": [],
                "distance_km": None if match.distance_km is None else float(round(match.distance_km)),
            }
        )

    return replace(page, items=[redact(m) for m in page.items], blocked=[])
