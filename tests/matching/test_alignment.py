"""The query map (titles read toward the taxonomy's English names) and English titles read by both models."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from matching.embedding.hashing import HashingEmbedder
from matching.linking.alignment import MIN_PAIRS, QueryMap, fit_query_map, name_pairs
from matching.linking.blend import BlendedTitles
from matching.linking.confidence import Calibration
from matching.linking.linker import ConceptLinker
from matching.linking.routing import LanguageRouted
from matching.linking.taxonomy_linker import TaxonomyLinker, service_linker
from matching.linking.weights import MULTILINGUAL_OCCUPATION_WEIGHTS, OCCUPATION_WEIGHTS
from matching.taxonomy import Concept, Taxonomy

DIM = 64
_ROTATION = np.linalg.qr(np.random.default_rng(7).normal(size=(DIM, DIM)))[0].astype(np.float32)


class SkewedQueries(HashingEmbedder):
    """A multilingual, asymmetric stand-in whose queries live in a rotated copy of the passages' space, as
    an e5 query sits apart from the passage that means the same."""

    multilingual = True
    asymmetric = True

    def __init__(self) -> None:
        super().__init__(DIM)
        self.queries_embedded = 0

    @property
    def model_id(self) -> str:
        return "skewed-queries"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries_embedded += len(texts)
        return self.embed(texts) @ _ROTATION


def _occupation(n: int, names: int = 3) -> Concept:
    return Concept(
        uri=f"occ/{n}",
        kind="occupation",
        labels={"en": f"worker {n} of trade {n * 7}", "uk": f"Arbeiter {n}"},
        # German names close to the English one in letters: the map has only the rotation to learn
        alt_labels={
            "de": tuple(f"worker {n} of trade {n * 7} {'ab'[k % 2] * (k + 1)}" for k in range(names - 1))
        },
        descriptions={},
    )


def test_name_pairs_lead_every_name_in_another_language_to_the_preferred_label() -> None:
    concept = Concept(uri="x", kind="occupation", labels={"en": "nurse", "de": "Pflegefachkraft"},
                      alt_labels={"en": ("registered nurse",), "uk": ("медсестра",)}, descriptions={})  # fmt: skip
    no_english = Concept(uri="y", kind="occupation", labels={"de": "Koch"}, alt_labels={}, descriptions={})
    sources, targets = name_pairs([concept, no_english])
    assert sorted(sources) == ["Pflegefachkraft", "медсестра"]
    assert targets == ["nurse"] * 2
    assert name_pairs([concept, no_english], "de") == (["nurse", "registered nurse", "медсестра"],
                                                       ["Pflegefachkraft"] * 3)  # fmt: skip


def test_the_map_carries_queries_back_to_their_passages() -> None:
    embedder = SkewedQueries()
    concepts = [_occupation(n) for n in range(500)]  # 1,500 pairs
    query_map = fit_query_map(concepts, embedder)
    assert query_map is not None and query_map.pairs == 1500
    held_out = [_occupation(n).labels["en"] for n in (1234, 5678)]  # titles the map never saw
    passages = embedder.embed(held_out)
    raw = embedder.embed_queries(held_out)
    mapped = query_map.apply(raw)
    np.testing.assert_allclose(np.linalg.norm(mapped, axis=1), 1.0, atol=1e-5)
    before, after = (np.sum(v * passages, axis=1) for v in (raw, mapped))
    # The rotation is ~orthogonal to everything (cosine ≈ 0 before); the ridge keeps the map near the
    # identity where the names say little, so it carries a query most of the way back, not all of it.
    assert (before < 0.2).all() and (after > 0.5).all()


def test_the_pairs_are_capped_and_spread_evenly() -> None:
    embedder = SkewedQueries()
    query_map = fit_query_map([_occupation(n, names=6) for n in range(400)], embedder, max_pairs=1200)
    assert query_map is not None and query_map.pairs == 1200
    assert embedder.queries_embedded == 1200


def test_no_map_where_it_does_not_apply() -> None:
    concepts = [_occupation(n) for n in range(500)]
    assert fit_query_map(concepts, HashingEmbedder(DIM)) is None  # symmetric, English only
    few = [_occupation(n) for n in range(MIN_PAIRS // 3 - 1)]
    assert fit_query_map(few, SkewedQueries()) is None  # too few names to learn from


def test_only_the_named_channels_read_the_mapped_query() -> None:
    concepts = [_occupation(n) for n in range(20)]
    embedder = SkewedQueries()
    zero = QueryMap(np.zeros((DIM, DIM), dtype=np.float32), pairs=0)  # maps every query to nothing
    plain = ConceptLinker(concepts, embedder, MULTILINGUAL_OCCUPATION_WEIGHTS, title_mode=True)
    mapped = ConceptLinker(concepts, embedder, MULTILINGUAL_OCCUPATION_WEIGHTS, title_mode=True,
                           query_map=zero, mapped=frozenset({"names"}))  # fmt: skip
    text = ["worker 3 of trade 21"]
    _, channels = plain._evidence(text, set(plain.channels))
    _, mapped_channels = mapped._evidence(text, set(mapped.channels))
    assert not np.allclose(channels["names"], 0.0)
    np.testing.assert_allclose(mapped_channels["names"], 0.0)
    for name in set(channels) - {"names"}:
        np.testing.assert_array_equal(mapped_channels[name], channels[name])
    every = mapped.reading(frozenset(mapped.channels), Calibration(0.05, 1.0, 0.0))
    _, all_mapped = every._evidence(text, set(every.channels))
    assert all(np.allclose(scores, 0.0) for scores in all_mapped.values())
    assert every.channels is mapped.channels and every.calibration != mapped.calibration
    assert mapped.mapped == frozenset({"names"})  # the view changed nothing of the linker it came from


def test_english_titles_blend_both_models_and_take_the_blends_confidence() -> None:
    concepts = [_occupation(n) for n in range(20)]
    english = ConceptLinker(concepts, HashingEmbedder(32), OCCUPATION_WEIGHTS, title_mode=True)
    other = ConceptLinker(concepts, SkewedQueries(), OCCUPATION_WEIGHTS, title_mode=True,
                          calibration=Calibration(0.05, 1.0, 0.0))  # fmt: skip
    blend = BlendedTitles(english, other, 0.3)
    texts = ["worker 4 of trade 28", "hand"]
    a, b = english.score_matrix(texts), other.score_matrix(texts)
    for got, x, y in zip(blend.score_matrix(texts), a, b, strict=True):
        np.testing.assert_allclose(got, 0.3 * x + 0.7 * y, rtol=1e-6)
    best = blend.link(texts[:1], k=3)[0]
    assert best[0].uri == "occ/4" and best[0].confidence is not None
    assert best[0].score == pytest.approx(float(0.3 * a[0][0, 4] + 0.7 * b[0][0, 4]), abs=1e-4)
    with pytest.raises(ValueError, match=r"'share'.*between 0 and 1"):
        BlendedTitles(english, other, 1.5)
    with pytest.raises(RuntimeError, match="same concepts"):
        BlendedTitles(english, ConceptLinker(concepts[:5], None, OCCUPATION_WEIGHTS, title_mode=True), 0.3)


def test_a_blend_over_one_lexical_index_reads_the_titles_n_grams_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    concepts = [_occupation(n) for n in range(20)]
    other = ConceptLinker(concepts, SkewedQueries(), OCCUPATION_WEIGHTS, title_mode=True)
    english = ConceptLinker(concepts, HashingEmbedder(32), OCCUPATION_WEIGHTS, title_mode=True)
    sharing = ConceptLinker(
        concepts, HashingEmbedder(32), OCCUPATION_WEIGHTS, title_mode=True, lexical_of=other
    )
    texts = ["worker 4 of trade 28", "hand"]
    expected = BlendedTitles(english, other, 0.3).score_matrix(texts)
    reads: list[int] = []
    scores = type(other.lexical).scores
    monkeypatch.setattr(
        type(other.lexical), "scores", lambda self, q: reads.append(len(q)) or scores(self, q)
    )
    for got, want in zip(BlendedTitles(sharing, other, 0.3).score_matrix(texts), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert reads == [len(texts)]
    with pytest.raises(ValueError, match="shape"):
        other.score_matrix(texts, lexical=np.zeros((1, len(concepts)), dtype=np.float32))


def test_the_service_reads_english_titles_with_both_models_and_others_through_the_map() -> None:
    concepts = [_occupation(n) for n in range(500)]
    multilingual, english = SkewedQueries(), HashingEmbedder(32)
    query_map = fit_query_map(concepts, multilingual)
    linker = service_linker(concepts, OCCUPATION_WEIGHTS, None, embedder=multilingual,
                            english_embedder=english, query_map=query_map)  # fmt: skip
    assert isinstance(linker, LanguageRouted) and isinstance(linker.english, BlendedTitles)
    assert linker.other.mapped == frozenset({"names"})
    assert linker.english.second.mapped == frozenset(linker.other.channels)
    assert linker.link(["worker 17 of trade 119"], k=1)[0][0].uri == "occ/17"
    assert linker.link(["Arbeiter 17"], k=1)[0][0].uri == "occ/17"
    # Skills are never read through the map; without a map, English titles stay with the English model.
    skills = service_linker(
        concepts, OCCUPATION_WEIGHTS, None, embedder=multilingual, english_embedder=english
    )
    assert isinstance(skills, LanguageRouted) and isinstance(skills.english, ConceptLinker)


def test_the_taxonomy_linker_fits_its_map_only_when_asked_and_where_names_suffice(taxonomy: Taxonomy) -> None:
    occupations = {c.uri: c for c in (_occupation(n) for n in range(500))}
    big = Taxonomy(("en", "de"), occupations, {}, {}, {}, {})
    assert TaxonomyLinker(big, SkewedQueries()).query_map is not None
    assert TaxonomyLinker(big, SkewedQueries(), aligned=False).query_map is None
    assert TaxonomyLinker(taxonomy, SkewedQueries()).query_map is None  # a small taxonomy: too few names
