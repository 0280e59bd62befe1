"""Cutting text into what is linked: sentences and bullet points, and a sentence's short word spans."""

from __future__ import annotations

import re
from collections.abc import Sequence

import ftfy
import numpy as np

from matching.linking.normalize import FUNCTION_WORDS

_TOKEN = re.compile(r"[\w#+]+(?:[.\-'’][\w#+]+)*")  # keeps C#, C++, Node.js, e-learning as one word
# A span never runs across a list separator or a bracket: "Java, Python" names two skills, not one. On HOUSE
# validation this lifted MRR from 0.672 to 0.683 (RP@5 unchanged) with a tenth fewer spans to embed. A slash
# stays inside ("TCP/IP", "CI/CD").
_CLAUSE_BREAK = re.compile(r"[;:()\[\]|•]|\s[-–]\s")
_SPAN_BREAK = re.compile(r",|" + _CLAUSE_BREAK.pattern)
# Coordinated list items that share a word: "Haare schneiden, färben und föhnen" means "Haare färben" too, and
# "design, build and test software" means "design software". The items of such a list are cut at commas and
# at these conjunctions. Neutral on HOUSE validation (MRR 0.684, RP@5 68.8 % either way) and on the check set's
# dev sentences, which hold no such list; job ads in German use it all the time.
_LIST = re.compile(r",|\s(?:und|oder|sowie|and|or|і|та|або|и|или)\s|\s&\s", re.IGNORECASE)


def repair(text: str) -> str:
    """The text as it was written: Windows-1252 characters read as Latin-1 ("Master\x92s degree", "squad\x95")
    and UTF-8 decoded twice ("Ã¢Â€Â¢") are put right. Job ads copied out of Word documents carry them; left
    alone, such an English sentence looked non-English and went to the slower multilingual model (27 of the
    649 HOUSE and TECHWOLF sentences). ASCII text is returned as is."""
    return text if text.isascii() else ftfy.fix_text(text)


def word_spans(text: str, sizes: Sequence[int] = (1, 2, 3, 4)) -> list[str]:
    """Every run of ``sizes`` consecutive words within one list item that neither starts nor ends with a
    function word, each once, in order of first appearance."""
    parts = [_TOKEN.findall(part) for part in _SPAN_BREAK.split(text)]
    spans: dict[str, None] = {}
    for size in sizes:
        for words in parts:
            content = [w.lower() not in FUNCTION_WORDS for w in words]
            for start in range(len(words) - size + 1):
                if content[start] and content[start + size - 1]:
                    spans.setdefault(" ".join(words[start : start + size]), None)
    for span in _shared_word_spans(text):
        if len(span.split()) in sizes:
            spans.setdefault(span, None)
    return list(spans)


def _shared_word_spans(text: str) -> list[str]:
    """Spans of a list whose one-word items share the words of its first or last item: "Haare schneiden,
    färben und föhnen" gives "Haare färben" and "Haare föhnen" (the words before the first item's last word),
    "design, build and test software" gives "design software" and "build software"."""
    out: list[str] = []
    for clause in _CLAUSE_BREAK.split(text):
        items = [words for words in map(_TOKEN.findall, _LIST.split(clause)) if words]
        if len(items) < 2:
            continue
        first, last = items[0], items[-1]
        if 2 <= len(first) <= 3 and _one_word_each(items[1:]) and _content(first[:-1]):
            out += [" ".join([*first[:-1], w]) for [w] in items[1:]]
        elif 2 <= len(last) <= 3 and _one_word_each(items[:-1]) and _content(last[1:]):
            out += [" ".join([w, *last[1:]]) for [w] in items[:-1]]
    return out


def _content(words: Sequence[str]) -> bool:
    return not any(w.lower() in FUNCTION_WORDS for w in words)


def _one_word_each(items: Sequence[Sequence[str]]) -> bool:
    return all(len(words) == 1 and _content(words) for words in items)


def top_k(scores: np.ndarray, uri_rank: np.ndarray, k: int) -> list[int]:
    """Indices of the k best scores, ties broken by URI: exact, so results never depend on input order."""
    order = np.lexsort((uri_rank, -scores))
    return order[:k].tolist()


_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+|\s[•·*\-–]\s")


MAX_SENTENCES = 20  # of one text linked to skills: the rest is not read
MAX_SPAN_CHARS = 1_600  # characters of the spans of one text linked to skills (a few sentences' worth)
MAX_SENTENCE_WORDS = 30  # a longer "sentence" (a list without punctuation) is read in parts of this size


def bounded_sentences(text: str) -> list[str]:
    """The text's sentences, long ones cut into parts of MAX_SENTENCE_WORDS words, at most MAX_SENTENCES."""
    out: list[str] = []
    for sentence in split_sentences(text) or [text]:
        words = sentence.split()
        out += [" ".join(words[i : i + MAX_SENTENCE_WORDS]) for i in range(0, len(words), MAX_SENTENCE_WORDS)]
        if len(out) >= MAX_SENTENCES:
            break
    return out[:MAX_SENTENCES] or [text[:300]]


def spanned_prefix(sentences: Sequence[str], budget: int) -> int:
    """How many leading sentences' spans fit in ``budget`` characters."""
    used = 0
    for n, sentence in enumerate(sentences):
        used += sum(len(span) for span in word_spans(sentence))
        if used > budget:
            return n
    return len(sentences)


def split_sentences(text: str) -> list[str]:
    """Bullet points and sentences of a description, each worth linking on its own."""
    parts = [p.strip(" \t•·*-–") for p in _SENTENCE.split(text)]
    return [p for p in parts if len(p) >= 3]
