"""Shards built on a local Ray cluster equal one index built in this process, and the service loads them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from matching.embedding.factory import make_embedder
from matching.embedding.profiles import ProfileEncoder
from matching.errors import MatchingError
from matching.index.manifest import Manifest
from matching.index.shards import ShardedIndex
from matching.index.vector_index import VectorIndex
from matching.ingest.synthetic import LeipzigGenerator
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.geo import Gazetteer
from matching.ranking.regulation import RegulationTable
from matching.service import Matcher
from matching.service.distributed import build_shards, page_bounds, worker_database_url
from matching.store.engine import create_db_engine
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy
from tests.conftest import TODAY

MODEL = "hashing-32"
SEEKERS, VACANCIES = 300, 40


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray", reason='Ray is an optional dependency: pip install -e ".[distributed]"')
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, taxonomy: Taxonomy
) -> Iterator[tuple[str, Storage]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('distributed') / 'profiles.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    storage = Storage(url)
    storage.clear()
    data = LeipzigGenerator(taxonomy, seed=3, today=TODAY).generate(SEEKERS, VACANCIES)
    storage.jobseekers.create_many(data.jobseekers)
    storage.vacancies.create_many(data.vacancies)
    yield url, storage
    storage.clear()
    storage.dispose()


def one_process_index(storage: Storage, taxonomy: Taxonomy) -> tuple[VectorIndex, ProfileEncoder]:
    """What Matcher._rebuild does: every row, in order, encoded here, into one exact index."""
    encoder = ProfileEncoder(taxonomy, make_embedder(MODEL))
    seekers = list(storage.jobseekers.iter_all())
    index = VectorIndex(encoder.dim)
    index.upsert([s.id for s in seekers], encoder.encode_seekers(seekers))
    return index, encoder


def test_shards_built_on_ray_equal_one_exact_index(
    cluster: None, database: tuple[str, Storage], taxonomy: Taxonomy, mini_esco_dir: Path, tmp_path: Path
) -> None:
    url, storage = database
    calls: list[tuple[str, int, int]] = []
    report = build_shards(
        url, mini_esco_dir, MODEL, tmp_path, n_shards=4, batch_size=40, progress=lambda *a: calls.append(a)
    )
    assert (report.count, report.n_shards, report.pages, report.workers) == (SEEKERS, 4, 8, 2)
    assert report.manifest == tmp_path / "jobseekers.manifest.json"
    assert calls[-1] == ("building", 4, 4) and ("encoding", SEEKERS, SEEKERS) in calls

    manifest = Manifest.read(report.manifest)
    assert manifest.fingerprint == storage.jobseekers.fingerprint() == report.fingerprint
    assert (manifest.model, manifest.dim, manifest.count) == (MODEL, 32, SEEKERS)
    assert all(s.count > 0 and s.spec["kind"] == "flat" for s in manifest.shards)

    shards = ShardedIndex.load(report.manifest)
    single, encoder = one_process_index(storage, taxonomy)
    assert sorted(shards.ids()) == sorted(single.ids())
    for seeker_id in ("js-000001", "js-000150", "js-000300"):
        np.testing.assert_array_equal(shards.vector(seeker_id), single.vector(seeker_id))
    queries = encoder.encode_vacancies(list(storage.vacancies.iter_all())[:10])
    for query in queries:
        for k in (1, 20, SEEKERS):
            assert shards.search(query, k) == single.search(query, k)


def test_the_service_opens_shards_built_on_ray(
    cluster: None, database: tuple[str, Storage], taxonomy: Taxonomy, mini_esco_dir: Path, tmp_path: Path
) -> None:
    url, storage = database
    build_shards(url, mini_esco_dir, MODEL, tmp_path, n_shards=3, batch_size=100)
    report = build_shards(url, mini_esco_dir, MODEL, tmp_path, 2, batch_size=15, kind="vacancies", workers=1)
    assert (report.count, report.pages, report.workers) == (VACANCIES, 3, 1)
    # A second build of the same side leaves only its own files behind.
    build_shards(url, mini_esco_dir, MODEL, tmp_path, n_shards=2, batch_size=1000)
    assert len(list(tmp_path.glob("jobseekers.shard-*.npz"))) == 2

    rules = EligibilityRules(taxonomy, RegulationTable([]), Gazetteer())
    embedder = make_embedder(MODEL)
    sharded = Matcher(taxonomy, embedder, storage, tmp_path, rules=rules, today=TODAY)
    assert sharded.open() == {"jobseekers": "loaded", "vacancies": "loaded"}
    assert isinstance(sharded.seekers.index, ShardedIndex) and sharded.seekers.index.n_shards == 2
    assert isinstance(sharded.vacancies.index, ShardedIndex) and len(sharded.vacancies.index) == VACANCIES

    plain = Matcher(taxonomy, embedder, storage, None, rules=rules, today=TODAY)
    assert plain.open() == {"jobseekers": "rebuilt", "vacancies": "rebuilt"}
    for vacancy in list(storage.vacancies.iter_all())[:5]:
        got = sharded.rank_candidates(vacancy, k=10)
        want = plain.rank_candidates(vacancy, k=10)
        assert [(x.jobseeker_id, x.score) for x in got.items] == [
            (x.jobseeker_id, x.score) for x in want.items
        ]
        assert got.considered == want.considered


def test_pages_cover_every_id_without_overlap(database: tuple[str, Storage]) -> None:
    url, storage = database
    engine = create_db_engine(url)
    try:
        pages = page_bounds(engine, "jobseekers", 70)
    finally:
        engine.dispose()
    ids = sorted(s.id for s in storage.jobseekers.iter_all())
    assert len(pages) == 5 and pages[0][0] is None and pages[-1][1] is None
    sizes = [sum(1 for i in ids if (lo is None or i >= lo) and (hi is None or i < hi)) for lo, hi in pages]
    assert sizes == [70, 70, 70, 70, 20]


def test_bad_arguments_are_refused_before_any_work(tmp_path: Path, mini_esco_dir: Path) -> None:
    with pytest.raises(MatchingError, match="in this process's memory, which Ray workers cannot read"):
        worker_database_url("sqlite://")
    assert worker_database_url("sqlite:///relative.db") == f"sqlite:///{Path('relative.db').resolve()}"
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(MatchingError, match=r"'kind' parameter must be one of \['jobseekers', 'vacancies'\]"):
        build_shards(url, mini_esco_dir, MODEL, tmp_path, 2, kind="employers")  # type: ignore[arg-type]
    with pytest.raises(MatchingError, match=r"'n_shards' parameter must be an int in \[1, 4096\]"):
        build_shards(url, mini_esco_dir, MODEL, tmp_path, 0)
    with pytest.raises(MatchingError, match="'batch_size' parameter must be an int >= 1"):
        build_shards(url, mini_esco_dir, MODEL, tmp_path, 2, batch_size=0)


def test_a_profile_vector_does_not_depend_on_its_batch(
    database: tuple[str, Storage], taxonomy: Taxonomy
) -> None:
    """Workers encode different pages than one process does; the vectors must still be equal bit for bit."""
    _, storage = database
    encoder = ProfileEncoder(taxonomy, make_embedder(MODEL))
    for items, encode in (
        (list(storage.jobseekers.iter_all()), encoder.encode_seekers),
        (list(storage.vacancies.iter_all()), encoder.encode_vacancies),
    ):
        whole = encode(items)
        order = np.random.default_rng(0).permutation(len(items))
        for size in (1, 7, 64):
            for start in range(0, len(items), size):
                rows = order[start : start + size]
                np.testing.assert_array_equal(encode([items[i] for i in rows]), whole[rows])


def test_build_shards_command_uses_the_settings(
    cluster: None, taxonomy: Taxonomy, mini_esco_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from matching.cli import app

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    storage = Storage(url)
    storage.jobseekers.create_many(LeipzigGenerator(taxonomy, seed=5, today=TODAY).generate(60, 0).jobseekers)
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "DATABASE_URL": url,
        "DATA_DIR": str(tmp_path / "data"),
        "ESCO_PATH": str(mini_esco_dir),
        "EMBEDDING_MODEL": MODEL,
        "LANGUAGE": "en",
    }.items():
        monkeypatch.setenv(f"SKILLBRIDGE_{name}", value)
    result = CliRunner().invoke(app, ["build-shards", "--shards", "3", "--batch-size", "25"])
    assert result.exit_code == 0, result.output
    assert "Indexed 60 job seekers into 3 shards" in result.output
    manifest = Manifest.read(tmp_path / "data" / "indexes" / "jobseekers.manifest.json")
    assert manifest.count == 60 and manifest.fingerprint == storage.jobseekers.fingerprint()
    bad = CliRunner().invoke(app, ["build-shards", "--kind", "employers"])
    assert bad.exit_code == 2 and "must be one of jobseekers, vacancies" in bad.output
    storage.dispose()
