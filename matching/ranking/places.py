"""Places in and around Leipzig with coordinates, and great-circle distances."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matching.paths import DATA_DIR

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: str
    postcode: str
    lat: float
    lon: float
    seeker_weight: float
    employer_weight: float


@lru_cache(maxsize=4)
def load_places(path: str | Path = DATA_DIR / "places_leipzig.csv") -> tuple[Place, ...]:
    with open(path, encoding="utf-8", newline="") as handle:
        return tuple(
            Place(
                name=row["name"],
                kind=row["kind"],
                postcode=row["postcode"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                seeker_weight=float(row["seeker_weight"]),
                employer_weight=float(row["employer_weight"]),
            )
            for row in csv.DictReader(handle)
        )


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
