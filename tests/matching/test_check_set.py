"""The multilingual linking check set (data/linking_eval) and its scoring."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.evaluation.check_set import CheckItem, read_check_set, score_check_set
from matching.evaluation.trec import EvaluationInputError
from matching.linking.taxonomy_linker import TaxonomyLinker
from matching.paths import DEMO_ESCO_DIR, VOCABULARY_DIR
from matching.taxonomy.esco import load_esco
from matching.taxonomy.vocabulary import with_vocabulary
from tests.conftest import SHARED_ESCO


@pytest.mark.parametrize("kind", ["titles", "skills"])
def test_the_set_is_well_formed(kind: str) -> None:
    items = read_check_set(kind)
    assert len({item.id for item in items}) == len(items)
    assert {item.language for item in items} == {"de", "uk", "ru"}
    for language in ("de", "uk", "ru"):
        splits = Counter(item.split for item in items if item.language == language)
        assert abs(splits["dev"] - splits["test"]) <= 1  # alternating within each language
    assert read_check_set(kind, "dev") + read_check_set(kind, "test") != []
    assert {i.id for i in read_check_set(kind, "dev")} | {i.id for i in read_check_set(kind, "test")} == {
        i.id for i in items
    }


def test_bad_arguments_and_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match=re.escape("The 'kind' parameter must be 'titles' or 'skills'. Got 'jobs'")
    ):
        read_check_set("jobs")
    with pytest.raises(
        ValueError, match=re.escape("The 'split' parameter must be one of dev, test, all. Got 'train'")
    ):
        read_check_set("titles", "train")
    (tmp_path / "titles.tsv").write_text("id\tsplit\tlanguage\ttext\tgold\nt1\tdev\tde\tKoch\t\n")
    with pytest.raises(EvaluationInputError, match=re.escape("titles.tsv line 2: needs a text, a split")):
        read_check_set("titles", folder=tmp_path)


def test_scores_per_language_count_only_items_the_taxonomy_can_answer() -> None:
    items = [
        CheckItem("a", "test", "de", "x", ("A",)),
        CheckItem("b", "test", "de", "y", ("B", "Z")),
        CheckItem("c", "test", "uk", "z", ("C",)),
        CheckItem("d", "test", "uk", "w", ("Q",)),  # Q is not a concept here: skipped, not a miss
    ]
    ranking = {"x": [0, 1, 2], "y": [0, 1, 2], "z": [1, 2, 0]}  # concept indices, best first

    def scorer(texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 3))
        for row, text in enumerate(texts):
            for rank, concept in enumerate(ranking[text]):
                out[row, concept] = 3 - rank
        return out

    got = score_check_set(items, scorer, ["A", "B", "C"])
    assert (got["de"]["MRR"], got["de"]["Acc@1"], got["de"]["queries"]) == ((1 + 1 / 2) / 2, 0.5, 2)
    assert (got["uk"]["MRR"], got["uk"]["skipped"], got["uk"]["queries"]) == (1 / 2, 1, 1)
    assert (got["all"]["queries"], got["all"]["skipped"]) == (3, 1)


def test_the_demo_taxonomy_with_its_vocabulary_finds_the_titles_in_every_language() -> None:
    """Lexical evidence alone (a hashing embedder) must carry German, Ukrainian and Russian titles through
    gender forms, "(m/w/d)", abbreviations and typos."""
    taxonomy, _ = with_vocabulary(load_esco(DEMO_ESCO_DIR), [VOCABULARY_DIR])
    linker = TaxonomyLinker(taxonomy, CachedEmbedder(HashingEmbedder(64))).occupations
    got = score_check_set(read_check_set("titles", "test"), lambda t: linker.score_matrix(t)[0], linker.ids)
    for language in ("de", "uk", "ru"):
        assert got[language]["queries"] >= 25
        assert got[language]["Acc@1"] >= 0.9, (language, got[language])


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_ESCO.is_dir(), reason="needs the ESCO download beside the project")
def test_every_gold_concept_exists_in_esco() -> None:
    esco = load_esco(SHARED_ESCO)
    for kind, pool in (("titles", esco.occupations), ("skills", esco.skills)):
        missing = [(i.id, uri) for i in read_check_set(kind) for uri in i.gold if uri not in pool]
        assert missing == []
