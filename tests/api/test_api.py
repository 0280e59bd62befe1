"""The HTTP API over a Matcher with the mini taxonomy, run against SQLite and PostgreSQL (see conftest)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests import mini_esco as m

API = "/api/v1"
UNKNOWN_OCCUPATION = "http://data.europa.eu/esco/occupation/astronaut"
NURSE_ESSENTIAL = [m.MEDICATION, m.HYGIENE, m.VITALS, m.CARE_PLAN, m.DOCUMENTATION]
ESSENTIAL_OF = {occ: skills for occ, rel, skills in m.RELATIONS if rel == "essential"}


@dataclass(frozen=True)
class Resource:
    path: str
    kind: str  # as in NotFoundError messages
    build: Callable[..., Any]
    changed: dict[str, Any]  # a valid edit for PUT
    cefr_field: str
    bad_cefr: dict[str, Any]
    required: str
    unknown_uri: dict[str, Any]
    unknown_uri_field: str


SEEKERS = Resource(
    path="jobseekers",
    kind="job seeker",
    build=factories.seeker,
    changed={"max_commute_km": 12.5, "working_time": "part_time"},
    cefr_field="languages[0].level",
    bad_cefr={"languages": [{"language": "de", "level": "B5"}]},
    required="home",
    unknown_uri={"qualifications": [{"occupation_uri": UNKNOWN_OCCUPATION, "country": "UA"}]},
    unknown_uri_field="qualifications[0].occupation_uri",
)
VACANCIES = Resource(
    path="vacancies",
    kind="vacancy",
    build=factories.vacancy,
    changed={"title": "Pflegefachkraft Nachtdienst (m/w/d)", "positions": 3},
    cefr_field="min_german_level",
    bad_cefr={"min_german_level": "B5"},
    required="employer",
    unknown_uri={"occupation_uri": UNKNOWN_OCCUPATION},
    unknown_uri_field="occupation_uri",
)


@pytest.fixture(params=[SEEKERS, VACANCIES], ids=["jobseekers", "vacancies"])
def res(request: pytest.FixtureRequest) -> Resource:
    return request.param


def body(res: Resource, id: str, **changes: Any) -> dict[str, Any]:
    return res.build(id=id).model_dump(mode="json") | changes


def post(client: TestClient, path: str, item: Any) -> None:
    response = client.post(f"{API}/{path}", json=item.model_dump(mode="json"))
    assert response.status_code == 201, response.json()


# -- CRUD, for both resources ----------------------------------------------------------------------


def test_create_then_get(client: TestClient, res: Resource) -> None:
    sent = body(res, "e-1")
    created = client.post(f"{API}/{res.path}", json=sent)
    assert created.status_code == 201
    assert created.headers["location"] == f"{API}/{res.path}/e-1"
    assert created.json() == sent
    fetched = client.get(created.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == sent


def test_list_pages_in_id_order(client: TestClient, res: Resource) -> None:
    for id in ("e-c", "e-a", "e-d", "e-b", "e-e"):
        assert client.post(f"{API}/{res.path}", json=body(res, id)).status_code == 201
    page = client.get(f"{API}/{res.path}", params={"offset": 1, "limit": 2})
    assert page.status_code == 200
    data = page.json()
    assert (data["total"], data["offset"], data["limit"]) == (5, 1, 2)
    assert [item["id"] for item in data["items"]] == ["e-b", "e-c"]
    last = client.get(f"{API}/{res.path}", params={"offset": 4, "limit": 2}).json()
    assert [item["id"] for item in last["items"]] == ["e-e"]
    assert client.get(f"{API}/{res.path}", params={"limit": 0}).status_code == 422


def test_put_replaces(client: TestClient, res: Resource) -> None:
    client.post(f"{API}/{res.path}", json=body(res, "e-1"))
    new = body(res, "e-1", **res.changed)
    replaced = client.put(f"{API}/{res.path}/e-1", json=new)
    assert replaced.status_code == 200
    assert replaced.json() == new
    assert client.get(f"{API}/{res.path}/e-1").json() == new
    assert client.get(f"{API}/{res.path}").json()["total"] == 1


def test_put_with_other_id_in_body_is_rejected(client: TestClient, res: Resource) -> None:
    client.post(f"{API}/{res.path}", json=body(res, "e-1"))
    response = client.put(f"{API}/{res.path}/e-1", json=body(res, "e-2"))
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Invalid request: id: The body's id 'e-2' differs from the id 'e-1' in the path."
    )
    assert response.json()["errors"] == [
        {"field": "id", "message": "The body's id 'e-2' differs from the id 'e-1' in the path."}
    ]
    assert client.get(f"{API}/{res.path}/e-2").status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_unknown_id_is_404(client: TestClient, res: Resource, method: str) -> None:
    kwargs = {"json": body(res, "x")} if method == "put" else {}
    response = client.request(method.upper(), f"{API}/{res.path}/x", **kwargs)
    assert response.status_code == 404
    assert response.json()["detail"] == f"No {res.kind} with id 'x'."
    assert client.get(f"{API}/{res.path}").json()["total"] == 0
    assert client.get("/health").json()[f"{res.path}_indexed"] == 0


def test_delete_then_get_is_404(client: TestClient, res: Resource) -> None:
    client.post(f"{API}/{res.path}", json=body(res, "e-1"))
    deleted = client.delete(f"{API}/{res.path}/e-1")
    assert deleted.status_code == 204
    assert deleted.content == b""
    gone = client.get(f"{API}/{res.path}/e-1")
    assert gone.status_code == 404
    assert gone.json()["detail"] == f"No {res.kind} with id 'e-1'."


def test_duplicate_post_is_409_and_keeps_the_original(client: TestClient, res: Resource) -> None:
    original = body(res, "e-1")
    client.post(f"{API}/{res.path}", json=original)
    again = client.post(f"{API}/{res.path}", json=body(res, "e-1", **res.changed))
    assert again.status_code == 409
    assert again.json()["detail"] == f"A {res.kind} with id 'e-1' already exists; use PUT to replace it."
    assert client.get(f"{API}/{res.path}/e-1").json() == original


def test_bad_cefr_level_names_field_and_levels(client: TestClient, res: Resource) -> None:
    response = client.post(f"{API}/{res.path}", json=body(res, "e-1", **res.bad_cefr))
    assert response.status_code == 422
    data = response.json()
    message = "Input should be 'A1', 'A2', 'B1', 'B2', 'C1' or 'C2'"
    assert data["errors"][0] == {"field": res.cefr_field, "message": message}
    assert data["detail"] == f"Invalid request: {res.cefr_field}: {message}"


def test_missing_required_field_is_named(client: TestClient, res: Resource) -> None:
    sent = body(res, "e-1")
    del sent[res.required]
    response = client.post(f"{API}/{res.path}", json=sent)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": res.required, "message": "Field required"}]
    assert response.json()["detail"] == f"Invalid request: {res.required}: Field required"


def test_unknown_field_is_named(client: TestClient, res: Resource) -> None:
    response = client.post(f"{API}/{res.path}", json=body(res, "e-1", nickname="Olena"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "nickname"
    assert "unknown field" in response.json()["detail"]


def test_unknown_concept_is_422_and_stores_nothing(client: TestClient, res: Resource) -> None:
    response = client.post(f"{API}/{res.path}", json=body(res, "e-1", **res.unknown_uri))
    assert response.status_code == 422
    data = response.json()
    assert data["detail"].startswith(
        f"Unknown occupation URI '{UNKNOWN_OCCUPATION}' in field '{res.unknown_uri_field}': not in the loaded"
    )
    assert [e["field"] for e in data["errors"]] == [res.unknown_uri_field]
    assert client.get(f"{API}/{res.path}/e-1").status_code == 404
    assert client.get("/health").json()[f"{res.path}_indexed"] == 0


@pytest.mark.parametrize("bad_id", ["bad%20id", "-dash", "x" * 65])
def test_invalid_path_id_is_422(client: TestClient, res: Resource, bad_id: str) -> None:
    response = client.get(f"{API}/{res.path}/{bad_id}")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Invalid request: ")
    assert "String should match pattern" in response.json()["detail"]


# -- matching ------------------------------------------------------------------------------------


@pytest.fixture
def world(client: TestClient) -> TestClient:
    for seeker in (
        factories.seeker("js-nurse-full", m.NURSE, [*NURSE_ESSENTIAL, m.TEAMWORK]),
        factories.seeker("js-nurse-few", m.NURSING_ASSISTANT, [m.HYGIENE]),
        factories.seeker("js-forklift", m.FORKLIFT, [m.FORKLIFT_DRIVING]),
        factories.seeker("js-electrician", m.ELECTRICIAN, [m.WIRING]),
    ):
        post(client, "jobseekers", seeker)
    post(client, "vacancies", factories.vacancy("vac-nurse"))
    post(
        client,
        "vacancies",
        factories.vacancy("vac-forklift", m.FORKLIFT, employer="Lager Nord", title="Stapler"),
    )
    return client


def _seeker_skills(client: TestClient, seeker_id: str) -> set[str]:
    seeker = client.get(f"{API}/jobseekers/{seeker_id}").json()
    implied = [s for q in seeker["qualifications"] for s in ESSENTIAL_OF.get(q["occupation_uri"], [])]
    return set(seeker["skill_uris"]) | set(implied)


def _check_items(client: TestClient, items: list[dict], first_rank: int, essential: list[str]) -> None:
    assert [item["rank"] for item in items] == list(range(first_rank, first_rank + len(items)))
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    for item in items:
        explanation = item["explanation"]
        total = sum(f["contribution"] for f in explanation["factors"])
        assert total == pytest.approx(item["score"], abs=1e-3)
        matched = [e["uri"] for e in explanation["matched_essential"]]
        missing = [e["uri"] for e in explanation["missing_essential"]]
        has = _seeker_skills(client, item["jobseeker_id"])
        assert matched == [s for s in essential if s in has]
        assert missing == [s for s in essential if s not in has]


def test_candidates_ranked_and_explained(world: TestClient) -> None:
    response = world.get(f"{API}/vacancies/vac-nurse/candidates", params={"k": 2})
    assert response.status_code == 200
    data = response.json()
    assert (data["subject_id"], data["offset"], data["k"]) == ("vac-nurse", 0, 2)
    assert (data["considered"], data["has_more"]) == (4, True)
    items = data["items"]
    assert [i["jobseeker_id"] for i in items] == ["js-nurse-full", "js-nurse-few"]
    assert all(i["vacancy_id"] == "vac-nurse" for i in items)
    _check_items(world, items, 1, NURSE_ESSENTIAL)
    assert items[0]["explanation"]["missing_essential"] == []


def test_candidate_pages_continue_without_overlap(world: TestClient) -> None:
    url = f"{API}/vacancies/vac-nurse/candidates"
    everything = world.get(url, params={"k": 4}).json()["items"]
    first = world.get(url, params={"k": 2}).json()
    second = world.get(url, params={"k": 2, "offset": 2}).json()
    assert [i["rank"] for i in second["items"]] == [3, 4]
    assert second["has_more"] is False
    ids = [i["jobseeker_id"] for i in first["items"] + second["items"]]
    assert ids == [i["jobseeker_id"] for i in everything]
    assert len(set(ids)) == 4
    _check_items(world, second["items"], 3, NURSE_ESSENTIAL)
    beyond = world.get(url, params={"k": 2, "offset": 10}).json()
    assert (beyond["items"], beyond["has_more"]) == ([], False)


def test_explicit_vacancy_requirements_drive_the_explanation(world: TestClient) -> None:
    required = [m.VITALS, m.DOCUMENTATION, m.STOCK]
    post(world, "vacancies", factories.vacancy("vac-ward", essential=required, optional=[m.TEAMWORK]))
    items = world.get(f"{API}/vacancies/vac-ward/candidates", params={"k": 4}).json()["items"]
    _check_items(world, items, 1, required)
    optional_matched = {i["jobseeker_id"]: i["explanation"]["matched_optional"] for i in items}
    assert [e["uri"] for e in optional_matched["js-nurse-full"]] == [m.TEAMWORK]
    assert optional_matched["js-forklift"] == []


@pytest.mark.parametrize(
    "url", [f"{API}/vacancies/vac-nurse/candidates", f"{API}/jobseekers/js-forklift/vacancies"]
)
@pytest.mark.parametrize("k", [0, 1000])
def test_k_out_of_range_is_422(world: TestClient, url: str, k: int) -> None:
    response = world.get(url, params={"k": k})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "k"
    assert response.json()["detail"].startswith("Invalid request: k: Input should be")


def test_matches_for_unknown_ids_are_404(world: TestClient) -> None:
    response = world.get(f"{API}/vacancies/nope/candidates")
    assert response.status_code == 404
    assert response.json()["detail"] == "No vacancy with id 'nope'."
    response = world.get(f"{API}/jobseekers/nope/vacancies")
    assert response.status_code == 404
    assert response.json()["detail"] == "No job seeker with id 'nope'."


def test_vacancies_for_forklift_operator(world: TestClient) -> None:
    response = world.get(f"{API}/jobseekers/js-forklift/vacancies", params={"k": 5})
    assert response.status_code == 200
    data = response.json()
    assert (data["subject_id"], data["considered"], data["has_more"]) == ("js-forklift", 2, False)
    assert [i["vacancy_id"] for i in data["items"]] == ["vac-forklift", "vac-nurse"]
    assert all(i["jobseeker_id"] == "js-forklift" for i in data["items"])
    _check_items(world, data["items"][:1], 1, ESSENTIAL_OF[m.FORKLIFT])
    _check_items(world, data["items"][1:], 2, NURSE_ESSENTIAL)
    page = world.get(f"{API}/jobseekers/js-forklift/vacancies", params={"k": 1}).json()
    assert ([i["vacancy_id"] for i in page["items"]], page["has_more"]) == (["vac-forklift"], True)


def test_deleted_seeker_leaves_candidate_lists(world: TestClient) -> None:
    assert world.delete(f"{API}/jobseekers/js-nurse-full").status_code == 204
    data = world.get(f"{API}/vacancies/vac-nurse/candidates", params={"k": 10}).json()
    assert [i["jobseeker_id"] for i in data["items"]] == ["js-nurse-few", "js-forklift", "js-electrician"]
    assert data["considered"] == 3


def test_replaced_seeker_is_ranked_on_the_new_profile(world: TestClient) -> None:
    retrained = factories.seeker("js-electrician", m.NURSE, [*NURSE_ESSENTIAL, m.TEAMWORK])
    response = world.put(f"{API}/jobseekers/js-electrician", json=retrained.model_dump(mode="json"))
    assert response.status_code == 200
    items = world.get(f"{API}/vacancies/vac-nurse/candidates", params={"k": 2}).json()["items"]
    assert {i["jobseeker_id"] for i in items} == {"js-nurse-full", "js-electrician"}
    assert items[0]["score"] == items[1]["score"]
    assert [i["jobseeker_id"] for i in items] == ["js-electrician", "js-nurse-full"]  # ties broken by id


# -- service endpoints ---------------------------------------------------------------------------


def test_health_reports_counts(world: TestClient) -> None:
    response = world.get("/health")
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["database"]) == ("ok", "ok")
    assert (data["jobseekers_indexed"], data["vacancies_indexed"]) == (4, 2)
    assert data["embedding_model"] == "hashing-64"
    assert (data["taxonomy"]["occupations"], data["taxonomy"]["skills"]) == (6, 11)


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "get" in paths[f"{API}/vacancies/{{vacancy_id}}/candidates"]
    assert "get" in paths[f"{API}/jobseekers/{{seeker_id}}/vacancies"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
