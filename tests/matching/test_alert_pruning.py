"""Alerts skip most pairs without scoring them: the cheap tests they use must never skip a pair that could be
listed, so the tops kept incrementally are exactly the lists ranked afresh."""

from __future__ import annotations

import random
from pathlib import Path

from matching.access import Actor, Role
from matching.embedding.cache import CachedEmbedder
from matching.ingest.synthetic import LeipzigGenerator
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.filters import MatchFilters
from matching.ranking.geo import Gazetteer
from matching.ranking.pipeline import Ranker
from matching.ranking.regulation import Regulation, RegulationRule, RegulationTable
from matching.ranking.scoring import DEFAULT_WEIGHTS, score_ceiling
from matching.service import Matcher
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy
from models import CEFRLevel, Eligibility
from tests import mini_esco as m
from tests.conftest import TODAY

NURSE_RULE = RegulationRule(
    id="nurse", regulation=Regulation.PRACTICE_RESERVED, esco_uris=frozenset({m.NURSE}), isco_prefixes=(),
    reference_de="Pflegefachfrau/Pflegefachmann", reference_en="Nurse", legal_basis="§ 1 PflBG",
    authority="Kommunaler Sozialverband Sachsen (KSV), Leipzig", authority_url="https://www.ksv-sachsen.de/",
    min_german_level=CEFRLevel.B2, bridge_uris=(m.NURSING_ASSISTANT,), temporary_permit="", notes="",
)  # fmt: skip


def _rules(taxonomy: Taxonomy, gazetteer: Gazetteer) -> EligibilityRules:
    return EligibilityRules(taxonomy, RegulationTable([NURSE_RULE]), gazetteer)


def _matcher(
    taxonomy: Taxonomy, embedder: CachedEmbedder, storage: Storage, gazetteer: Gazetteer, tmp_path: Path
) -> Matcher:
    matcher = Matcher(
        taxonomy, embedder, storage, tmp_path / "idx", rules=_rules(taxonomy, gazetteer), today=TODAY
    )
    matcher.open()
    return matcher


def test_the_cheap_tests_never_skip_a_pair_that_could_be_listed(
    taxonomy: Taxonomy, gazetteer: Gazetteer
) -> None:
    rules = _rules(taxonomy, gazetteer)
    ranker = Ranker(taxonomy, rules, DEFAULT_WEIGHTS, "en", TODAY)
    data = LeipzigGenerator(taxonomy, seed=11, today=TODAY).generate(150, 25)
    rng = random.Random(5)
    surely, blocked, below_one = 0, 0, 0
    for seeker in data.jobseekers:
        for vacancy in data.vacancies:
            similarity = rng.uniform(-0.2, 1.0)
            score, assessment = ranker.scored((seeker, vacancy, similarity))
            blocked += assessment.eligibility == Eligibility.BLOCKED
            if rules.surely_blocked(seeker, vacancy):
                surely += 1
                assert assessment.eligibility == Eligibility.BLOCKED, (seeker.id, vacancy.id)
            ceiling = score_ceiling(seeker, vacancy, similarity, taxonomy, DEFAULT_WEIGHTS)
            assert ceiling >= score, (seeker.id, vacancy.id, ceiling, score)
            below_one += ceiling < 0.9
    # The tests prune: most blocked pairs are found without assessing them, many ceilings are low.
    assert surely > 0.5 * blocked > 0
    assert below_one > 0.2 * len(data.jobseekers) * len(data.vacancies)


def test_tops_kept_incrementally_equal_the_lists_ranked_afresh(
    taxonomy: Taxonomy, embedder: CachedEmbedder, storage: Storage, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    matcher = _matcher(taxonomy, embedder, storage, gazetteer, tmp_path)
    data = LeipzigGenerator(taxonomy, seed=4, today=TODAY).generate(160, 10)
    matcher.bulk_load(data.jobseekers[:100], data.vacancies)
    matcher.alerts.evaluate()
    key_id = matcher.storage.keys.create("advisor", "default", label="test")[0].id
    advisor = Actor(Role.ADVISOR, "default", key_id=key_id, purpose="test")
    for number, listed in enumerate(data.vacancies):
        filters = MatchFilters(min_german=CEFRLevel.B1) if number % 3 == 0 else MatchFilters()
        matcher.alerts.save("candidates", listed.id, 4 + number % 3, filters, advisor)
    rng = random.Random(8)
    written: set[str] = set()
    erased: set[str] = set()
    for number, person in enumerate(data.jobseekers[100:]):
        matcher.create_jobseeker(person)
        written.add(person.id)
        if rng.random() < 0.3:  # and now and then someone already stored changes
            changed = rng.choice([p for p in data.jobseekers[:100] if p.id not in erased])
            matcher.replace_jobseeker(changed.model_copy(update={"max_commute_km": rng.choice([5, 30, 80])}))
            written.add(changed.id)
        if number in (20, 40):  # or is erased while at the top of a list
            gone = matcher.storage.searches.all()[number // 20].top[0][0]
            erased.add(gone)
            matcher.delete_jobseeker(gone)
        matcher.indexes.catch_up()
        matcher.alerts.evaluate()
    for search in matcher.storage.searches.all():
        page = matcher.matching.rank_stored(
            matcher.matching.for_vacancy, search.subject_id, search.k, 0, None, None,
            MatchFilters(min_german=CEFRLevel.B1) if search.filters else MatchFilters(),
        )  # fmt: skip
        assert [entry[0] for entry in search.top] == [item.jobseeker_id for item in page.items]
    alerts, total, _ = matcher.storage.searches.alerts(key_id, limit=1000)
    assert total > 0  # people did enter the lists: only people created or changed, never the next in line
    assert {a.entity_id for a in alerts} <= written


def test_a_list_considers_exactly_the_profiles_its_ranking_retrieves(
    taxonomy: Taxonomy, embedder: CachedEmbedder, storage: Storage, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    """Alerts name only profiles the saved list can show: those among the nearest it ranks."""
    matcher = _matcher(taxonomy, embedder, storage, gazetteer, tmp_path)
    data = LeipzigGenerator(taxonomy, seed=9, today=TODAY).generate(220, 4)
    matcher.bulk_load(data.jobseekers, data.vacancies)
    direction = matcher.matching.for_vacancy
    outside = 0
    for listed in data.vacancies:
        vector = direction.query.index.vector(listed.id)
        for filters in (MatchFilters(), MatchFilters(min_german=CEFRLevel.B1)):
            page = matcher.matching.rank(direction, listed, 5, 0, None, "default", vector, filters)
            ranked = {m.jobseeker_id for m in (*page.items, *page.blocked)}
            pool_size = page.considered
            for person in data.jobseekers:
                considered = matcher.matching.retrieves(
                    direction, listed, vector, person.id, 5, "default", filters
                )
                if person.id in ranked:
                    assert considered, (listed.id, person.id)
                outside += not considered
            assert pool_size < len(data.jobseekers)  # the list ranks only part of everyone
            checked = filters.check(taxonomy)
            may_list = [
                p for p in data.jobseekers
                if not checked.active
                or checked.accepts(p, listed, matcher.rules.assess(p, listed, TODAY), taxonomy, True)
            ]  # fmt: skip
            considered_total = sum(
                matcher.matching.retrieves(direction, listed, vector, p.id, 5, "default", filters)
                for p in may_list
            )
            assert considered_total == pool_size, (listed.id, filters)
    assert outside > 0
