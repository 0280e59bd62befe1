"""The API returns eligibility, reasons, next steps and the blocked list; what-if stores nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.regulation import Regulation, RegulationRule, RegulationTable
from matching.service import Matcher
from tests import mini_esco as m
from tests.conftest import TODAY, auth, key_for
from tests.factories import seeker, vacancy

API = "/api/v1"
NURSE_RULE = RegulationRule(
    id="nurse", regulation=Regulation.PRACTICE_RESERVED, esco_uris=frozenset({m.NURSE}), isco_prefixes=(),
    reference_de="Pflegefachfrau/Pflegefachmann", reference_en="Nurse", legal_basis="§ 1 PflBG",
    authority="Kommunaler Sozialverband Sachsen (KSV), Leipzig", authority_url="https://www.ksv-sachsen.de/",
    min_german_level=None, bridge_uris=(m.NURSING_ASSISTANT,), temporary_permit="", notes="",
)  # fmt: skip


def _qualified(status: str, **extra: object) -> list[dict]:
    return [{"occupation_uri": m.NURSE, "country": "UA", "recognition": status, **extra}]


@pytest.fixture
def client(taxonomy, embedder, storage, gazetteer, tmp_path) -> Iterator[TestClient]:
    rules = EligibilityRules(taxonomy, RegulationTable([NURSE_RULE]), gazetteer)
    matcher = Matcher(taxonomy, embedder, storage, tmp_path / "idx", rules=rules, today=TODAY)
    matcher.open()
    matcher.create_jobseeker(seeker("full", m.NURSE, qualifications=_qualified("full_equivalence")))
    matcher.create_jobseeker(
        seeker(
            "partial",
            m.NURSE,
            qualifications=_qualified(
                "partial_equivalence", compensation_measure="knowledge_test", compensation_state="not_started"
            ),
        )
    )
    matcher.create_vacancy(vacancy("vac-nurse", m.NURSE, min_german_level="B1"))
    matcher.create_vacancy(vacancy("vac-helper", m.NURSING_ASSISTANT, min_german_level="A2"))
    with TestClient(create_app(matcher=matcher), headers=auth(key_for(matcher, "advisor"))) as test_client:
        yield test_client


def test_candidates_come_with_a_blocked_list_and_next_steps(client: TestClient) -> None:
    response = client.get(f"{API}/vacancies/vac-nurse/candidates", params={"k": 5})
    assert response.status_code == 200
    data = response.json()
    assert [(x["jobseeker_id"], x["eligibility"]) for x in data["items"]] == [("full", "eligible")]
    assert (data["eligible_total"], data["blocked_total"]) == (1, 1)
    blocked = data["blocked"][0]
    assert (blocked["jobseeker_id"], blocked["eligibility"]) == ("partial", "blocked")
    assert blocked["reasons"][0]["code"] == "recognition_partial"
    assert "Kenntnisprüfung" in blocked["reasons"][0]["text"]["de"]
    step = blocked["next_steps"][0]
    assert step["code"] == "step_compensation"
    assert step["text"]["en"] == (
        "Complete the knowledge test, then obtain full recognition from Kommunaler Sozialverband Sachsen."
    )
    assert step["url"] == "https://www.ksv-sachsen.de/"
    assert blocked["distance_km"] == pytest.approx(5.9, abs=0.5)  # Grünau -> Zentrum


def test_bridge_jobs_are_labelled_for_the_job_seeker(client: TestClient) -> None:
    data = client.get(f"{API}/jobseekers/partial/vacancies", params={"lang": "uk"}).json()
    assert [(x["vacancy_id"], x["eligibility"]) for x in data["items"]] == [("vac-helper", "bridge")]
    assert "bridge_job" in [r["code"] for r in data["items"][0]["reasons"]]
    labels = [e["label"] for e in data["items"][0]["explanation"]["matched_essential"]]
    assert "допомагати з особистою гігієною" in labels  # labels follow ?lang=uk
    assert [x["vacancy_id"] for x in data["blocked"]] == ["vac-nurse"]


def test_unsupported_language_is_rejected(client: TestClient) -> None:
    response = client.get(f"{API}/jobseekers/partial/vacancies", params={"lang": "fr"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lang"
    assert "'de', 'en' or 'uk'" in response.json()["errors"][0]["message"]


def test_what_if_answers_without_storing(client: TestClient) -> None:
    person = seeker("someone-new", m.NURSE, qualifications=_qualified("pending")).model_dump(mode="json")
    job = vacancy("job-new", m.NURSE, min_german_level="B1").model_dump(mode="json")
    before = client.post(f"{API}/what-if", json={"jobseeker": person, "vacancy": job})
    assert before.status_code == 200
    assert before.json()["eligibility"] == "blocked"
    assert before.json()["reasons"][0]["code"] == "recognition_pending"

    person["qualifications"][0]["recognition"] = "full_equivalence"
    after = client.post(f"{API}/what-if", json={"jobseeker": person, "vacancy": job}).json()
    assert (after["eligibility"], after["reasons"]) == ("eligible", [])
    assert after["score"] >= before.json()["score"] - 1e-9
    assert client.get(f"{API}/jobseekers/someone-new").status_code == 404
    assert client.get(f"{API}/vacancies/job-new").status_code == 404


def test_what_if_with_bad_input_names_the_field(client: TestClient) -> None:
    person = seeker("x", m.NURSE).model_dump(mode="json")
    person["languages"] = [{"language": "de", "level": "B9"}]
    response = client.post(f"{API}/what-if", json={"jobseeker": person, "vacancy": {}})
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert "jobseeker.languages[0].level" in fields and "vacancy.id" in fields
