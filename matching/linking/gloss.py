"""Word-by-word English glosses of Ukrainian and Russian job titles and skill sentences.

ESCO has no Ukrainian or Russian labels in most downloads, and the multilingual model alone finds the right
occupation for a Cyrillic title outside the vocabulary only now and then ("оператор котельні" is not near
"boiler operator" for it). Job titles are short and compositional, so a glossary of the words they are made
of (data/glossary: a word's stem and its English meaning) turns most of them into an English phrase the
English model reads well: "старший оператор котельні" → "senior operator boiler". Skill sentences are made of
a few more words of the same kind ("Досвід роботи з навантажувачем" → "experience work forklift"). The glossary
names words, not concepts, so it reaches titles and sentences that no vocabulary entry holds.

A word is glossed by the longest glossary stem it starts with, if at most a few letters (an inflection) are
left over, or as part of a phrase of up to three words the glossary holds whole. Latin-script words ("Java",
"SAP") are kept as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from matching.errors import MatchingError
from matching.linking.normalize import has_cyrillic

COLUMNS = ("stem", "english")
ENDING = 3  # letters a word may have beyond its stem (Ukrainian and Russian inflections)
MIN_STEM = 3
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'", "ё": "е"})
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*|\d+")
# Latin letters typed for their Cyrillic look-alikes inside a Cyrillic word ("мiкробiолог" with a Latin i).
_LOOK_ALIKES = str.maketrans("aceiopxy", "асеіорху")
# Prepositions, conjunctions and their like carry no meaning a gloss could keep.
_PREPOSITIONS = (
    "з із зі по в у на та і й и для до від от с со або или а о об при за щодо також также относительно"
)
_FUNCTION_WORDS = frozenset(_PREPOSITIONS.split())


class GlossaryError(MatchingError, ValueError):
    """A glossary source that is missing or malformed."""


@dataclass(frozen=True)
class Gloss:
    english: str  # the glossed words, in the title's order
    covered: float  # share of the title's Cyrillic words the glossary knew


class Glossary:
    """Stems (one word) and phrases (several words) with their English meanings."""

    def __init__(self, entries: Iterable[tuple[str, str]]):
        self.stems: dict[str, str] = {}
        self.phrases: dict[tuple[str, ...], str] = {}
        for stem, english in entries:
            words = tuple(w for w in _normalise(stem).split() if w not in _FUNCTION_WORDS)
            if len(words) == 1:
                self.stems.setdefault(words[0], english)
            elif words:
                self.phrases.setdefault(words, english)
        for stem, english in list(self.stems.items()):  # given stems first: they win over derived ones
            for feminine in _feminine(stem):
                self.stems.setdefault(feminine, english)
        self._longest_phrase = max((len(p) for p in self.phrases), default=1)

    @classmethod
    def read(cls, sources: Iterable[str | Path]) -> Glossary:
        """Glossary CSV files (columns ``stem`` and ``english``; more columns are ignored) or folders of them,
        in order; a stem given twice keeps its first meaning."""
        entries: list[tuple[str, str]] = []
        for source in sources:
            path = Path(source).expanduser()
            files = sorted(path.glob("*.csv")) if path.is_dir() else [path] if path.is_file() else None
            if not files:
                raise GlossaryError(
                    f"Glossary source {str(path)!r} is neither a CSV file nor a folder of them "
                    f"(columns {', '.join(COLUMNS)})."
                )
            for file in files:
                entries.extend(_read_csv(file))
        return cls(entries)

    def __len__(self) -> int:
        return len(self.stems) + len(self.phrases)

    def word(self, word: str) -> str | None:
        """The meaning of one (normalised) word: its own entry, else its longest stem with an ending."""
        if word in self.stems:
            return self.stems[word]
        for cut in range(len(word) - 1, max(MIN_STEM, len(word) - ENDING) - 1, -1):
            found = self.stems.get(word[:cut])
            if found is not None:
                return found
        return None

    def gloss(self, text: str) -> Gloss | None:
        """The English gloss of a Cyrillic ``text``, or None for text without Cyrillic words."""
        words = [w for w in self._words(text) if w not in _FUNCTION_WORDS]
        if not any(has_cyrillic(w) for w in words):
            return None
        out: list[str] = []
        known = cyrillic = 0
        i = 0
        while i < len(words):
            for size in range(min(self._longest_phrase, len(words) - i), 1, -1):
                phrase = self.phrases.get(tuple(words[i : i + size]))
                if phrase is not None:
                    out.append(phrase)
                    counted = sum(1 for w in words[i : i + size] if has_cyrillic(w))
                    known, cyrillic = known + counted, cyrillic + counted
                    i += size
                    break
            else:
                word = words[i]
                i += 1
                if not has_cyrillic(word):
                    out.append(word)
                    continue
                cyrillic += 1
                meaning = self.word(word)
                if meaning is not None:
                    known += 1
                    out.append(meaning)
        english = " ".join(_dedupe(" ".join(out).split()))
        return Gloss(english=english, covered=known / cyrillic if cyrillic else 0.0)

    def _words(self, text: str) -> list[str]:
        """Words of ``text``; a hyphenated word the glossary does not hold whole ("інженер-технолог",
        "Java-розробник") counts as its parts."""
        out: list[str] = []
        for word in _WORD.findall(_normalise(text)):
            word = "-".join(p.translate(_LOOK_ALIKES) if has_cyrillic(p) else p for p in word.split("-"))
            if "-" in word and self.word(word) is None:
                out.extend(part for part in word.split("-") if part)
            else:
                out.append(word)
        return out


def _feminine(stem: str) -> list[str]:
    """The stems of a job title's feminine form where it is not the masculine one with an ending:
    пакувальник → пакувальниця, упаковщик → упаковщица, учитель → учительница."""
    if stem.endswith("ик"):
        return [stem[:-1] + "ц"]
    if stem.endswith("тел"):
        return [stem + "ьниц"]
    return []


def _read_csv(path: Path) -> list[tuple[str, str]]:
    """A whole file or nothing: the first bad row is reported by line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise GlossaryError(f"{path.name} lacks the column(s) {missing}; a glossary file has the "
                                    f"columns {', '.join(COLUMNS)}. Found: {reader.fieldnames}.")  # fmt: skip
            rows = []
            for line, row in enumerate(reader, start=2):  # the header is line 1
                stem, english = (
                    " ".join((row["stem"] or "").split()),
                    " ".join((row["english"] or "").split()),
                )
                if not stem or not english:
                    raise GlossaryError(f"{path.name} line {line}: stem and english must both be given. "
                                        f"Got stem={stem!r}, english={english!r}.")  # fmt: skip
                rows.append((stem, english))
            return rows
    except UnicodeDecodeError as exc:
        raise GlossaryError(f"{path.name} is not UTF-8 text: {exc}.") from exc


def _normalise(text: str) -> str:
    return text.lower().translate(_APOSTROPHES)


def _dedupe(words: list[str]) -> list[str]:
    """Each word once, first place kept ("operator … operator" says nothing more)."""
    return list(dict.fromkeys(words))
