"""Normalisation of job titles and skill phrases before lexical matching.

German job ads mark gender ("(m/w/d)", "Pfleger/-in", "Lehrer*in", "Erzieher:innen"); titles use
abbreviations ("MFA", "Kfz", "SHK"); writers differ in case, umlauts and punctuation. All of that is
removed or expanded here so that character n-grams compare what matters.
"""

from __future__ import annotations

import re
import unicodedata

# Common abbreviations in German job titles (expanded before matching; lower case keys).
ABBREVIATIONS = {
    "mfa": "medizinische fachangestellte",
    "zfa": "zahnmedizinische fachangestellte",
    "pta": "pharmazeutisch technische assistentin",
    "mta": "medizinisch technische assistentin",
    "kfz": "kraftfahrzeug",
    "lkw": "lastkraftwagen",
    "pkw": "personenkraftwagen",
    "shk": "sanitaer heizung klima",
    "guk": "gesundheits und krankenpfleger",
    "it": "informationstechnik it",
    "bwl": "betriebswirtschaft",
    "cnc": "cnc",
    "sap": "sap",
}
_GENDER_MARKERS = re.compile(
    r"\(\s*(?:m|w|d|f|x|div|gn\*?)(?:\s*[/|,]\s*(?:m|w|d|f|x|div|gn\*?))*\s*\)"  # (m/w/d), (w/m/d), (gn*)
    r"|\b(?:m|w|d|f)\s*/\s*(?:m|w|d|f)(?:\s*/\s*(?:m|w|d|f))?\b",  # m/w/d without brackets
    re.IGNORECASE,
)
# Pfleger/-in, Pfleger/in, Lehrer*in, Erzieher:innen, Lehrer_innen, Mitarbeiter(in), Kaufmann/-frau
_GENDER_SUFFIX = re.compile(r"(?:/-?|\*|:|_|\()(?:in|innen|frau)\)?\b", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, ß → ss, umlauts and accents folded (ä → ae keeps German words apart from a → a)."""
    text = text.casefold().replace("ß", "ss")
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_title(text: str) -> str:
    text = _GENDER_MARKERS.sub(" ", text)
    text = _GENDER_SUFFIX.sub("", text)
    words = _NON_WORD.sub(" ", fold(text)).split()
    expanded = [ABBREVIATIONS.get(w, w) for w in words]
    return " ".join(expanded)


def normalise_label(text: str) -> str:
    """Taxonomy labels: ESCO writes German titles as 'Lehrer/Lehrerin'; both forms stay searchable."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())
