"""ShardedIndex against one exact VectorIndex on the same data, routing, updates, and the manifest on disk."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matching.errors import VectorIndexError
from matching.index.manifest import Manifest, manifest_path, shard_of
from matching.index.saved import load_saved_index
from matching.index.shards import ShardedIndex
from matching.index.vector_index import VectorIndex
from matching.service import Matcher
from tests import mini_esco as m
from tests.factories import seeker, vacancy
from tests.matching.test_index import DIM, unit_rows


def dataset(n: int, seed: int = 0, duplicates: int = 0) -> tuple[list[str], np.ndarray]:
    """n ids and unit vectors; the last ``duplicates`` repeat earlier vectors, so exact ties occur."""
    vectors = unit_rows(n, seed=seed)
    if duplicates:
        vectors[n - duplicates :] = vectors[:duplicates]
    return [f"js-{i:05d}" for i in range(n)], vectors


def both(n: int, n_shards: int, seed: int = 0, duplicates: int = 0) -> tuple[VectorIndex, ShardedIndex]:
    ids, vectors = dataset(n, seed, duplicates)
    single = VectorIndex(DIM)
    single.upsert(ids, vectors)
    return single, ShardedIndex.build(DIM, ids, vectors, n_shards, model_id="test-model")


@pytest.mark.parametrize("n_shards", [1, 3, 8])
@pytest.mark.parametrize("k", [1, 10, 100, 1000])
def test_sharded_search_equals_one_exact_index(n_shards: int, k: int) -> None:
    single, sharded = both(400, n_shards, seed=n_shards, duplicates=40)
    assert all(spec.kind == "flat" for spec in sharded.specs)
    for query in [*unit_rows(5, seed=99), single.vector("js-00003")]:  # the last one hits exact ties
        assert sharded.search(query, k) == single.search(query, k)


def test_ties_across_shards_are_broken_by_id() -> None:
    ids = ["b", "a", "d", "c", "e"]
    vectors = np.repeat(unit_rows(1), len(ids), axis=0)
    sharded = ShardedIndex.build(DIM, ids, vectors, n_shards=3)
    assert len({shard_of(i, 3) for i in ids}) > 1  # the tie really spans shards
    assert [h[0] for h in sharded.search(vectors[0], 3)] == ["a", "b", "c"]


def test_routing_is_stable_and_spreads_ids_evenly() -> None:
    # Pinned values: a changed routing would send existing ids to the wrong shard of every saved set.
    assert [shard_of(f"js-{i:06d}", 5) for i in range(10)] == [0, 3, 1, 3, 0, 3, 4, 0, 2, 3]
    assert [shard_of(i, 8) for i in ("js-000001", "vac-00001", "")] == [0, 0, 4]
    assert shard_of("js-000001", 1) == 0
    counts = np.bincount([shard_of(f"js-{i:06d}", 8) for i in range(8000)], minlength=8)
    assert counts.min() > 900 and counts.max() < 1100


def test_each_id_lives_in_its_routed_shard() -> None:
    _, sharded = both(300, 4)
    for number, shard in enumerate(sharded.shards):
        assert shard.ids() and all(shard_of(e, 4) == number for e in shard.ids())
    assert sorted(sharded.ids()) == [f"js-{i:05d}" for i in range(300)]
    assert len(sharded) == 300 and "js-00007" in sharded and "nope" not in sharded and 7 not in sharded


def test_upsert_and_remove_reach_the_right_shard() -> None:
    single, sharded = both(200, 4)
    new_ids = ["new-1", "new-2", "js-00005"]  # the last one replaces an existing vector
    new_vectors = unit_rows(3, seed=7)
    sharded.upsert(new_ids, new_vectors)
    single.upsert(new_ids, new_vectors)
    for entity_id, vector in zip(new_ids, new_vectors, strict=True):
        home = sharded.shards[shard_of(entity_id, 4)]
        assert entity_id in home
        assert sum(entity_id in s for s in sharded.shards) == 1
        np.testing.assert_allclose(sharded.vector(entity_id), vector, atol=1e-6)
    assert len(sharded) == 202
    assert sharded.remove(["new-1", "js-00010", "missing"]) == 2
    single.remove(["new-1", "js-00010"])
    assert "new-1" not in sharded and "js-00010" not in sharded and len(sharded) == 200
    for query in unit_rows(3, seed=5):
        assert sharded.search(query, 25) == single.search(query, 25)


def test_rejected_upsert_changes_no_shard() -> None:
    _, sharded = both(50, 4)
    bad = unit_rows(3, seed=1)
    bad[2, 0] = np.nan
    with pytest.raises(VectorIndexError, match="NaN"):
        sharded.upsert(["a", "b", "c"], bad)
    with pytest.raises(VectorIndexError, match="unique"):
        sharded.upsert(["a", "a"], unit_rows(2))
    with pytest.raises(VectorIndexError, match=r"shape \(n, 16\)"):
        sharded.upsert(["a"], np.ones((1, 3), dtype=np.float32))
    with pytest.raises(VectorIndexError, match="Attribute 'x' has 1 values for 2 ids"):
        sharded.upsert(["a", "b"], unit_rows(2), attrs={"x": [1.0]})
    assert len(sharded) == 50 and "a" not in sharded


def test_where_filters_inside_each_shard_like_one_index() -> None:
    ids, vectors = dataset(300, seed=3)
    authorised = (np.arange(300) % 3 != 0).astype(np.float32)
    single = VectorIndex.build(DIM, ids, vectors, attrs={"authorised": authorised})
    sharded = ShardedIndex.build(DIM, ids, vectors, 4, attrs={"authorised": authorised})
    masks = [values == 1 for values in sharded.attribute("authorised")]
    for query in unit_rows(4, seed=11):
        expected = single.search(query, 20, single.attribute("authorised") == 1)
        assert all(int(h[0][3:]) % 3 != 0 for h in expected)
        assert sharded.search(query, 20, masks) == expected
        assert sharded.search(query, 20, lambda shard: shard.attribute("authorised") == 1) == expected


def test_bad_arguments_name_what_is_allowed() -> None:
    _, sharded = both(20, 2)
    with pytest.raises(VectorIndexError, match=r"'n_shards' parameter must be an int in \[1, 4096\]"):
        ShardedIndex(DIM, 0)
    with pytest.raises(VectorIndexError, match=r"'k' parameter must be an int >= 1\. Got 0"):
        sharded.search(unit_rows(1)[0], 0)
    with pytest.raises(VectorIndexError, match=r"one mask per shard \(2\); got 1"):
        sharded.search(unit_rows(1)[0], 3, [np.ones(20, dtype=bool)])
    with pytest.raises(VectorIndexError, match="No attribute 'region' in any shard"):
        sharded.attribute("region")
    with pytest.raises(VectorIndexError, match=r"must end in '\.npz' or '\.manifest\.json'"):
        manifest_path("index.bin")


# -- on disk ---------------------------------------------------------------------------------------


def saved(tmp_path: Path, n: int = 300, n_shards: int = 4) -> tuple[ShardedIndex, Path]:
    _, sharded = both(n, n_shards)
    sharded.fingerprint = "rows-v1"
    manifest = sharded.save(tmp_path / "jobseekers.npz")
    assert manifest.count == n
    return sharded, tmp_path / "jobseekers.manifest.json"


def test_manifest_round_trip(tmp_path: Path) -> None:
    sharded, path = saved(tmp_path)
    data = json.loads(path.read_text())
    assert data["format"] == 1 and data["n_shards"] == 4 and data["dim"] == DIM and data["count"] == 300
    assert data["model"] == "test-model" and data["fingerprint"] == "rows-v1"
    assert data["routing"] == "blake2b-64-mod"
    assert [s["count"] for s in data["shards"]] == [len(s) for s in sharded.shards]
    assert all(len(s["sha256"]) == 64 and (tmp_path / s["file"]).is_file() for s in data["shards"])

    loaded = ShardedIndex.load(path)
    assert (loaded.n_shards, loaded.dim, loaded.model_id, loaded.fingerprint) == (
        4,
        DIM,
        "test-model",
        "rows-v1",
    )
    for query in unit_rows(4, seed=21):
        assert loaded.search(query, 30) == sharded.search(query, 30)


def test_saving_again_rewrites_only_changed_shards_and_removes_old_files(tmp_path: Path) -> None:
    sharded, path = saved(tmp_path)
    before = [s.file for s in Manifest.read(path).shards]
    sharded.upsert(["new-1"], unit_rows(1, seed=4))
    sharded.fingerprint = "rows-v2"
    sharded.save(path)
    after = [s.file for s in Manifest.read(path).shards]
    changed = shard_of("new-1", 4)
    assert [a != b for a, b in zip(before, after, strict=True)] == [i == changed for i in range(4)]
    assert sorted(p.name for p in tmp_path.glob("jobseekers.shard-*.npz")) == sorted(after)
    again = ShardedIndex.load(path)
    assert "new-1" in again and again.fingerprint == "rows-v2" and len(again) == 301


def test_tampered_shard_is_refused_with_a_rebuild_hint(tmp_path: Path) -> None:
    _, path = saved(tmp_path)
    shard = tmp_path / Manifest.read(path).shards[1].file
    blob = bytearray(shard.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    shard.write_bytes(bytes(blob))
    with pytest.raises(VectorIndexError, match=r"does not match its SHA-256 .* Rebuild the shards"):
        ShardedIndex.load(path)


def test_missing_shard_and_bad_manifests_are_refused(tmp_path: Path) -> None:
    _, path = saved(tmp_path)
    good = json.loads(path.read_text())
    (tmp_path / good["shards"][0]["file"]).unlink()
    with pytest.raises(VectorIndexError, match="is missing; rebuild the shards"):
        ShardedIndex.load(path)

    cases = {
        "format": ({**good, "format": 99}, "format 99; this version reads format 1"),
        "routing": ({**good, "routing": "crc32"}, "routes ids by 'crc32'"),
        "count": ({**good, "n_shards": 5}, "declares 5 shards but lists 4"),
        "escape": (
            {**good, "shards": [{**good["shards"][0], "file": "../../etc/passwd"}, *good["shards"][1:]]},
            "expected a file named 'jobseekers.shard-0000-of-0004",
        ),
        "fields": ({**good, "shards": [{"file": "x"}] * 4}, "is malformed"),
    }
    for data, message in cases.values():
        path.write_text(json.dumps(data))
        with pytest.raises(VectorIndexError, match=message):
            ShardedIndex.load(path)
    path.write_text('{"format": 1, "n_')
    with pytest.raises(VectorIndexError, match=r"Cannot read shard manifest .* Rebuild the shards"):
        ShardedIndex.load(path)


def test_load_saved_index_prefers_matching_shards_then_the_single_file(tmp_path: Path) -> None:
    saved(tmp_path)
    single_path = tmp_path / "jobseekers.npz"
    assert isinstance(load_saved_index(single_path, "rows-v1", "test-model"), ShardedIndex)
    with pytest.raises(VectorIndexError, match="embedded with model 'test-model', but this service uses"):
        load_saved_index(single_path, "rows-v1", "other-model")
    with pytest.raises(VectorIndexError, match=r"no single-file index jobseekers\.npz; rebuild the shards"):
        load_saved_index(single_path, "rows-v2")
    single = VectorIndex(DIM)
    single.fingerprint = "rows-v2"
    single.save(single_path)
    assert isinstance(load_saved_index(single_path, "rows-v2"), VectorIndex)


# -- in the service ----------------------------------------------------------------------------------


def test_matcher_opens_saved_shards_and_keeps_them_up_to_date(matcher: Matcher) -> None:
    for number, occupation in enumerate([m.NURSE, m.NURSING_ASSISTANT, m.FORKLIFT, m.ELECTRICIAN] * 5):
        matcher.create_jobseeker(seeker(f"js-{number:03d}", occupation))
    matcher.create_vacancy(vacancy("vac-nurse", m.NURSE))
    expected = [x.jobseeker_id for x in matcher.candidates_for_vacancy("vac-nurse", k=10).items]
    single = matcher.seekers.index
    shards = ShardedIndex.build(
        single.dim, single.ids(), np.stack([single.vector(i) for i in single.ids()]), 3, model_id="hashing-64"
    )
    shards.fingerprint = matcher.storage.jobseekers.fingerprint()
    assert matcher.index_dir is not None
    shards.save(matcher.index_dir / "jobseekers.npz")

    def reopen() -> tuple[Matcher, dict[str, str]]:
        again = Matcher(
            matcher.taxonomy,
            matcher.encoder.embedder,
            matcher.storage,
            matcher.index_dir,
            rules=matcher.rules,
            today=matcher.today,
        )
        return again, again.open()

    again, outcome = reopen()
    assert outcome["jobseekers"] == "loaded" and isinstance(again.seekers.index, ShardedIndex)
    assert [x.jobseeker_id for x in again.candidates_for_vacancy("vac-nurse", k=10).items] == expected

    # Writes go to the shards, and the service's saves keep the manifest in step with the database.
    again.create_jobseeker(seeker("js-new", m.NURSE, [m.MEDICATION]))
    again.delete_jobseeker("js-000")
    again.save_indexes()
    third, outcome = reopen()
    assert outcome["jobseekers"] == "loaded" and isinstance(third.seekers.index, ShardedIndex)
    assert "js-new" in third.seekers.index and "js-000" not in third.seekers.index

    # Writes after the save are caught up from the change log, shards and all.
    matcher.storage.jobseekers.delete("js-001")
    fourth, outcome = reopen()
    assert outcome["jobseekers"] == "loaded" and isinstance(fourth.seekers.index, ShardedIndex)
    assert "js-001" not in fourth.seekers.index

    # Shards built from other rows than the database holds (their fingerprint) are not used: the single-file
    # index beside them is caught up instead.
    shards.save(matcher.index_dir / "jobseekers.npz")
    fifth, outcome = reopen()
    assert outcome["jobseekers"] == "loaded" and isinstance(fifth.seekers.index, VectorIndex)
    assert "js-001" not in fifth.seekers.index
