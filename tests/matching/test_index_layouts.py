"""The approximate layout and filters: compared with exact brute-force search on seeded clustered data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching.errors import VectorIndexError
from matching.index.vector_index import EXACT_MAX, IndexSpec, VectorIndex, choose_spec


def clustered(n: int, dim: int = 32, clusters: int = 60, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    x = centres[rng.integers(0, clusters, n)] + 0.35 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def exact_top(x: np.ndarray, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> set[int]:
    scores = x @ q
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    return set(np.argsort(-scores)[:k].tolist())


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return clustered(20_000)


@pytest.fixture(scope="module")
def ivf(data: np.ndarray) -> VectorIndex:
    ids = [f"p{i}" for i in range(len(data))]
    groups = np.arange(len(data)) % 3
    return VectorIndex.build(data.shape[1], ids, data, spec=IndexSpec.ivf(len(data)), attrs={"group": groups})


def test_layout_follows_collection_size() -> None:
    assert choose_spec(EXACT_MAX).kind == "flat"
    big = choose_spec(1_000_000)
    assert (big.kind, big.nlist) == ("ivf", 4096)
    assert choose_spec(EXACT_MAX + 1).nlist >= 256


@pytest.mark.parametrize("k", [1, 20])
def test_calibrated_ivf_reaches_the_recall_target(ivf: VectorIndex, data: np.ndarray, k: int) -> None:
    rng = np.random.default_rng(11)
    recalls = []
    for row in rng.choice(len(data), 60, replace=False):
        q = data[row] + rng.normal(0, 0.05, data.shape[1]).astype(np.float32)
        q /= np.linalg.norm(q)
        got = {int(name[1:]) for name, _ in ivf.search(q, k)}
        recalls.append(len(got & exact_top(data, q, k)) / k)
    assert np.mean(recalls) >= 0.95
    assert ivf.spec.nprobe < ivf.spec.nlist  # calibration stopped before scanning every list


def test_where_mask_is_applied_inside_the_search(ivf: VectorIndex, data: np.ndarray) -> None:
    group = ivf.attribute("group")
    allowed = group == 1
    q = data[42]
    hits = ivf.search(q, 20, where=allowed)
    assert len(hits) == 20
    numbers = ivf.numbers([name for name, _ in hits])
    assert (group[numbers] == 1).all()  # filtered-out vectors never take a place in the top k
    truth = exact_top(data, q, 20, allowed=(np.arange(len(data)) % 3) == 1)
    assert len({int(n[1:]) for n, _ in hits} & truth) >= 18


def test_flat_and_ivf_agree_on_filtered_exact_answers(data: np.ndarray) -> None:
    ids = [f"p{i}" for i in range(2000)]
    flat = VectorIndex.build(data.shape[1], ids, data[:2000], spec=IndexSpec.flat())
    allowed = np.zeros(flat.capacity, dtype=bool)
    allowed[flat.numbers(["p5", "p9", "p700"])] = True
    hits = flat.search(data[5], 10, where=allowed)
    assert sorted(name for name, _ in hits) == ["p5", "p700", "p9"]
    assert hits[0][0] == "p5"
    assert flat.search(data[5], 10, where=np.zeros(flat.capacity, dtype=bool)) == []


def test_attributes_follow_updates_removals_and_persistence(tmp_path: Path, data: np.ndarray) -> None:
    index = VectorIndex.build(data.shape[1], ["a", "b", "c"], data[:3], attrs={"km": [1.0, 2.0, 3.0]})
    index.upsert(["b", "d"], data[3:5], attrs={"km": [20.0, 4.0]})
    index.remove(["a"])
    km = index.attribute("km")
    assert km[index.numbers(["b", "c", "d"])].tolist() == [20.0, 3.0, 4.0]
    assert np.isnan(km[0])  # the removed entity's slot
    index.save(tmp_path / "i.npz")
    loaded = VectorIndex.load(tmp_path / "i.npz")
    assert loaded.attribute("km")[loaded.numbers(["b", "d"])].tolist() == [20.0, 4.0]
    with pytest.raises(VectorIndexError, match="No attribute 'age'; known: \\['km'\\]"):
        loaded.attribute("age")
    with pytest.raises(VectorIndexError, match="Attribute 'km' has 1 values for 2 ids"):
        loaded.upsert(["x", "y"], data[5:7], attrs={"km": [1.0]})


def test_ivf_round_trip_keeps_layout_and_results(tmp_path: Path, ivf: VectorIndex, data: np.ndarray) -> None:
    ivf.save(tmp_path / "ivf.npz")
    loaded = VectorIndex.load(tmp_path / "ivf.npz")
    assert loaded.spec == ivf.spec
    assert loaded.search(data[7], 5) == ivf.search(data[7], 5)
    assert np.linalg.norm(loaded.vector("p7") - data[7]) < 0.05  # 8-bit quantisation error only


def test_untrained_ivf_refuses_vectors(data: np.ndarray) -> None:
    index = VectorIndex(data.shape[1], IndexSpec.ivf(100_000))
    with pytest.raises(VectorIndexError, match=r"must be trained first: create it with VectorIndex\.build"):
        index.upsert(["a"], data[:1])
