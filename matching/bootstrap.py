"""Assemble a Matcher from settings: the one place that turns configuration into objects."""

from __future__ import annotations

import logging

from matching.config import Settings
from matching.embedding.base import Embedder
from matching.embedding.deferred import DeferredEmbedder
from matching.embedding.factory import make_embedder
from matching.linking.gloss import Glossary
from matching.ranking.eligibility import EligibilityRules
from matching.service import Matcher
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy
from matching.taxonomy.esco import load_esco
from matching.taxonomy.vocabulary import with_vocabulary

log = logging.getLogger(__name__)


def load_taxonomy(settings: Settings) -> Taxonomy:
    """The configured ESCO folder with the configured vocabulary merged in."""
    taxonomy, report = with_vocabulary(load_esco(settings.esco_path), settings.vocabulary)
    if report.labels_added:
        log.info(
            "Vocabulary: %d names added to %d concepts (%d URIs not in this taxonomy).",
            report.labels_added, report.concepts_touched, report.unknown_uris,
        )  # fmt: skip
    return taxonomy


def load_glossary(settings: Settings) -> Glossary | None:
    """The configured glossary for job titles (linking/gloss.py), None when none is configured."""
    return Glossary.read(settings.glossary) if settings.glossary else None


def make_embedders(settings: Settings, defer_english: bool = False) -> tuple[Embedder, Embedder | None]:
    """The configured model and, beside a multilingual one, the English model for English texts;
    ``defer_english``: load the latter on its first use (see :class:`DeferredEmbedder`)."""

    def named(model: str) -> Embedder:
        return make_embedder(
            model, settings.embedding_cache_path, settings.embedding_backend, settings.embedding_threads
        )

    english = settings.resolved_english_model
    main = named(settings.embedding_model)
    if not english:
        return main, None
    if defer_english:
        return main, DeferredEmbedder(lambda: named(english), english)
    return main, named(english)


def build_matcher(
    settings: Settings,
    taxonomy: Taxonomy | None = None,
    *,
    storage: Storage | None = None,
    keep_indexes: bool = True,
) -> Matcher:
    """The service as configured. ``storage`` replaces the configured database (e.g. in-memory SQLite for a
    what-if that stores nothing); ``keep_indexes=False`` keeps the indexes in memory only."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    taxonomy = taxonomy or load_taxonomy(settings)
    # The English model only links free text, which is built beside serving: it loads with the linkers.
    embedder, english_embedder = make_embedders(settings, defer_english=True)
    return Matcher(
        taxonomy,
        embedder,
        storage or Storage(settings.resolved_database_url),
        settings.index_dir if keep_indexes else None,
        language=settings.language,
        rules=EligibilityRules.standard(taxonomy),
        english_embedder=english_embedder,
        glossary=load_glossary(settings),
        ranked_pairs_kept=settings.ranked_pairs_kept,
    )
