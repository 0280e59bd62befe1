"""Type-ahead over the demo taxonomy: word prefixes in any language first, character n-grams for typos."""

from __future__ import annotations

import pytest

from matching.linking.autocomplete import Autocompleter
from matching.linking.normalize import normalise_title
from matching.paths import DEMO_ESCO_DIR
from matching.taxonomy import Taxonomy
from matching.taxonomy.esco import load_esco

OCC = "http://data.europa.eu/esco/occupation/"
NURSE = OCC + "8d3e8aaa-791b-4c75-a465-f3f827028f50"
FORKLIFT_DRIVER = OCC + "eeac6251-1974-42f5-91ed-513c6c883755"
FORKLIFT_OPERATION = "http://data.europa.eu/esco/skill/28cb374e-6261-4133-8371-f9a5470145da"


@pytest.fixture(scope="module")
def demo() -> Taxonomy:
    return load_esco(DEMO_ESCO_DIR)


@pytest.fixture(scope="module")
def completer(demo: Taxonomy) -> Autocompleter:
    return Autocompleter(demo)


def _labels(demo: Taxonomy, uri: str) -> set[str]:
    concept = demo.occupations.get(uri) or demo.skills[uri]
    return {label for _, label in concept.all_labels()}


def test_prefix_returns_care_occupations_first(demo: Taxonomy, completer: Autocompleter) -> None:
    found = completer.suggest("pfleg", language="de")
    assert NURSE in [s.uri for s in found[:3]]
    prefixed = [s for s in found if normalise_title(s.matched_label).startswith("pfleg")]
    assert len(prefixed) >= 3
    assert found[: len(prefixed)] == prefixed  # every prefix match ranks above every fuzzy one
    for s in prefixed:
        assert demo.occupations[s.uri].isco_code.startswith(("2", "5")), s  # health and care work


def test_matched_label_is_the_label_that_matched(demo: Taxonomy, completer: Autocompleter) -> None:
    [first, *_] = completer.suggest("Krankenschw", language="en")
    assert first.uri == NURSE
    assert first.matched_label == "Krankenschwester"  # a German alternative label
    assert first.label == "registered nurse (general care)"  # shown in the requested language
    for s in completer.suggest("медс", language="uk") + completer.suggest("pfleg"):
        assert s.matched_label in _labels(demo, s.uri)


def test_language_controls_the_label_only(demo: Taxonomy, completer: Autocompleter) -> None:
    by_language = {lang: completer.suggest("Staplerf", language=lang) for lang in ("en", "de", "uk")}
    assert [s.uri for s in by_language["en"]] == [FORKLIFT_DRIVER]
    for lang, found in by_language.items():
        assert [s.uri for s in found] == [FORKLIFT_DRIVER]
        assert found[0].label == demo.occupations[FORKLIFT_DRIVER].label(lang)
        assert found[0].matched_label == "Staplerfahrer"
    assert len({found[0].label for found in by_language.values()}) == 3


def test_word_starts_inside_a_label_match(completer: Autocompleter) -> None:
    # "Lkw-Fahrer" starts a word with "fahrer"; whole-label prefixes would score higher.
    found = completer.suggest("fahrer", language="de")
    assert found[0].matched_label == "Lkw-Fahrer"
    assert 0.7 < found[0].score < 1.0


def test_a_typo_falls_back_to_character_ngrams(completer: Autocompleter) -> None:
    assert completer.suggest("forklfit driver")[0].uri == FORKLIFT_DRIVER
    [first, *_] = completer.suggest("Krankenschwster", language="de")
    assert first.uri == NURSE
    assert first.score < 0.5  # fuzzy matches rank below any prefix match


def test_a_fuzzy_match_names_the_label_that_matched(completer: Autocompleter) -> None:
    # The API documents matched_label as "the label (any language) that matched what was typed".
    [first, *_] = completer.suggest("Krankenschwster", language="en")
    assert first.uri == NURSE
    assert first.matched_label == "Krankenschwester"


@pytest.mark.parametrize("query", ["zzzzqqq", "", "   ", "(m/w/d)", "?!"])
def test_nothing_to_suggest(completer: Autocompleter, query: str) -> None:
    assert completer.suggest(query) == []


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_limit_is_respected(completer: Autocompleter, limit: int) -> None:
    everything = completer.suggest("pfleg", language="de", limit=50)
    assert len(everything) > 5
    assert completer.suggest("pfleg", language="de", limit=limit) == everything[:limit]


def test_suggestions_are_ordered_by_score_then_uri(completer: Autocompleter) -> None:
    found = completer.suggest("pfleg", language="de", limit=50)
    keys = [(-s.score, s.uri) for s in found]
    assert keys == sorted(keys)
    assert len({s.uri for s in found}) == len(found)


def test_skills_are_suggested_for_kind_skill(demo: Taxonomy, completer: Autocompleter) -> None:
    found = completer.suggest("gabelst", kind="skill", language="de")
    assert found[0].uri == FORKLIFT_OPERATION
    assert found[0].label == "Gabelstapler fahren"
    assert all(s.uri in demo.skills for s in found)
    assert completer.suggest("forklift", kind="skill", language="en")[0].uri == FORKLIFT_OPERATION
    assert all(s.uri in demo.occupations for s in completer.suggest("forklift"))


def test_a_linker_fills_the_list_when_no_label_matches_what_was_typed(demo: Taxonomy) -> None:
    asked: list[tuple[str, str]] = []

    def linked(text: str, kind: str, limit: int) -> list[tuple[str, float]]:
        asked.append((text, kind))
        return [(NURSE, 0.8), (FORKLIFT_DRIVER, 0.1)]  # the second is a guess below the threshold

    with_linker = Autocompleter(demo, linked)
    found = with_linker.suggest("ნორსი", "occupation", "de")  # Georgian: no label, no n-gram in common
    assert [s.uri for s in found] == [NURSE]
    assert found[0].label == found[0].matched_label == demo.occupations[NURSE].label("de")
    assert asked == [("ნორსი", "occupation")]
    prefix = with_linker.suggest("pfleg", "occupation", "de", limit=3)  # labels match: no linker call
    assert len(prefix) == 3 and len(asked) == 1
    assert with_linker.suggest("ნო", "occupation") == [] and len(asked) == 1  # too short to ask the linker
