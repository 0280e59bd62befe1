"""Who may do what: every role against every endpoint, scopes that hide other people's objects (404, never
403), and the employer's pseudonymised view until an advisor releases a candidate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import api_routes, gate_of
from matching.access import Actor, Role
from matching.service import Matcher
from tests import factories
from tests import mini_esco as m
from tests.conftest import auth, key_for

API = "/api/v1"
OTHER = Actor(Role.ADVISOR, "other")
# Another organisation's data, stored as its administrator would (ids without the organisation prefix).
OTHER_DATA = Actor(Role.ADMIN, "other")
ROLES = ("admin", "advisor", "jobseeker", "employer", "analyst")


@dataclass
class World:
    client: TestClient
    matcher: Matcher
    keys: dict[str, str]

    def call(self, role: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**auth(self.keys[role]), **kwargs.pop("headers", {})}
        return self.client.request(method, f"{API}{path}", headers=headers, **kwargs)


@pytest.fixture
def world(matcher: Matcher) -> Iterator[World]:
    """Organisation 'default': js-a (who has a key), js-b, vac-a (employer emp-1), vac-b (emp-2).
    Organisation 'other': js-x and vac-x."""
    matcher.create_jobseeker(factories.seeker("js-a", m.NURSE, [m.MEDICATION]))
    matcher.create_jobseeker(factories.seeker("js-b", m.NURSING_ASSISTANT, [m.HYGIENE]))
    matcher.create_vacancy(factories.vacancy("vac-a", employer_id="emp-1"))
    matcher.create_vacancy(factories.vacancy("vac-b", m.FORKLIFT, employer_id="emp-2"))
    matcher.create_jobseeker(factories.seeker("js-x", m.NURSE, [m.MEDICATION]), OTHER_DATA)
    matcher.create_vacancy(factories.vacancy("vac-x", employer_id="emp-1"), OTHER_DATA)
    keys = {
        "admin": key_for(matcher, "admin"),
        "advisor": key_for(matcher, "advisor"),
        "other-advisor": key_for(matcher, "advisor", "other"),
        "jobseeker": key_for(matcher, "jobseeker", subject="js-a"),
        "employer": key_for(matcher, "employer", subject="emp-1"),
        "analyst": key_for(matcher, "analyst"),
    }
    with TestClient(create_app(matcher=matcher)) as client:
        yield World(client, matcher, keys)


WHAT_IF = {
    "jobseeker": factories.seeker("p").model_dump(mode="json"),
    "vacancy": factories.vacancy("v").model_dump(mode="json"),
}
# method, path, body, then the status each role gets (admin, advisor, jobseeker, employer, analyst)
MATRIX: list[tuple[str, str, Any, tuple[int, ...]]] = [
    ("GET", "/jobseekers", None, (200, 200, 403, 403, 403)),
    ("GET", "/jobseekers/js-a", None, (200, 200, 200, 403, 403)),
    ("GET", "/jobseekers/js-b", None, (200, 200, 404, 403, 403)),
    ("GET", "/jobseekers/js-x", None, (200, 404, 404, 403, 403)),
    ("GET", "/jobseekers/js-a/vacancies", None, (200, 200, 200, 403, 403)),
    ("GET", "/jobseekers/js-b/vacancies", None, (200, 200, 404, 403, 403)),
    ("GET", "/jobseekers/js-a/export", None, (200, 200, 200, 403, 403)),
    ("GET", "/jobseekers/js-x/export", None, (200, 404, 404, 403, 403)),
    ("GET", "/jobseekers/js-a/vacancies/export", None, (200, 200, 403, 403, 403)),
    ("GET", "/vacancies", None, (200, 200, 403, 200, 403)),
    ("GET", "/vacancies/vac-a", None, (200, 200, 200, 200, 403)),
    ("GET", "/vacancies/vac-b", None, (200, 200, 200, 404, 403)),
    ("GET", "/vacancies/vac-x", None, (200, 404, 404, 404, 403)),
    ("GET", "/vacancies/vac-a/candidates", None, (200, 200, 403, 200, 403)),
    ("GET", "/vacancies/vac-b/candidates", None, (200, 200, 403, 404, 403)),
    ("GET", "/vacancies/vac-x/candidates", None, (200, 404, 403, 404, 403)),
    ("GET", "/vacancies/vac-a/candidates/export", None, (200, 200, 403, 403, 403)),
    ("GET", "/vacancies/vac-a/releases", None, (200, 200, 403, 403, 403)),
    ("GET", "/analytics/jobseekers", None, (200, 403, 403, 403, 200)),
    ("GET", "/analytics/vacancies", None, (200, 403, 403, 403, 200)),
    ("GET", "/audit", None, (200, 403, 403, 403, 403)),
    ("GET", "/keys", None, (200, 403, 403, 403, 403)),
    ("GET", "/taxonomy/autocomplete?q=nurse", None, (200, 200, 200, 200, 200)),
    ("POST", "/what-if", WHAT_IF, (200, 200, 403, 403, 403)),
    ("POST", "/normalize", {"title": "nurse"}, (200, 200, 403, 403, 403)),
    # writes that must be refused leave everything as it was (checked below)
    ("PUT", "/jobseekers/js-b", factories.seeker("js-b").model_dump(mode="json"), (None, None, 404, 403, 403)),
    ("DELETE", "/jobseekers/js-b", None, (None, None, 404, 403, 403)),
    ("DELETE", "/jobseekers/js-x", None, (None, 404, 404, 403, 403)),
    ("PUT", "/vacancies/vac-b", factories.vacancy("vac-b").model_dump(mode="json"), (None, None, 403, 404, 403)),
    ("DELETE", "/vacancies/vac-b", None, (None, None, 403, 404, 403)),
    ("DELETE", "/vacancies/vac-x", None, (None, 404, 403, 404, 403)),
    ("POST", "/jobseekers", factories.seeker("js-new").model_dump(mode="json"), (None, None, 403, 403, 403)),
    ("POST", "/vacancies/vac-a/releases", {"jobseeker_id": "js-b"}, (None, None, 403, 403, 403)),
    ("POST", "/keys", {"role": "admin", "organisation": "default"}, (None, 403, 403, 403, 403)),
    ("DELETE", "/keys/key-000000000000", None, (None, 403, 403, 403, 403)),
]  # fmt: skip


def test_every_role_gets_exactly_what_it_may(world: World) -> None:
    wrong = []
    for method, path, body, expected in MATRIX:
        for role, status in zip(ROLES, expected, strict=True):
            if status is None:  # allowed and tested elsewhere; would change the world for later rows
                continue
            got = world.call(role, method, path, json=body).status_code
            if got != status:
                wrong.append(f"{role} {method} {path}: expected {status}, got {got}")
    assert wrong == []
    # The refused writes changed nothing.
    assert {s.id for s in world.matcher.storage.jobseekers.iter_all()} == {"js-a", "js-b", "js-x"}
    assert {v.id for v in world.matcher.storage.vacancies.iter_all()} == {"vac-a", "vac-b", "vac-x"}
    assert world.matcher.storage.releases() == []


def test_another_organisations_advisor_sees_only_their_own(world: World) -> None:
    response = world.call("other-advisor", "GET", "/jobseekers")
    assert [s["id"] for s in response.json()["items"]] == ["js-x"]
    assert response.json()["total"] == 1
    assert [v["id"] for v in world.call("other-advisor", "GET", "/vacancies").json()["items"]] == ["vac-x"]
    missing = world.call("other-advisor", "GET", "/jobseekers/js-a")
    assert (missing.status_code, missing.json()["detail"]) == (404, "No job seeker with id 'js-a'.")
    # Candidate lists only hold the vacancy's organisation, for advisors and admins alike.
    for role in ("other-advisor", "admin"):
        items = world.call(role, "GET", "/vacancies/vac-x/candidates").json()["items"]
        assert [i["jobseeker_id"] for i in items] == ["js-x"]
    items = world.call("admin", "GET", "/vacancies/vac-a/candidates").json()["items"]
    assert {i["jobseeker_id"] for i in items} == {"js-a", "js-b"}
    assert [
        i["vacancy_id"] for i in world.call("admin", "GET", "/jobseekers/js-x/vacancies").json()["items"]
    ] == ["vac-x"]
    # Entities created with a key belong to its organisation, under ids that start with its name.
    created = world.call(
        "other-advisor", "POST", "/jobseekers", json=factories.seeker("other:js-y").model_dump(mode="json")
    )
    assert created.status_code == 201
    assert world.matcher.storage.jobseekers.get_record("other:js-y").organisation == "other"
    assert world.call("advisor", "GET", "/jobseekers/other:js-y").status_code == 404


def test_an_organisation_learns_nothing_about_another_organisations_ids(world: World) -> None:
    """js-a exists in the default organisation, js-fresh nowhere: 'other' gets the same answer for both."""
    answers = []
    for seeker_id in ("js-a", "js-fresh"):
        body = factories.seeker(seeker_id).model_dump(mode="json")
        response = world.call("other-advisor", "POST", "/jobseekers", json=body)
        answers.append((response.status_code, response.json()["detail"].replace(seeker_id, "ID")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 422 and "start with 'other:'" in answers[0][1]
    vacancy = world.call(
        "other-advisor", "POST", "/vacancies", json=factories.vacancy("vac-a").model_dump(mode="json")
    )
    fresh = world.call(
        "other-advisor", "POST", "/vacancies", json=factories.vacancy("vac-new").model_dump(mode="json")
    )
    assert vacancy.status_code == fresh.status_code == 422
    # Bulk import: rows with the other organisation's ids read exactly like rows with fresh ones.
    text = "id,qualifications,languages,home_place\n" + "".join(
        f"{i},{m.NURSE}|UA,de:B2,Leipzig\n" for i in ("js-a", "js-fresh", "other:js-z")
    )
    files = {"file": ("people.csv", text.encode(), "text/csv")}
    report = world.client.post(
        f"{API}/import/jobseekers", files=files, headers=auth(world.keys["other-advisor"])
    ).json()["import"]
    rows = {e["row"]: e["problem"] for e in report["errors"]}
    assert rows == {
        2: "ids of this organisation start with 'other:'",
        3: "ids of this organisation start with 'other:'",
    }
    # Their own namespace works as ever, including 409 for their own ids.
    mine = factories.seeker("other:js-x1").model_dump(mode="json")
    assert world.call("other-advisor", "POST", "/jobseekers", json=mine).status_code == 201
    assert world.call("other-advisor", "POST", "/jobseekers", json=mine).status_code == 409


def test_missing_invalid_and_revoked_keys_are_401(world: World) -> None:
    missing = world.client.get(f"{API}/jobseekers")
    assert missing.status_code == 401
    assert missing.json()["detail"] == "Missing API key: send the header 'Authorization: Bearer <key>'."
    assert missing.headers["www-authenticate"] == "Bearer"
    for bad in ("sbk_" + "A" * 43, "not-a-key", world.keys["advisor"] + "x"):
        response = world.client.get(f"{API}/jobseekers", headers=auth(bad))
        assert (response.status_code, response.json()["detail"]) == (401, "Invalid or revoked API key.")
    advisor = world.matcher.storage.keys.authenticate(world.keys["advisor"])
    assert advisor is not None
    revoked = world.call("admin", "DELETE", f"/keys/{advisor.key_id}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    response = world.call("advisor", "GET", "/jobseekers")
    assert (response.status_code, response.json()["detail"]) == (401, "Invalid or revoked API key.")


def test_wrong_role_is_403_and_says_who_may(world: World) -> None:
    response = world.call("analyst", "GET", "/jobseekers/js-a")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This endpoint is for advisor, admin, jobseeker keys; this is a analyst key."
    )


def test_keys_are_created_once_and_stored_hashed(world: World) -> None:
    response = world.call(
        "admin", "POST", "/keys", json={"role": "jobseeker", "organisation": "default", "subject_id": "js-b"}
    )
    assert response.status_code == 201
    key, record = response.json()["key"], response.json()["record"]
    assert key.startswith("sbk_") and len(key) == 4 + 43
    assert (record["role"], record["subject_id"], record["revoked_at"]) == ("jobseeker", "js-b", None)
    assert all(key not in str(k.model_dump()) for k in world.matcher.storage.keys.all())
    assert world.client.get(f"{API}/jobseekers/js-b", headers=auth(key)).status_code == 200
    listed = world.call("admin", "GET", "/keys").json()
    assert record["id"] in [k["id"] for k in listed] and all("key" not in k for k in listed)
    bad = world.call("admin", "POST", "/keys", json={"role": "jobseeker", "organisation": "default"})
    assert bad.status_code == 422
    assert (
        bad.json()["detail"]
        == "Invalid request: subject_id: a jobseeker key needs the job seeker id it speaks for"
    )
    bad = world.call("admin", "POST", "/keys", json={"role": "boss", "organisation": "default"})
    assert bad.json()["errors"][0]["field"] == "role"


def test_a_job_seeker_maintains_and_erases_their_own_profile(world: World) -> None:
    changed = factories.seeker("js-a", m.NURSE, [m.MEDICATION, m.VITALS]).model_dump(mode="json")
    assert world.call("jobseeker", "PUT", "/jobseekers/js-a", json=changed).status_code == 200
    assert world.call("advisor", "GET", "/jobseekers/js-a").json() == changed
    other = factories.seeker("js-b").model_dump(mode="json")
    assert world.call("jobseeker", "PUT", "/jobseekers/js-b", json=other).status_code == 404
    assert world.call("jobseeker", "DELETE", "/jobseekers/js-a").status_code == 204
    # Their key went with them.
    assert world.call("jobseeker", "GET", "/jobseekers/js-a").status_code == 401


def test_employers_manage_only_vacancies_with_their_employer_id(world: World) -> None:
    mine = factories.vacancy("vac-new").model_dump(mode="json")
    created = world.call("employer", "POST", "/vacancies", json=mine)
    assert created.status_code == 201
    assert created.json()["employer_id"] == "emp-1"  # filled in from the key
    listed = world.call("employer", "GET", "/vacancies").json()
    assert [v["id"] for v in listed["items"]] == ["vac-a", "vac-new"]  # not vac-b, not the other org's vac-x
    theirs = factories.vacancy("vac-theirs", employer_id="emp-2").model_dump(mode="json")
    refused = world.call("employer", "POST", "/vacancies", json=theirs)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "field": "employer_id",
            "message": "an employer key manages only vacancies with employer_id 'emp-1' (or none)",
        }
    ]
    moved = world.call(
        "employer",
        "PUT",
        "/vacancies/vac-a",
        json=factories.vacancy("vac-a", employer_id="emp-2").model_dump(mode="json"),
    )
    assert moved.status_code == 422
    assert world.call("employer", "DELETE", "/vacancies/vac-new").status_code == 204


def test_employers_see_pseudonyms_until_an_advisor_releases_a_candidate(world: World) -> None:
    advisor_view = world.call("advisor", "GET", "/vacancies/vac-a/candidates").json()
    employer_view = world.call("employer", "GET", "/vacancies/vac-a/candidates").json()
    # Scores in bands of 0.1 (rounded down), in the advisor's order.
    assert [i["score"] for i in employer_view["items"]] == [
        int(i["score"] * 10) / 10 for i in advisor_view["items"]
    ]
    assert all(i["jobseeker_id"].startswith("cand-") for i in employer_view["items"])
    assert all(i["reasons"] == [] and i["next_steps"] == [] for i in employer_view["items"])
    assert employer_view["blocked"] == []
    assert "js-a" not in str(employer_view) and "js-b" not in str(employer_view)
    # The same person has another pseudonym for another vacancy of the same employer.
    world.matcher.create_vacancy(factories.vacancy("vac-c", employer_id="emp-1"))
    other_view = world.call("employer", "GET", "/vacancies/vac-c/candidates").json()
    assert {i["jobseeker_id"] for i in other_view["items"]}.isdisjoint(
        {i["jobseeker_id"] for i in employer_view["items"]}
    )

    released = world.call("advisor", "POST", "/vacancies/vac-a/releases", json={"jobseeker_id": "js-a"})
    assert released.status_code == 201
    assert released.json()["jobseeker_id"] == "js-a"
    after = world.call("employer", "GET", "/vacancies/vac-a/candidates").json()["items"]
    ids = [i["jobseeker_id"] for i in after]
    assert "js-a" in ids and "js-b" not in ids
    assert next(i for i in after if i["jobseeker_id"] == "js-a") == next(
        i for i in advisor_view["items"] if i["jobseeker_id"] == "js-a"
    )
    assert [r["jobseeker_id"] for r in world.call("advisor", "GET", "/vacancies/vac-a/releases").json()] == [
        "js-a"
    ]
    # Only candidates of the vacancy's organisation can be released; withdrawing hides the id again.
    assert (
        world.call("admin", "POST", "/vacancies/vac-a/releases", json={"jobseeker_id": "js-x"}).status_code
        == 404
    )
    assert world.call("advisor", "DELETE", "/vacancies/vac-a/releases/js-a").status_code == 204
    again = world.call("employer", "GET", "/vacancies/vac-a/candidates").json()["items"]
    assert all(i["jobseeker_id"].startswith("cand-") for i in again)
    gone = world.call("advisor", "DELETE", "/vacancies/vac-a/releases/js-a")
    assert (gone.status_code, gone.json()["detail"]) == (404, "No release with id 'vac-a/js-a'.")


def test_employers_cannot_link_or_locate_candidates_before_release(world: World) -> None:
    # Copies of one vacancy at three places: exact distances would trilaterate a home, exact similarities,
    # factors and skills would link one person's pseudonyms across the copies.
    places = [(51.34, 12.37), (51.30, 12.45), (51.40, 12.30)]
    for n, (lat, lon) in enumerate(places):
        location = {"place": f"Leipzig {n}", "lat": lat, "lon": lon}
        world.matcher.create_vacancy(
            factories.vacancy(f"vac-copy-{n}", employer_id="emp-1", location=location)
        )
    views = [world.call("employer", "GET", f"/vacancies/vac-copy-{n}/candidates").json() for n in range(3)]
    advisor = world.call("advisor", "GET", "/vacancies/vac-copy-0/candidates").json()["items"]
    assert advisor and all(i["distance_km"] not in (None, 5, 10, 25, 50, 100) for i in advisor)
    for view in views:
        for item in view["items"]:
            assert item["distance_km"] in (None, 5, 10, 25, 50, 100)
            assert round(item["score"] * 10, 6) == int(round(item["score"] * 10, 6))
            explanation = item["explanation"]
            assert explanation["semantic_similarity"] is None and explanation["factors"] == []
            assert [
                explanation[f"{a}_{b}"] for a in ("matched", "missing") for b in ("essential", "optional")
            ] == [
                [],
                [],
                [],
                [],
            ]
            assert explanation["summary"].startswith("Details, matched skills included, follow")
    ids = [{i["jobseeker_id"] for i in view["items"]} for view in views]
    assert ids[0].isdisjoint(ids[1]) and ids[1].isdisjoint(ids[2])
    # The advisor still sees everything.
    assert (
        advisor[0]["explanation"]["semantic_similarity"] is not None and advisor[0]["explanation"]["factors"]
    )


def test_every_api_route_declares_its_roles(world: World) -> None:
    routes = [(path, r) for path, r in api_routes(world.client.app) if path.startswith(API)]  # type: ignore[arg-type]
    assert len(routes) >= 25
    assert [path for path, r in routes if gate_of(r) is None] == []
    schema = world.client.get("/openapi.json").json()
    operation = schema["paths"][f"{API}/vacancies/{{vacancy_id}}/candidates"]["get"]
    assert operation["x-roles"] == ["advisor", "admin", "employer"]
    assert "**Roles:** advisor, admin, employer." in operation["description"]
    assert schema["components"]["securitySchemes"]["api_key"]["scheme"] == "bearer"
    assert world.client.get("/health").status_code == 200  # liveness probes need no key
