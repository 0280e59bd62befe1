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
    from matching.store.document_cache import Cached, DocumentCache

    cache: DocumentCache = DocumentCache(size=2)
    for name in ("a", "b", "c"):
        cache.put(name, Cached("d1", "default", seeker(name)), cache.epoch)
    assert cache.get("a") is None and cache.get("c") is not None


def test_a_read_that_began_before_a_forget_is_not_cached() -> None:
    from matching.store.document_cache import Cached, DocumentCache

    cache: DocumentCache = DocumentCache()
    began = cache.epoch
    cache.forget(["a"])  # the row changed while the read was under way
    cache.put("a", Cached("old", "default", seeker("a")), began)
    assert cache.get("a") is None


def test_a_followed_cache_serves_documents_without_the_database_and_drops_changed_ones(
    storage: Storage,
) -> None:
    storage.jobseekers.create(seeker("a", max_commute_km=10))
    storage.jobseekers.cache_followed = True  # as a change-log follower sets it
    assert storage.jobseekers.get_many(["a"])["a"].max_commute_km == 10
    other_process = Storage(storage.url)
    try:
        other_process.jobseekers.replace(seeker("a", max_commute_km=42))
    finally:
        other_process.dispose()
    # Until the follower applies the change the cached document is served (within a second in a server) …
    assert storage.jobseekers.get_many(["a"])["a"].max_commute_km == 10
    storage.jobseekers.forget_cached(["a"])  # … then it drops exactly the changed rows
    assert storage.jobseekers.get_many(["a"])["a"].max_commute_km == 42
    assert storage.jobseekers.get_many(["a"], organisation="elsewhere") == {}


def test_a_cached_read_in_scope_answers_exactly_as_the_database_does(storage: Storage) -> None:
    import pytest

    from matching.access import Scope
    from matching.errors import NotFoundError
    from tests.factories import vacancy

    storage.jobseekers.create(seeker("js"), organisation="a")
    storage.vacancies.create(vacancy("v", employer_id="emp-1"), organisation="a")
    scopes = [
        None,
        Scope(),
        Scope(nothing=True),
        Scope(organisation="a"),
        Scope(organisation="b"),
        Scope(entity_id="js"),
        Scope(entity_id="v"),
        Scope(organisation="a", employer_id="emp-1"),
        Scope(organisation="a", employer_id="emp-2"),
    ]
    for repo, entity_id in ((storage.jobseekers, "js"), (storage.vacancies, "v")):
        for scope in scopes:
            outcomes = []
            for followed in (False, True):
                repo.cache_followed = followed
                repo.get_many([entity_id])  # cached
                try:
                    outcomes.append(repo.get_in_scope(entity_id, scope)[1])
                except NotFoundError:
                    outcomes.append(None)
            assert outcomes[0] == outcomes[1], (entity_id, scope)
        repo.cache_followed = False
    with pytest.raises(NotFoundError):
        storage.jobseekers.get_in_scope("nobody")


def test_what_this_process_writes_is_read_back_without_the_database_until_another_writes(
    storage: Storage,
) -> None:
    from sqlalchemy import event

    storage.jobseekers.cache_followed = True  # as a change-log follower sets it
    storage.jobseekers.create(seeker("a", max_commute_km=10), organisation="a")
    statements: list[str] = []
    event.listen(storage.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert storage.jobseekers.get_in_scope("a")[0].max_commute_km == 10
    storage.jobseekers.replace(seeker("a", max_commute_km=20))
    statements.clear()
    item, organisation = storage.jobseekers.get_in_scope("a")
    assert (item.max_commute_km, organisation, statements) == (20, "a", [])
    other_process = Storage(storage.url)
    try:
        other_process.jobseekers.replace(seeker("a", max_commute_km=42))
    finally:
        other_process.dispose()
    storage.jobseekers.forget_cached(["a"])  # what the follower does when it reads the other's change
    assert storage.jobseekers.get_in_scope("a")[0].max_commute_km == 42
