from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.geo import Gazetteer
from matching.ranking.regulation import RegulationTable
from matching.service import Matcher
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy
from matching.taxonomy.esco import load_esco
from tests.mini_esco import write_mini_esco

TODAY = dt.date(2026, 11, 25)
SHARED_ESCO = Path(__file__).resolve().parents[2] / "shared" / "data" / "esco"
POSTGRES_URL = os.environ.get(
    "SKILLBRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def mini_esco_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mini_esco(tmp_path_factory.mktemp("mini_esco"))


@pytest.fixture(scope="session")
def taxonomy(mini_esco_dir: Path) -> Taxonomy:
    return load_esco(mini_esco_dir)


@pytest.fixture
def embedder() -> CachedEmbedder:
    return CachedEmbedder(HashingEmbedder(64))


def _postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway schema in the test PostgreSQL server; CI must have it, a laptop may skip."""
    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {POSTGRES_URL}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    schema = f"sb_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    store = Storage(database_url)
    store.clear()
    yield store
    store.clear()
    store.dispose()


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer()


@pytest.fixture
def matcher(
    taxonomy: Taxonomy, embedder: CachedEmbedder, storage: Storage, gazetteer: Gazetteer, tmp_path: Path
) -> Matcher:
    """Ranking without regulated professions: the mini taxonomy's URIs are not in the German table."""
    rules = EligibilityRules(taxonomy, RegulationTable([]), gazetteer)
    built = Matcher(taxonomy, embedder, storage, tmp_path / "indexes", rules=rules, today=TODAY)
    built.open()
    return built


def key_for(matcher: Matcher, role: str, organisation: str = "default", subject: str | None = None) -> str:
    """A fresh API key, ready for an ``Authorization`` header."""
    return matcher.storage.keys.create(role, organisation, subject)[1]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def client(matcher: Matcher) -> Iterator[TestClient]:
    """The API as an advisor of the organisation 'default' (where library-created entities live)."""
    with TestClient(create_app(matcher=matcher), headers=auth(key_for(matcher, "advisor"))) as test_client:
        yield test_client
