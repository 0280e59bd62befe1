"""Texts routed by language: English titles and skill sentences to an English model, all others to a
multilingual one.

Measured on the skill-linking sets (benchmarks/results/linking.md): the packaged multilingual e5 understands
German, Ukrainian and Russian skill sentences that the English all-MiniLM-L6-v2 cannot read, but on English
sentences it links skills less well (HOUSE test RP@5 53.0 % against 54.7 %, TECHWOLF 49.2 % against 55.4 %)
and reads a sentence's word spans several times slower. So each text goes to the model that reads it
best; both linkers rank the same concepts in the same order, so their rows are interchangeable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from matching.linking.results import LinkedConcept
from matching.linking.text import repair, spanned_prefix


class ConceptLinker(Protocol):
    """What a linker offers (linker.ConceptLinker)."""

    concepts: dict

    @property
    def ids(self) -> list[str]: ...

    @property
    def uri_rank(self) -> np.ndarray: ...

    def score_matrix(
        self, texts: Sequence[str], spans: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

    def link(self, texts: Sequence[str], k: int = 10, language: str = "en") -> list[list[LinkedConcept]]: ...


_WORD = re.compile(r"[^\W\d_]+")
_NOT_ENGLISH = re.compile(
    r"[^\x00-\x7f\u2010-\u201f\u2022\u2026\u20ac]"
)  # any letter outside ASCII but typography
_ENGLISH_WORDS = """a an the and or of in on at to for with by from as is are be will you your we our this
that their they it can must should have has into such other not more experience knowledge skills ability"""
_GERMAN_WORDS = """und oder der die das den dem des ein eine einen einem einer im am auf für mit von vom zu zum
zur in bei beim aus als sowie sie wir ihr ist sind wird werden haben hat sein sehr auch nicht kenntnisse erfahrung
gute sicherer umgang"""
_ENGLISH, _GERMAN = frozenset(_ENGLISH_WORDS.split()), frozenset(_GERMAN_WORDS.split())


def looks_english(text: str, known: frozenset[str] = frozenset()) -> bool:
    """A cheap guess, good enough to route: nothing outside ASCII (umlauts, Polish or Czech letters, Cyrillic
    …), no more German function words than English ones and, given the English model's ``known`` words, at
    least half of the longer words known to it ("Kierownik projektu" and "Pflegefachkraft" are not). A German
    text that passes ("Gabelstapler" is in no English vocabulary, so it does not) is still found through its
    German labels by the lexical evidence, in every language."""
    if _NOT_ENGLISH.search(text):
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    if sum(w in _GERMAN for w in words) > sum(w in _ENGLISH for w in words):
        return False
    longer = [w for w in words if len(w) >= 4 and w not in _ENGLISH]
    return not known or not longer or 2 * sum(w in known for w in longer) >= len(longer)


class LanguageRouted:
    """Two linkers over the same concepts (occupations or skills) behind the linker's interface."""

    def __init__(self, english: ConceptLinker, other: ConceptLinker, known: frozenset[str] = frozenset()):
        if english.ids != other.ids:
            raise RuntimeError("routed linkers must rank the same concepts in the same order")
        self.english, self.other, self.known = english, other, known
        self.concepts = other.concepts

    @property
    def ids(self) -> list[str]:
        return self.other.ids

    @property
    def uri_rank(self) -> np.ndarray:
        return self.other.uri_rank

    def route(self, texts: Sequence[str]) -> tuple[list[int], list[int]]:
        english = [i for i, text in enumerate(texts) if looks_english(repair(text), self.known)]
        chosen = set(english)
        return english, [i for i in range(len(texts)) if i not in chosen]

    def score_matrix(
        self, texts: Sequence[str], spans: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out = tuple(np.zeros((len(texts), len(self.ids)), dtype=np.float32) for _ in range(3))
        for linker, rows in zip((self.english, self.other), self.route(texts), strict=True):
            if rows:
                scored = linker.score_matrix([texts[i] for i in rows], spans)
                for matrix, part in zip(out, scored, strict=True):
                    matrix[rows] = part
        return out[0], out[1], out[2]

    def link(self, texts: Sequence[str], k: int = 10, language: str = "en") -> list[list[LinkedConcept]]:
        out: list[list[LinkedConcept]] = [[] for _ in texts]
        for linker, rows in zip((self.english, self.other), self.route(texts), strict=True):
            if rows:
                for i, links in zip(rows, linker.link([texts[i] for i in rows], k, language), strict=True):
                    out[i] = links
        return out


def score_within(
    linker: ConceptLinker | LanguageRouted, sentences: Sequence[str], span_chars: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores of sentences where spans (an embedding each) are read only for the leading sentences whose
    spans fit in ``span_chars`` characters; the rest are scored whole."""
    spanned = spanned_prefix(sentences, span_chars)
    parts = [linker.score_matrix(sentences[:spanned])]
    if spanned < len(sentences):
        parts.append(linker.score_matrix(sentences[spanned:], spans=False))
    combined, lexical, semantic = (np.concatenate([p[j] for p in parts]) for j in range(3))
    return combined, lexical, semantic
