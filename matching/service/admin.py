"""Operating the service: health, the audit log and API keys, so that routes and commands never reach into
storage themselves."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from matching.access import Actor
from matching.service.following import process_name
from matching.service.indexes import IndexKeeper
from matching.store.audit import Action, AuditEntry, AuditEvent
from matching.store.keys import ApiKey
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy

FOLLOWER_SEEN_WITHIN = dt.timedelta(seconds=30)


_FOLDERS = re.compile(r"(?:(?<=^)|(?<=[\s:=(]))(?:[A-Za-z]:)?[/\\~.]*[/\\](?:[^/\\\s]*[/\\])*")


def without_folders(text: str) -> str:
    """``/srv/models/e5`` -> ``e5``, ``hf:/data/x`` -> ``hf:x``; names like ``org/model`` stay as they are."""
    return _FOLDERS.sub("", text)


class Administration:
    """Health and the audit log; ``keys`` manages API keys."""

    def __init__(self, storage: Storage, indexes: IndexKeeper, taxonomy: Taxonomy, model_id: str):
        self.storage = storage
        self.indexes = indexes
        self.taxonomy = taxonomy
        self.model_id = model_id
        self.keys = KeyAdministration(storage)

    def health(self) -> dict[str, Any]:
        started = time.perf_counter()
        self.storage.ping()
        counts = {f"{side.name}_indexed": len(side.index) for side in self.indexes.sides}
        return {
            "status": "ok",
            "database": "ok",
            "database_ms": round((time.perf_counter() - started) * 1000, 2),
            **counts,
            "change_log": self.change_log(),
            # File locations stay in the operator's log: callers see the last part of a path only.
            "embedding_model": without_folders(self.model_id),
            "taxonomy": self.taxonomy.stats() | {"source": without_folders(self.taxonomy.source)},
        }

    def change_log(self) -> dict[str, Any]:
        """How far behind the change log this process and every process that reported lately are."""
        _, _, head = self.indexes.changes.state()
        position = min(side.position for side in self.indexes.sides)
        now = dt.datetime.now(dt.UTC)
        processes = [
            {
                "process": f.name,
                "behind": max(0, head - f.position),
                "reported_seconds_ago": round((now - f.seen_at).total_seconds(), 1),
            }
            for f in self.indexes.changes.followers(FOLLOWER_SEEN_WITHIN)
        ]
        return {
            "process": process_name(),
            "head": head,
            "position": position,
            "behind": max(0, head - position),
            "processes": processes,
        }

    # -- the audit log ----------------------------------------------------------------------------------

    def audit_events(
        self,
        actor: Actor,
        *,
        entity_id: str | None = None,
        key_id: str | None = None,
        action: str | None = None,
        entity_kind: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[AuditEvent], int]:
        """Newest first (``since`` inclusive, ``until`` exclusive); the query itself is audited."""
        found = self.storage.audit.query(
            entity_id=entity_id,
            key_id=key_id,
            action=action,
            entity_kind=entity_kind,
            since=since,
            until=until,
            offset=offset,
            limit=limit,
        )
        self.storage.audit.record([AuditEntry(actor, Action.READ, "audit", entity_id)])
        return found


class KeyAdministration:
    """API keys: created (shown once, stored as SHA-256), listed, revoked, and turned back into their actor."""

    def __init__(self, storage: Storage):
        self.storage = storage

    def authenticate(self, key: str) -> Actor | None:
        """The actor of a key, or None for an unknown or revoked one."""
        return self.storage.keys.authenticate(key)

    def create(
        self, role: str, organisation: str, subject_id: str | None, label: str | None, actor: Actor | None
    ) -> tuple[ApiKey, str]:
        """A new key (returned once) and its record; only the key's hash is stored."""
        return self.storage.keys.create(role, organisation, subject_id, label, actor)

    def all(self, subject_id: str | None = None) -> list[ApiKey]:
        return self.storage.keys.all(subject_id)

    def revoke(self, key_id: str, actor: Actor | None) -> ApiKey:
        return self.storage.keys.revoke(key_id, actor)
