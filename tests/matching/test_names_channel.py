"""The "names" channel: a concept judged by all its names together (the mean of its label vectors)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matching.embedding.cache import CachedEmbedder
from matching.linking.linker import ConceptLinker
from matching.linking.semantic import SemanticIndex
from matching.linking.weights import OCCUPATION_WEIGHTS
from matching.taxonomy import Taxonomy


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def test_pooled_vector_is_the_normalised_sum_of_the_concepts_text_vectors(embedder: CachedEmbedder) -> None:
    concepts = [("a", ["nurse", "carer", "midwife"]), ("b", ["welder"]), ("c", ["cook", "chef"])]
    preferred = SemanticIndex([(cid, texts[:1]) for cid, texts in concepts], embedder)
    alternative = SemanticIndex([(cid, texts[1:] or texts[:1]) for cid, texts in concepts], embedder)
    pooled = SemanticIndex.pooled([preferred, alternative])
    assert pooled.ids == ["a", "b", "c"]
    vectors = pooled.vectors_by_dim.T
    for row, (_, texts) in enumerate(concepts):
        parts = texts if len(texts) > 1 else texts * 2  # "b" has its preferred label in both parts
        expected = _unit(embedder.embed(parts).sum(axis=0))
        np.testing.assert_allclose(vectors[row], expected, atol=1e-6)
    query = embedder.embed(["nurse carer"])
    np.testing.assert_allclose(pooled.scores(query)[0], np.round(vectors @ query[0], 6), atol=1e-6)


def test_pooled_refuses_indexes_over_different_concepts(embedder: CachedEmbedder) -> None:
    one = SemanticIndex([("a", ["nurse"]), ("b", ["welder"])], embedder)
    other = SemanticIndex([("b", ["welder"]), ("a", ["nurse"])], embedder)
    with pytest.raises(RuntimeError, match="concept order"):
        SemanticIndex.pooled([one, other])


def test_names_weight_adds_the_channel_to_the_weighted_semantic_mean(
    taxonomy: Taxonomy, embedder: CachedEmbedder
) -> None:
    concepts = list(taxonomy.occupations.values())
    plain = ConceptLinker(concepts, embedder, replace(OCCUPATION_WEIGHTS, names=0.0), title_mode=True)
    assert "names" not in plain.channels
    weights = replace(OCCUPATION_WEIGHTS, names=1.0)
    linker = ConceptLinker(concepts, embedder, weights, title_mode=True)
    assert set(linker.channels) == {"preferred", "alternative", "names"}
    texts = ["registered nurse", "forklift driver in a warehouse"]
    _, _, semantic = linker.score_matrix(texts)
    _, channels = linker._evidence(texts, {"preferred", "alternative", "names"})
    expected = (0.5 * channels["preferred"] + 0.5 * channels["alternative"] + 1.0 * channels["names"]) / 2.0
    np.testing.assert_allclose(semantic, expected, atol=1e-5)
    # The channel changes the ranking input: the pooled cosines are not those of any single label.
    assert not np.allclose(channels["names"], channels["alternative"])
    assert weights.semantic == pytest.approx(2.0)
