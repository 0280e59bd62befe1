"""Local vocabulary: extra names for taxonomy concepts, merged in for linking and display.

ESCO's German labels are translations of English ones ("Lehrkraft für Vorschulerziehung"), not the names
people in Germany use ("Erzieherin", "Altenpfleger", "Fachkraft für Lagerlogistik"); ESCO has no Russian,
and a download may lack Ukrainian. A vocabulary adds such names to concepts by URI, from

* a CSV file with the columns ``conceptUri,language,label`` (more columns, e.g. a note, are ignored), or
* a folder of such CSV files, or
* a folder in the ESCO CSV layout (preferred, alternative and hidden labels of every language are taken;
  nothing else), such as the project's demo taxonomy, whose labels are the names used in Leipzig.

Added labels become alternative labels of the concept; where the taxonomy has no label at all in a
language, the first added one becomes the concept's label there (a Ukrainian page then names the
occupation in Ukrainian). Names for URIs that the loaded taxonomy lacks are skipped and counted.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matching.errors import TaxonomyError
from matching.taxonomy.esco import concept_labels, detect_languages
from matching.taxonomy.model import Concept, Taxonomy

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_URI = re.compile(r"^https?://\S+$")
REQUIRED_COLUMNS = ("conceptUri", "language", "label")
MAX_LABEL_LENGTH = 300


@dataclass(slots=True)
class Vocabulary:
    """URI -> language -> labels, in the order first seen."""

    labels: dict[str, dict[str, list[str]]] = dataclasses.field(default_factory=dict)

    def add(self, uri: str, language: str, label: str) -> None:
        by_lang = self.labels.setdefault(uri, {})
        names = by_lang.setdefault(language, [])
        if label not in names:
            names.append(label)


@dataclass(frozen=True, slots=True)
class MergeReport:
    labels_added: int
    concepts_touched: int
    unknown_uris: int  # URIs of the vocabulary that the taxonomy lacks (a partial download, the demo)


def load_vocabulary(sources: Sequence[str | Path]) -> Vocabulary:
    """Read every source in order; a later source adds to, never replaces, an earlier one."""
    vocabulary = Vocabulary()
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            _read_folder(path, vocabulary)
        elif path.is_file():
            _read_csv(path, vocabulary)
        else:
            raise TaxonomyError(
                f"Vocabulary source {str(path)!r} does not exist: give a CSV file with the columns "
                f"{', '.join(REQUIRED_COLUMNS)} or a folder in the ESCO CSV layout."
            )
    return vocabulary


def _read_csv(path: Path, vocabulary: Vocabulary) -> None:
    """Validate the whole file before adding anything: a file with an error adds nothing."""
    rows: list[tuple[str, str, str]] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise TaxonomyError(
                    f"{path.name} lacks the column(s) {missing}; a vocabulary file has the columns "
                    f"{', '.join(REQUIRED_COLUMNS)} (more columns are ignored). Found: {reader.fieldnames}."
                )
            for line, row in enumerate(reader, start=2):  # the header is line 1
                rows.append(_checked(row, path.name, line))
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"{path.name} is not UTF-8 text: {exc}.") from exc
    for uri, language, label in rows:
        vocabulary.add(uri, language, label)


def _checked(row: dict[str, str | None], name: str, line: int) -> tuple[str, str, str]:
    uri = (row.get("conceptUri") or "").strip()
    language = (row.get("language") or "").strip()
    label = " ".join((row.get("label") or "").split())
    where = f"{name} line {line}"
    if not _URI.match(uri):
        raise TaxonomyError(f"{where}: conceptUri must be a concept URI such as "
                            f"'http://data.europa.eu/esco/occupation/…'. Got {uri!r}.")  # fmt: skip
    if not _LANGUAGE.match(language):
        raise TaxonomyError(f"{where}: language must be an ISO 639 code in lower case (de, en, uk, ru…). "
                            f"Got {language!r}.")  # fmt: skip
    if not label or len(label) > MAX_LABEL_LENGTH:
        raise TaxonomyError(f"{where}: label must hold 1 to {MAX_LABEL_LENGTH} characters. Got {label!r}.")
    return uri, language, label


def _read_folder(path: Path, vocabulary: Vocabulary) -> None:
    """A folder in the ESCO CSV layout gives its labels; any other folder is a set of vocabulary CSVs."""
    layout = detect_languages(path)
    if layout.get("occupations") or layout.get("skills"):
        for uri, language, label in concept_labels(path):
            vocabulary.add(uri, language, label)
        return
    files = sorted(path.glob("*.csv"))
    if not files:
        raise TaxonomyError(
            f"Vocabulary folder {str(path)!r} holds neither the ESCO CSV layout (occupations_<lang>.csv, "
            f"skills_<lang>.csv) nor vocabulary CSV files ({', '.join(REQUIRED_COLUMNS)})."
        )
    for file in files:
        _read_csv(file, vocabulary)


def merge_vocabulary(taxonomy: Taxonomy, vocabulary: Vocabulary) -> tuple[Taxonomy, MergeReport]:
    """A new taxonomy whose concepts carry the vocabulary's labels too; the input is left unchanged."""
    if not vocabulary.labels:
        return taxonomy, MergeReport(0, 0, 0)
    added = touched = unknown = 0
    occupations, skills = dict(taxonomy.occupations), dict(taxonomy.skills)
    for uri, by_lang in vocabulary.labels.items():
        pool = occupations if uri in occupations else skills if uri in skills else None
        if pool is None:
            unknown += 1
            continue
        concept, count = _with_labels(pool[uri], by_lang)
        if count:
            pool[uri] = concept
            added += count
            touched += 1
    merged = dataclasses.replace(taxonomy, occupations=occupations, skills=skills)
    return merged, MergeReport(added, touched, unknown)


def _with_labels(concept: Concept, by_lang: dict[str, list[str]]) -> tuple[Concept, int]:
    labels = dict(concept.labels)
    alt: dict[str, list[str]] = defaultdict(list, {k: list(v) for k, v in concept.alt_labels.items()})
    count = 0
    for language, names in by_lang.items():
        known = {labels.get(language, "").casefold(), *(a.casefold() for a in alt[language])}
        for name in names:
            if name.casefold() in known:
                continue
            known.add(name.casefold())
            count += 1
            if language not in labels:
                labels[language] = name  # the concept had no name in this language at all
            else:
                alt[language].append(name)
    if not count:
        return concept, 0
    alt_labels = {k: tuple(v) for k, v in alt.items() if v}
    return dataclasses.replace(concept, labels=labels, alt_labels=alt_labels), count


def with_vocabulary(taxonomy: Taxonomy, sources: Iterable[str | Path]) -> tuple[Taxonomy, MergeReport]:
    return merge_vocabulary(taxonomy, load_vocabulary(list(sources)))
