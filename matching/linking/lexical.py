"""Character n-gram TF-IDF over every label of every concept, in every language.

Robust to spelling variants, compounds ("Lagerlogistik" ~ "Lager Logistik") and typos; a concept scores
as its best-matching label.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.linking.normalize import content_stems, has_cyrillic, transliterate


class LabelMatrix:
    """Concept ids with their labels grouped, so per-concept maxima are one ``np.maximum.reduceat``."""

    def __init__(
        self, concepts: Sequence[tuple[str, Sequence[str]]], normalise: Callable[[str], str] | None = None
    ):
        """``labels`` hold the normalised texts, ``raw_labels`` the first original text of each."""
        self.ids: list[str] = []
        self.labels: list[str] = []
        self.raw_labels: list[str] = []
        self.starts: list[int] = []
        for concept_id, labels in concepts:
            unique: dict[str, str] = {}
            for label in labels:
                key = normalise(label) if normalise else label
                if key:
                    unique.setdefault(key, label)
            if not unique:
                continue
            self.ids.append(concept_id)
            self.starts.append(len(self.labels))
            self.labels.extend(unique)
            self.raw_labels.extend(unique.values())
        self.starts_array = np.asarray(self.starts, dtype=np.int64)
        self.owner = np.repeat(np.arange(len(self.ids)), np.diff([*self.starts, len(self.labels)]))

    def per_concept_max(self, label_scores: np.ndarray) -> np.ndarray:
        """(n_queries, n_labels) -> (n_queries, n_concepts); ``label_scores`` itself where every concept has one
        label (the maximum would only copy it: ~1.4 ms for a sentence's 32 spans against 14,000 skills'
        preferred labels, a third of the product's time)."""
        if not self.ids:
            return np.zeros((label_scores.shape[0], 0), dtype=np.float32)
        if len(self.labels) == len(self.ids):
            return label_scores
        return np.maximum.reduceat(label_scores, self.starts_array, axis=1)


class LexicalIndex:
    def __init__(
        self,
        concepts: Sequence[tuple[str, Sequence[str]]],
        normalise: Callable[[str], str],
        ngram_range: tuple[int, int] = (2, 4),
    ):
        self.matrix = LabelMatrix(concepts, normalise)
        self.normalise = normalise
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True, dtype=np.float32
        )
        self.label_vectors = self.vectorizer.fit_transform(self.matrix.labels) if self.matrix.labels else None
        # n-grams × labels in CSR: a query touches only its own n-grams' rows (15–30× faster than q @ L.T).
        self._by_ngram = self.label_vectors.T.tocsr() if self.label_vectors is not None else None
        self._owners_of: dict[str, list[int]] = {}  # normalised label -> the concepts that have it
        for label, owner in zip(self.matrix.labels, self.matrix.owner.tolist(), strict=True):
            self._owners_of.setdefault(label, []).append(owner)

    @property
    def ids(self) -> list[str]:
        return self.matrix.ids

    def label_scores(self, queries: Sequence[str]) -> np.ndarray:
        """Cosine similarity of each query with each label: (n_queries, n_labels).

        A query in Cyrillic letters also counts as its Latin transliteration, which shares character n-grams
        with the Latin labels of the same loanword ("програміст" ~ "programmer"); the better of the two
        counts."""
        if self._by_ngram is None or not len(queries):
            return np.zeros((len(queries), len(self.matrix.labels)), dtype=np.float32)
        cyrillic = [i for i, text in enumerate(queries) if has_cyrillic(text)]
        scores = self._cosines([*queries, *(transliterate(queries[i]) for i in cyrillic)])
        if cyrillic:
            rows = np.asarray(cyrillic)
            scores[rows] = np.maximum(scores[rows], scores[len(queries) :])
        return scores[: len(queries)]

    def _cosines(self, queries: Sequence[str]) -> np.ndarray:
        assert self._by_ngram is not None  # label_scores returns early for an empty vocabulary
        q = self.vectorizer.transform([self.normalise(text) for text in queries])
        # Only the rows of the queries' own n-grams are read; queries × those rows as a dense × sparse
        # product (no sparse result to assemble): ~1.5× faster than q @ by_ngram for the word spans of a
        # sentence, which share most of their n-grams.
        used = np.unique(q.indices)
        dense_queries = q[:, used].toarray()
        rows = self._by_ngram[used]
        return np.ascontiguousarray((rows.T @ dense_queries.T).T, dtype=np.float32)

    def exact_scores(self, queries: Sequence[str]) -> np.ndarray:
        """1.0 where the (normalised) query is one of the concept's labels, else 0.0: (n_queries, n_concepts).

        A dictionary lookup: the cheap lexical evidence for the many short word spans of a sentence."""
        out = np.zeros((len(queries), len(self.ids)), dtype=np.float32)
        for row, text in enumerate(queries):
            out[row, self._owners_of.get(self.normalise(text), [])] = 1.0
        return out

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """Cosine similarity of each query with each concept's best label: (n_queries, n_concepts)."""
        return self.matrix.per_concept_max(self.label_scores(queries))


class WordCoverage:
    """How much of a label a text contains, word by word: Σ idf(label stems in the text) / Σ idf(label stems).

    Character n-gram cosine compares a whole text with a whole label, so a label named inside a long sentence
    ("Erfahrung mit Gabelstapler und SAP") scores low; coverage asks instead whether the label's words
    occur in the text, with inflections folded by a light stemmer ("Gabelstapler bedienen": 0.7 here, from
    its rarer word). Rare words count more than common ones through their inverse label frequency.

    A number covers its share of a label only where the text also holds one of the label's words: numbers are
    rare among labels, so "Kinder zwischen 1 und 6 Jahren" alone covered two thirds of "JavaScript 1.6".
    """

    def __init__(self, matrix: LabelMatrix, normalise: Callable[[str], str]):
        self.matrix = matrix
        self.normalise = normalise
        stems = [content_stems(label) for label in matrix.labels]  # labels are normalised already
        frequency = Counter(s for label in stems for s in label)
        n = len(stems)
        idf = {s: math.log((n + 1) / (f + 1)) + 1.0 for s, f in frequency.items()}
        self.vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for label, words in enumerate(stems):
            total = sum(idf[w] for w in words)
            for w in words:
                rows.append(self.vocabulary.setdefault(w, len(self.vocabulary)))
                cols.append(label)
                values.append(idf[w] / total)
        shape = (len(self.vocabulary), n)
        self.weights = sparse.csr_matrix((values, (rows, cols)), shape=shape, dtype=np.float32)
        self._numbers = frozenset(column for word, column in self.vocabulary.items() if word.isdigit())

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Each concept's best label coverage by each text: (n_texts, n_concepts)."""
        out = np.zeros((len(texts), len(self.matrix.ids)), dtype=np.float32)
        rows: list[int] = []
        cols: list[int] = []
        for row, text in enumerate(texts):
            for word in content_stems(self.normalise(text)):
                column = self.vocabulary.get(word)
                if column is not None:
                    rows.append(row)
                    cols.append(column)
        if not rows:
            return out
        present = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), len(self.vocabulary))
        )
        covered = present @ self.weights  # only labels sharing a word with a text
        if self._numbers.intersection(cols):  # a number counts only beside one of the label's words
            words = [i for i, column in enumerate(cols) if column not in self._numbers]
            ones = np.ones(len(words), dtype=np.float32)
            present_words = sparse.csr_matrix(
                (ones, (np.take(rows, words), np.take(cols, words))), shape=present.shape
            )
            covered = covered.multiply((present_words @ self.weights) > 0)
        covered = covered.tocoo()
        np.maximum.at(out, (covered.row, self.matrix.owner[covered.col]), covered.data)
        return out
