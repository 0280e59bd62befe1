"""GET /me (who a key is, for the pages' sign-in) and GET /taxonomy/concepts (labels for stored URIs)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from matching.service import Matcher
from tests import mini_esco as m
from tests.conftest import auth, key_for


def test_me_names_the_keys_role_organisation_and_subject(client: TestClient, matcher: Matcher) -> None:
    key = key_for(matcher, "jobseeker", "leipzig", subject="js-7")
    response = client.get("/api/v1/me", headers=auth(key))
    assert response.status_code == 200
    body = response.json()
    assert (body["role"], body["organisation"], body["subject_id"]) == ("jobseeker", "leipzig", "js-7")
    assert body["key_id"].startswith("key-") and "sbk_" not in response.text
    advisor = client.get("/api/v1/me").json()  # the client's own advisor key
    assert (advisor["role"], advisor["subject_id"]) == ("advisor", None)


def test_me_needs_a_valid_key(client: TestClient) -> None:
    missing = client.get("/api/v1/me", headers={"Authorization": ""})
    assert missing.status_code == 401
    assert missing.json()["detail"] == "Missing API key: send the header 'Authorization: Bearer <key>'."
    wrong = client.get("/api/v1/me", headers=auth("sbk_unknown"))
    assert (wrong.status_code, wrong.json()["detail"]) == (401, "Invalid or revoked API key.")


def test_me_writes_nothing_to_the_audit_log(client: TestClient, matcher: Matcher) -> None:
    before = matcher.storage.audit.query(limit=500)[1]
    assert client.get("/api/v1/me").status_code == 200
    assert matcher.storage.audit.query(limit=500)[1] == before


def test_concepts_are_labelled_in_the_asked_language(client: TestClient, matcher: Matcher) -> None:
    key = key_for(matcher, "jobseeker", subject="js-1")  # every role may look up labels
    response = client.get(
        "/api/v1/taxonomy/concepts",
        params=[("uri", m.NURSE), ("uri", m.MEDICATION), ("uri", m.NURSE), ("lang", "uk")],
        headers=auth(key),
    )
    assert response.status_code == 200
    expected = [
        {"uri": m.NURSE, "kind": "occupation", "label": matcher.taxonomy.label(m.NURSE, "uk")},
        {"uri": m.MEDICATION, "kind": "skill", "label": matcher.taxonomy.label(m.MEDICATION, "uk")},
    ]
    assert response.json() == expected
    assert expected[0]["label"] != matcher.taxonomy.label(m.NURSE, "en")


def test_unknown_and_missing_concepts_are_422_naming_the_field(client: TestClient) -> None:
    unknown = client.get("/api/v1/taxonomy/concepts", params=[("uri", m.NURSE), ("uri", m.OCC + "astronaut")])
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [
        {
            "field": "uri[1]",
            "message": f"Unknown concept URI {m.OCC + 'astronaut'!r}: not in the loaded taxonomy.",
        }
    ]
    missing = client.get("/api/v1/taxonomy/concepts")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "uri"
