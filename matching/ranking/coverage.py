"""How far the regulation table reaches: each occupation of a taxonomy as regulated, checked and open, or not
checked, by ISCO major group, and the not-checked occupations people and vacancies actually have (the
worklist of whoever maintains ``data/regulated_professions.csv``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from matching.ranking.regulation import RegulationState, RegulationTable
from matching.taxonomy import Taxonomy

ISCO_MAJOR_GROUPS = {
    "0": "Armed forces occupations",
    "1": "Managers",
    "2": "Professionals",
    "3": "Technicians and associate professionals",
    "4": "Clerical support workers",
    "5": "Service and sales workers",
    "6": "Skilled agricultural, forestry and fishery workers",
    "7": "Craft and related trades workers",
    "8": "Plant and machine operators and assemblers",
    "9": "Elementary occupations",
    "": "Without ISCO code",
}


@dataclass(frozen=True, slots=True)
class Unchecked:
    uri: str
    label: str
    isco_code: str
    jobseekers: int
    vacancies: int


@dataclass
class Coverage:
    by_group: dict[str, Counter[RegulationState]] = field(default_factory=dict)
    worklist: list[Unchecked] = field(default_factory=list)  # not checked and in use, most frequent first

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.by_group.values())

    def count(self, state: RegulationState) -> int:
        return sum(c[state] for c in self.by_group.values())

    @property
    def checked_share(self) -> float:
        return 1 - self.count(RegulationState.NOT_CHECKED) / self.total if self.total else 0.0


def regulation_coverage(
    taxonomy: Taxonomy,
    table: RegulationTable,
    in_use: Mapping[str, tuple[int, int]] | None = None,
    language: str = "en",
) -> Coverage:
    """``in_use``: occupation URI → (job seekers with a qualification in it, vacancies for it)."""
    in_use = in_use or {}
    coverage = Coverage({group: Counter() for group in ISCO_MAJOR_GROUPS})
    for uri, concept in taxonomy.occupations.items():
        state = table.state_for(uri, concept.isco_code)
        coverage.by_group[concept.isco_code[:1]][state] += 1
        seekers, vacancies = in_use.get(uri, (0, 0))
        if state == RegulationState.NOT_CHECKED and seekers + vacancies:
            label = concept.label(language)
            coverage.worklist.append(Unchecked(uri, label, concept.isco_code, seekers, vacancies))
    coverage.worklist.sort(key=lambda u: (-(u.jobseekers + u.vacancies), u.uri))
    coverage.by_group = {g: c for g, c in coverage.by_group.items() if c}
    return coverage


def render_markdown(coverage: Coverage) -> str:
    states = list(RegulationState)
    lines = [
        "| ISCO major group | " + " | ".join(s.value.replace("_", " ") for s in states) + " | checked |",
        "|---|" + "---|" * (len(states) + 1),
    ]
    for group, counts in coverage.by_group.items():
        total = sum(counts.values())
        checked = 1 - counts[RegulationState.NOT_CHECKED] / total
        name = f"{group} {ISCO_MAJOR_GROUPS[group]}".strip()
        lines.append(
            f"| {name} | " + " | ".join(str(counts[s]) for s in states) + f" | {100 * checked:.1f} % |"
        )
    totals = " | ".join(f"**{coverage.count(s)}**" for s in states)
    lines.append(f"| **all {coverage.total}** | {totals} | **{100 * coverage.checked_share:.1f} %** |")
    lines += ["", f"Not checked and in use ({len(coverage.worklist)}), most frequent first:", ""]
    if coverage.worklist:
        lines += ["| occupation | ISCO | job seekers | vacancies | URI |", "|---|---|---|---|---|"]
        lines += [
            f"| {u.label} | {u.isco_code} | {u.jobseekers} | {u.vacancies} | {u.uri} |"
            for u in coverage.worklist
        ]
    else:
        lines.append("none")
    return "\n".join(lines)
