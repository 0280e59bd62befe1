"""GDPR: a person's export holds everything stored about them, and erasure leaves nothing behind — checked by
searching every table, the index in memory and on disk, the embedding cache file and later exports."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from matching.access import Actor, Role
from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.pseudonyms import SECRET_NAME, analytics_pseudonym, erased_id
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.regulation import RegulationTable
from matching.service import Matcher
from matching.store.storage import Storage
from matching.store.tables import Base
from tests import factories
from tests import mini_esco as m
from tests.conftest import TODAY, auth, key_for

API = "/api/v1"
PERSON = "js-olena-7c1f"
SKILLS_TEXT = "Wundversorgung nach Zytostatika-Gabe, Station 7c1f in Charkiw"
STORY = "Sechs Jahre Intensivpflege im Krankenhaus Nr. 7c1f"
TITLE = "Diplom Krankenschwester 7c1f"
SECRETS = (PERSON, SKILLS_TEXT, STORY, TITLE, "7c1f")


@pytest.fixture
def gdpr(taxonomy, storage: Storage, gazetteer, tmp_path: Path) -> Iterator[tuple[Matcher, TestClient]]:
    embedder = CachedEmbedder(HashingEmbedder(64), tmp_path / "embedding-cache.sqlite")
    rules = EligibilityRules(taxonomy, RegulationTable([]), gazetteer)
    matcher = Matcher(taxonomy, embedder, storage, tmp_path / "indexes", rules=rules, today=TODAY)
    matcher.open()
    with TestClient(create_app(matcher=matcher), headers=auth(key_for(matcher, "advisor"))) as client:
        yield matcher, client
    embedder.close()


def _person() -> dict:
    return factories.seeker(
        PERSON,
        m.NURSE,
        [m.MEDICATION],
        skills_text=SKILLS_TEXT,
        qualifications=[
            {"occupation_uri": m.NURSE, "country": "UA", "recognition": "pending", "title": TITLE}
        ],
        experience=[{"occupation_uri": m.NURSE, "years": 6, "description": STORY}],
        protected={"nationality": "UA", "gender": "female", "birth_year": 1984, "religion": "orthodox"},
    ).model_dump(mode="json")


def _use_the_service(matcher: Matcher, client: TestClient) -> str:
    """Everything that leaves traces: create, read, match, release, advisor feedback, a key of their own, their
    own reads."""
    assert client.post(f"{API}/jobseekers", json=_person()).status_code == 201
    client.post(f"{API}/jobseekers", json=factories.seeker("js-other", m.NURSE).model_dump(mode="json"))
    client.post(f"{API}/vacancies", json=factories.vacancy("vac-1").model_dump(mode="json"))
    client.get(f"{API}/jobseekers/{PERSON}")
    client.get(f"{API}/vacancies/vac-1/candidates")
    assert client.post(f"{API}/vacancies/vac-1/releases", json={"jobseeker_id": PERSON}).status_code == 201
    decision = {"decision": "interview", "note": f"Gespräch gut; {STORY}"}
    response = client.post(f"{API}/vacancies/vac-1/candidates/{PERSON}/feedback", json=decision)
    assert response.status_code == 201
    own_key = key_for(matcher, "jobseeker", subject=PERSON)
    assert client.get(f"{API}/jobseekers/{PERSON}/vacancies", headers=auth(own_key)).status_code == 200
    matcher.save_indexes()
    return own_key


def test_the_export_holds_everything_about_the_person(gdpr: tuple[Matcher, TestClient]) -> None:
    matcher, client = gdpr
    own_key = _use_the_service(matcher, client)
    response = client.get(f"{API}/jobseekers/{PERSON}/export", headers=auth(own_key))
    assert response.status_code == 200
    data = response.json()
    assert data["format"] == "skillbridge-subject-access/1"
    assert data["profile"] == _person()
    assert data["record"]["organisation"] == "default" and data["record"]["version"] == 1
    assert [r["vacancy_id"] for r in data["releases"]] == ["vac-1"]
    assert [(f["vacancy_id"], f["decision"], f["note"]) for f in data["feedback"]] == [
        ("vac-1", "interview", f"Gespräch gut; {STORY}")
    ]
    assert [(k["role"], k["subject_id"]) for k in data["api_keys"]] == [("jobseeker", PERSON)]
    assert [(e["role"], e["action"], e["entity_kind"], e["entity_id"]) for e in data["audit_events"]] == [
        ("advisor", "create", "jobseeker", PERSON),
        ("advisor", "read", "jobseeker", PERSON),
        ("advisor", "match", "vacancy", "vac-1"),  # the candidate list that showed them
        ("advisor", "release", "jobseeker", PERSON),
        ("advisor", "feedback", "jobseeker", PERSON),
        ("jobseeker", "match", "jobseeker", PERSON),  # what they did with their own key
        ("jobseeker", "export", "jobseeker", PERSON),  # this very export
    ]
    assert "js-other" not in response.text


def _everything_in_the_database(storage: Storage) -> str:
    dump = []
    with storage.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            dump += [repr(tuple(row)) for row in conn.execute(select(table))]
    return "\n".join(dump)


def _file_bytes(*paths: Path) -> bytes:
    return b"".join(p.read_bytes() for p in paths if p.exists())


def _encodings(text: str) -> list[bytes]:
    # numpy stores str arrays (the index's ids) as UTF-32; SQLite and JSON use UTF-8.
    return [text.encode("utf-8"), text.encode("utf-32-le")]


def test_erasure_leaves_nothing_behind(gdpr: tuple[Matcher, TestClient], tmp_path: Path) -> None:
    matcher, client = gdpr
    own_key = _use_the_service(matcher, client)
    embedder = matcher.encoder.embedder
    assert isinstance(embedder, CachedEmbedder)
    cache_key = hashlib.sha256(f"{embedder.model_id}\0{SKILLS_TEXT}".encode()).hexdigest()
    text_vector = embedder.embed([SKILLS_TEXT])[0].tobytes()
    profile_vector = matcher.seekers.index.vector(PERSON).tobytes()
    index_file = tmp_path / "indexes" / "jobseekers.npz"
    cache_files = [tmp_path / "embedding-cache.sqlite", tmp_path / "embedding-cache.sqlite-wal"]
    # Before: the traces are really there, so the searches below can find them.
    assert PERSON in _everything_in_the_database(matcher.storage)
    assert all(s in _everything_in_the_database(matcher.storage) for s in (SKILLS_TEXT, STORY, TITLE))
    assert PERSON.encode("utf-32-le") in index_file.read_bytes() and profile_vector in index_file.read_bytes()
    assert text_vector in _file_bytes(*cache_files)

    response = client.delete(f"{API}/jobseekers/{PERSON}")
    assert response.status_code == 204

    database = _everything_in_the_database(matcher.storage)
    assert [s for s in SECRETS if s in database] == []
    assert "js-other" in database  # the search itself works
    assert PERSON not in matcher.seekers.index and len(matcher.seekers.index) == 1
    index_bytes = index_file.read_bytes()
    assert [s for s in SECRETS for e in _encodings(s) if e in index_bytes] == []
    assert profile_vector not in index_bytes
    cache_bytes = _file_bytes(*cache_files)
    assert cache_key.encode() not in cache_bytes and text_vector not in cache_bytes
    assert cache_key not in embedder._memory
    if matcher.storage.dialect == "sqlite":  # deleted rows are overwritten in the file, not just unlinked
        url = matcher.storage.url.removeprefix("sqlite:///")
        db_bytes = _file_bytes(Path(url), Path(url + "-wal"))
        assert [s for s in SECRETS if s.encode() in db_bytes] == []

    # The audit trail stays, under a keyed hash; their own key is dead.
    hashed = erased_id(matcher.storage.secret(SECRET_NAME), PERSON)
    erased = matcher.storage.audit.query(entity_id=hashed)[0]
    assert [e.action for e in reversed(erased)] == ["create", "read", "release", "feedback", "match", "erase"]
    # So does the advisor's decision, under the same keyed hash and without its note.
    kept = client.get(f"{API}/vacancies/vac-1/feedback").json()
    assert [(f["jobseeker_id"], f["decision"], f["note"]) for f in kept] == [(hashed, "interview", None)]
    assert client.get(f"{API}/jobseekers/{PERSON}/vacancies", headers=auth(own_key)).status_code == 401

    # Future exports and lists know nothing of them.
    assert client.get(f"{API}/jobseekers/{PERSON}/export").status_code == 404
    analyst = key_for(matcher, "analyst")
    records = client.get(f"{API}/analytics/jobseekers", headers=auth(analyst)).json()
    pseudonym = analytics_pseudonym(matcher.storage.secret(SECRET_NAME), "jobseeker", PERSON)
    assert [r["id"] for r in records] == [
        analytics_pseudonym(matcher.storage.secret(SECRET_NAME), "jobseeker", "js-other")
    ]
    assert pseudonym not in str(records)
    candidates = client.get(f"{API}/vacancies/vac-1/candidates/export").text
    assert PERSON not in candidates and "js-other" in candidates
    other = client.get(f"{API}/jobseekers/js-other/export").text
    assert PERSON not in other

    # A restart loads the rewritten index (its fingerprint matches) without them.
    again = Matcher(matcher.taxonomy, embedder, matcher.storage, tmp_path / "indexes", today=TODAY)
    assert again.open()["jobseekers"] == "loaded"
    assert again.seekers.index.ids() == ["js-other"]


def test_erasure_is_scoped_like_everything_else(gdpr: tuple[Matcher, TestClient]) -> None:
    matcher, client = gdpr
    matcher.create_jobseeker(factories.seeker("js-x"), Actor(Role.ADMIN, "other"))
    response = client.delete(f"{API}/jobseekers/js-x")
    assert (response.status_code, response.json()["detail"]) == (404, "No job seeker with id 'js-x'.")
    assert "js-x" in matcher.seekers.index
    assert matcher.storage.audit.query(action="erase")[1] == 0
    assert client.delete(f"{API}/jobseekers/js-nobody").status_code == 404


def test_forget_deletes_only_the_given_texts(tmp_path: Path) -> None:
    embedder = CachedEmbedder(HashingEmbedder(16), tmp_path / "cache.sqlite")
    embedder.embed(["keep me", "forget me"])
    assert embedder.forget(["forget me", "never seen"]) == 1
    embedder.close()
    reopened = CachedEmbedder(HashingEmbedder(16), tmp_path / "cache.sqlite")
    reopened.embed(["keep me"])
    assert (reopened.hits, reopened.misses) == (1, 0)
    reopened.embed(["forget me"])
    assert (reopened.hits, reopened.misses) == (1, 1)
    np.testing.assert_allclose(reopened.embed(["forget me"])[0], HashingEmbedder(16).embed(["forget me"])[0])
    reopened.close()


def test_the_pseudonym_secret_is_created_once_when_many_ask_at_once(storage: Storage) -> None:
    import threading

    stores = [Storage(storage.url) for _ in range(4)]
    found: list[bytes] = []
    threads = [threading.Thread(target=lambda s=s: found.append(s.secret("race"))) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 4 and len(set(found)) == 1 and len(found[0]) == 32
    assert storage.secret("race") == found[0]
    for store in stores:
        store.dispose()
