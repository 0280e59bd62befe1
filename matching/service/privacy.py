"""What the GDPR asks of the service about one person, and what analysts may see of everyone.

Erasure (art. 17) removes every trace of a person, not just the row; the subject access export (art. 15, 20)
gives everything stored about them; analytics exports are pseudonymised (:mod:`.analytics`).
"""

from __future__ import annotations

from typing import Any

from matching.access import Actor, Kind, scope_of
from matching.embedding.base import Embedder
from matching.errors import InvalidInputError
from matching.pseudonyms import SECRET_NAME, analytics_pseudonym, erased_id
from matching.service.analytics import SEEKER_COLUMNS, Value, analytics_record
from matching.service.anonymity import Disclosure, k_anonymise
from matching.service.gdpr import free_texts, subject_access_export
from matching.service.indexes import IndexKeeper
from matching.service.sides import Side
from matching.store.audit import Action, entries
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy
from models import JobSeeker, Vacancy


class Privacy:
    def __init__(
        self,
        storage: Storage,
        seekers: Side[JobSeeker],
        vacancies: Side[Vacancy],
        indexes: IndexKeeper,
        embedder: Embedder,
        taxonomy: Taxonomy,
    ):
        self.storage = storage
        self.taxonomy = taxonomy
        self.seekers = seekers
        self.vacancies = vacancies
        self.indexes = indexes
        self.embedder = embedder

    def erase_jobseeker(self, seeker_id: str, actor: Actor | None = None) -> None:
        """Erase a job seeker (GDPR art. 17): every trace of them, not just the row.

        In one transaction: the row, their releases, their id in the audit log (replaced by a keyed hash)
        and the keys issued to them (revoked). Then their vector leaves the index, the saved index file is
        rewritten without it, and the cached embeddings of their free text are deleted. The cache is
        cleared before the transaction too, so a crash in between cannot leave their text behind.
        """
        side = self.seekers
        scope = scope_of(actor, "jobseeker")
        current = side.repo.get(seeker_id, scope)  # 404 before anything is touched
        replacement = erased_id(self.storage.secret(SECRET_NAME), seeker_id)
        self._forget_free_text(current)
        with side.write_lock:
            erased = self.storage.erase_jobseeker(
                seeker_id, scope, replacement, entries(actor, Action.ERASE, "jobseeker", [replacement])
            )
            side.index.remove([seeker_id])
            side.own_writes.pop(seeker_id, None)
            self.indexes.save(side)
        self._forget_free_text(erased)
        self.storage.checkpoint()

    def _forget_free_text(self, seeker: JobSeeker) -> None:
        forget = getattr(self.embedder, "forget", None)
        if forget is not None:
            forget(free_texts(seeker))

    def export_jobseeker(self, seeker_id: str, actor: Actor | None = None) -> dict[str, Any]:
        """Everything stored about one person, as JSON-ready data (GDPR art. 15 and 20)."""
        record = self.seekers.repo.get_record(seeker_id, scope_of(actor, "jobseeker"))
        self.storage.audit.record(entries(actor, Action.EXPORT, "jobseeker", [seeker_id]))
        return subject_access_export(self.storage, record)

    def analytics_export(self, kind: Kind, actor: Actor | None = None) -> list[dict[str, Value]]:
        """Pseudonymised records for fairness and labour-market analysis (see matching/service/analytics.py)."""
        return self.analytics_release(kind, actor, k=1)[0]

    def analytics_release(
        self, kind: Kind, actor: Actor | None, k: int, columns: list[str] | None = None
    ) -> tuple[list[dict[str, Value]], Disclosure]:
        """The export in keyed-hash order; job seekers generalised until each combination has >= k people.

        ``columns`` keeps only those (fewer columns need less generalisation). Ids are then keyed with the
        column set as well, so exports of different columns cannot be joined into one fuller row.
        Vacancies describe employers' offers, not people: they are only reordered.
        """
        side: Side[Any] = self.seekers if kind == "jobseeker" else self.vacancies
        secret = self.storage.secret(SECRET_NAME)
        columns = _checked_columns(columns) if kind == "jobseeker" else None
        rows = []
        for record in side.repo.iter_records(scope_of(actor, kind)):
            row = analytics_record(kind, record, secret)
            if columns is not None:
                domain = f"{kind}:{','.join(columns)}"
                pseudonym: Value = analytics_pseudonym(secret, domain, record.item.id)
                row = {"id": pseudonym} | {name: row[name] for name in columns}
            rows.append(row)
        released, disclosure = k_anonymise(rows, k if kind == "jobseeker" else 1, self._isco)
        self.storage.audit.record(entries(actor, Action.EXPORT, "analytics", [None]))
        return released, disclosure

    def _isco(self, occupation_uri: str, digits: int) -> str:
        concept = self.taxonomy.occupations.get(occupation_uri)  # gone from a newer taxonomy: unknown
        return (concept.isco_code[:digits] if concept else "") or "?"


def _checked_columns(wanted: list[str] | None) -> list[str] | None:
    if wanted is None:
        return None
    unknown = sorted(set(wanted) - set(SEEKER_COLUMNS))
    if unknown or not wanted:
        raise InvalidInputError(
            "columns",
            f"unknown column(s) {', '.join(unknown) or '(none given)'}; allowed: {', '.join(SEEKER_COLUMNS)}",
        )
    return [name for name in SEEKER_COLUMNS if name in set(wanted)]
