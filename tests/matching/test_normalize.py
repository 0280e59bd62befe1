"""Normalisation of German job titles and taxonomy labels before character n-gram matching."""

from __future__ import annotations

import pytest

from matching.linking.normalize import fold, normalise_label, normalise_title


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Pflegefachkraft (m/w/d)", "pflegefachkraft"),
        ("Pflegefachkraft (w/m/d)", "pflegefachkraft"),
        ("Pflegefachkraft (M/W/D)", "pflegefachkraft"),
        ("Pflegefachkraft ( m / w / d )", "pflegefachkraft"),
        ("Pflegefachkraft m/w/d", "pflegefachkraft"),
        ("Koch (gn*)", "koch"),
        ("Koch (m/f/d) in Vollzeit", "koch in vollzeit"),
    ],
)
def test_gender_markers_are_removed(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Pfleger/-in", "pfleger"),
        ("Pfleger/in", "pfleger"),
        ("Lehrer*in", "lehrer"),
        ("Erzieher:innen", "erzieher"),
        ("Lehrer_innen", "lehrer"),
        ("Mitarbeiter(in) Versand", "mitarbeiter versand"),
        ("Kaufmann/-frau für Büromanagement", "kaufmann fuer bueromanagement"),
    ],
)
def test_gender_suffixes_are_removed(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


def test_gender_forms_of_one_title_normalise_alike() -> None:
    forms = ["Pfleger/-in (m/w/d)", "Pfleger*in", "Pfleger:innen", "PFLEGER (gn*)", "Pfleger(in)"]
    assert {normalise_title(form) for form in forms} == {"pfleger"}


def test_words_that_only_start_like_a_suffix_are_kept() -> None:
    # "/Innenausbau" is a word, not the feminine ending "/innen".
    assert normalise_title("Tischler/Innenausbau") == "tischler innenausbau"
    assert normalise_title("Leiter:in Innendienst") == "leiter innendienst"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STRAßE", "strasse"),
        ("Größe", "groesse"),
        ("Übung Äpfel Öl", "uebung aepfel oel"),
        ("Café Señor", "cafe senor"),
    ],
)
def test_case_umlauts_sharp_s_and_accents_are_folded(text: str, expected: str) -> None:
    assert normalise_title(text) == expected
    assert normalise_label(text) == expected


def test_umlaut_folding_keeps_words_apart() -> None:
    # ä → ae, not a: "Bäcker" and "Backer" must not become the same word.
    assert fold("Bäcker") == "baecker"
    assert fold("Bäcker") != fold("Backer")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("MFA (m/w/d)", "medizinische fachangestellte"),
        ("Kfz-Mechatroniker", "kraftfahrzeug mechatroniker"),
        ("SHK-Anlagenmechaniker/in", "sanitaer heizung klima anlagenmechaniker"),
        ("mfa", "medizinische fachangestellte"),
    ],
)
def test_abbreviations_are_expanded(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


def test_abbreviations_only_expand_as_whole_words() -> None:
    assert normalise_title("Kfzmeister") == "kfzmeister"
    assert normalise_title("Mfazubi") == "mfazubi"


def test_labels_do_not_expand_abbreviations() -> None:
    assert normalise_label("Kfz-Mechatroniker") == "kfz mechatroniker"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Медична сестра", "медична сестра"), ("ПРАЦІВНИК СКЛАДУ", "працівник складу")],
)
def test_cyrillic_is_kept_and_lower_cased(text: str, expected: str) -> None:
    assert normalise_title(text) == expected
    assert normalise_label(text) == expected


def test_cyrillic_words_survive_punctuation_removal() -> None:
    out = normalise_title("водій / водійка навантажувача")
    assert len(out.split()) == 3
    assert all("\u0400" <= ch <= "\u04ff" or ch == " " for ch in out), out


def test_cyrillic_query_and_label_normalise_alike() -> None:
    # Whatever is folded inside Cyrillic words, query and label must end up identical.
    assert normalise_title("Водій навантажувача") == normalise_label("водій навантажувача")


def test_punctuation_and_whitespace_collapse() -> None:
    assert normalise_title("  Lager-  und\tLogistik,  Helfer!  ") == "lager und logistik helfer"
    assert normalise_title("") == ""
    assert normalise_title("(m/w/d)") == ""


def test_normalise_label_keeps_both_gender_forms() -> None:
    assert normalise_label("Lehrer/Lehrerin") == "lehrer lehrerin"
    assert normalise_label("Pflegefachmann/Pflegefachfrau") == "pflegefachmann pflegefachfrau"


def test_normalise_title_keeps_both_forms_written_in_full() -> None:
    # Only abbreviated endings (/-in, *in, ...) are dropped; a full second form is a word of its own.
    assert normalise_title("Lehrer/Lehrerin") == "lehrer lehrerin"


def test_cyrillic_is_transliterated_as_loanwords_are_spelt() -> None:
    from matching.linking.normalize import has_cyrillic, transliterate

    assert (
        transliterate("Менеджер") == "menedzher"
        and transliterate("Інженер-програміст") == "inzhener-programist"
    )
    assert (
        transliterate("Tischler") == "tischler" and not has_cyrillic("Tischler") and has_cyrillic("Електрик")
    )


def test_a_cyrillic_title_meets_latin_labels_through_its_transliteration() -> None:
    from matching.linking.lexical import LexicalIndex

    index = LexicalIndex([("a", ["programmer"]), ("b", ["agronomist"]), ("c", ["tailor"])], normalise_title)
    scores = index.scores(["програміст", "агроном", "programmer"])
    assert list(scores.argmax(axis=1)) == [0, 1, 0]
    assert scores[0, 0] > 0.5 and scores[1, 1] > 0.5
