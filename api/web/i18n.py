"""The pages' UI strings in German, English and Ukrainian, from one catalog file (``catalog.json``).

Reasons and next steps come translated from the API (``matching/ranking/reasons.py``); this catalog holds only the
pages' own words: headings, labels, buttons and status names. Every entry has all three languages and the
same ``{placeholders}`` in each, checked when the catalog is loaded.
"""

from __future__ import annotations

import json
import re
import string
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("de", "en", "uk")
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "uk": "Українська"}
DEFAULT_LANGUAGE = "de"
CATALOG_PATH = Path(__file__).with_name("catalog.json")
_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class CatalogError(ValueError):
    """The catalog file is malformed: a missing language, an empty text or mismatched placeholders."""


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Catalog:
    def __init__(self, entries: dict[str, dict[str, str]]):
        problems = []
        for key, texts in entries.items():
            if not _KEY.match(key):
                problems.append(f"{key!r}: keys are dotted lower-case names such as 'login.title'")
                continue
            if not isinstance(texts, dict) or sorted(texts) != sorted(LANGUAGES):
                got = sorted(texts) if isinstance(texts, dict) else type(texts).__name__
                problems.append(f"{key!r}: needs exactly the languages {', '.join(LANGUAGES)}; got {got}")
                continue
            empty = [lang for lang in LANGUAGES if not str(texts[lang]).strip()]
            if empty:
                problems.append(f"{key!r}: empty text for {', '.join(empty)}")
                continue
            names = {lang: _placeholders(texts[lang]) for lang in LANGUAGES}
            if len({frozenset(n) for n in names.values()}) > 1:
                problems.append(f"{key!r}: placeholders differ between languages: {names}")
        if problems:
            raise CatalogError("UI string catalog: " + "; ".join(problems))
        self._entries = entries

    @classmethod
    def load(cls, path: Path = CATALOG_PATH) -> Catalog:
        with path.open(encoding="utf-8") as f:
            return cls(json.load(f))

    def keys(self) -> set[str]:
        return set(self._entries)

    def strings(self, language: str) -> dict[str, str]:
        """Every string in one language (embedded in each page for its scripts)."""
        return {key: texts[language] for key, texts in self._entries.items()}

    def translate(self, language: str, key: str, **values: object) -> str:
        try:
            text = self._entries[key][language]
        except KeyError:
            raise KeyError(
                f"No UI string {key!r} in language {language!r}; add it to {CATALOG_PATH.name}."
            ) from None
        return text.format(**values) if values else text


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    return Catalog.load()


def negotiate(accept_language: str | None) -> str:
    """The best of de/en/uk for an Accept-Language header; German when none of them is asked for."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best
