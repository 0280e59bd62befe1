"""A small Leipzig world for the page tests: the demo taxonomy, synthetic data, a few hand-made people and
vacancies whose outcome is known, API keys for each role, and the app served on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from api.app import create_app
from matching.bootstrap import build_matcher
from matching.config import Settings
from matching.ingest.synthetic import LeipzigGenerator
from matching.service import Matcher
from models import JobSeeker, Vacancy

ORGANISATION = "leipzig"
NURSE = "http://data.europa.eu/esco/occupation/8d3e8aaa-791b-4c75-a465-f3f827028f50"
NURSING_ASSISTANT = "http://data.europa.eu/esco/occupation/87d0795a-d41f-47ee-979f-0ab7d73836e7"
GRUENAU = {"place": "Leipzig-Grünau-Mitte", "postcode": "04209", "lat": 51.32426, "lon": 12.28035}
LINDENAU = {"place": "Leipzig-Lindenau", "postcode": "04177", "lat": 51.3383, "lon": 12.3302}


@dataclass
class World:
    matcher: Matcher
    keys: dict[str, str] = field(default_factory=dict)
    key_ids: dict[str, str] = field(default_factory=dict)
    base_url: str = ""


def nurse_olena(taxonomy_skills: list[str]) -> JobSeeker:
    """A Ukrainian nurse whose recognition is pending: nurse posts are blocked (unless the employer offers a
    placement during recognition), nursing-assistant posts are bridge jobs."""
    return JobSeeker.model_validate(
        {
            "id": "js-olena",
            "qualifications": [
                {
                    "occupation_uri": NURSE,
                    "title": "Медична сестра",
                    "country": "UA",
                    "year": 2012,
                    "recognition": "pending",
                    "recognition_filed_on": "2026-09-01",
                }
            ],
            "experience": [{"occupation_uri": NURSE, "years": 11, "country": "UA"}],
            "skill_uris": taxonomy_skills,
            "languages": [{"language": "uk", "level": "C2"}, {"language": "de", "level": "B2"}],
            "home": GRUENAU,
            "max_commute_km": 20,
            "working_time": "any",
            "work_authorisation": {"status": "permitted", "basis": "§ 24 AufenthG"},
            "protected": {"nationality": "UA", "gender": "female", "birth_year": 1988},
        }
    )


def nurse_ivan(taxonomy_skills: list[str]) -> JobSeeker:
    """Another person with their own key: must never see Olena's page."""
    return JobSeeker.model_validate(
        {
            "id": "js-ivan",
            "qualifications": [
                {"occupation_uri": NURSING_ASSISTANT, "country": "UA", "recognition": "not_required"}
            ],
            "skill_uris": taxonomy_skills[:3],
            "languages": [{"language": "uk", "level": "C2"}, {"language": "de", "level": "B1"}],
            "home": LINDENAU,
            "work_authorisation": {"status": "permitted", "basis": "§ 24 AufenthG"},
        }
    )


def vacancies() -> list[Vacancy]:
    common = {"min_german_level": "B1", "working_time": "full_time", "hours_per_week": 38.5}
    return [
        Vacancy.model_validate(
            {
                "id": "vac-nurse-a",
                "employer": "Klinikum Grünau GmbH",
                "title": "Pflegefachfrau/Pflegefachmann Station 3 (m/w/d)",
                "occupation_uri": NURSE,
                "location": GRUENAU,
                **common,
            }
        ),
        Vacancy.model_validate(
            {
                "id": "vac-nurse-b",
                "employer": "Pflegeheim Lindenau gGmbH",
                "title": "Pflegefachkraft mit Anerkennungsbegleitung (m/w/d)",
                "occupation_uri": NURSE,
                "location": LINDENAU,
                "recognition_support": True,
                **common,
            }
        ),
        Vacancy.model_validate(
            {
                "id": "vac-assist",
                "employer": "Klinikum Grünau GmbH",
                "title": "Krankenpflegehelferin/Krankenpflegehelfer (m/w/d)",
                "occupation_uri": NURSING_ASSISTANT,
                "location": GRUENAU,
                **common,
            }
        ),
    ]


def build_world(data_dir: Path, jobseekers: int = 150, vacancy_count: int = 40) -> World:
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{(data_dir / 'pages.db').as_posix()}",
        embedding_model="hashing-32",
    )
    matcher = build_matcher(settings)
    # A fixed "today", before the synthetic start dates, so availability and permits do not drift.
    matcher.today = dt.date(2026, 11, 25)
    dataset = LeipzigGenerator(matcher.taxonomy, seed=11).generate(jobseekers, vacancy_count)
    nurse_skills = list(matcher.taxonomy.essential_skills(NURSE))
    people = [*dataset.jobseekers, nurse_olena(nurse_skills), nurse_ivan(nurse_skills)]
    matcher.storage.clear()
    matcher.bulk_load(people, [*dataset.vacancies, *vacancies()], organisation=ORGANISATION)
    world = World(matcher)
    for name, role, subject in (
        ("advisor", "advisor", None),
        ("admin", "admin", None),
        ("olena", "jobseeker", "js-olena"),
        ("ivan", "jobseeker", "js-ivan"),
        ("employer", "employer", "emp-1"),
    ):
        record, key = matcher.storage.keys.create(role, ORGANISATION, subject, label="page tests")
        world.keys[name] = key
        world.key_ids[name] = record.id
    return world


@contextmanager
def serve(matcher: Matcher) -> Iterator[str]:
    """The app on a free port of 127.0.0.1 in a thread; yields its base URL and stops it afterwards."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(matcher=matcher), log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The test server did not start within 30 s; see the log above.")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
