"""Keyed hashes that stand in for ids where a reader may not learn them.

Ids are pseudonymous already (``js-000829``), but short and guessable: a plain hash of one could be reversed
by trying every id. HMAC-SHA-256 with a server secret (stored in the database, shared by every process)
cannot be. Each use has its own domain, so an employer's candidate pseudonym cannot be matched against an
analyst's export or an erased person's audit trail.
"""

from __future__ import annotations

import hashlib
import hmac

SECRET_NAME = "pseudonyms"


def keyed_hash(secret: bytes, *parts: str, length: int = 20) -> str:
    return hmac.new(secret, "\0".join(parts).encode(), hashlib.sha256).hexdigest()[:length]


def candidate_pseudonym(secret: bytes, vacancy_id: str, seeker_id: str) -> str:
    """What an employer sees instead of a job seeker id: different for every vacancy."""
    return "cand-" + keyed_hash(secret, "candidate", vacancy_id, seeker_id, length=16)


def erased_id(secret: bytes, seeker_id: str) -> str:
    """Replaces an erased job seeker's id in the audit log."""
    return "erased-" + keyed_hash(secret, "erased", "jobseeker", seeker_id, length=24)


def analytics_pseudonym(secret: bytes, kind: str, entity_id: str) -> str:
    """Stable across exports, so analysts can follow one (unknown) person over time."""
    prefix = "p-" if kind == "jobseeker" else "v-"
    return prefix + keyed_hash(secret, "analyst", kind, entity_id, length=20)
