"""An in-memory view of an ESCO-style taxonomy: occupations, skills, their relations and the ISCO tree."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from matching.errors import UnknownConceptError


@dataclass(frozen=True, slots=True)
class Concept:
    uri: str
    kind: str  # "occupation" | "skill"
    labels: dict[str, str]  # language -> preferred label
    alt_labels: dict[str, tuple[str, ...]]
    descriptions: dict[str, str]
    isco_code: str = ""  # occupations: 4-digit ISCO-08 group
    code: str = ""  # occupations: ESCO code such as 2221.1
    skill_type: str = ""  # skills: "skill/competence" | "knowledge"
    reuse_level: str = ""
    regulated_note: str = ""

    def label(self, language: str = "en", fallback: Iterable[str] = ("en", "de")) -> str:
        for lang in (language, *fallback):
            if lang in self.labels:
                return self.labels[lang]
        return next(iter(self.labels.values()), self.uri)

    def all_labels(self) -> Iterator[tuple[str, str]]:
        """(language, label) for every preferred and alternative label."""
        for lang, label in self.labels.items():
            yield lang, label
        for lang, labels in self.alt_labels.items():
            for label in labels:
                yield lang, label


@dataclass(frozen=True, slots=True)
class IscoGroup:
    uri: str
    code: str
    labels: dict[str, str]


@dataclass(slots=True)
class Taxonomy:
    """Read-only after construction; build it with :func:`matching.taxonomy.esco.load_esco`."""

    languages: tuple[str, ...]
    occupations: dict[str, Concept]
    skills: dict[str, Concept]
    essential: dict[str, tuple[str, ...]]  # occupation uri -> essential skill uris
    optional: dict[str, tuple[str, ...]]
    isco_groups: dict[str, IscoGroup]  # code -> group
    broader: dict[str, str] = field(default_factory=dict)  # concept uri -> broader uri
    source: str = ""

    def occupation(self, uri: str, *, field_name: str | None = None) -> Concept:
        return self._lookup(self.occupations, "occupation", uri, field_name)

    def skill(self, uri: str, *, field_name: str | None = None) -> Concept:
        return self._lookup(self.skills, "skill", uri, field_name)

    def _lookup(self, concepts: dict[str, Concept], kind: str, uri: str, field_name: str | None) -> Concept:
        found = concepts.get(uri)
        if found is None:
            where = f" in field '{field_name}'" if field_name else ""
            raise UnknownConceptError(
                f"Unknown {kind} URI {uri!r}{where}: not in the loaded taxonomy.",
                field=field_name,
                uri=uri,
            )
        return found

    def concept(self, uri: str) -> Concept:
        found = self.occupations.get(uri) or self.skills.get(uri)
        if found is None:
            raise UnknownConceptError(f"Unknown concept URI {uri!r}.", uri=uri)
        return found

    def label(self, uri: str, language: str = "en") -> str:
        found = self.occupations.get(uri) or self.skills.get(uri)
        return found.label(language) if found else uri

    def essential_skills(self, occupation_uri: str) -> tuple[str, ...]:
        return self.essential.get(occupation_uri, ())

    def optional_skills(self, occupation_uri: str) -> tuple[str, ...]:
        return self.optional.get(occupation_uri, ())

    def isco_path(self, occupation_uri: str) -> tuple[str, ...]:
        """ISCO codes from the major group down to the unit group, e.g. ('2', '22', '222', '2221')."""
        code = self.occupation(occupation_uri).isco_code
        return tuple(code[:n] for n in range(1, len(code) + 1))

    def occupation_proximity(self, a: str, b: str) -> float:
        """1.0 same occupation; otherwise the share of the 4-level ISCO path they have in common.

        An occupation and its direct broader occupation count as 0.9: ESCO nests specialisations
        (e.g. a specialist nurse under the general nurse) below the ISCO unit group.
        """
        if a == b:
            return 1.0
        if self.broader.get(a) == b or self.broader.get(b) == a:
            return 0.9
        pa, pb = self.isco_path(a), self.isco_path(b)
        common = 0
        for x, y in zip(pa, pb, strict=False):
            if x != y:
                break
            common += 1
        # Same unit group but different occupations: 0.75; same minor group: 0.5; …
        return 0.75 * common / 4 if common < 4 else 0.75

    def stats(self) -> dict[str, int | list[str] | str]:
        return {
            "source": self.source,
            "languages": list(self.languages),
            "occupations": len(self.occupations),
            "skills": len(self.skills),
            "essential_relations": sum(len(v) for v in self.essential.values()),
            "optional_relations": sum(len(v) for v in self.optional.values()),
            "isco_groups": len(self.isco_groups),
        }
