"""The façade that the API, the CLI and notebooks call: one object, its work done by parts with one job each.

:class:`Matcher` wires the parts and delegates every public method to one of them in a single line:

- :class:`~.indexes.IndexKeeper` — open, rebuild and save the two vector indexes;
- :class:`~.profiles.Profiles` — create, read, replace, list and delete; bulk loads and file imports;
- :class:`~.matching.Matching` — match requests in both directions, and what-if;
- :class:`~.releases.Releases` — candidates released to employers;
- :class:`~.privacy.Privacy` — erasure, the subject access export, pseudonymised analytics;
- :class:`~.feedback.FeedbackService` — advisors' decisions on candidates;
- :class:`~.linking.TextLinking` — free text to occupations and skills, type-ahead, concept labels;
- :class:`~.admin.Administration` — health, the audit log, API keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from matching.access import Actor, Kind
from matching.embedding.base import Embedder, similarity_floor
from matching.embedding.cache import transient
from matching.embedding.profiles import ProfileEncoder
from matching.ingest.report import ImportReport
from matching.linking.autocomplete import Autocompleter
from matching.linking.gloss import Glossary
from matching.linking.results import LinkedConcept
from matching.linking.taxonomy_linker import TaxonomyLinker
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.filters import NO_FILTERS, MatchFilters
from matching.ranking.pipeline import PAIR_MEMO_SIZE, MatchPage, Ranker
from matching.ranking.scoring import DEFAULT_WEIGHTS, ScoringWeights
from matching.service.admin import Administration
from matching.service.alerts import Alerts
from matching.service.feedback import FeedbackService
from matching.service.indexes import IndexKeeper, Progress
from matching.service.linking import TextLinking
from matching.service.matching import Matching
from matching.service.privacy import Privacy
from matching.service.profiles import Profiles
from matching.service.releases import Releases
from matching.service.sharing import Sharing
from matching.service.sides import Side
from matching.store.storage import Release, Storage
from matching.store.tables import DEFAULT_ORGANISATION
from matching.taxonomy import Taxonomy
from models import JobSeeker, Match, Vacancy


class Matcher:
    """``rules``: the standard rules; ``today``: the real date per request; ``index_dir=None``: indexes in memory."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder: Embedder,
        storage: Storage,
        index_dir: Path | None = None,
        weights: ScoringWeights = DEFAULT_WEIGHTS,
        language: str = "en",
        rules: EligibilityRules | None = None,
        today: dt.date | None = None,
        english_embedder: Embedder | None = None,
        glossary: Glossary | None = None,
        ranked_pairs_kept: int = PAIR_MEMO_SIZE,
    ):
        self.taxonomy, self.storage, self.index_dir, self.language = taxonomy, storage, index_dir, language
        self.encoder, dim = ProfileEncoder(taxonomy, embedder, language), embedder.dim
        self.seekers = Side("jobseekers", "jobseeker", storage.jobseekers, self.encoder.encode_seekers, dim)
        self.vacancies = Side("vacancies", "vacancy", storage.vacancies, self.encoder.encode_vacancies, dim)
        self.weights, rules = weights, rules or EligibilityRules.standard(taxonomy)
        self.ranker = Ranker(
            taxonomy, rules, weights, language, today, similarity_floor(embedder), ranked_pairs_kept
        )
        self.indexes = IndexKeeper([self.seekers, self.vacancies], index_dir, embedder.model_id, storage)
        self.profiles = Profiles(taxonomy, storage, self.seekers, self.vacancies, self.indexes, embedder)
        self.matching = Matching(taxonomy, storage, self.seekers, self.vacancies, self.ranker)
        self.releasing, self.alerts = (
            Releases(storage, self.seekers, self.vacancies),
            Alerts(storage, self.matching, self.ranker),
        )
        self.privacy = Privacy(storage, self.seekers, self.vacancies, self.indexes, embedder, taxonomy)
        self.feedback = FeedbackService(storage, self.seekers, self.vacancies, self.matching)
        self.sharing = Sharing(storage)
        self.linking = TextLinking(taxonomy, embedder, language, english_embedder, glossary)
        self.admin = Administration(storage, self.indexes, taxonomy, embedder.model_id)

    rules = property(lambda self: self.ranker.rules, lambda self, value: setattr(self.ranker, "rules", value))
    today = property(lambda self: self.ranker.today, lambda self, value: setattr(self.ranker, "today", value))

    def open(self, progress: Progress | None = None) -> dict[str, str]:
        return self.indexes.open(progress)

    def warm_in_background(self, linking_ready: Callable[[float], None] | None = None) -> None:
        """Load what the first requests would otherwise wait for: place names, then free-text linking."""
        self.linking.warm_in_background(linking_ready, first=self.ranker.rules.gazetteer.warm)

    def rebuild_indexes(self, progress: Progress | None = None) -> None:
        self.indexes.rebuild_all(progress)

    def save_indexes(self) -> None:
        self.indexes.save_all()

    def close(self) -> None:
        self.indexes.save_all()
        self.storage.dispose()

    # -- job seekers and vacancies ------------------------------------------------------------------------

    def create_jobseeker(self, seeker: JobSeeker, actor: Actor | None = None) -> JobSeeker:
        return self.profiles.write(self.seekers, seeker, create=True, actor=actor)

    def replace_jobseeker(self, seeker: JobSeeker, actor: Actor | None = None) -> JobSeeker:
        return self.profiles.write(self.seekers, seeker, create=False, actor=actor)

    def create_vacancy(self, vacancy: Vacancy, actor: Actor | None = None) -> Vacancy:
        return self.profiles.write(self.vacancies, vacancy, create=True, actor=actor)

    def replace_vacancy(self, vacancy: Vacancy, actor: Actor | None = None) -> Vacancy:
        return self.profiles.write(self.vacancies, vacancy, create=False, actor=actor)

    def delete_jobseeker(self, seeker_id: str, actor: Actor | None = None) -> None:
        self.privacy.erase_jobseeker(seeker_id, actor)

    def delete_vacancy(self, vacancy_id: str, actor: Actor | None = None) -> None:
        self.profiles.delete_vacancy(vacancy_id, actor)

    def get_jobseeker(self, seeker_id: str, actor: Actor | None = None) -> JobSeeker:
        return self.profiles.get_jobseeker(seeker_id, actor)

    def get_vacancy(self, vacancy_id: str, actor: Actor | None = None) -> Vacancy:
        return self.profiles.get_vacancy(vacancy_id, actor)

    def list_jobseekers(
        self, offset: int = 0, limit: int = 50, actor: Actor | None = None
    ) -> tuple[list[JobSeeker], int]:
        return self.profiles.list(self.seekers, offset, limit, actor)

    def list_vacancies(
        self, offset: int = 0, limit: int = 50, actor: Actor | None = None
    ) -> tuple[list[Vacancy], int]:
        return self.profiles.list(self.vacancies, offset, limit, actor)

    def bulk_load(
        self,
        seekers: Iterable[JobSeeker],
        vacancies: Iterable[Vacancy],
        progress: Progress | None = None,
        organisation: str = DEFAULT_ORGANISATION,
    ) -> None:
        self.profiles.bulk_load(seekers, vacancies, progress, organisation)

    def import_file(
        self,
        kind: Kind,
        data: bytes,
        filename: str,
        actor: Actor,
        skip_invalid: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        return self.profiles.import_file(kind, data, filename, actor, skip_invalid, progress)

    # -- releases, exports and analytics ------------------------------------------------------------------

    def release_candidate(self, vacancy_id: str, seeker_id: str, actor: Actor | None = None) -> Release:
        return self.releasing.release(vacancy_id, seeker_id, actor)

    def withdraw_release(self, vacancy_id: str, seeker_id: str, actor: Actor | None = None) -> None:
        self.releasing.withdraw(vacancy_id, seeker_id, actor)

    def releases(self, vacancy_id: str, actor: Actor | None = None) -> list[Release]:
        return self.releasing.of_vacancy(vacancy_id, actor)

    def export_jobseeker(self, seeker_id: str, actor: Actor | None = None) -> dict[str, Any]:
        return self.privacy.export_jobseeker(seeker_id, actor)

    def analytics_export(self, kind: Kind, actor: Actor | None = None) -> list[dict[str, Any]]:
        return self.privacy.analytics_export(kind, actor)

    # -- matching -----------------------------------------------------------------------------------------

    def candidates_for_vacancy(
        self,
        vacancy_id: str,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        actor: Actor | None = None,
        filters: MatchFilters = NO_FILTERS,
    ) -> MatchPage:
        return self.matching.candidates_for_vacancy(vacancy_id, k, offset, language, actor, filters)

    def vacancies_for_jobseeker(
        self,
        seeker_id: str,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        actor: Actor | None = None,
        filters: MatchFilters = NO_FILTERS,
    ) -> MatchPage:
        return self.matching.rank_stored(
            self.matching.for_jobseeker, seeker_id, k, offset, language, actor, filters
        )

    def rank_candidates(
        self,
        vacancy: Vacancy,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        organisation: str | None = None,
    ) -> MatchPage:
        return self.matching.rank(self.matching.for_vacancy, vacancy, k, offset, language, organisation)

    def rank_vacancies(
        self,
        seeker: JobSeeker,
        k: int = 20,
        offset: int = 0,
        language: str | None = None,
        organisation: str | None = None,
    ) -> MatchPage:
        return self.matching.rank(self.matching.for_jobseeker, seeker, k, offset, language, organisation)

    def what_if(self, seeker: JobSeeker, vacancy: Vacancy, language: str | None = None) -> Match:
        with transient(
            self.encoder.embedder
        ):  # nothing of the what-if stays, not even in the embedding cache
            return self.matching.what_if(seeker, vacancy, language)

    # -- free text and status -----------------------------------------------------------------------------

    @property
    def linker(self) -> TaxonomyLinker:
        return self.linking.linker

    @property
    def autocompleter(self) -> Autocompleter:
        return self.linking.autocompleter

    def normalize(
        self, title: str | None, text: str | None, k: int = 5, language: str | None = None
    ) -> tuple[list[LinkedConcept], list[LinkedConcept]]:
        return self.linking.normalize(title, text, k, language)

    def health(self) -> dict[str, Any]:
        return self.admin.health()
