"""Germany's regulation of professions, per ESCO occupation, from ``data/regulated_professions.csv``.

ESCO's ``regulatedProfessionNote`` flags only the 15 professions with automatic EU-wide recognition; this
table adds the German and Saxon rules (who may practise, who decides, what is open meanwhile).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from matching.errors import TaxonomyError
from matching.paths import DATA_DIR
from models import CEFRLevel

DEFAULT_TABLE = DATA_DIR / "regulated_professions.csv"
COLUMNS = (
    "id", "esco_uris", "isco_prefixes", "reference_occupation_de", "reference_occupation_en", "regulation",
    "legal_basis", "competent_body_saxony", "competent_body_url", "min_german_level", "bridge_esco_uris",
    "temporary_permit", "notes", "source",
)  # fmt: skip


class RegulationState(StrEnum):
    """What is known about an occupation: a rule restricts it, someone checked that none does, or neither."""

    REGULATED = "regulated"
    NOT_REGULATED = "not_regulated"  # checked: the row's legal_basis says why it is open
    NOT_CHECKED = "not_checked"  # no row covers it: nobody has looked yet


class Regulation(StrEnum):
    PRACTICE_RESERVED = "practice_reserved"  # only with recognition / state permission
    TITLE_PROTECTED = "title_protected"  # the work is open, the title is not
    SELF_EMPLOYMENT_RESTRICTED = "self_employment_restricted"  # employment open; own business needs Meister
    NOT_REGULATED = "not_regulated"


@dataclass(frozen=True, slots=True)
class RegulationRule:
    id: str
    regulation: Regulation
    esco_uris: frozenset[str]
    isco_prefixes: tuple[str, ...]
    reference_de: str
    reference_en: str
    legal_basis: str
    authority: str
    authority_url: str
    min_german_level: CEFRLevel | None
    bridge_uris: tuple[str, ...]
    temporary_permit: str
    notes: str

    @property
    def authority_name(self) -> str:
        """The authority's name without the details in brackets or after ':'/';' (kept in ``authority``)."""
        return re.split(r"[(:;,]", self.authority, maxsplit=1)[0].strip()

    @property
    def state(self) -> RegulationState:
        regulated = self.regulation != Regulation.NOT_REGULATED
        return RegulationState.REGULATED if regulated else RegulationState.NOT_REGULATED

    @property
    def reserved(self) -> bool:
        return self.regulation == Regulation.PRACTICE_RESERVED

    def covers(self, occupation_uri: str, isco_code: str = "") -> bool:
        if occupation_uri in self.esco_uris:
            return True
        return bool(isco_code) and any(isco_code.startswith(p) for p in self.isco_prefixes)


class RegulationTable:
    def __init__(self, rules: list[RegulationRule]):
        self.rules = rules
        self._by_uri: dict[str, RegulationRule] = {}
        self._by_prefix: dict[str, RegulationRule] = {}
        for rule in rules:
            for uri in rule.esco_uris:
                self._by_uri.setdefault(uri, rule)
            for prefix in rule.isco_prefixes:
                self._by_prefix.setdefault(prefix, rule)

    def __len__(self) -> int:
        return len(self.rules)

    def rule_for(self, occupation_uri: str, isco_code: str = "") -> RegulationRule | None:
        """The rule of an occupation: listed by URI first, else the row with the longest ISCO prefix of its
        code (a unit group's exception beats its major group's default), else none (not checked)."""
        rule = self._by_uri.get(occupation_uri)
        if rule is not None or not isco_code:
            return rule
        for length in range(len(isco_code), 0, -1):
            found = self._by_prefix.get(isco_code[:length])
            if found is not None:
                return found
        return None

    def state_for(self, occupation_uri: str, isco_code: str = "") -> RegulationState:
        rule = self.rule_for(occupation_uri, isco_code)
        return rule.state if rule is not None else RegulationState.NOT_CHECKED

    @classmethod
    def load(cls, path: str | Path = DEFAULT_TABLE) -> RegulationTable:
        path = Path(path)
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = set(COLUMNS) - set(reader.fieldnames or ())
                if missing:
                    raise TaxonomyError(
                        f"{path.name} lacks the column(s) {sorted(missing)}; expected {list(COLUMNS)}."
                    )
                rows = list(reader)
        except OSError as exc:
            raise TaxonomyError(f"Cannot read the regulated-professions table {path}: {exc}") from exc
        rules = []
        allowed = ", ".join(r.value for r in Regulation)
        for line, row in enumerate(rows, start=2):
            try:
                regulation = Regulation(row["regulation"].strip())
            except ValueError:
                raise TaxonomyError(
                    f"{path.name} line {line}: regulation {row['regulation']!r} is not one of {allowed}."
                ) from None
            level = row["min_german_level"].strip()
            if level and level not in CEFRLevel.__members__:
                raise TaxonomyError(
                    f"{path.name} line {line}: min_german_level {level!r} is not a CEFR level A1–C2."
                )
            rules.append(
                RegulationRule(
                    id=row["id"].strip(),
                    regulation=regulation,
                    esco_uris=frozenset(row["esco_uris"].split()),
                    isco_prefixes=tuple(row["isco_prefixes"].split()),
                    reference_de=row["reference_occupation_de"].strip(),
                    reference_en=row["reference_occupation_en"].strip(),
                    legal_basis=row["legal_basis"].strip(),
                    authority=row["competent_body_saxony"].strip(),
                    authority_url=row["competent_body_url"].strip(),
                    min_german_level=CEFRLevel(level) if level else None,
                    bridge_uris=tuple(row["bridge_esco_uris"].split()),
                    temporary_permit=row["temporary_permit"].strip(),
                    notes=row["notes"].strip(),
                )
            )
        return cls(rules)
