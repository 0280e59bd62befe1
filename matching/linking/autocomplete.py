"""Type-ahead search over concept labels for taxonomy pickers.

Prefix matches come from a sorted list of every label and every word-start within a label (binary search,
so the cost does not grow with the taxonomy); character n-grams catch typos when nothing starts with
what was typed; and where a linker is given, its ranking fills the list when the words typed are in a
language no label is written in ("кравчиня" in a taxonomy without Ukrainian labels).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matching.linking.lexical import LexicalIndex
from matching.linking.normalize import normalise_title
from matching.taxonomy import Concept, Taxonomy

MIN_FUZZY_SCORE = 0.35  # below this an n-gram match is noise (e.g. a script the taxonomy has no labels in)
MIN_LINKED_SCORE = 0.3  # a linker's suggestion below this is a guess, not a match
MIN_LINKED_QUERY = 3  # characters typed before the linker is asked (it embeds the text)

# What a linker offers for a text: (uri, score) best first.
Linked = Callable[[str, str, int], list[tuple[str, float]]]


@dataclass(frozen=True, slots=True)
class Suggestion:
    uri: str
    label: str
    matched_label: str
    score: float


class _KindIndex:
    def __init__(self, concepts: dict[str, Concept]):
        self.concepts = concepts
        entries: list[tuple[str, int, str, str]] = []  # (key, word position, label, uri)
        for uri, concept in concepts.items():
            for _, label in concept.all_labels():
                words = normalise_title(label).split()
                for position in range(len(words)):
                    entries.append((" ".join(words[position:]), position, label, uri))
        entries.sort()
        self.keys = [e[0] for e in entries]
        self.entries = entries
        self._fuzzy: LexicalIndex | None = None

    @property
    def fuzzy(self) -> LexicalIndex:
        if self._fuzzy is None:  # built on the first typo, not at start-up
            self._fuzzy = LexicalIndex(
                [(uri, [label for _, label in c.all_labels()]) for uri, c in self.concepts.items()],
                normalise_title,
                ngram_range=(3, 3),
            )
        return self._fuzzy


class Autocompleter:
    def __init__(self, taxonomy: Taxonomy, linked: Linked | None = None):
        """``linked(text, kind, limit)``: ranked concepts for a text, asked only when labels match too little."""
        self.taxonomy = taxonomy
        self.linked = linked
        self._kinds = {"occupation": _KindIndex(taxonomy.occupations), "skill": _KindIndex(taxonomy.skills)}

    def suggest(
        self, query: str, kind: str = "occupation", language: str = "en", limit: int = 10
    ) -> list[Suggestion]:
        index = self._kinds[kind]
        folded = normalise_title(query)
        if not folded:
            return []
        found: dict[str, tuple[float, str]] = {}
        start = bisect.bisect_left(index.keys, folded)
        for key, position, label, uri in index.entries[start : start + 2000]:
            if not key.startswith(folded):
                break
            # Whole-label prefixes first, then word prefixes; shorter labels are closer to what was typed.
            score = (1.0 if position == 0 else 0.8) - min(len(key) - len(folded), 60) / 300
            if score > found.get(uri, (-1.0, ""))[0]:
                found[uri] = (score, label)
        if len(found) < limit:
            fuzzy = index.fuzzy
            scores = fuzzy.label_scores([query])[0]
            for i in np.argsort(-scores, kind="stable")[: limit * 20]:
                if scores[i] < MIN_FUZZY_SCORE:
                    break
                uri = fuzzy.ids[fuzzy.matrix.owner[i]]
                if uri not in found:  # the first hit of a concept is its best-matching label
                    found[uri] = (0.5 * float(scores[i]), fuzzy.matrix.raw_labels[i])
                if len(found) >= limit:
                    break
        if len(found) < limit and self.linked is not None and len(folded) >= MIN_LINKED_QUERY:
            for uri, score in self.linked(query, kind, limit):
                if score < MIN_LINKED_SCORE:
                    break
                if uri not in found:  # below every label match: a suggestion, not what was typed
                    found[uri] = (0.4 * score, index.concepts[uri].label(language))
        ranked = sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
        return [
            Suggestion(
                uri=uri,
                label=index.concepts[uri].label(language),
                matched_label=matched,
                score=round(score, 4),
            )
            for uri, (score, matched) in ranked
        ]
