"""VectorIndex against an exact answer (brute-force numpy), plus its edges: updates, errors, save/load."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from matching.errors import VectorIndexError
from matching.index.vector_index import SEARCH_THREADS, VectorIndex, faiss

DIM = 16


def unit_rows(n: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def make_index(n: int, seed: int = 0) -> tuple[VectorIndex, list[str], np.ndarray]:
    index = VectorIndex(DIM)
    ids = [f"id-{i:04d}" for i in range(n)]
    vectors = unit_rows(n, seed=seed)
    index.upsert(ids, vectors)
    return index, ids, vectors


def brute_force(ids: list[str], vectors: np.ndarray, query: np.ndarray, k: int) -> list[tuple[str, float]]:
    scores = vectors.astype(np.float64) @ query.astype(np.float64)
    order = sorted(range(len(ids)), key=lambda i: (-scores[i], ids[i]))[:k]
    return [(ids[i], float(scores[i])) for i in order]


def assert_same_hits(got: list[tuple[str, float]], expected: list[tuple[str, float]]) -> None:
    assert [h[0] for h in got] == [h[0] for h in expected]
    np.testing.assert_allclose([h[1] for h in got], [h[1] for h in expected], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n", [1, 7, 50, 300])
@pytest.mark.parametrize("k", [1, 5, 50, 1000])
def test_search_equals_brute_force_inner_product(n: int, k: int) -> None:
    index, ids, vectors = make_index(n, seed=n)
    for query in unit_rows(5, seed=1000 + n):
        got = index.search(query, k)
        assert len(got) == min(k, n)
        assert_same_hits(got, brute_force(ids, vectors, query, k))


def test_a_search_from_a_request_thread_runs_on_the_search_threads() -> None:
    """OpenMP's thread count is per thread; a server searches from its request threads, where a team of
    several threads would leave helpers spinning on the other cores after every search."""
    index, ids, vectors = make_index(300)
    seen: list[int] = []

    def request() -> None:
        faiss.omp_set_num_threads(4)  # what a fresh thread may start with on a larger machine
        assert_same_hits(index.search(vectors[3], 10), brute_force(ids, vectors, vectors[3], 10))
        seen.append(faiss.omp_get_max_threads())

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    assert seen == [SEARCH_THREADS]


def test_small_index_returns_fewer_results_never_padding() -> None:
    assert VectorIndex(DIM).search(unit_rows(1)[0], 3) == []
    index, ids, _ = make_index(3)
    hits = index.search(unit_rows(1, seed=9)[0], 10)
    assert sorted(h[0] for h in hits) == ids
    assert all(h[0] != -1 and h[0] in ids for h in hits)


def test_upsert_replaces_existing_vector() -> None:
    index, ids, vectors = make_index(5)
    new = -vectors[2]
    index.upsert([ids[2]], new[None, :])
    assert len(index) == 5
    np.testing.assert_allclose(index.vector(ids[2]), new)
    # The old vector is gone: searching for it finds the replaced id at the very bottom, once.
    hits = index.search(vectors[2], 5)
    assert [h[0] for h in hits].count(ids[2]) == 1
    assert hits[-1][0] == ids[2]
    assert hits[-1][1] == pytest.approx(-1.0, abs=1e-5)


def test_remove_returns_count_and_removed_ids_are_never_returned() -> None:
    index, ids, vectors = make_index(6)
    removed = index.remove([ids[0], ids[3], "unknown", ids[0]])
    assert removed == 2
    assert len(index) == 4
    assert ids[0] not in index and ids[3] not in index
    kept = [i for i in range(6) if i not in (0, 3)]
    for query in vectors:
        got = index.search(query, 10)
        assert_same_hits(got, brute_force([ids[i] for i in kept], vectors[kept], query, 10))
    assert index.remove(["nothing-here"]) == 0


def test_ties_are_broken_by_id_within_results() -> None:
    index = VectorIndex(4)
    same = np.tile(np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32), (4, 1))
    index.upsert(["d", "b", "c", "a"], same)
    assert [h[0] for h in index.search(same[0], 4)] == ["a", "b", "c", "d"]


def test_ties_at_the_cut_off_keep_the_smallest_ids() -> None:
    """Top-k under (score desc, id asc): which tied ids make the cut must not depend on insertion order."""
    index = VectorIndex(4)
    same = np.tile(np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32), (5, 1))
    index.upsert(["e", "d", "c", "b", "a"], same)
    assert [h[0] for h in index.search(same[0], 2)] == ["a", "b"]


@pytest.mark.parametrize(
    ("vectors", "message"),
    [
        (np.ones((2, DIM + 1), dtype=np.float32), r"must have shape \(n, 16\); got \(2, 17\)"),
        (np.ones((2, DIM), dtype=np.int64), "must be floating point; got dtype int64"),
        (np.full((2, DIM), np.nan, dtype=np.float32), "NaN or infinite"),
        (np.full((2, DIM), np.inf, dtype=np.float32), "NaN or infinite"),
    ],
)
def test_upsert_rejects_bad_vectors(vectors: np.ndarray, message: str) -> None:
    index = VectorIndex(DIM)
    with pytest.raises(VectorIndexError, match=message):
        index.upsert(["a", "b"], vectors)
    assert len(index) == 0


def test_search_rejects_bad_queries() -> None:
    index, _, vectors = make_index(3)
    with pytest.raises(VectorIndexError, match=r"must have shape \(n, 16\)"):
        index.search(np.ones(DIM - 1, dtype=np.float32), 1)
    with pytest.raises(VectorIndexError, match="must be floating point"):
        index.search(np.ones(DIM, dtype=np.int32), 1)
    with pytest.raises(VectorIndexError, match="NaN"):
        index.search(np.full(DIM, np.nan, dtype=np.float32), 1)
    with pytest.raises(VectorIndexError, match=r"The 'k' parameter must be an int >= 1\. Got 0 instead\."):
        index.search(vectors[0], 0)
    with pytest.raises(VectorIndexError, match="search takes one query vector; got 2"):
        index.search(vectors[:2], 1)


def test_upsert_rejects_count_mismatch_and_duplicate_ids() -> None:
    index = VectorIndex(DIM)
    with pytest.raises(VectorIndexError, match="Got 2 ids for 3 vectors"):
        index.upsert(["a", "b"], unit_rows(3))
    with pytest.raises(VectorIndexError, match="ids must be unique within one call"):
        index.upsert(["a", "b", "a"], unit_rows(3))
    assert len(index) == 0


def test_float64_input_is_accepted_and_stored_as_float32() -> None:
    index = VectorIndex(DIM)
    vectors = unit_rows(3).astype(np.float64)
    index.upsert(["a", "b", "c"], vectors)
    stored = index.vector("b")
    assert stored.dtype == np.float32
    np.testing.assert_allclose(stored, vectors[1], rtol=1e-6)
    assert index.search(vectors[1], 1)[0][0] == "b"


def test_save_load_round_trip(tmp_path: Path) -> None:
    index, ids, _ = make_index(20)
    index.remove([ids[5]])
    index.fingerprint = "abc123"
    path = tmp_path / "seekers.index"
    index.save(path)
    loaded = VectorIndex.load(path)
    assert loaded.dim == DIM
    assert loaded.fingerprint == "abc123"
    assert sorted(loaded.ids()) == sorted(index.ids())
    for entity_id in index.ids():
        np.testing.assert_array_equal(loaded.vector(entity_id), index.vector(entity_id))
    for query in unit_rows(4, seed=7):
        assert loaded.search(query, 8) == index.search(query, 8)


def test_upserts_after_load_do_not_collide_with_existing_ids(tmp_path: Path) -> None:
    index, ids, vectors = make_index(4)
    index.remove([ids[3]])  # the highest number is free again, but must not be reused
    index.save(tmp_path / "i.index")
    loaded = VectorIndex.load(tmp_path / "i.index")
    fresh = unit_rows(2, seed=42)
    loaded.upsert(["new-1", "new-2"], fresh)
    assert len(loaded) == 5
    for i in range(3):
        np.testing.assert_array_equal(loaded.vector(ids[i]), vectors[i])
    np.testing.assert_array_equal(loaded.vector("new-1"), fresh[0])
    np.testing.assert_array_equal(loaded.vector("new-2"), fresh[1])
    assert loaded.search(fresh[1], 1)[0][0] == "new-2"


def _npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "bad_faiss_blob", "missing_key"])
def test_load_of_a_damaged_file_says_rebuild(tmp_path: Path, damage: str) -> None:
    index, _, _ = make_index(10)
    path = tmp_path / "i.index"
    index.save(path)
    good = path.read_bytes()
    meta = np.asarray(json.dumps({"format": 1, "dim": DIM, "next": 0, "fingerprint": ""}))
    blobs = {
        "truncated": good[: len(good) // 2],
        "garbage": b"not an index at all " * 20,
        "empty": b"",
        "bad_faiss_blob": _npz(
            index=np.frombuffer(b"junk" * 8, dtype=np.uint8),
            names=np.asarray([], dtype=str),
            numbers=np.asarray([], dtype=np.int64),
            meta=meta,
        ),
        "missing_key": _npz(meta=meta),
    }
    path.write_bytes(blobs[damage])
    with pytest.raises(VectorIndexError, match="Rebuild"):
        VectorIndex.load(path)


def test_load_of_a_missing_file_says_rebuild(tmp_path: Path) -> None:
    with pytest.raises(VectorIndexError, match="Rebuild it from the database"):
        VectorIndex.load(tmp_path / "nope.index")


def test_save_leaves_no_temp_files(tmp_path: Path) -> None:
    index, ids, _ = make_index(5)
    path = tmp_path / "sub" / "i.index"
    index.save(path)
    index.remove(ids[:2])
    index.save(path)  # overwrite in place
    assert [p.name for p in path.parent.iterdir()] == ["i.index"]
    assert len(VectorIndex.load(path)) == 3


def test_failed_save_keeps_the_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index, ids, _ = make_index(5)
    path = tmp_path / "i.index"
    index.save(path)
    before = path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("matching.index.vector_index.os.replace", broken_replace)
    index.remove(ids[:3])
    with pytest.raises(OSError, match="disk full"):
        index.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["i.index"]


def test_dimension_must_be_positive() -> None:
    with pytest.raises(
        VectorIndexError, match=r"The 'dim' parameter must be a positive int\. Got 0 instead\."
    ):
        VectorIndex(0)
