"""POST /api/v1/normalize and GET /api/v1/taxonomy/autocomplete on the mini taxonomy."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests import mini_esco

NORMALIZE = "/api/v1/normalize"
AUTOCOMPLETE = "/api/v1/taxonomy/autocomplete"


def _uris(items: list[dict]) -> list[str]:
    return [item["uri"] for item in items]


# -- /normalize ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["Pflegefachfrau", "Pflegefachmann (m/w/d)", "registered nurse", "медична сестра"]
)
def test_normalize_links_a_title_in_any_language(client: TestClient, title: str) -> None:
    response = client.post(NORMALIZE, json={"title": title})
    assert response.status_code == 200, response.text
    body = response.json()
    assert _uris(body["occupations"])[0] == mini_esco.NURSE
    assert len(body["occupations"]) == 5  # default k
    assert body["skills"] == []  # no text, no skills


def test_normalize_returns_scores_and_labels_in_the_requested_language(client: TestClient) -> None:
    response = client.post(NORMALIZE, params={"lang": "de"}, json={"title": "Staplerfahrer/in", "k": 2})
    assert response.status_code == 200, response.text
    first, second = response.json()["occupations"]
    assert first["uri"] == mini_esco.FORKLIFT
    assert first["label"] == "Staplerfahrer/Staplerfahrerin"
    assert set(first) == {"uri", "label", "score", "lexical", "semantic", "confidence"}
    assert first["score"] >= second["score"]
    assert first["lexical"] > second["lexical"]


def test_normalize_extracts_skills_from_text(client: TestClient) -> None:
    response = client.post(NORMALIZE, json={"text": "operate forklift and load cargo"})
    assert response.status_code == 200, response.text
    body = response.json()
    skills = _uris(body["skills"])
    assert {mini_esco.FORKLIFT_DRIVING, mini_esco.LOADING} <= set(skills)
    assert mini_esco.WIRING not in skills
    assert [s["score"] for s in body["skills"]] == sorted((s["score"] for s in body["skills"]), reverse=True)
    assert body["occupations"]  # linked from the text when there is no title


def test_normalize_with_title_and_text(client: TestClient) -> None:
    body = {"title": "Elektriker (m/w/d)", "text": "install electrical wiring. apply electrical safety rules"}
    response = client.post(NORMALIZE, json=body, params={"lang": "uk"})
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["occupations"][0]["uri"] == mini_esco.ELECTRICIAN
    assert out["occupations"][0]["label"] == "електрик"
    assert {mini_esco.WIRING, mini_esco.SAFETY} <= set(_uris(out["skills"]))


def test_normalize_with_a_blank_title_links_the_text(client: TestClient) -> None:
    # A blank title counts as no title (the validator says so), so the occupations come from the text.
    response = client.post(NORMALIZE, json={"title": "   ", "text": "electrician"})
    assert response.status_code == 200, response.text
    assert _uris(response.json()["occupations"])[0] == mini_esco.ELECTRICIAN


@pytest.mark.parametrize("body", [{}, {"title": "  ", "text": ""}, {"title": None, "text": " \n "}, {"k": 3}])
def test_normalize_without_title_or_text_is_422(client: TestClient, body: dict) -> None:
    response = client.post(NORMALIZE, json=body)
    assert response.status_code == 422
    assert "give a title, a text or both" in response.json()["detail"]


@pytest.mark.parametrize("k", [0, 51, -1])
def test_normalize_k_out_of_range_is_422(client: TestClient, k: int) -> None:
    response = client.post(NORMALIZE, json={"title": "nurse", "k": k})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("Invalid request: k: Input should be")
    assert ("1" if k < 1 else "50") in detail


def test_normalize_title_too_long_is_422(client: TestClient) -> None:
    response = client.post(NORMALIZE, json={"title": "x" * 301})
    assert response.status_code == 422
    assert "title: String should have at most 300 characters" in response.json()["detail"]


def test_normalize_unknown_language_is_422(client: TestClient) -> None:
    response = client.post(NORMALIZE, params={"lang": "fr"}, json={"title": "nurse"})
    assert response.status_code == 422
    assert "lang" in response.json()["detail"]


# -- /taxonomy/autocomplete ----------------------------------------------------------------------


def test_autocomplete_finds_the_electrician_in_german(client: TestClient) -> None:
    response = client.get(AUTOCOMPLETE, params={"q": "elek", "lang": "de"})
    assert response.status_code == 200, response.text
    [first, *_] = response.json()
    assert first["uri"] == mini_esco.ELECTRICIAN
    assert first["label"] == "Elektriker/Elektrikerin"
    assert first["matched_label"] == "Elektriker/Elektrikerin"
    assert set(first) == {"uri", "label", "matched_label", "score"}


def test_autocomplete_matches_any_language_and_labels_in_the_requested_one(client: TestClient) -> None:
    response = client.get(AUTOCOMPLETE, params={"q": "Stapler", "lang": "en"})
    assert response.status_code == 200, response.text
    [first, *_] = response.json()
    assert (first["uri"], first["label"]) == (mini_esco.FORKLIFT, "forklift operator")
    assert first["matched_label"] == "Staplerfahrer/Staplerfahrerin"


def test_autocomplete_skills(client: TestClient) -> None:
    response = client.get(AUTOCOMPLETE, params={"q": "load", "kind": "skill", "limit": 3})
    assert response.status_code == 200, response.text
    found = response.json()
    assert found[0]["uri"] == mini_esco.LOADING
    assert len(found) <= 3
    assert all(item["uri"].startswith(mini_esco.SKILL) for item in found)


def test_autocomplete_nonsense_is_an_empty_list(client: TestClient) -> None:
    response = client.get(AUTOCOMPLETE, params={"q": "zzzzqqq"})
    assert response.status_code == 200
    assert response.json() == []


def test_autocomplete_without_q_is_422(client: TestClient) -> None:
    response = client.get(AUTOCOMPLETE)
    assert response.status_code == 422
    assert response.json()["detail"] == "Invalid request: q: Field required"


def test_autocomplete_empty_q_is_422(client: TestClient) -> None:
    response = client.get(AUTOCOMPLETE, params={"q": ""})
    assert response.status_code == 422
    assert "q: String should have at least 1 character" in response.json()["detail"]


def test_autocomplete_bad_kind_is_422_listing_the_allowed_values(client: TestClient) -> None:
    response = client.get(AUTOCOMPLETE, params={"q": "elek", "kind": "bogus"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("Invalid request: kind:")
    assert "'occupation'" in detail and "'skill'" in detail


@pytest.mark.parametrize("limit", [0, 51])
def test_autocomplete_limit_out_of_range_is_422(client: TestClient, limit: int) -> None:
    response = client.get(AUTOCOMPLETE, params={"q": "elek", "limit": limit})
    assert response.status_code == 422
    assert "limit:" in response.json()["detail"]


def test_normalize_gives_a_confidence_per_suggestion_and_asks_to_confirm_when_unsure(
    client: TestClient,
) -> None:
    clear = client.post(
        NORMALIZE, json={"title": "Pflegefachfrau", "text": "operate forklift and load cargo"}
    )
    assert clear.status_code == 200, clear.text
    body = clear.json()
    shares = [c["confidence"] for c in body["occupations"]]
    assert shares == sorted(shares, reverse=True) and sum(shares) <= 1.0 + 0.5e-4 * len(
        shares
    )  # each rounded to 4 decimals
    assert body["confirm"] is (shares[0] < 0.5)
    assert all(0.0 < s["confidence"] < 1.0 for s in body["skills"])
    vague = client.post(NORMALIZE, json={"title": "qqq zzz"}).json()
    assert vague["confirm"] is True  # nothing fits: no candidate holds half of the probability


def test_normalize_says_how_long_a_text_may_be(client: TestClient) -> None:
    response = client.post(NORMALIZE, json={"text": "Pflege " * 300})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "text", "message": "String should have at most 2000 characters"}
    ]
    assert client.post(NORMALIZE, json={"text": "Pflege " * 280}).status_code == 200
