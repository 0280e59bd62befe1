"""Ranks ESCO concepts for free text by combining lexical and semantic evidence.

``score = (w_lex · lexical + w_pref · preferred + w_alt · alternative + w_desc · description) / Σw``:
lexical is the character n-gram TF-IDF cosine of the text with the concept's best label in any language;
the others are embedding cosines with the preferred label, the best alternative label and the description.

Skills are linked from sentences that usually name several of them ("Strong knowledge of HTML and CSS,
experience with Java or C#"). One sentence embedding blurs them, so skill scores also look at every short
word span of the text (1–4 words, not starting or ending with a function word): ``score = (1 − share) ·
whole text + share · best span``. A span's lexical evidence is 1 when the span is one of the concept's labels,
else 0.8 × how much of the label the span holds word by word (stemmed, rare words weigh more), so "Erfahrung
mit Gabelstapler" finds "Gabelstapler bedienen" and "опыт работы на погрузчике" the Russian name
"работа на погрузчике". On HOUSE validation spans with exact evidence lifted MRR from 0.57 to 0.65 and RP@5
from 0.51 to 0.64; word coverage then raised RP@5 to 0.68 at the same MRR, and MRR on the German skill
sentences of data/linking_eval (dev) from 0.81 to 0.83. Spans stop at commas and brackets, and only the 32
with the strongest lexical evidence are embedded (the rest count lexically): a 60-word job-ad "sentence" has
~150 spans, and embedding them all took 0.4–1 s on two cores.

The weights and span settings are in linking/weights.py.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np

from matching.embedding.base import Embedder, embed_queries, is_multilingual
from matching.linking.alignment import QueryMap
from matching.linking.confidence import Calibration
from matching.linking.lexical import LexicalIndex, WordCoverage
from matching.linking.normalize import normalise_label, normalise_title
from matching.linking.results import LinkedConcept
from matching.linking.routing import LanguageRouted
from matching.linking.semantic import SemanticIndex
from matching.linking.text import repair, top_k, word_spans
from matching.linking.weights import LEXICAL_FLOOR, LinkWeights, SpanSettings
from matching.taxonomy import Concept

Scores = tuple[np.ndarray, np.ndarray, np.ndarray]  # combined, lexical, semantic
SPAN_BATCH = 256  # spans scored at once: bounds memory to SPAN_BATCH × labels × 4 bytes per array
TEXT_GROUP = 32  # texts whose spans are pooled (a span shared by several sentences is scored once)


class ConceptLinker:
    def __init__(
        self,
        concepts: Sequence[Concept],
        embedder: Embedder | None,
        weights: LinkWeights,
        *,
        title_mode: bool,
        semantic_language: str = "en",
        spans: SpanSettings | None = None,
        calibration: Calibration | None = None,
        query_map: QueryMap | None = None,
        mapped: frozenset[str] = frozenset(),
        lexical_of: ConceptLinker | None = None,
    ):
        """``embedder=None`` gives a lexical-only linker (fast to build; used for autocomplete). The channels
        named in ``mapped`` read the text's vector through ``query_map`` (linking/alignment.py).
        ``lexical_of``: a linker over the same concepts, in the same mode, whose lexical index (and word
        coverage) this one shares instead of building its own: the index is the same whichever model reads
        the text, and on a full ESCO download it holds ~75 MB for occupations and ~180 MB for skills."""
        self.query_map, self.mapped = query_map, mapped if query_map is not None else frozenset()
        self.concepts = {c.uri: c for c in concepts}
        self.title_mode, self.calibration = title_mode, calibration
        self.weights = weights
        self.spans = spans
        normalise = normalise_title if title_mode else normalise_label
        self.lexical: LexicalIndex
        if lexical_of is not None:
            _check_shareable(lexical_of, concepts, title_mode, spans)
            self.lexical = lexical_of.lexical
        else:
            every_label = [(c.uri, [label for _, label in c.all_labels()]) for c in concepts]
            self.lexical = LexicalIndex(every_label, normalise)
        # An English model reads the English labels; other languages are served by the lexical side. A
        # multilingual model reads every label: the other languages' preferred labels and all alternative
        # labels make the "alternative" channel. A concept without text in a channel falls back to its
        # preferred label so every channel has every concept.
        self.channels: dict[str, SemanticIndex] = {}
        if embedder is not None:
            lang = semantic_language
            texts = {
                "preferred": lambda c: [c.label(lang)],
                "alternative": (lambda c: _other_labels(c, lang))
                if is_multilingual(embedder)
                else (lambda c: list(c.alt_labels.get(lang, ())) or [c.label(lang)]),
                "description": lambda c: [c.descriptions.get(lang) or c.label(lang)],
            }
            wanted = {name for name in texts if self._weighs(name)}
            pooled = self._weighs("names")  # pooled from the preferred and alternative label vectors
            if pooled:
                wanted |= {"preferred", "alternative"}
            for name in texts:
                if name in wanted:
                    index = SemanticIndex([(c.uri, texts[name](c)) for c in concepts], embedder)
                    if index.ids != self.lexical.ids:  # both keep taxonomy order; guard the assumption
                        raise RuntimeError("lexical and semantic indexes disagree on concept order")
                    self.channels[name] = index
            if pooled:
                self.channels["names"] = SemanticIndex.pooled(
                    [self.channels["preferred"], self.channels["alternative"]]
                )
        self.embedder = embedder
        self._rank: np.ndarray | None = None
        self.coverage: WordCoverage | None = None
        if lexical_of is not None:
            self.coverage = lexical_of.coverage
        elif spans is not None and spans.coverage > 0:
            self.coverage = WordCoverage(self.lexical.matrix, normalise)

    def _weighs(self, channel: str) -> bool:
        """Whether the whole-text or the span weights use ``channel``."""
        spans = self.spans
        return _weight(self.weights, channel) > 0 or (
            spans is not None and _weight(spans.weights, channel) > 0
        )

    @property
    def ids(self) -> list[str]:
        return self.lexical.ids

    @property
    def uri_rank(self) -> np.ndarray:
        """Each concept's position in URI order: ties in a ranking break by it."""
        if self._rank is None:
            order = sorted(range(len(self.ids)), key=self.ids.__getitem__)
            self._rank = np.empty(len(order), dtype=np.int64)
            self._rank[order] = np.arange(len(order))
        return self._rank

    def score_matrix(
        self, texts: Sequence[str], spans: bool = True, lexical: np.ndarray | None = None
    ) -> Scores:
        """(combined, lexical, semantic) scores, each (n_texts, n_concepts); semantic is the channels' mean.

        With span scoring, each part is ``(1 − share) ·`` the whole text's ``+ share ·`` the best span's
        (the span that gives the concept its highest combined score); ``spans=False`` scores whole texts only.
        ``lexical``: these texts' lexical scores as a linker sharing this one's index gave them (whole texts
        only), so that two models reading the same title compute them once."""
        texts = [repair(text) for text in texts]
        if self.spans is None or not spans or not len(texts):
            channels = self._channels_for(self.weights)
            return self._combine(*self._evidence(texts, channels, lexical=lexical), self.weights)
        if lexical is not None:
            raise ValueError("lexical scores can be given for whole texts only, not with their spans")
        parts = [self._with_spans(texts[i : i + TEXT_GROUP]) for i in range(0, len(texts), TEXT_GROUP)]
        combined, lexical, semantic = (np.concatenate([p[j] for p in parts]) for j in range(3))
        return combined, lexical, semantic

    def _with_spans(self, texts: Sequence[str]) -> Scores:
        """Scores of a few texts with their spans. Texts and spans are embedded in one call and read each
        label matrix once (reading the ~85,000 alternative-label vectors is most of the semantic cost); a span
        shared by several texts is scored once. At most SPAN_BATCH rows are held at a time."""
        assert self.spans is not None
        rows_of: list[np.ndarray] = []
        position: dict[str, int] = {}
        unread: list[tuple[np.ndarray, ...] | None] = []  # per text, its best span not embedded (budget)
        for text in texts:
            spans, best_unread = self._within_budget(word_spans(text, self.spans.sizes))
            rows_of.append(np.asarray([position.setdefault(s, len(position)) for s in spans], dtype=np.int64))
            unread.append(best_unread)
        items = [*texts, *position]  # row n_texts + i holds span i
        offset = len(texts)
        channels = self._channels_for(self.weights) | self._channels_for(self.spans.weights)
        whole: tuple[np.ndarray, ...] = ()
        best: list[tuple[np.ndarray, ...] | None] = [None] * len(texts)
        for start in range(0, len(items), SPAN_BATCH):
            stop = min(start + SPAN_BATCH, len(items))
            lexical, semantic = self._evidence(items[start:stop], channels, fuzzy_rows=max(0, offset - start))
            if start == 0:  # the texts come first (TEXT_GROUP < SPAN_BATCH)
                whole = self._combine(
                    lexical[:offset], {n: s[:offset] for n, s in semantic.items()}, self.weights
                )
            first = max(start, offset)
            if first >= stop:
                continue
            local = slice(first - start, stop - start)
            scores = self._combine(
                lexical[local], {n: s[local] for n, s in semantic.items()}, self.spans.weights
            )
            lo, hi = first - offset, stop - offset  # span numbers in this batch
            for t, rows in enumerate(rows_of):
                mine = rows[(rows >= lo) & (rows < hi)] - lo
                if not len(mine):
                    continue
                pick = mine[scores[0][mine].argmax(axis=0)][None, :]  # each concept's best span
                part = tuple(np.take_along_axis(m, pick, axis=0)[0] for m in scores)
                best[t] = _better(part, best[t])  # the text's spans may straddle two batches
        for t, best_unread in enumerate(unread):
            if best_unread is not None:
                best[t] = _better(best_unread, best[t])
        share = self.spans.share
        for t, span_scores in enumerate(best):
            if span_scores is None:  # no word at all (punctuation only): the whole text is all there is
                continue
            for matrix, span in zip(whole, span_scores, strict=True):
                matrix[t] = (1 - share) * matrix[t] + share * span
        combined, lexical_out, semantic_out = whole
        return combined, lexical_out, semantic_out

    def _within_budget(self, spans: list[str]) -> tuple[list[str], tuple[np.ndarray, ...] | None]:
        """The spans of one text to embed (all, or SpanSettings.embedded of them: those with the strongest
        lexical evidence, shorter first) and, for the others, each concept's best score from lexical evidence
        alone (their cosines count as 0: unknown, not unlike)."""
        assert self.spans is not None
        budget = self.spans.embedded
        if budget is None or len(spans) <= budget or not self.channels:
            return spans, None
        chunks = [self._span_lexical(spans[i : i + SPAN_BATCH]) for i in range(0, len(spans), SPAN_BATCH)]
        strongest = np.concatenate([chunk.max(axis=1) for chunk in chunks])
        words = np.asarray([len(span.split()) for span in spans])
        order = np.lexsort((np.arange(len(spans)), words, -strongest))
        kept, rest = np.sort(order[:budget]), np.sort(order[budget:])
        if len(chunks) == 1:  # at most SPAN_BATCH rows held, as everywhere
            best_lexical = chunks[0][rest].max(axis=0)
        else:
            del chunks
            rest_spans = [spans[i] for i in rest]
            best_lexical = np.max(
                [self._span_lexical(rest_spans[i : i + SPAN_BATCH]).max(axis=0)
                 for i in range(0, len(rest_spans), SPAN_BATCH)], axis=0
            )  # fmt: skip
        # A span's combined score grows with its lexical evidence when its cosines are 0: the best is the max.
        row = best_lexical[None, :]
        unknown = {name: np.zeros_like(row) for name in self._channels_for(self.spans.weights)}
        combined, lexical, semantic = self._combine(row, unknown, self.spans.weights)
        return [spans[i] for i in kept], (combined[0], lexical[0], semantic[0])

    def _span_lexical(self, spans: Sequence[str]) -> np.ndarray:
        """A span's lexical evidence: an exact label, or the coverage share of a label's words it holds."""
        exact = self.lexical.exact_scores(spans)
        if self.coverage is None or self.spans is None or not len(spans):
            return exact
        return np.maximum(exact, self.spans.coverage * self.coverage.scores(spans))

    def _channels_for(self, weights: LinkWeights) -> set[str]:
        return {name for name in self.channels if _weight(weights, name) > 0}

    def _evidence(
        self,
        texts: Sequence[str],
        channels: set[str],
        fuzzy_rows: int | None = None,
        lexical: np.ndarray | None = None,
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Lexical scores and the named channels' embedding cosines, each (n_texts, n_concepts).

        Lexical evidence is the n-gram TF-IDF cosine for the first ``fuzzy_rows`` texts (all by default) and
        for the rest, the word spans, exact label equality or word coverage of a label (SpanSettings): n-gram
        cosines of ~40 spans against every label were the costliest part of linking a sentence and scored no
        better on HOUSE validation."""
        if lexical is None:
            fuzzy = len(texts) if fuzzy_rows is None else min(fuzzy_rows, len(texts))
            whole = self.lexical.scores(texts[:fuzzy])
            lexical = np.concatenate([whole, self._span_lexical(texts[fuzzy:])])
        elif lexical.shape != (len(texts), len(self.ids)):
            raise ValueError(f"lexical scores of shape {lexical.shape} given for {len(texts)} texts")
        semantic: dict[str, np.ndarray] = {}
        if channels and self.embedder is not None and len(texts):
            # Query text may be personal (a CV sentence): it is embedded without being cached anywhere.
            embedder = self.embedder
            embed = getattr(embedder, "embed_transient", lambda texts: embed_queries(embedder, texts))
            # Short spans and long sentences are embedded apart: in one batch every span would be padded to
            # the longest sentence, which made embedding a sentence with its spans ~3× slower.
            long = np.asarray([len(t.split()) > max(self.spans.sizes if self.spans else (4,)) for t in texts])
            queries = np.empty((len(texts), self.embedder.dim), dtype=np.float32)
            for rows in (np.flatnonzero(long), np.flatnonzero(~long)):
                if len(rows):
                    queries[rows] = embed([texts[i] for i in rows.tolist()])
            mapped = (
                self.query_map.apply(queries)
                if self.query_map is not None and channels & self.mapped
                else queries
            )
            semantic = {
                name: self.channels[name].scores(mapped if name in self.mapped else queries)
                for name in sorted(channels)
            }
        return lexical, semantic

    def reading(self, mapped: frozenset[str], calibration: Calibration | None) -> ConceptLinker:
        """This linker with other channels read through the query map and another calibration; it shares
        every index with this one."""
        view = copy.copy(self)
        view.mapped = mapped if self.query_map is not None else frozenset()
        view.calibration = calibration
        return view

    @staticmethod
    def _combine(lexical: np.ndarray, channels: dict[str, np.ndarray], weights: LinkWeights) -> Scores:
        semantic = np.zeros_like(lexical)
        used = [(w, scores) for name, scores in channels.items() if (w := _weight(weights, name)) > 0]
        total_semantic = sum(w for w, _ in used)
        for w, scores in used:
            semantic += w * scores
        if used:
            semantic /= total_semantic
        total = weights.lexical + total_semantic
        combined = (weights.lexical * lexical + total_semantic * semantic) / (total or 1.0)
        # An exact label in any language is strong evidence even where the (English) model cannot read
        # the text: German or Ukrainian input must not fall below the threshold just for its language.
        combined = np.maximum(combined, LEXICAL_FLOOR * lexical)
        return combined, lexical, semantic

    def link(self, texts: Sequence[str], k: int = 10, language: str = "en") -> list[list[LinkedConcept]]:
        require_k(k)
        if not texts:
            return []
        return self.ranked(self.score_matrix(texts), k, language)

    def ranked(self, scores: Scores, k: int, language: str) -> list[list[LinkedConcept]]:
        """The best ``k`` concepts of each row of ``scores`` (from ``score_matrix``), with this linker's
        confidence."""
        combined, lexical, semantic = scores
        ids = self.ids
        out = []
        for row in range(len(combined)):
            best = combined[row]
            top = top_k(best, self.uri_rank, k)
            confidence = self._confidence(best, top)
            out.append(
                [
                    LinkedConcept(
                        uri=ids[i],
                        label=self.concepts[ids[i]].label(language),
                        score=round(float(best[i]), 4),
                        lexical=round(float(lexical[row, i]), 4),
                        semantic=round(float(semantic[row, i]), 4),
                        confidence=confidence[n] if confidence else None,
                    )
                    for n, i in enumerate(top)
                ]
            )
        return out

    def _confidence(self, scores: np.ndarray, top: Sequence[int]) -> list[float] | None:
        """Titles: the candidates share one probability (softmax); skills: each on its own (Platt)."""
        if self.calibration is None:
            return None
        if self.title_mode:
            probabilities = self.calibration.occupation_probabilities(scores)
            return [round(float(probabilities[i]), 4) for i in top]
        return [round(self.calibration.skill_probability(float(scores[i])), 4) for i in top]


def _check_shareable(
    other: ConceptLinker, concepts: Sequence[Concept], title_mode: bool, spans: SpanSettings | None
) -> None:
    """A lexical index is shared only between linkers that would have built the same one."""
    if list(other.concepts) != list(dict.fromkeys(c.uri for c in concepts)):
        raise ValueError(
            "a lexical index can only be shared by linkers over the same concepts in the same order"
        )
    if other.title_mode != title_mode:
        raise ValueError("a lexical index can only be shared by linkers of the same mode (titles or text)")
    covered = spans is not None and spans.coverage > 0
    if (other.coverage is not None) != covered:
        raise ValueError(
            "a lexical index can only be shared by linkers that both score word coverage or neither"
        )


def require_k(k: object) -> None:
    """How many concepts a caller may ask for: a whole number from 1 up."""
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"The 'k' parameter must be an int >= 1. Got {k!r} instead.")


def _better(new: tuple[np.ndarray, ...], old: tuple[np.ndarray, ...] | None) -> tuple[np.ndarray, ...]:
    """Per concept, the parts (combined, lexical, semantic) of whichever span scores higher combined."""
    if old is None:
        return new
    better = new[0] > old[0]
    return tuple(np.where(better, n, o) for n, o in zip(new, old, strict=True))


def _other_labels(concept: Concept, language: str) -> list[str]:
    """Every label of ``concept`` but its preferred one in ``language``, every language."""
    preferred = concept.label(language)
    others = [label for _, label in concept.all_labels() if label != preferred]
    return list(dict.fromkeys(others)) or [preferred]


def _weight(weights: LinkWeights, channel: str) -> float:
    return float(getattr(weights, channel))


Linker = ConceptLinker | LanguageRouted
