"""The ranker remembers recently ranked pairs: a list served from memory must equal the list ranked afresh, and a
changed profile, another date or other rules must never be answered from memory."""

from __future__ import annotations

import datetime as dt
import gc
import random
import weakref
from typing import Any

from matching.ingest.synthetic import LeipzigGenerator
from matching.ranking.eligibility import EligibilityRules
from matching.ranking.geo import Gazetteer
from matching.ranking.pipeline import Ranker, _PairMemo
from matching.ranking.regulation import RegulationTable
from matching.ranking.scoring import DEFAULT_WEIGHTS
from matching.taxonomy import Taxonomy
from tests import factories
from tests import mini_esco as m
from tests.conftest import TODAY


class CountingRules(EligibilityRules):
    """The standard rules, counting how often a pair is assessed."""

    assessed = 0

    def assess(self, *args: Any, **kwargs: Any) -> Any:
        self.assessed += 1
        return super().assess(*args, **kwargs)


def _rules(taxonomy: Taxonomy, gazetteer: Gazetteer) -> CountingRules:
    return CountingRules(taxonomy, RegulationTable.load(), gazetteer)


def _dump(page: Any) -> list[Any]:
    return (
        [x.model_dump() for x in page.items]
        + [x.model_dump() for x in page.blocked]
        + [
            page.eligible_total,
            page.blocked_total,
        ]
    )


def test_a_list_from_remembered_pairs_equals_the_list_ranked_afresh(
    taxonomy: Taxonomy, gazetteer: Gazetteer
) -> None:
    data = LeipzigGenerator(taxonomy, seed=3, today=TODAY).generate(80, 12)
    rng = random.Random(8)
    similarity = {(s.id, v.id): rng.uniform(-0.1, 0.9) for s in data.jobseekers for v in data.vacancies}
    rules = _rules(taxonomy, gazetteer)
    ranker = Ranker(taxonomy, rules, DEFAULT_WEIGHTS, "en", TODAY)
    for vacancy in data.vacancies:
        pairs = [(s, vacancy, similarity[s.id, vacancy.id]) for s in data.jobseekers]
        first = ranker.page(vacancy.id, pairs, k=10, offset=0, language="de")
        assessed = rules.assessed
        again = ranker.page(vacancy.id, pairs, k=10, offset=0, language="de")
        assert rules.assessed == assessed  # every pair came from memory
        fresh = Ranker(taxonomy, _rules(taxonomy, gazetteer), DEFAULT_WEIGHTS, "en", TODAY)
        expected = fresh.page(vacancy.id, pairs, k=10, offset=0, language="de")
        assert _dump(first) == _dump(again) == _dump(expected)


def test_a_changed_profile_another_date_or_other_rules_are_assessed_afresh(
    taxonomy: Taxonomy, gazetteer: Gazetteer
) -> None:
    rules = _rules(taxonomy, gazetteer)
    ranker = Ranker(taxonomy, rules, DEFAULT_WEIGHTS, "en", TODAY)
    job = factories.vacancy(occupation=m.NURSING_ASSISTANT, min_german_level="B2")
    person = factories.seeker(occupation=m.NURSING_ASSISTANT)  # German B1: one level short

    def german_gap(seeker: Any) -> bool:
        page = ranker.page(job.id, [(seeker, job, 0.6)], k=5, offset=0)
        return any(r.code == "german_gap" for r in page.items[0].reasons)

    assert german_gap(person)
    improved = factories.seeker(
        occupation=m.NURSING_ASSISTANT,
        languages=[{"language": "uk", "level": "C2"}, {"language": "de", "level": "C1"}],
    )
    assert not german_gap(improved)  # a new object: assessed afresh, never the remembered B1

    before = rules.assessed
    ranker.today = TODAY + dt.timedelta(days=1)
    german_gap(person)
    assert rules.assessed == before + 1  # the rules judge by the date: another date is another pair

    other = _rules(taxonomy, gazetteer)
    ranker.rules = other
    german_gap(person)
    assert other.assessed == 1  # new rules: nothing from memory


def test_the_memo_drops_the_least_recently_used_pair_first(taxonomy: Taxonomy) -> None:
    memo = _PairMemo(size=2)
    seekers = [factories.seeker(f"js-{i}") for i in range(3)]
    job = factories.vacancy()
    found: Any = ("assessment", "parts")
    memo.put(seekers[0], job, 0.5, TODAY, found)
    memo.put(seekers[1], job, 0.5, TODAY, found)
    assert memo.get(seekers[0], job, 0.5, TODAY) == found  # now the most recently used
    memo.put(seekers[2], job, 0.5, TODAY, found)
    assert memo.get(seekers[1], job, 0.5, TODAY) is None
    assert memo.get(seekers[0], job, 0.5, TODAY) == found
    assert memo.get(seekers[2], job, 0.5, TODAY) == found
    assert memo.get(seekers[2], job, 0.4, TODAY) is None  # another similarity is another pair


def test_a_profile_no_longer_held_elsewhere_leaves_nothing_in_memory(
    taxonomy: Taxonomy, gazetteer: Gazetteer
) -> None:
    """Replaced, erased or evicted profiles are not kept alive by what ranking remembers about them."""
    ranker = Ranker(taxonomy, _rules(taxonomy, gazetteer), DEFAULT_WEIGHTS, "en", TODAY)
    job = factories.vacancy(occupation=m.NURSING_ASSISTANT)
    person = factories.seeker(occupation=m.NURSING_ASSISTANT)
    ranker.page(job.id, [(person, job, 0.6)], k=5, offset=0)
    assert len(ranker._memo) == 1
    alive = weakref.ref(person)
    del person
    gc.collect()
    assert alive() is None  # nothing in the ranker or the score's memos held on to the person
    assert len(ranker._memo) == 0
