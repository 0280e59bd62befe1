"""Job seekers and vacancies: create, replace, read, list, delete, and bulk loads and imports.

Writes go to the database first (the source of truth, with their audit entries in the same transaction),
then to the in-memory index. A vector is computed before the write, so a failure there stores nothing.

``actor`` is the caller (an API key or the command line): it limits which rows a call may reach (rows outside
its scope behave as missing) and is written to the audit log with every read and change. ``actor=None`` is a
trusted library call (notebooks, tests): no scope, no audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

from matching.access import Actor, Kind, Role, id_prefix, scope_of
from matching.errors import InvalidInputError
from matching.ingest.bulk import parse_upload
from matching.ingest.report import ImportRejectedError, ImportReport
from matching.service.gdpr import free_texts
from matching.service.indexes import IndexKeeper
from matching.service.sides import Side
from matching.store.audit import Action, entries
from matching.store.storage import Storage
from matching.store.tables import DEFAULT_ORGANISATION
from matching.taxonomy import Taxonomy
from matching.taxonomy.profiles import validate_concepts
from models import JobSeeker, Vacancy

T = TypeVar("T", JobSeeker, Vacancy)
Progress = Callable[[int, int], None]


class Profiles:
    def __init__(
        self,
        taxonomy: Taxonomy,
        storage: Storage,
        seekers: Side[JobSeeker],
        vacancies: Side[Vacancy],
        indexes: IndexKeeper,
        embedder: object = None,
    ):
        self.taxonomy = taxonomy
        self.storage = storage
        self.seekers = seekers
        self.vacancies = vacancies
        self.indexes = indexes
        self._forget: Callable[[list[str]], int] | None = getattr(embedder, "forget", None)

    def side(self, kind: Kind) -> Side[Any]:
        return self.seekers if kind == "jobseeker" else self.vacancies

    # -- one at a time ----------------------------------------------------------------------------

    def write(self, side: Side[T], item: T, create: bool, actor: Actor | None) -> T:
        """Create or replace one entity (an employer's vacancy gets the employer's id)."""
        if isinstance(item, Vacancy):
            item = cast(T, own_vacancy(item, actor))
        validate_concepts(item, self.taxonomy)
        if create:
            check_own_id(item.id, actor)
        vector = side.encode([item])  # before the write: a failure here stores nothing
        audit = entries(actor, Action.CREATE if create else Action.UPDATE, side.kind, [item.id])
        with side.write_lock:
            earlier = None
            if create:
                side.repo.create(item, actor.organisation if actor else DEFAULT_ORGANISATION, audit)
            else:
                earlier = side.repo.replace(item, scope_of(actor, side.kind), audit)
            side.index.upsert([item.id], vector)
            side.wrote([item])
        if isinstance(earlier, JobSeeker) and isinstance(item, JobSeeker) and self._forget is not None:
            # What the person wrote before is gone from the profile: its cached vector goes too.
            self._forget(sorted(set(free_texts(earlier)) - set(free_texts(item))))
        return item

    def delete_vacancy(self, vacancy_id: str, actor: Actor | None = None) -> None:
        side = self.vacancies
        with side.write_lock:
            side.repo.delete(
                vacancy_id, scope_of(actor, "vacancy"), entries(actor, Action.DELETE, "vacancy", [vacancy_id])
            )  # its releases go with it (ON DELETE CASCADE)
            side.index.remove([vacancy_id])

    def get_jobseeker(self, seeker_id: str, actor: Actor | None = None) -> JobSeeker:
        seeker = self.seekers.repo.get(seeker_id, scope_of(actor, "jobseeker"))
        self.storage.audit.record(entries(actor, Action.READ, "jobseeker", [seeker_id]))
        return seeker

    def get_vacancy(self, vacancy_id: str, actor: Actor | None = None) -> Vacancy:
        return self.vacancies.repo.get(vacancy_id, scope_of(actor, "vacancy"))

    def list(self, side: Side[T], offset: int, limit: int, actor: Actor | None) -> tuple[list[T], int]:
        """A page of entities in id order and how many there are; reading job seekers is audited."""
        scope = scope_of(actor, side.kind)
        items = side.repo.list(offset, limit, scope)
        if side.kind == "jobseeker":
            self.storage.audit.record(entries(actor, Action.READ, "jobseeker", [i.id for i in items]))
        return items, side.repo.count(scope)

    # -- many at once -----------------------------------------------------------------------------

    def bulk_load(
        self,
        seekers: Iterable[JobSeeker],
        vacancies: Iterable[Vacancy],
        progress: Progress | None = None,
        organisation: str = DEFAULT_ORGANISATION,
    ) -> None:
        """Insert many validated entities in one transaction per side, then rebuild the indexes."""
        seeker_list, vacancy_list = list(seekers), list(vacancies)
        for entities in (seeker_list, vacancy_list):
            for entity in entities:
                validate_concepts(entity, self.taxonomy)
        self.seekers.repo.create_many(seeker_list, organisation)
        self.vacancies.repo.create_many(vacancy_list, organisation)
        self.indexes.rebuild_all(progress)

    def import_entities(
        self, kind: Kind, items: Sequence[Any], actor: Actor, progress: Progress | None = None
    ) -> int:
        """Store validated entities in one transaction with one audit entry each, then index them.

        All or nothing: a crash or error before the commit stores none of them; after it, every process
        (this one after a restart too) finds them in the change log and indexes them.
        """
        side = self.side(kind)
        checked: list[Any] = [own_vacancy(i, actor) if isinstance(i, Vacancy) else i for i in items]
        for item in checked:
            validate_concepts(item, self.taxonomy)
        vectors = side.encode(checked) if checked else None
        audit = entries(actor, Action.CREATE, kind, [i.id for i in checked])
        with side.write_lock:
            side.repo.create_many(checked, actor.organisation, audit, progress)
            if vectors is not None:
                side.index.upsert([i.id for i in checked], vectors)
            side.wrote(checked)
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
        """Bulk import from CSV or Excel (layout in matching/ingest/columns.py). Any invalid row rejects the
        whole file (ImportRejectedError with the report) unless ``skip_invalid``: then the valid rows are
        stored."""
        side = self.side(kind)
        prefix = id_prefix(actor.organisation) if actor.role != Role.ADMIN else None
        parsed = parse_upload(
            kind, data, filename, self.taxonomy, lambda ids: set(side.repo.get_many(ids)), prefix
        )
        report = ImportReport(kind=kind, rows=parsed.rows, imported=0, errors=parsed.errors)
        if parsed.errors and not skip_invalid:
            raise ImportRejectedError(report, report.summary())
        report.imported = self.import_entities(kind, parsed.items, actor, progress)
        return report


def own_vacancy(vacancy: Vacancy, actor: Actor | None) -> Vacancy:
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


def check_own_id(entity_id: str, actor: Actor | None) -> None:
    """Refuse an id outside the creating key's namespace, the same way whether or not it exists anywhere:
    a 409 for another organisation's id would tell that it exists (admins see every organisation)."""
    if actor is None or actor.role == Role.ADMIN:
        return
    prefix = id_prefix(actor.organisation)
    if prefix is not None and not entity_id.startswith(prefix):
        raise InvalidInputError(
            "id",
            f"ids created by organisation '{actor.organisation}' start with '{prefix}' (e.g. "
            f"'{prefix}{entity_id.rsplit(':', 1)[-1]}'), so they never meet another organisation's",
        )
