"""Value types shared by job seekers and vacancies."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
# Checked by pydantic's Rust core (a Python validator here cost ~40 % of profile validation time).
ConceptUri = Annotated[
    str,
    Field(
        pattern=r"^https?://\S+$",
        max_length=300,
        description="Concept URI such as 'http://data.europa.eu/esco/skill/…'.",
    ),
]
EntityId = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        description="Pseudonymous identifier: 1–64 characters of letters, digits and _ . : - "
        "(never a name, e-mail or other direct identifier).",
    ),
]


class StrictModel(BaseModel):
    """Base for domain models: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=False)


class CEFRLevel(StrEnum):
    """Common European Framework of Reference levels, ordered A1 < … < C2."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"

    @property
    def rank(self) -> int:
        return _CEFR_ORDER.index(self)

    # str already defines the comparisons, so all four are overridden: levels compare by rank, never
    # alphabetically, and comparing with a plain string is an error rather than a silent string compare.
    def __lt__(self, other: object) -> bool:
        return self.rank < _rank(other)

    def __le__(self, other: object) -> bool:
        return self.rank <= _rank(other)

    def __gt__(self, other: object) -> bool:
        return self.rank > _rank(other)

    def __ge__(self, other: object) -> bool:
        return self.rank >= _rank(other)


def _rank(other: object) -> int:
    if not isinstance(other, CEFRLevel):
        raise TypeError(f"A CEFR level compares only with another CEFRLevel, not {type(other).__name__}.")
    return other.rank


_CEFR_ORDER = list(CEFRLevel)


class WorkingTime(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    # Job seekers only: open to either.
    ANY = "any"


class Location(StrictModel):
    """A place: a name (district, town) and/or postcode, optionally with coordinates.

    Coordinates are WGS84 degrees. Either a name/postcode or both coordinates are required.
    """

    place: str | None = Field(default=None, max_length=120, examples=["Leipzig-Grünau"])
    postcode: str | None = Field(default=None, pattern=r"^\d{5}$", examples=["04209"])
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _needs_something(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        if self.place is None and self.postcode is None and self.lat is None:
            raise ValueError("a location needs a place, a postcode or lat/lon")
        return self

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None
