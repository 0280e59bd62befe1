"""Free text to taxonomy concepts for the people entering profiles and vacancies: ranked occupations for a
title, the skills named in a text, type-ahead over every label, and labels of concepts by URI."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from matching.embedding.base import Embedder, is_multilingual
from matching.embedding.deferred import DeferredEmbedder
from matching.errors import UnknownConceptError
from matching.linking.autocomplete import Autocompleter, Suggestion
from matching.linking.gloss import Glossary
from matching.linking.results import LinkedConcept
from matching.linking.taxonomy_linker import TaxonomyLinker
from matching.taxonomy import Taxonomy

log = logging.getLogger(__name__)

ConceptKind = Literal["occupation", "skill"]


@dataclass(frozen=True, slots=True)
class ConceptLabel:
    uri: str
    kind: ConceptKind
    label: str


TITLE_CHARS = 300


class TextLinking:
    """The linkers are built on first use: on a full ESCO download the first build embeds every label (then
    cached); ``skillbridge serve`` builds them beside serving, and a request for them waits for the build."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder: Embedder,
        language: str,
        english_embedder: Embedder | None = None,
        glossary: Glossary | None = None,
    ):
        self.taxonomy, self.glossary = taxonomy, glossary
        self.embedder, self.english_embedder = embedder, english_embedder
        self.language = language
        self._linker: TaxonomyLinker | None = None
        self._autocompleter: Autocompleter | None = None
        self._lock = threading.Lock()

    def wait_for_models(self) -> None:
        """Load now a model that would load on first use: its error is raised here, where a command starting a
        server can report it, not in the first request."""
        if isinstance(self.english_embedder, DeferredEmbedder):
            self.english_embedder.wait()

    def warm_in_background(
        self, done: Callable[[float], None] | None = None, first: Callable[[], None] | None = None
    ) -> threading.Thread:
        """Build the linkers beside serving (matching is answered meanwhile; free-text requests wait).
        ``first`` runs before, in the same thread (other warm-ups)."""

        def warm() -> None:
            if first is not None:
                first()
            started = time.perf_counter()
            try:
                self.linker  # noqa: B018 (builds on first access)
                self.autocompleter  # noqa: B018
            except Exception as exc:  # each free-text request tries again and reports the error itself
                log.error("Free-text linking could not be built: %s", exc)
                return
            if done is not None:
                done(time.perf_counter() - started)

        thread = threading.Thread(target=warm, name="warm-up", daemon=True)
        thread.start()
        return thread

    @property
    def linker(self) -> TaxonomyLinker:
        with self._lock:
            if self._linker is None:
                self._linker = TaxonomyLinker(
                    self.taxonomy, self.embedder, self.language, english_embedder=self.english_embedder,
                    glossary=self.glossary,
                )  # fmt: skip
            return self._linker

    @property
    def autocompleter(self) -> Autocompleter:
        with self._lock:
            if self._autocompleter is None:
                # Only a multilingual model can read what no label matches (another script, another language).
                linked = self._linked if is_multilingual(self.embedder) else None
                self._autocompleter = Autocompleter(self.taxonomy, linked)
            return self._autocompleter

    def _linked(self, text: str, kind: str, limit: int) -> list[tuple[str, float]]:
        """The linker's ranking, for type-ahead in languages no label is written in (never cached: typed text)."""
        linker = self.linker.occupations if kind == "occupation" else self.linker.skills
        return [(c.uri, c.score) for c in linker.link([text], limit)[0]]

    def normalize(
        self, title: str | None, text: str | None, k: int = 5, language: str | None = None
    ) -> tuple[list[LinkedConcept], list[LinkedConcept]]:
        """Occupations for a job title and skills mentioned in a text, for the user to confirm or correct."""
        lang = language or self.language
        title, text = (title or "").strip() or None, (text or "").strip() or None
        # Without a title, the text's start stands in for one (a title is short; the rest would only cost).
        query = title or (text or "")[:TITLE_CHARS]
        occupations = self.linker.link_occupation(query, k, lang) if query else []
        skills = []
        if text:
            top = occupations[0].uri if occupations else None
            skills = self.linker.extract_skills(text, top, language=lang)
        return occupations, skills

    def suggest(
        self, query: str, kind: ConceptKind = "occupation", language: str | None = None, limit: int = 10
    ) -> list[Suggestion]:
        return self.autocompleter.suggest(query, kind, language or self.language, limit)

    def labels(self, uris: list[str], language: str | None = None) -> list[ConceptLabel]:
        """Preferred labels of concepts by URI, each once; an unknown URI is an error naming its position."""
        out: list[ConceptLabel] = []
        seen: set[str] = set()
        for i, uri in enumerate(uris):
            if uri in seen:
                continue
            seen.add(uri)
            concept = self.taxonomy.occupations.get(uri) or self.taxonomy.skills.get(uri)
            if concept is None:
                raise UnknownConceptError(
                    f"Unknown concept URI {uri!r}: not in the loaded taxonomy.", field=f"uri[{i}]", uri=uri
                )
            kind: ConceptKind = "occupation" if concept.kind == "occupation" else "skill"
            out.append(ConceptLabel(concept.uri, kind, concept.label(language or self.language)))
        return out
