"""Batch linking (TSV in, TREC run out), the ``link`` command, and the taxonomy-only training data."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from matching.cli import app
from matching.embedding.cache import CachedEmbedder
from matching.embedding.factory import PACKAGED_MINILM
from matching.evaluation.trec import read_run
from matching.linking.batch import BatchInputError, link_batch, read_tsv
from matching.linking.taxonomy_linker import TaxonomyLinker
from matching.linking.training import TrainingPair, distinct_batches, taxonomy_pairs, train
from matching.taxonomy import Taxonomy
from tests import mini_esco

runner = CliRunner()


def _tsv(tmp_path: Path, content: str, name: str = "input.tsv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    return path


# -- read_tsv ------------------------------------------------------------------------------------


def test_read_tsv_reads_ids_and_texts(tmp_path: Path) -> None:
    path = _tsv(tmp_path, "\ufeffq1\tnurse\r\n\n   \nq2\t  forklift operator  \nq3\ttab\tinside\n")
    assert read_tsv(path) == [("q1", "nurse"), ("q2", "forklift operator"), ("q3", "tab\tinside")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("q1\tnurse\nq2 no tab\n", r"in\.tsv line 2: expected 'id<TAB>text', got 'q2 no tab'"),
        ("q1\t   \n", r"in\.tsv line 1: expected 'id<TAB>text'"),
        ("\tnurse\n", r"in\.tsv line 1: expected 'id<TAB>text'"),
        ("q1\tnurse\n\nq 2\telectrician\n", r"in\.tsv line 3: the id 'q 2' contains whitespace"),
        ("q1\tnurse\nq2\tx\nq1\telectrician\n", r"in\.tsv line 3: the id 'q1' appears twice"),
    ],
)
def test_read_tsv_errors_name_the_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(BatchInputError, match=message):
        read_tsv(_tsv(tmp_path, content, "in.tsv"))


def test_batch_input_error_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="line 1"):
        read_tsv(_tsv(tmp_path, "no tab here\n"))


def test_read_tsv_rejects_an_id_repeated_with_surrounding_spaces(tmp_path: Path) -> None:
    # Ids are stored stripped, so " q1" is the same id as "q1" and would silently overwrite its results.
    with pytest.raises(BatchInputError, match=r"line 2: the id .*q1.* appears twice"):
        read_tsv(_tsv(tmp_path, "q1\tnurse\n q1\telectrician\n"))


# -- link_batch ----------------------------------------------------------------------------------


def test_link_batch_gives_k_results_per_id_in_input_order(
    taxonomy: Taxonomy, embedder: CachedEmbedder
) -> None:
    linker = TaxonomyLinker(taxonomy, embedder).occupations
    rows = [
        ("e", "electrician"),
        ("n", "registered nurse"),
        ("f", "forklift operator"),
        ("w", "stock handler"),
    ]
    run = link_batch(linker, rows, k=3, chunk=3)  # two chunks
    assert list(run) == ["e", "n", "f", "w"]
    assert all(len(ranked) == 3 for ranked in run.values())
    assert [ranked[0][0] for ranked in run.values()] == [
        mini_esco.ELECTRICIAN, mini_esco.NURSE, mini_esco.FORKLIFT, mini_esco.WAREHOUSE,
    ]  # fmt: skip
    direct = linker.link([text for _, text in rows], k=3)
    assert [[(c.uri, c.score) for c in linked] for linked in direct] == list(run.values())


def test_link_batch_of_no_rows_is_empty(taxonomy: Taxonomy, embedder: CachedEmbedder) -> None:
    assert link_batch(TaxonomyLinker(taxonomy, embedder).skills, [], k=5) == {}


# -- the link and evaluate commands -------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("ESCO_PATH", "DATA_DIR", "DATABASE_URL", "EMBEDDING_MODEL", "LANGUAGE"):
        monkeypatch.delenv(f"SKILLBRIDGE_{name}", raising=False)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("SKILLBRIDGE_EMBEDDING_MODEL", "hashing-32")
    return workdir


def test_link_command_writes_a_trec_run_that_evaluates(cli_env: Path, mini_esco_dir: Path) -> None:
    source = _tsv(cli_env, "t1\tElektriker (m/w/d)\nt2\tregistered nurse\n")
    out = cli_env / "run.txt"
    result = runner.invoke(app, ["link", str(source), str(out), "--k", "4", "--esco", str(mini_esco_dir)])
    assert result.exit_code == 0, result.output

    run = read_run(out)
    assert list(run) == ["t1", "t2"]
    assert run["t1"][0][0] == mini_esco.ELECTRICIAN
    assert run["t2"][0][0] == mini_esco.NURSE
    lines = [line.split() for line in out.read_text().splitlines()]
    assert [int(f[3]) for f in lines if f[0] == "t1"] == [1, 2, 3, 4]
    assert {f[1] for f in lines} == {"Q0"} and {f[5] for f in lines} == {"skillbridge"}

    qrels = cli_env / "qrels.txt"
    qrels.write_text(f"t1 0 {mini_esco.ELECTRICIAN} 1\n")
    result = runner.invoke(app, ["evaluate", str(out), str(qrels), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["MRR"] == 1.0
    assert metrics["queries"] == 1


def test_link_command_links_skills(cli_env: Path, mini_esco_dir: Path) -> None:
    source = _tsv(cli_env, "s1\tI can operate a forklift\n")
    out = cli_env / "skills.txt"
    args = ["link", str(source), str(out), "--kind", "skill", "--k", "2", "--run-name", "mine"]
    result = runner.invoke(app, [*args, "--esco", str(mini_esco_dir)])
    assert result.exit_code == 0, result.output
    assert read_run(out)["s1"][0][0] == mini_esco.FORKLIFT_DRIVING
    assert all(line.endswith(" mine") for line in out.read_text().splitlines())


def test_link_command_rejects_an_unknown_kind(cli_env: Path, mini_esco_dir: Path) -> None:
    source = _tsv(cli_env, "t1\tnurse\n")
    out = cli_env / "run.txt"
    result = runner.invoke(
        app, ["link", str(source), str(out), "--kind", "bogus", "--esco", str(mini_esco_dir)]
    )
    assert result.exit_code == 2
    assert re.search(r"must be 'occupation' or 'skill', got 'bogus'", " ".join(result.output.split()))
    assert not out.exists()


def test_link_command_reports_a_malformed_input(cli_env: Path, mini_esco_dir: Path) -> None:
    source = _tsv(cli_env, "t1 nurse\n", "bad.tsv")
    result = runner.invoke(app, ["link", str(source), str(cli_env / "run.txt"), "--esco", str(mini_esco_dir)])
    assert result.exit_code != 0
    assert isinstance(result.exception, BatchInputError)
    assert "bad.tsv line 1" in str(result.exception)


# -- training data and train() -------------------------------------------------------------------


def test_taxonomy_pairs_come_from_labels_and_descriptions(taxonomy: Taxonomy) -> None:
    pairs = taxonomy_pairs(taxonomy)
    assert ("registered nurse", "nurse") in {(p.anchor, p.positive) for p in pairs}
    assert ("nurse (en)", "nurse") in {(p.anchor, p.positive) for p in pairs}  # the description
    for p in pairs:
        concept = taxonomy.occupations.get(p.concept) or taxonomy.skills[p.concept]
        assert p.positive == concept.labels["en"]
        assert p.anchor != p.positive
    assert pairs == taxonomy_pairs(taxonomy)  # seeded
    one_alt = taxonomy_pairs(taxonomy, max_alt_per_concept=1)
    assert sum(p.concept == mini_esco.NURSE for p in one_alt) == 2  # one alternative label + description


def test_distinct_batches_never_repeat_a_concept() -> None:
    rng = random.Random(3)
    pairs = [TrainingPair(f"c{rng.randrange(15)}", f"a{i}", f"p{i}") for i in range(200)]
    batches = distinct_batches(pairs, batch_size=8)
    assert batches
    for batch in batches:
        assert 2 <= len(batch) <= 8
        assert len({p.concept for p in batch}) == len(batch)
    placed = [p.anchor for batch in batches for p in batch]
    assert len(placed) == len(set(placed))


def test_distinct_batches_keep_every_pair_of_distinct_concepts() -> None:
    pairs = [TrainingPair(f"c{i}", f"a{i}", f"p{i}") for i in range(20)]
    assert [len(b) for b in distinct_batches(pairs, batch_size=8)] == [8, 8, 4]
    assert [len(b) for b in distinct_batches(pairs[:17], batch_size=8)] == [
        8,
        8,
    ]  # a lone pair has no negative


@pytest.mark.slow
def test_train_saves_a_loadable_model(taxonomy: Taxonomy, tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    steps: list[tuple[int, int]] = []
    out = train(
        taxonomy, tmp_path / "adapted", PACKAGED_MINILM, batch_size=8, max_pairs=40,
        progress=lambda step, total, loss: steps.append((step, total)),
    )  # fmt: skip
    assert out == tmp_path / "adapted"
    assert steps and steps[-1][0] == steps[-1][1]
    vectors = SentenceTransformer(str(out), device="cpu").encode(["registered nurse", "forklift operator"])
    assert vectors.shape == (2, 384)


def test_taxonomy_pairs_in_other_languages_point_to_the_preferred_label(taxonomy: Taxonomy) -> None:
    pairs = taxonomy_pairs(taxonomy, other_languages=True, max_alt_per_concept=50)
    anchors = {(p.anchor, p.positive) for p in pairs}
    nurse = taxonomy.occupations[mini_esco.NURSE]
    for language, label in nurse.labels.items():
        if language != "en":
            assert (label, "nurse") in anchors


@pytest.mark.slow
def test_train_e5_writes_a_model_file_the_engine_loads(taxonomy: Taxonomy, tmp_path: Path) -> None:
    from matching.embedding.e5 import E5Embedder, E5Engine
    from matching.embedding.e5_format import read_model
    from matching.linking.training import train_e5

    steps: list[tuple[int, int]] = []
    out = train_e5(
        taxonomy, tmp_path / "e5.bin", batch_size=8, max_pairs=32, trained_layers=1, learning_rate=2e-4,
        progress=lambda step, total, loss: steps.append((step, total)),
    )  # fmt: skip
    assert steps and steps[-1][0] == steps[-1][1]
    before, after = read_model(E5Engine.shared().weights), read_model(out)
    assert not np.array_equal(before.tensors["l11.q.w"], after.tensors["l11.q.w"])  # the trained layer
    np.testing.assert_array_equal(before.tensors["l10.q.w"], after.tensors["l10.q.w"])  # frozen
    np.testing.assert_array_equal(before.tensors["emb.word"], after.tensors["emb.word"])
    adapted = E5Embedder(threads=1, weights=out)
    assert adapted.model_id.startswith("e5-file:")
    texts = ["registered nurse", "forklift operator"]
    similarity = np.sum(adapted.embed(texts) * E5Embedder(threads=1).embed(texts), axis=1)
    assert np.all(similarity > 0.8)
