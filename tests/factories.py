"""Small builders for valid job seekers and vacancies on the mini taxonomy."""

from __future__ import annotations

from typing import Any

from models import JobSeeker, Vacancy
from tests import mini_esco as m


def seeker(
    id: str = "js-1", occupation: str = m.NURSE, skills: list[str] | None = None, **extra: Any
) -> JobSeeker:
    data: dict[str, Any] = {
        "id": id,
        "qualifications": [{"occupation_uri": occupation, "country": "UA", "recognition": "not_required"}],
        "skill_uris": skills or [],
        "languages": [{"language": "uk", "level": "C2"}, {"language": "de", "level": "B1"}],
        "home": {"place": "Leipzig-Grünau-Mitte", "postcode": "04209", "lat": 51.318, "lon": 12.288},
        "max_commute_km": 25,
        "work_authorisation": {"status": "permitted", "basis": "§ 24 AufenthG"},
    }
    data.update(extra)
    return JobSeeker.model_validate(data)


def vacancy(
    id: str = "vac-1",
    occupation: str = m.NURSE,
    essential: list[str] | None = None,
    optional: list[str] | None = None,
    **extra: Any,
) -> Vacancy:
    data: dict[str, Any] = {
        "id": id,
        "employer": "Klinikum Auwald GmbH",
        "title": "Pflegefachkraft (m/w/d)",
        "occupation_uri": occupation,
        "essential_skill_uris": essential or [],
        "optional_skill_uris": optional or [],
        "min_german_level": "B2",
        "location": {"place": "Leipzig-Zentrum", "lat": 51.3397, "lon": 12.3731},
    }
    data.update(extra)
    return Vacancy.model_validate(data)
