"""What the GDPR asks of the service about one person, and what analysts may see of everyone.

Erasure (art. 17) removes every trace of a person, not just the row; the subject access export (art. 15, 20)
gives everything stored about them; analytics exports are pseudonymised (:mod:`.analytics`).
"""

from __future__ import annotations

from typing import Any

from matching.access import Actor, Kind, scope_of
from matching.embedding.base import Embedder
from matching.pseudonyms import SECRET_NAME, erased_id
from matching.service.analytics import Value, analytics_record
from matching.service.gdpr import free_texts, subject_access_export
from matching.service.indexes import IndexKeeper
from matching.service.sides import Side
from matching.store.audit import Action, entries
from matching.store.storage import Storage
from models import JobSeeker, Vacancy


class Privacy:
    def __init__(
        self,
        storage: Storage,
        seekers: Side[JobSeeker],
        vacancies: Side[Vacancy],
        indexes: IndexKeeper,
        embedder: Embedder,
    ):
        self.storage = storage
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
        side: Side[Any] = self.seekers if kind == "jobseeker" else self.vacancies
        secret = self.storage.secret(SECRET_NAME)
        rows = [
            analytics_record(kind, record, secret) for record in side.repo.iter_records(scope_of(actor, kind))
        ]
        self.storage.audit.record(entries(actor, Action.EXPORT, "analytics", [None]))
        return rows
