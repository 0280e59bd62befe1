"""Assemble a Matcher from settings: the one place that turns configuration into objects."""

from __future__ import annotations

from matching.config import Settings
from matching.embedding import make_embedder
from matching.esco import load_esco
from matching.service import Matcher
from matching.storage import Storage
from matching.taxonomy import Taxonomy


def build_matcher(settings: Settings, taxonomy: Taxonomy | None = None) -> Matcher:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    taxonomy = taxonomy or load_esco(settings.esco_path)
    embedder = make_embedder(
        settings.embedding_model, settings.embedding_cache_path, settings.embedding_backend
    )
    storage = Storage(settings.resolved_database_url)
    return Matcher(taxonomy, embedder, storage, settings.index_dir, language=settings.language)
