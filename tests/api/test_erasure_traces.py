"""Erasure leaves nothing behind: earlier texts, audit queries and purposes naming the person, what-if data."""

from __future__ import annotations

from fastapi.testclient import TestClient

from matching.embedding.cache import CachedEmbedder
from matching.pseudonyms import SECRET_NAME, erased_id
from matching.service import Matcher
from tests import factories
from tests.conftest import auth, key_for

API = "/api/v1"


def _cached(embedder: CachedEmbedder, text: str) -> bool:
    return embedder._key(text, True) in embedder._memory


def test_replacing_a_profile_forgets_the_vector_of_its_earlier_text(
    client: TestClient, matcher: Matcher, embedder: CachedEmbedder
) -> None:
    body = factories.seeker("js-1", skills_text="Ich war Lehrerin in Charkiw").model_dump(mode="json")
    assert client.post(f"{API}/jobseekers", json=body).status_code == 201
    assert _cached(embedder, "Ich war Lehrerin in Charkiw")
    changed = body | {"skills_text": "Ich arbeite gern im Team"}
    assert client.put(f"{API}/jobseekers/js-1", json=changed).status_code == 200
    assert not _cached(embedder, "Ich war Lehrerin in Charkiw")
    assert _cached(embedder, "Ich arbeite gern im Team")


def test_a_what_if_leaves_nothing_in_the_embedding_cache(
    client: TestClient, matcher: Matcher, embedder: CachedEmbedder
) -> None:
    seeker = factories.seeker("js-what", skills_text="Ich habe in Odesa Schiffe repariert").model_dump(
        mode="json"
    )
    vacancy = factories.vacancy("vac-what").model_dump(mode="json")
    response = client.post(f"{API}/what-if", json={"jobseeker": seeker, "vacancy": vacancy})
    assert response.status_code == 200
    assert not _cached(embedder, "Ich habe in Odesa Schiffe repariert")


def test_erasure_replaces_the_id_in_audit_queries_and_purposes(client: TestClient, matcher: Matcher) -> None:
    body = factories.seeker("js-77").model_dump(mode="json")
    client.post(f"{API}/jobseekers", json=body)
    client.get(f"{API}/jobseekers/js-77", headers={"X-Purpose": "call with js-77 about the interview"})
    client.get(f"{API}/jobseekers/js-770", headers={"X-Purpose": "about js-770, someone else"})
    admin = auth(key_for(matcher, "admin"))
    assert client.get(f"{API}/audit", params={"entity_id": "js-77"}, headers=admin).status_code == 200
    assert client.delete(f"{API}/jobseekers/js-77").status_code == 204
    events, _ = matcher.storage.audit.query(limit=500)
    text = str([e.model_dump() for e in events])
    hashed = erased_id(matcher.storage.secret(SECRET_NAME), "js-77")
    assert "js-77'" not in text and "js-77 " not in text
    assert f"call with {hashed} about the interview" in text
    assert "about js-770, someone else" in text  # another id that merely starts the same way stays
    assert any(e.entity_kind == "audit" and e.entity_id == hashed for e in events)
