"""Repository behaviour on SQLite and PostgreSQL (the `storage` fixture is parametrised over both)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matching.errors import AlreadyExistsError, NotFoundError
from matching.store.storage import Storage
from matching.store.tables import JobSeekerRow, VacancyRow
from tests import mini_esco as m
from tests.factories import seeker, vacancy


def row_version(storage: Storage, row_type: type, entity_id: str) -> int:
    with Session(storage.engine) as session:
        return session.get(row_type, entity_id).version


def test_create_then_get_returns_an_equal_model(storage: Storage) -> None:
    person = seeker("js-7", skills=[m.MEDICATION, m.VITALS], skills_text="Pflege, Wundversorgung")
    job = vacancy("vac-7", essential=[m.MEDICATION], optional=[m.TEAMWORK])
    assert storage.jobseekers.create(person) == person
    storage.vacancies.create(job)
    assert storage.jobseekers.get("js-7") == person
    assert storage.vacancies.get("vac-7") == job


def test_jobseekers_and_vacancies_are_separate(storage: Storage) -> None:
    storage.jobseekers.create(seeker("same-id"))
    storage.vacancies.create(vacancy("same-id"))
    assert storage.jobseekers.count() == 1
    assert storage.vacancies.count() == 1
    storage.jobseekers.delete("same-id")
    assert storage.vacancies.get("same-id") == vacancy("same-id")


def test_create_duplicate_names_the_id(storage: Storage) -> None:
    storage.jobseekers.create(seeker("js-1"))
    with pytest.raises(AlreadyExistsError, match="'js-1' already exists") as caught:
        storage.jobseekers.create(seeker("js-1", skills=[m.HYGIENE]))
    assert caught.value.entity_id == "js-1"
    assert storage.jobseekers.get("js-1").skill_uris == []  # the first one is kept


@pytest.mark.parametrize("operation", ["get", "replace", "delete"])
def test_unknown_id_is_not_found(storage: Storage, operation: str) -> None:
    storage.vacancies.create(vacancy("vac-1"))
    calls = {
        "get": lambda: storage.vacancies.get("vac-404"),
        "replace": lambda: storage.vacancies.replace(vacancy("vac-404")),
        "delete": lambda: storage.vacancies.delete("vac-404"),
    }
    with pytest.raises(NotFoundError, match="No vacancy with id 'vac-404'"):
        calls[operation]()
    assert storage.vacancies.count() == 1


def test_replace_changes_document_fingerprint_and_version(storage: Storage) -> None:
    storage.jobseekers.create(seeker("js-1", skills=[m.MEDICATION]))
    before = storage.jobseekers.fingerprint()
    assert row_version(storage, JobSeekerRow, "js-1") == 1

    updated = seeker("js-1", skills=[m.MEDICATION, m.CARE_PLAN], max_commute_km=10)
    storage.jobseekers.replace(updated)
    assert storage.jobseekers.get("js-1") == updated
    assert storage.jobseekers.fingerprint() != before
    assert row_version(storage, JobSeekerRow, "js-1") == 2

    storage.jobseekers.replace(updated)
    assert row_version(storage, JobSeekerRow, "js-1") == 3


def test_vacancy_replace_updates_occupation_column(storage: Storage) -> None:
    storage.vacancies.create(vacancy("vac-1", occupation=m.NURSE))
    storage.vacancies.replace(vacancy("vac-1", occupation=m.ELECTRICIAN, title="Elektriker"))
    with Session(storage.engine) as session:
        assert session.get(VacancyRow, "vac-1").occupation_uri == m.ELECTRICIAN
    assert row_version(storage, VacancyRow, "vac-1") == 2


def test_fingerprint_is_stable_and_tracks_content(storage: Storage) -> None:
    empty = storage.vacancies.fingerprint()
    storage.vacancies.create_many([vacancy("vac-1"), vacancy("vac-2", occupation=m.FORKLIFT)])
    filled = storage.vacancies.fingerprint()
    assert filled != empty
    assert storage.vacancies.fingerprint() == filled
    storage.vacancies.get("vac-1")
    storage.vacancies.list()
    assert storage.vacancies.fingerprint() == filled

    storage.vacancies.replace(vacancy("vac-1"))  # same content: same digest
    assert storage.vacancies.fingerprint() == filled

    storage.vacancies.delete("vac-2")
    assert storage.vacancies.fingerprint() not in (filled, empty)
    storage.vacancies.delete("vac-1")
    assert storage.vacancies.fingerprint() == empty


def test_create_many_inserts_all(storage: Storage) -> None:
    items = [seeker(f"js-{i}") for i in range(4)]
    assert storage.jobseekers.create_many(items) == 4
    assert storage.jobseekers.list() == items


def test_create_many_is_all_or_nothing(storage: Storage) -> None:
    storage.jobseekers.create(seeker("js-2"))
    batch = [seeker("js-1"), seeker("js-2"), seeker("js-3")]
    with pytest.raises((AlreadyExistsError, IntegrityError)):
        storage.jobseekers.create_many(batch)
    assert storage.jobseekers.count() == 1
    with pytest.raises(NotFoundError):
        storage.jobseekers.get("js-1")


def test_create_many_reports_an_existing_id_like_create_does(storage: Storage) -> None:
    """The domain error (mapped to 409 by the API), not a raw SQLAlchemy IntegrityError."""
    storage.vacancies.create(vacancy("vac-2"))
    with pytest.raises(AlreadyExistsError, match="'vac-2' already exists"):
        storage.vacancies.create_many([vacancy("vac-1"), vacancy("vac-2")])


def test_list_pages_in_id_order(storage: Storage) -> None:
    ids = ["vac-c", "vac-a", "vac-e", "vac-b", "vac-d"]
    storage.vacancies.create_many([vacancy(i) for i in ids])
    pages = [[v.id for v in storage.vacancies.list(offset, 2)] for offset in (0, 2, 4, 6)]
    assert pages == [["vac-a", "vac-b"], ["vac-c", "vac-d"], ["vac-e"], []]


def test_iter_all_crosses_batch_boundaries_in_id_order(storage: Storage) -> None:
    ids = ["js-4", "js-0", "js-3", "js-1", "js-2"]
    for entity_id in ids:
        storage.jobseekers.create(seeker(entity_id))
    assert [s.id for s in storage.jobseekers.iter_all(batch=2)] == sorted(ids)
    assert [s.id for s in storage.jobseekers.iter_all(batch=5)] == sorted(ids)
    assert [s.id for s in storage.jobseekers.iter_all(batch=100)] == sorted(ids)


def test_iter_all_on_empty_table(storage: Storage) -> None:
    assert list(storage.vacancies.iter_all(batch=2)) == []


def test_count_follows_creates_and_deletes(storage: Storage) -> None:
    assert storage.jobseekers.count() == 0
    storage.jobseekers.create_many([seeker("js-1"), seeker("js-2"), seeker("js-3")])
    assert storage.jobseekers.count() == 3
    storage.jobseekers.delete("js-2")
    assert storage.jobseekers.count() == 2


def test_get_many_skips_unknown_ids(storage: Storage) -> None:
    storage.jobseekers.create_many([seeker("js-1"), seeker("js-2")])
    found = storage.jobseekers.get_many(["js-2", "js-404", "js-1"])
    assert found == {"js-1": seeker("js-1"), "js-2": seeker("js-2")}


def test_ping(storage: Storage) -> None:
    assert storage.ping() is True
