"""The document cache never serves a stale or erased profile, even when another process changed it."""

from __future__ import annotations

from matching.store.storage import Storage
from tests.factories import seeker


def test_a_change_made_elsewhere_is_seen(storage: Storage) -> None:
    storage.jobseekers.create(seeker("a", max_commute_km=10))
    assert storage.jobseekers.get_many(["a"])["a"].max_commute_km == 10  # now cached
    other_process = Storage(storage.url)  # its own engine and cache, as a second worker would have
    try:
        other_process.jobseekers.replace(seeker("a", max_commute_km=42))
    finally:
        other_process.dispose()
    assert storage.jobseekers.get_many(["a"])["a"].max_commute_km == 42


def test_erased_profiles_leave_the_cache(storage: Storage) -> None:
    storage.jobseekers.create(seeker("gone"))
    storage.jobseekers.get_many(["gone"])
    storage.jobseekers.delete("gone")
    assert storage.jobseekers.get_many(["gone"]) == {}
    assert "gone" not in storage.jobseekers._cache._items


def test_cache_is_bounded() -> None:
    from matching.store.repository import DocumentCache

    cache: DocumentCache = DocumentCache(size=2)
    for name in ("a", "b", "c"):
        cache.put(name, "d1", seeker(name))
    assert cache.get("a", "d1") is None and cache.get("c", "d1") is not None
    assert cache.get("c", "other digest") is None
