"""Hard filters on a match list ("only B2 or better, only these districts, must have this skill").

A filter is a test of one pair — the job seeker, the vacancy and the rules' assessment of them — applied while
retrieving (:meth:`matching.service.matching.Matching.rank`), so that a filtered list is still complete: the
search widens until enough pairs pass, as it does for the caller's organisation. Filtering the full unfiltered
list gives the same items in the same order.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from matching.errors import InvalidInputError
from matching.ranking.assessment import Assessment
from matching.taxonomy import Taxonomy
from matching.taxonomy.profiles import seeker_skills
from models import CEFRLevel, Eligibility, JobSeeker, Location, RecognitionStatus, Vacancy, WorkingTime

LISTED = frozenset({Eligibility.ELIGIBLE, Eligibility.BRIDGE})


def place_key(name: str) -> str:
    """Case, accents, ß and 'Leipzig-' do not matter: 'grünau-mitte' finds 'Leipzig-Grünau-Mitte'."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("ß", "ss")
    return re.sub(r"[\s\-/]+", " ", text).strip().removeprefix("leipzig ")


@dataclass(frozen=True, slots=True)
class MatchFilters:
    """Empty fields do not filter. Where a filter is about "the other side" it is about the profiles listed:
    job seekers in a vacancy's candidate list, vacancies in a job seeker's list."""

    min_german: CEFRLevel | None = None  # the job seeker's German level at least this
    eligibility: frozenset[Eligibility] = (
        frozenset()
    )  # eligible and/or bridge (blocked pairs are then not shown)
    skills: frozenset[str] = (
        frozenset()
    )  # the job seeker has every one (declared or implied by an occupation)
    places: frozenset[str] = frozenset()  # the listed side is in one of these districts, towns or postcodes
    max_distance_km: float | None = None  # between the job seeker's home and the vacancy
    working_time: frozenset[WorkingTime] = frozenset()  # the listed side's working time
    available_by: dt.date | None = None  # the job seeker can start by this date
    recognition: frozenset[RecognitionStatus] = (
        frozenset()
    )  # a qualification of the job seeker is in this state
    _place_keys: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.eligibility <= LISTED:
            raise InvalidInputError("eligibility", "only 'eligible' and 'bridge' can be chosen")
        if self.max_distance_km is not None and not 0 < self.max_distance_km <= 1000:
            raise InvalidInputError("max_distance_km", "must be more than 0 and at most 1000")
        object.__setattr__(self, "_place_keys", frozenset(place_key(p) for p in self.places if p.strip()))

    @property
    def active(self) -> bool:
        return bool(
            self.min_german or self.eligibility or self.skills or self._place_keys or self.max_distance_km
            or self.working_time or self.available_by or self.recognition
        )  # fmt: skip

    def check(self, taxonomy: Taxonomy) -> MatchFilters:
        """Refuse skills the taxonomy does not know (422 naming them), rather than silently finding nobody."""
        unknown = sorted(s for s in self.skills if s not in taxonomy.skills)
        if unknown:
            raise InvalidInputError("skill", f"not an ESCO skill of this taxonomy: {', '.join(unknown[:5])}")
        return self

    def accepts(
        self,
        seeker: JobSeeker,
        vacancy: Vacancy,
        assessment: Assessment,
        taxonomy: Taxonomy,
        listed_is_seeker: bool,
    ) -> bool:
        if self.eligibility and assessment.eligibility not in self.eligibility:
            return False
        if self.max_distance_km is not None and (
            assessment.distance_km is None or assessment.distance_km > self.max_distance_km
        ):
            return False
        return self.accepts_profiles(seeker, vacancy, taxonomy, listed_is_seeker)

    def accepts_profiles(
        self, seeker: JobSeeker, vacancy: Vacancy, taxonomy: Taxonomy, listed_is_seeker: bool
    ) -> bool:
        """The tests that need no assessment of the pair (cheap: checked first)."""
        if self.min_german is not None:
            level = seeker.language_level("de")
            if level is None or level.rank < self.min_german.rank:
                return False
        if (
            self.available_by is not None
            and seeker.available_from
            and seeker.available_from > self.available_by
        ):
            return False
        if self.recognition and not any(q.recognition in self.recognition for q in seeker.qualifications):
            return False
        listed_location: Location = seeker.home if listed_is_seeker else vacancy.location
        if self._place_keys and not self._place_keys & _location_keys(listed_location):
            return False
        if self.working_time:
            time = seeker.working_time if listed_is_seeker else vacancy.working_time
            if time not in self.working_time and time != WorkingTime.ANY:  # "any": open to either
                return False
        return not self.skills or self.skills <= seeker_skills(seeker, taxonomy).keys()


def _location_keys(location: Location) -> frozenset[str]:
    keys = {location.postcode} if location.postcode else set()
    if location.place:
        key = place_key(location.place)
        keys |= {key, key.split(" ")[0]}  # "grunau mitte" is in "grunau" too
    return frozenset(keys)


NO_FILTERS = MatchFilters()


def filters_to_json(filters: MatchFilters) -> dict[str, object]:
    """What a saved search stores: only the filters that are set."""
    out: dict[str, object] = {
        "min_german": filters.min_german.value if filters.min_german else None,
        "eligibility": sorted(e.value for e in filters.eligibility),
        "skills": sorted(filters.skills),
        "places": sorted(filters.places),
        "max_distance_km": filters.max_distance_km,
        "working_time": sorted(w.value for w in filters.working_time),
        "available_by": filters.available_by.isoformat() if filters.available_by else None,
        "recognition": sorted(r.value for r in filters.recognition),
    }
    return {k: v for k, v in out.items() if v not in (None, [])}


def filters_from_json(data: dict[str, object]) -> MatchFilters:
    def many(name: str) -> list[str]:
        value = data.get(name) or []
        return [str(v) for v in value] if isinstance(value, list) else []

    german, distance, available = (
        data.get("min_german"),
        data.get("max_distance_km"),
        data.get("available_by"),
    )
    return MatchFilters(
        min_german=CEFRLevel(str(german)) if german else None,
        eligibility=frozenset(Eligibility(v) for v in many("eligibility")),
        skills=frozenset(many("skills")),
        places=frozenset(many("places")),
        max_distance_km=float(distance) if isinstance(distance, int | float) else None,
        working_time=frozenset(WorkingTime(v) for v in many("working_time")),
        available_by=dt.date.fromisoformat(str(available)) if available else None,
        recognition=frozenset(RecognitionStatus(v) for v in many("recognition")),
    )
