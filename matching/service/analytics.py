"""Pseudonymised records for analysts: fairness audits and labour-market statistics.

Ids become keyed hashes (stable across exports, useless outside them). Free text, names of employers,
exact places and dates are left out; protected attributes only as coarse groups (nationality, gender,
age band); religion, disability and ethnic origin never leave the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from matching.pseudonyms import analytics_pseudonym
from matching.store.repository import Record
from models import JobSeeker, Qualification, Vacancy

AGE_BANDS = ((25, "<25"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (200, "55+"))
Value = str | int | float | bool | list[str] | None


def age_band(birth_year: int | None, today: dt.date | None = None) -> str | None:
    if birth_year is None:
        return None
    age = (today or dt.date.today()).year - birth_year
    return next(label for limit, label in AGE_BANDS if age < limit)


def _month(day: dt.date | None) -> str | None:
    return day.strftime("%Y-%m") if day else None


def _area(postcode: str | None) -> str | None:
    return postcode[:3] if postcode else None  # e.g. 042: a few districts, never a street


SEEKER_COLUMNS = (
    "organisation", "qualifications", "experience", "skill_uris", "languages", "home_area", "max_commute_km",
    "available_from", "working_time", "hours_per_week", "work_authorisation_status",
    "work_authorisation_max_hours", "nationality", "gender", "age_band",
)  # fmt: skip


def analytics_record(kind: str, record: Record[Any], secret: bytes) -> dict[str, Value]:
    if kind == "jobseeker":
        return _seeker(record.item, record.organisation, secret)
    return _vacancy(record.item, record.organisation, secret)


def _seeker(seeker: JobSeeker, organisation: str, secret: bytes) -> dict[str, Value]:
    protected = seeker.protected
    authorisation = seeker.work_authorisation
    return {
        "id": analytics_pseudonym(secret, "jobseeker", seeker.id),
        "organisation": organisation,
        "qualifications": [_qualification(q) for q in seeker.qualifications],
        "experience": [f"{e.occupation_uri}|{e.years:g}" for e in seeker.experience],
        "skill_uris": list(seeker.skill_uris),
        "languages": [f"{x.language}:{x.level.value}" for x in seeker.languages],
        "home_area": _area(seeker.home.postcode),
        "max_commute_km": seeker.max_commute_km,
        "available_from": _month(seeker.available_from),
        "working_time": seeker.working_time.value,
        "hours_per_week": seeker.hours_per_week,
        "work_authorisation_status": authorisation.status.value,
        "work_authorisation_max_hours": authorisation.max_hours_per_week,
        "nationality": protected.nationality if protected else None,
        "gender": protected.gender.value if protected and protected.gender else None,
        "age_band": age_band(protected.birth_year if protected else None),
    }


def _qualification(q: Qualification) -> str:
    """In the import notation: occupation_uri|country|recognition[|measure[|state]] (no title, no year)."""
    parts = [q.occupation_uri, q.country, q.recognition.value]
    parts += [v.value for v in (q.compensation_measure, q.compensation_state) if v is not None]
    return "|".join(parts)


def _vacancy(vacancy: Vacancy, organisation: str, secret: bytes) -> dict[str, Value]:
    return {
        "id": analytics_pseudonym(secret, "vacancy", vacancy.id),
        "organisation": organisation,
        "occupation_uri": vacancy.occupation_uri,
        "essential_skill_uris": list(vacancy.essential_skill_uris),
        "optional_skill_uris": list(vacancy.optional_skill_uris),
        "min_german_level": vacancy.min_german_level.value if vacancy.min_german_level else None,
        "area": _area(vacancy.location.postcode),
        "working_time": vacancy.working_time.value,
        "hours_per_week": vacancy.hours_per_week,
        "start_month": _month(vacancy.start_date),
        "positions": vacancy.positions,
        "recognition_support": vacancy.recognition_support,
    }
