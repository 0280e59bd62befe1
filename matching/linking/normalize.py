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


# Cyrillic to Latin for character n-grams only, spelt as English and German spell the loanwords that job
# titles are full of: "менеджер" → "menedzher" ~ "manager", "технолог" → "tehnolog" ~ "technologist",
# "електрик" → "elektrik" ~ "electrician". Ukrainian, Russian and Bulgarian letters alike.
_CYRILLIC_TO_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезиклмнопрстуфыэ", "abvgdeziklmnoprstufye", strict=True)),
        "ё": "e", "ж": "zh", "й": "y", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "a",
        "ь": "", "ю": "yu", "я": "ya", "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "'": "", "ʼ": "",
    }
)  # fmt: skip
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC_LETTER.search(text) is not None


def transliterate(text: str) -> str:
    """Cyrillic letters spelt in Latin ones (after case folding); other characters stay."""
    return text.casefold().translate(_CYRILLIC_TO_LATIN)


def normalise_title(text: str) -> str:
    text = _GENDER_MARKERS.sub(" ", text)
    text = _GENDER_SUFFIX.sub("", text)
    words = _NON_WORD.sub(" ", fold(text)).split()
    expanded = [ABBREVIATIONS.get(w, w) for w in words]
    return " ".join(expanded)


def normalise_label(text: str) -> str:
    """Taxonomy labels: ESCO writes German titles as 'Lehrer/Lehrerin'; both forms stay searchable."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


# Words that name no skill on their own: a word span that starts or ends with one ("and SQL", "experience
# with") is left out of skill linking, and they carry no weight in word-level label matching.
_FUNCTION_WORDS = """
a an the and or nor of in on at to for with by from as is are be been will would you your we our us this that
these those their they it its who whom which what can could must should may have has had into within such other
etc plus also well not very more most some any all per via e.g i.e
und oder bzw der die das den dem des ein eine einen einem einer eines im am an auf für mit von vom zu zum zur
bei beim aus als sowie sie wir ihr ihre ihren unser unsere ist sind wird werden haben hat sein seine gute guter
gutes sehr auch nicht
і й та або в у на з із до для що як це ви ми и или с что как это вы мы
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())  # English, German, Ukrainian and Russian


# Light stemming for word-level matching: inflected forms of one word share a stem ("Gabelstaplern",
# "Gabelstapler"; "погрузчиком", "погрузчика"; "forklifts"). Both sides are stemmed alike, so an over-short
# stem can only merge words, never lose a match; the minimum stem length keeps short words whole.
_LATIN_ENDINGS = ("ing", "ern", "en", "er", "es", "ed", "e", "n", "s")
_CYRILLIC = """ями ами ого ому ими ыми ему ать ять ить ний ній ная ное ные ной ную ння ий ый ой ая яя ое ее ые ие
ов ев ей ам ям ах ях ом ем ою ею ів їв ую юю а я о е ы и і ї у ю ь й"""
_CYRILLIC_ENDINGS = tuple(sorted(_CYRILLIC.split(), key=len, reverse=True))  # longest first
MIN_STEM = 4


def stem(word: str) -> str:
    """The word without one common inflectional ending (German, English, Ukrainian, Russian)."""
    endings = _CYRILLIC_ENDINGS if word and "\u0400" <= word[-1] <= "\u04ff" else _LATIN_ENDINGS
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


_FOLDED_FUNCTION_WORDS = frozenset(fold(word) for word in FUNCTION_WORDS)


def content_stems(normalised: str) -> list[str]:
    """Stems of the content words of an already normalised text, each once, in order."""
    return list(dict.fromkeys(stem(w) for w in normalised.split() if w not in _FOLDED_FUNCTION_WORDS))
