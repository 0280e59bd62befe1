"""Skill and title texts routed by language between an English and a multilingual linker."""

from __future__ import annotations

import numpy as np
import pytest

from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.linking.routing import LanguageRouted, looks_english
from matching.linking.taxonomy_linker import TaxonomyLinker
from matching.linking.text import repair
from matching.taxonomy import Taxonomy


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Strong knowledge of HTML and CSS", True),
        ("experience in nursing care", True),
        ("Erfahrung mit Gabelstapler", False),
        ("Kenntnisse in SAP", False),
        ("Führerschein Klasse B", False),
        ("Досвід роботи з навантажувачем", False),
        ("опыт работы на погрузчике", False),
    ],
)
def test_the_language_guess_routes_each_text(text: str, english: bool) -> None:
    assert looks_english(text) is english


def test_each_text_gets_the_rows_of_the_linker_that_reads_it(taxonomy: Taxonomy) -> None:
    linker = TaxonomyLinker(
        taxonomy, CachedEmbedder(HashingEmbedder(64)), english_embedder=CachedEmbedder(HashingEmbedder(32))
    )
    routed = linker.skills
    assert isinstance(routed, LanguageRouted)
    texts = ["operate forklift and load cargo", "Досвід роботи з навантажувачем", "load cargo safely"]
    combined = routed.score_matrix(texts)[0]
    english = routed.english.score_matrix([texts[0], texts[2]])[0]
    other = routed.other.score_matrix([texts[1]])[0]
    np.testing.assert_allclose(combined[[0, 2]], english)
    np.testing.assert_allclose(combined[[1]], other)
    assert [[c.uri for c in links] for links in routed.link(texts, 3)] == [
        [c.uri for c in routed.english.link([texts[0]], 3)[0]],
        [c.uri for c in routed.other.link([texts[1]], 3)[0]],
        [c.uri for c in routed.english.link([texts[2]], 3)[0]],
    ]


def test_words_the_english_model_does_not_know_route_a_latin_text_elsewhere() -> None:
    known = frozenset({"project", "manager", "nurse", "registered", "warehouse", "worker"})
    assert looks_english("registered nurse", known) and looks_english("Warehouse worker (m/f)", known)
    assert not looks_english("Kierownik projektu", known)  # Polish without diacritics
    assert not looks_english("Pflegefachkraft", known)
    assert looks_english("Kierownik projektu")  # without a vocabulary only letters and function words count


@pytest.mark.parametrize(
    ("pasted", "meant"),
    [
        ("a Master\x92s degree", "a Master's degree"),  # Windows-1252 read as Latin-1
        ("delivery squad\x95 Good critical thinking", "delivery squad• Good critical thinking"),
        ("Ã¢Â€Â¢ Skype for business Ã¢Â€Â¢ Microsoft Windows", "• Skype for business • Microsoft Windows"),
        (
            "Pflegefachkraft (m/w/d) für die Intensivstation",
            "Pflegefachkraft (m/w/d) für die Intensivstation",
        ),
        ("Досвід роботи з навантажувачем", "Досвід роботи з навантажувачем"),
        ("plain ASCII stays as it is", "plain ASCII stays as it is"),
    ],
)
def test_text_pasted_from_windows_documents_is_repaired(pasted: str, meant: str) -> None:
    assert repair(pasted) == meant


def test_an_english_sentence_with_windows_quotes_goes_to_the_english_model(taxonomy: Taxonomy) -> None:
    linker = TaxonomyLinker(
        taxonomy, CachedEmbedder(HashingEmbedder(64)), english_embedder=CachedEmbedder(HashingEmbedder(32))
    )
    routed = linker.skills
    assert isinstance(routed, LanguageRouted)
    pasted = "You\x92ll operate the forklift and load cargo"
    assert not looks_english(pasted)  # as pasted, it looks foreign
    assert routed.route([pasted]) == ([0], [])
    np.testing.assert_allclose(
        routed.score_matrix([pasted])[0],
        routed.english.score_matrix(["You'll operate the forklift and load cargo"])[0],
    )
