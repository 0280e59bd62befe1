"""Bulk import over HTTP, match lists as CSV/Excel for advisors, pseudonymised exports for analysts."""

from __future__ import annotations

import csv
import io

import openpyxl
from fastapi.testclient import TestClient

from matching.service import Matcher
from tests import factories
from tests import mini_esco as m
from tests.conftest import auth, key_for

API = "/api/v1"
HEADER = "id,qualifications,skill_uris,languages,home_place"
GOOD = f"js-1,{m.NURSE}|UA,{m.MEDICATION},de:B2,Leipzig"
BAD = f"js-2,{m.NURSE}|UA,,de:B7,Leipzig"


def upload(client: TestClient, kind: str, text: str, **params: object):  # type: ignore[no-untyped-def]
    files = {"file": ("people.csv", text.encode(), "text/csv")}
    return client.post(f"{API}/import/{kind}", files=files, params=params)


def test_import_rejects_a_file_with_errors_and_says_where(client: TestClient, matcher: Matcher) -> None:
    response = upload(client, "jobseekers", f"{HEADER}\n{GOOD}\n{BAD}\n")
    assert response.status_code == 422
    data = response.json()
    assert data["detail"] == (
        "1 of 2 rows have errors; nothing was imported. Correct them, or import with skip_invalid=true to "
        "store the 1 valid rows only."
    )
    assert data["errors"] == [
        {
            "field": "row 3: languages",
            "message": "item 1 level: Input should be 'A1', 'A2', 'B1', 'B2', 'C1' or 'C2'",
        }
    ]
    assert data["import"]["errors"][0]["allowed"].startswith("language: ISO 639 code")
    assert matcher.storage.jobseekers.count() == 0
    as_csv = upload(client, "jobseekers", f"{HEADER}\n{GOOD}\n{BAD}\n", report="csv")
    assert as_csv.status_code == 422 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == ["row", "field", "problem", "allowed"] and rows[1][:2] == ["3", "languages"]


def test_import_with_skip_invalid_stores_the_valid_rows(client: TestClient, matcher: Matcher) -> None:
    response = upload(client, "jobseekers", f"{HEADER}\n{GOOD}\n{BAD}\n", skip_invalid="true")
    assert response.status_code == 200
    data = response.json()
    assert (data["rows"], data["imported"], data["invalid_rows"]) == (2, 1, 1)
    assert data["errors"][0]["row"] == 3
    assert client.get(f"{API}/jobseekers/js-1").status_code == 200
    assert "js-1" in matcher.seekers.index
    vacancies = f"id,employer,title,occupation_uri,location_place\nvac-1,Klinik,Pflege,{m.NURSE},Leipzig\n"
    assert upload(client, "vacancies", vacancies).json()["imported"] == 1
    page = client.get(f"{API}/vacancies/vac-1/candidates").json()
    assert [i["jobseeker_id"] for i in page["items"] + page["blocked"]] == ["js-1"]  # work permit unknown


def test_import_needs_an_advisor_and_a_file(matcher: Matcher, client: TestClient) -> None:
    employer = key_for(matcher, "employer", subject="emp-1")
    files = {"file": ("v.csv", b"id\n", "text/csv")}
    assert client.post(f"{API}/import/vacancies", files=files, headers=auth(employer)).status_code == 403
    missing = client.post(f"{API}/import/vacancies")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "file"


def _world(client: TestClient, matcher: Matcher) -> None:
    from matching.ranking.eligibility import EligibilityRules
    from matching.ranking.regulation import Regulation, RegulationRule, RegulationTable

    rule = RegulationRule(
        id="nurse", regulation=Regulation.PRACTICE_RESERVED, esco_uris=frozenset({m.NURSE}), isco_prefixes=(),
        reference_de="Pflegefachfrau/Pflegefachmann", reference_en="Nurse", legal_basis="§ 1 PflBG",
        authority="KSV Sachsen", authority_url="", min_german_level=None, bridge_uris=(), temporary_permit="",
        notes="",
    )  # fmt: skip
    matcher.rules = EligibilityRules(matcher.taxonomy, RegulationTable([rule]), matcher.rules.gazetteer)
    full = [{"occupation_uri": m.NURSE, "country": "UA", "recognition": "full_equivalence"}]
    pending = [{"occupation_uri": m.NURSE, "country": "UA", "recognition": "pending"}]
    matcher.create_jobseeker(factories.seeker("js-full", m.NURSE, [m.MEDICATION], qualifications=full))
    matcher.create_jobseeker(factories.seeker("js-pending", m.NURSE, [m.MEDICATION], qualifications=pending))
    matcher.create_vacancy(factories.vacancy("vac-1", min_german_level="B1"))


def test_candidate_lists_export_as_csv_and_excel(client: TestClient, matcher: Matcher) -> None:
    _world(client, matcher)
    response = client.get(f"{API}/vacancies/vac-1/candidates/export", params={"format": "csv", "lang": "de"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="candidates-vac-1.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["rank", "id", "score", "eligibility", "reasons", "next_steps", "matched_skills",
                       "missing_skills", "distance_km"]  # fmt: skip
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        ("1", "js-full", "eligible"),
        ("", "js-pending", "blocked"),
    ]
    assert rows[2][4] == "Anerkennung als Pflegefachfrau/Pflegefachmann beantragt; Entscheidung steht aus."
    assert "medication" in rows[1][6].lower() or "medikament" in rows[1][6].lower()
    english = client.get(f"{API}/vacancies/vac-1/candidates/export", params={"lang": "en"})
    assert "recognition" in english.content.decode("utf-8-sig").lower()

    excel = client.get(f"{API}/vacancies/vac-1/candidates/export", params={"format": "xlsx"})
    assert (
        excel.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(excel.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("rank", "id", "score", "eligibility")
    assert values[1][:2] == (1, "js-full") and values[2][:2] == (None, "js-pending")

    mine = client.get(f"{API}/jobseekers/js-pending/vacancies/export", params={"format": "csv"})
    rows = list(csv.reader(io.StringIO(mine.content.decode("utf-8-sig"))))
    assert [(r[1], r[3]) for r in rows[1:]] == [("vac-1", "blocked")]


def test_spreadsheet_cells_never_become_formulas() -> None:
    from matching.ingest.exports import to_bytes

    data = to_bytes([["reasons"], ['=HYPERLINK("http://evil")'], ["-1"], ["@SUM(A1)"], ["fine"]], "csv")
    assert [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))][1:] == [
        '\'=HYPERLINK("http://evil")',
        "'-1",
        "'@SUM(A1)",
        "fine",
    ]


def test_analysts_get_pseudonyms_coarse_groups_and_no_free_text(client: TestClient, matcher: Matcher) -> None:
    # What one row holds at most: generalisation off (one person alone can never be k-anonymous).
    settings = client.app.state.settings  # type: ignore[attr-defined]
    client.app.state.settings = settings.model_copy(update={"analytics_k": 1})  # type: ignore[attr-defined]
    matcher.create_jobseeker(
        factories.seeker(
            "js-1",
            skills_text="Ich habe in Kyjiw als Krankenschwester gearbeitet",
            experience=[{"occupation_uri": m.NURSE, "years": 3, "description": "Station 4"}],
            protected={"nationality": "UA", "gender": "female", "birth_year": 1980, "religion": "orthodox",
                       "disability": True, "ethnic_origin": "x"},
        )
    )  # fmt: skip
    matcher.create_vacancy(factories.vacancy("vac-1", description="Wir suchen dich", employer_id="emp-1"))
    analyst = auth(key_for(matcher, "analyst"))
    seekers = client.get(f"{API}/analytics/jobseekers", headers=analyst).json()
    assert len(seekers) == 1
    record = seekers[0]
    assert record["id"].startswith("p-") and "js-1" not in str(seekers)
    assert (record["nationality"], record["gender"], record["age_band"]) == ("UA", "female", "45-54")
    assert record["experience"] == [f"{m.NURSE}|3"]
    assert record["home_area"] == "042"
    for left_out in ("Kyjiw", "Station 4", "orthodox", "religion", "disability", "ethnic", "1980", "Grünau"):
        assert left_out not in str(seekers)
    vacancies = client.get(f"{API}/analytics/vacancies", headers=analyst).json()
    assert vacancies[0]["id"].startswith("v-")
    assert (
        "Klinikum" not in str(vacancies)
        and "Wir suchen" not in str(vacancies)
        and "emp-1" not in str(vacancies)
    )
    as_csv = client.get(f"{API}/analytics/jobseekers", params={"format": "csv"}, headers=analyst)
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert rows[0]["id"] == record["id"] and rows[0]["languages"] == "uk:C2;de:B1"
    # Stable pseudonyms: the same person has the same id in the next export.
    assert client.get(f"{API}/analytics/jobseekers", headers=analyst).json()[0]["id"] == record["id"]
