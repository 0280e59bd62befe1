"""The analysts' job seeker export cannot be turned back into people: no id order, no unique combinations."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient

from matching.pseudonyms import SECRET_NAME, analytics_pseudonym
from matching.service import Matcher
from matching.service.anonymity import k_anonymise
from tests import factories
from tests import mini_esco as m
from tests.conftest import auth, key_for

API = "/api/v1"
SKILLS = [m.MEDICATION, m.HYGIENE, m.VITALS, m.CARE_PLAN, m.DOCUMENTATION, m.STOCK, m.LOADING, m.TEAMWORK]
OCCUPATIONS = [m.NURSE, m.NURSING_ASSISTANT, m.WAREHOUSE, m.ELECTRICIAN]


def _people(matcher: Matcher, n: int) -> list[str]:
    """n job seekers whose skills, languages, experience and commute limit together are all different."""
    rng = random.Random(3)
    ids = [f"js-{i:03d}" for i in range(n)]
    for i, seeker_id in enumerate(ids):
        matcher.create_jobseeker(
            factories.seeker(
                seeker_id,
                occupation=OCCUPATIONS[i % 4],
                skills=rng.sample(SKILLS, rng.randint(1, 5)),
                max_commute_km=5 + i,
                experience=[{"occupation_uri": OCCUPATIONS[i % 3], "years": 1 + i % 7}],
                languages=[{"language": "de", "level": ("B1", "B2")[i % 2]}],
                protected={"nationality": "UA", "gender": ("female", "male")[i // 2 % 2], "birth_year": 1990},
            )
        )
    return ids


def _combinations(rows: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter(
        tuple(tuple(v) if isinstance(v, list) else v for name, v in row.items() if name != "id")
        for row in rows
    )


def test_rows_follow_the_keyed_hash_and_every_combination_is_shared_by_k(
    client: TestClient, matcher: Matcher
) -> None:
    ids = _people(matcher, 40)
    analyst = auth(key_for(matcher, "analyst"))
    response = client.get(f"{API}/analytics/jobseekers", headers=analyst)
    rows = response.json()
    secret = matcher.storage.secret(SECRET_NAME)
    pseudonyms = {analytics_pseudonym(secret, "jobseeker", i): i for i in ids}
    # Not the storage (id) order: row i says nothing about which person it is.
    assert [r["id"] for r in rows] == sorted(pseudonyms)
    assert [pseudonyms[r["id"]] for r in rows] != ids
    # Every released combination of values is shared by at least 5 people; the rest is suppressed.
    suppressed = [r for r in rows if all(v is None for name, v in r.items() if name != "id")]
    released = [r for r in rows if r not in suppressed]
    assert released and min(_combinations(released).values()) >= 5
    assert response.headers["X-Anonymity-K"] == "5"
    assert response.headers["X-Anonymity-Suppressed"] == str(len(suppressed)) and len(suppressed) <= 2
    assert response.headers["X-Anonymity-Level"] != "exact"
    as_csv = client.get(f"{API}/analytics/jobseekers", params={"format": "csv"}, headers=analyst)
    assert as_csv.headers["X-Anonymity-K"] == "5" and len(as_csv.text.splitlines()) == 41


def test_fewer_columns_keep_more_detail_under_ids_of_their_own(client: TestClient, matcher: Matcher) -> None:
    ids = _people(matcher, 40)
    analyst = auth(key_for(matcher, "analyst"))
    full = client.get(f"{API}/analytics/jobseekers", headers=analyst).json()
    some = client.get(f"{API}/analytics/jobseekers", params={"columns": "gender,languages"}, headers=analyst)
    rows = some.json()
    assert set(rows[0]) == {"id", "gender", "languages"} and len(rows) == len(ids)
    kept = [r for r in rows if r["gender"] is not None]
    assert len(kept) == 40 and min(_combinations(kept).values()) >= 5
    assert {tuple(r["languages"]) for r in kept} == {("de:B1",), ("de:B2",)}
    # The full export could not keep every person's exact skills.
    assert not any(isinstance(r["skill_uris"], list) for r in full)
    # Different columns, different ids: two exports cannot be joined into one fuller row.
    assert {r["id"] for r in rows}.isdisjoint({r["id"] for r in full})
    bad = client.get(f"{API}/analytics/jobseekers", params={"columns": "gender,name"}, headers=analyst)
    assert bad.status_code == 422
    assert "columns" in bad.text and "name" in bad.text and "nationality" in bad.text


def test_without_generalisation_every_synthetic_person_would_be_unique() -> None:
    rng = random.Random(1)
    rows = [
        {"id": f"p-{i:04d}", "skills": sorted(rng.sample(range(50), 6)), "gender": rng.choice("fm")}
        for i in range(500)
    ]
    exact, report = k_anonymise(rows, 1, lambda uri, digits: "?")
    assert report.unique_before == 500 and report.suppressed == 0 and exact[0]["skills"] == rows[0]["skills"]
    released, report = k_anonymise(rows, 5, lambda uri, digits: "?")
    assert report.level == "exact" or "skills" in report.level
    kept = [r for r in released if r["gender"] is not None]
    assert len(kept) >= 475 and min(_combinations(kept).values()) >= 5
