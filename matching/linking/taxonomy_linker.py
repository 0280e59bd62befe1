"""The service's linkers over one taxonomy: occupations for titles, skills for sentences, each routed by
language when an English model joins the multilingual one."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np

from matching.embedding.base import Embedder, is_multilingual
from matching.linking.alignment import QueryMap, fit_query_map
from matching.linking.blend import BlendedTitles, blend_model_id
from matching.linking.confidence import Calibration, load_calibration
from matching.linking.gloss import Glossary
from matching.linking.glossed import AnyLinker, GlossedTexts
from matching.linking.linker import ConceptLinker, Linker
from matching.linking.results import LinkedConcept
from matching.linking.routing import LanguageRouted, score_within
from matching.linking.text import MAX_SPAN_CHARS, bounded_sentences, repair, top_k
from matching.linking.weights import (
    ENGLISH_TITLE_SHARE,
    MAPPED_TITLE_CHANNELS,
    MULTILINGUAL_OCCUPATION_WEIGHTS,
    OCCUPATION_WEIGHTS,
    SKILL_SPANS,
    SKILL_THRESHOLD,
    SKILL_WEIGHTS,
    LinkWeights,
    SpanSettings,
)
from matching.taxonomy import Concept, Taxonomy


def service_linker(
    concepts: Sequence[Concept], weights: LinkWeights, spans: SpanSettings | None, *, embedder: Embedder | None,
    english_embedder: Embedder | None = None, language: str = "en", calibration: Calibration | None = None,
    english_calibration: Calibration | None = None, glossary: Glossary | None = None,
    query_map: QueryMap | None = None, blend_calibration: Calibration | None = None,
) -> AnyLinker:  # fmt: skip
    """The linker the service uses for these concepts (occupations without ``spans``, skills with them): the
    multilingual model's occupation weights where it reads titles, routed by language when there is an
    English model; titles and sentences also read as their English gloss where the ``glossary`` knows their
    words. With a ``query_map`` (titles only), the multilingual model reads titles through it
    (linking/alignment.py) and English titles are read by both models (linking/blend.py, confidence from
    ``blend_calibration``)."""
    title_mode = spans is None
    query_map = query_map if title_mode else None

    def one(
        model: Embedder | None,
        weights: LinkWeights,
        calibration: Calibration | None,
        aligned: QueryMap | None,
        lexical_of: ConceptLinker | None = None,
    ) -> ConceptLinker:
        return ConceptLinker(concepts, model, weights, title_mode=title_mode, semantic_language=language,
                             spans=spans, calibration=calibration, query_map=aligned,
                             mapped=MAPPED_TITLE_CHANNELS, lexical_of=lexical_of)  # fmt: skip

    multilingual = title_mode and embedder is not None and is_multilingual(embedder)
    main = one(embedder, MULTILINGUAL_OCCUPATION_WEIGHTS if multilingual else weights, calibration, query_map)
    routed: Linker = main
    english = main
    if english_embedder is not None:
        # Titles route by the English model's vocabulary too (a Polish or German title has no function words);
        # sentences do not (English ones with rare terms then left MiniLM: HOUSE RP@5 54.5 %, not 54.7 %).
        words = getattr(english_embedder, "known_words", None)
        known: frozenset[str] = words() if words is not None and title_mode else frozenset()
        # The query map belongs to the multilingual model: the English model reads titles as written. Both
        # models' linkers read the same labels lexically, so they share one lexical index.
        english = one(english_embedder, weights, english_calibration, None, lexical_of=main)
        english_route: ConceptLinker | BlendedTitles = english
        if query_map is not None and multilingual:
            every = frozenset(main.channels)  # an English title has no German label to lose
            english_route = BlendedTitles(
                english, main.reading(every, blend_calibration), ENGLISH_TITLE_SHARE
            )
        routed = LanguageRouted(english_route, main, known)
    if glossary is not None and len(glossary) and embedder is not None:
        return GlossedTexts(routed, english, main, glossary)
    return routed


class TaxonomyLinker:
    """Occupation and skill linkers over one taxonomy, with the thresholded skill set for profiles."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder: Embedder | None,
        language: str = "en",
        calibration: Calibration | None = None,
        english_embedder: Embedder | None = None,
        glossary: Glossary | None = None,
        aligned: bool = True,
    ):
        """``english_embedder``: an English model for texts written in English, the multilingual ``embedder``
        for every other text (linking/routing.py); each linker is calibrated for its own model. ``glossary``:
        Ukrainian and Russian words in English, for titles and sentences outside the vocabulary (glossed.py).
        ``aligned``: titles also read through a query map fitted on the taxonomy's names (linking/alignment.py)."""
        self.taxonomy = taxonomy
        self.calibration = calibration or load_calibration(embedder.model_id if embedder else "lexical")
        english = load_calibration(english_embedder.model_id) if english_embedder else self.calibration
        self._english_calibration = english
        occupations = list(taxonomy.occupations.values())
        # Fitted on the taxonomy's own names (its language's preferred labels as the targets).
        self.query_map = (
            fit_query_map(occupations, embedder, language) if embedder is not None and aligned else None
        )
        blend = (
            load_calibration(blend_model_id(english_embedder.model_id, embedder.model_id))
            if english_embedder is not None and embedder is not None
            else None
        )
        build = partial(service_linker, embedder=embedder, english_embedder=english_embedder, language=language,
                        calibration=self.calibration, english_calibration=english, glossary=glossary,
                        query_map=self.query_map, blend_calibration=blend)  # fmt: skip
        self.occupations = build(occupations, OCCUPATION_WEIGHTS, None)
        self.skills = build(list(taxonomy.skills.values()), SKILL_WEIGHTS, SKILL_SPANS)

    def link_occupation(self, title: str, k: int = 5, language: str = "en") -> list[LinkedConcept]:
        return self.occupations.link([title], k, language)[0]

    def extract_skills(
        self,
        text: str,
        occupation_uri: str | None = None,
        threshold: float = SKILL_THRESHOLD,
        limit: int = 30,
        language: str = "en",
    ) -> list[LinkedConcept]:
        """Skills mentioned in a description: each sentence linked, the best score per skill kept.

        Skills of the given occupation's ESCO profile get a small boost: a "care plan" sentence in a nurse
        vacancy most likely means the nursing skill, not a similarly worded one from another field.
        """
        sentences = bounded_sentences(repair(text))  # with the span budgets: bounded however long the text
        combined, lexical, semantic = score_within(self.skills, sentences, MAX_SPAN_CHARS)
        best = combined.max(axis=0)
        if occupation_uri:
            profile = {
                *self.taxonomy.essential_skills(occupation_uri),
                *self.taxonomy.optional_skills(occupation_uri),
            }
            boost = np.asarray([0.05 if uri in profile else 0.0 for uri in self.skills.ids], dtype=np.float32)
            best = best + boost
        order = top_k(best, self.skills.uri_rank, limit)
        row_of_best = combined.argmax(axis=0)
        # Each skill's confidence is calibrated for the model that read its best sentence.
        routed = self.skills.inner if isinstance(self.skills, GlossedTexts) else self.skills
        english = set(routed.route(sentences)[0]) if isinstance(routed, LanguageRouted) else set()
        calibrations = {False: self.calibration, True: self._english_calibration}
        out = []
        for i in order:
            if best[i] < threshold:
                break
            uri = self.skills.ids[i]
            r = row_of_best[i]
            out.append(
                LinkedConcept(
                    uri=uri,
                    label=self.taxonomy.label(uri, language),
                    score=round(float(best[i]), 4),
                    lexical=round(float(lexical[r, i]), 4),
                    semantic=round(float(semantic[r, i]), 4),
                    confidence=round(calibrations[r in english].skill_probability(float(best[i])), 4),
                )
            )
        return out
