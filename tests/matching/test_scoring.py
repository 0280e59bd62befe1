import pytest

from matching.ranking.scoring import DEFAULT_WEIGHTS, ScoringWeights, score_pair
from tests import mini_esco as m
from tests.factories import seeker, vacancy


def test_score_is_weighted_mean_of_factors_computed_by_hand(taxonomy):
    # Nurse vacancy: essential = the 5 nurse skills, optional = teamwork (ESCO profile fallback).
    person = seeker(occupation=m.NURSING_ASSISTANT, skills=[m.MEDICATION])
    # Nursing assistant implies hygiene, vitals, documentation; declared medication -> 4 of 5 essential.
    score, why = score_pair(person, vacancy(), 0.5, taxonomy)
    w = DEFAULT_WEIGHTS  # without an eligibility assessment only the four matching factors apply
    total = w.essential_skills + w.optional_skills + w.occupation + w.semantic
    expected = (
        w.essential_skills * 4 / 5 + w.optional_skills * 0 + w.occupation * 0 + w.semantic * 0.5
    ) / total
    assert score == pytest.approx(expected, abs=1e-4)
    assert [f.name for f in why.factors] == ["essential_skills", "optional_skills", "occupation", "semantic"]
    assert sum(f.contribution for f in why.factors) == pytest.approx(score, abs=1e-3)
    assert {e.uri for e in why.missing_essential} == {m.CARE_PLAN}
    assert {e.uri for e in why.missing_optional} == {m.TEAMWORK}


def test_skill_sources_say_where_a_skill_comes_from(taxonomy):
    person = seeker(occupation=m.NURSING_ASSISTANT, skills=[m.MEDICATION, m.HYGIENE])
    _, why = score_pair(person, vacancy(), 0.5, taxonomy)
    source = {e.uri: e.source for e in why.matched_essential}
    assert source[m.MEDICATION] == "declared"
    assert source[m.HYGIENE] == "declared"  # declared wins over implied
    assert source[m.VITALS] == "qualification"


def test_vacancy_without_optional_skills_skips_that_factor_and_renormalises(taxonomy):
    job = vacancy(occupation=m.ELECTRICIAN, essential=[m.WIRING, m.SAFETY])  # explicit: no optional fallback
    score, why = score_pair(seeker(occupation=m.ELECTRICIAN), job, 1.0, taxonomy)
    assert "optional_skills" not in [f.name for f in why.factors]
    assert sum(f.weight for f in why.factors) == pytest.approx(1.0, abs=1e-3)
    assert score == pytest.approx(1.0, abs=1e-4)


def test_occupation_closeness_follows_the_hierarchy(taxonomy):
    job = vacancy(occupation=m.NURSE, essential=[m.MEDICATION])
    by_occupation = {
        occ: {f.name: f.value for f in score_pair(seeker(occupation=occ), job, 0.0, taxonomy)[1].factors}[
            "occupation"
        ]
        for occ in (m.NURSE, m.SPECIALIST_NURSE, m.FORKLIFT)
    }
    assert by_occupation == {m.NURSE: 1.0, m.SPECIALIST_NURSE: 0.9, m.FORKLIFT: 0.0}


def test_negative_similarity_is_clamped_but_reported(taxonomy):
    score, why = score_pair(seeker(occupation=m.ELECTRICIAN), vacancy(), -0.3, taxonomy)
    assert why.semantic_similarity == pytest.approx(-0.3)
    assert {f.name: f.value for f in why.factors}["semantic"] == 0.0
    assert 0.0 <= score <= 1.0


def test_weights_change_the_score(taxonomy):
    person = seeker(occupation=m.NURSE)
    skills_only = ScoringWeights(essential_skills=1, optional_skills=0, occupation=0, semantic=0)
    score, why = score_pair(person, vacancy(), 0.0, taxonomy, skills_only)
    assert score == pytest.approx(1.0)
    assert [f.name for f in why.factors] == ["essential_skills"]


def test_labels_follow_the_requested_language(taxonomy):
    _, why = score_pair(seeker(occupation=m.NURSE), vacancy(), 0.5, taxonomy, language="uk")
    assert "вводити ліки" in {e.label for e in why.matched_essential}
