"""What the GDPR asks of us about one person: their free text (for erasure) and a full export (art. 15, 20)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from matching.access import Role
from matching.store.repository import Record
from matching.store.storage import Storage
from models import JobSeeker

EXPORT_FORMAT = "skillbridge-subject-access/1"


def free_texts(seeker: JobSeeker) -> list[str]:
    """Everything the person (or their advisor) wrote in their own words."""
    texts = [seeker.skills_text, seeker.work_authorisation.basis]
    texts += [q.title for q in seeker.qualifications] + [e.description for e in seeker.experience]
    return [t for t in texts if t]


def subject_access_export(storage: Storage, record: Record[JobSeeker]) -> dict[str, Any]:
    """Everything stored about one job seeker, machine-readable.

    The profile and its record, the candidate releases to employers, the API keys issued to them, advisors'
    decisions on them as a candidate (feedback), which other organisations their case was shared with, why and
    until when, and every audit event about them or made with their keys
    (who read or changed their data, when and why).
    """
    seeker = record.item
    keys = [k for k in storage.keys.all(subject_id=seeker.id) if k.role == Role.JOBSEEKER]
    events = storage.audit.about("jobseeker", seeker.id, [k.id for k in keys])
    return {
        "format": EXPORT_FORMAT,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(),
        "jobseeker_id": seeker.id,
        "profile": seeker.model_dump(mode="json"),
        "record": {
            "organisation": record.organisation,
            "version": record.version,
            "created_at": record.created_at.isoformat(),
            "updated_at": record.updated_at.isoformat(),
        },
        "releases": [
            {
                "vacancy_id": r.vacancy_id,
                "released_by": r.released_by,
                "released_at": r.released_at.isoformat(),
            }
            for r in storage.releases(jobseeker_id=seeker.id)
        ],
        "api_keys": [k.model_dump(mode="json") for k in keys],
        "feedback": [f.model_dump(mode="json") for f in storage.feedback.list(jobseeker_id=seeker.id)],
        "access": [
            {
                "organisation": s.to_organisation,
                "shared_by": s.from_organisation,
                "purpose": s.purpose,
                "until": s.until.isoformat(),
                "shared_at": s.created_at.isoformat(),
                "revoked_at": s.revoked_at.isoformat() if s.revoked_at else None,
            }
            for s in storage.shares.of_jobseeker(seeker.id)
        ],
        "audit_events": [e.model_dump(mode="json") for e in events],
        "derived_data": (
            "A profile vector computed from this profile (occupations, skills and the skills text) is kept in "
            "the matching index and recomputed on every change; match lists are computed on request and not "
            "stored."
        ),
    }
