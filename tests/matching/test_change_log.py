"""The change log: an entry exactly when a change commits, in commit order, and two processes on one database
that follow it hold the same index and documents; an erased person's id does not stay in it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select

from matching.embedding.base import Embedder
from matching.errors import AlreadyExistsError
from matching.service import Matcher
from matching.store.storage import Storage
from matching.store.tables import ChangeRow
from matching.taxonomy import Taxonomy
from tests import mini_esco as m
from tests.factories import seeker, vacancy


def _entries(storage: Storage) -> list[tuple[str, str, str]]:
    with storage.sessions() as session:
        return [
            (r.kind, r.op, r.entity_id) for r in session.scalars(select(ChangeRow).order_by(ChangeRow.seq))
        ]


@pytest.fixture
def two(taxonomy: Taxonomy, embedder: Embedder, database_url: str) -> tuple[Matcher, Matcher]:
    """Two processes' matchers on one database, each with its own storage, index and cache."""
    first = Storage(database_url)
    first.clear()
    a = Matcher(taxonomy, embedder, first, None)
    b = Matcher(taxonomy, embedder, Storage(database_url), None)
    a.open()
    b.open()
    for matcher in (a, b):  # as their followers would
        matcher.storage.jobseekers.cache_followed = matcher.storage.vacancies.cache_followed = True
    return a, b


def test_every_committed_write_and_only_those_is_logged(storage: Storage) -> None:
    storage.jobseekers.create(seeker("a"))
    storage.jobseekers.create_many([seeker("b"), seeker("c")])
    storage.vacancies.create(vacancy("v"))
    storage.jobseekers.replace(seeker("a", max_commute_km=5))
    storage.vacancies.delete("v")
    with pytest.raises(AlreadyExistsError):
        storage.jobseekers.create(seeker("a"))
    with pytest.raises(AlreadyExistsError):
        storage.jobseekers.create_many([seeker("d"), seeker("b")])  # all or nothing, the log included
    assert _entries(storage) == [
        ("jobseeker", "write", "a"),
        ("jobseeker", "write", "b"),
        ("jobseeker", "write", "c"),
        ("vacancy", "write", "v"),
        ("jobseeker", "write", "a"),
        ("vacancy", "write", "v"),
    ]
    identity, horizon, head = storage.changes.state()
    assert identity is None and horizon == 0 and head == max(c.seq for c in storage.changes.since(0))


def test_a_second_process_catches_up_to_exactly_the_first_ones_writes(two: tuple[Matcher, Matcher]) -> None:
    a, b = two
    a.create_jobseeker(seeker("js-1", m.NURSE, [m.MEDICATION]))
    a.create_jobseeker(seeker("js-2", m.FORKLIFT))
    a.create_vacancy(vacancy("vac-1", m.NURSE, [m.MEDICATION]))
    assert "js-1" in a.seekers.index and "js-1" not in b.seekers.index  # at once here, not yet there
    b.indexes.catch_up()
    assert [x.jobseeker_id for x in b.candidates_for_vacancy("vac-1").items] == [
        x.jobseeker_id for x in a.candidates_for_vacancy("vac-1").items
    ]
    b.get_jobseeker("js-1")  # cached in b now
    a.replace_jobseeker(seeker("js-1", m.NURSE, [m.MEDICATION], max_commute_km=3))
    a.delete_vacancy("vac-1")
    a.delete_jobseeker("js-2")
    assert b.indexes.catch_up() == 3
    assert b.storage.jobseekers.get_many(["js-1"])["js-1"].max_commute_km == 3
    assert set(b.seekers.index.ids()) == {"js-1"} and len(b.vacancies.index) == 0
    np.testing.assert_allclose(b.seekers.index.vector("js-1"), a.seekers.index.vector("js-1"))
    assert b.indexes.catch_up() == 0  # nothing new: nothing read twice
    a.indexes.catch_up()  # its own writes: nothing to change
    assert set(a.seekers.index.ids()) == {"js-1"} and a.seekers.own_writes == {}


def test_erasure_leaves_no_id_in_the_log_and_reaches_every_process(two: tuple[Matcher, Matcher]) -> None:
    a, b = two
    a.create_jobseeker(seeker("js-gone"))
    a.replace_jobseeker(seeker("js-gone", max_commute_km=7))
    a.create_jobseeker(seeker("js-stays"))
    b.indexes.catch_up()
    assert "js-gone" in b.seekers.index
    a.delete_jobseeker("js-gone")  # erasure
    entries = _entries(a.storage)
    assert all("js-gone" not in entity_id for _, _, entity_id in entries)
    assert entries[-1][:2] == ("jobseeker", "erase") and entries[-1][2].startswith("erased-")
    b.indexes.catch_up()
    assert set(b.seekers.index.ids()) == {"js-stays"}
    assert b.storage.jobseekers.get_many(["js-gone"]) == {}


def test_pruned_log_and_health(two: tuple[Matcher, Matcher]) -> None:
    a, b = two
    a.create_jobseeker(seeker("js-1"))
    assert a.storage.changes.prune(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == 1
    _, horizon, head = a.storage.changes.state()
    assert horizon == head  # nothing left, the position is kept
    b.indexes.catch_up()  # b's position is behind what was pruned: it rebuilds instead
    assert "js-1" in b.seekers.index
    a.storage.changes.report("elsewhere:1", head - 1)
    a.indexes.catch_up()
    health = a.health()["change_log"]
    assert health["head"] == head and health["behind"] == 0
    assert {k: v for k, v in health["processes"][0].items() if k != "reported_seconds_ago"} == {
        "process": "elsewhere:1",
        "behind": 1,
    }
