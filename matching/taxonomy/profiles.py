"""The concepts of a profile or a vacancy: which skills a person brings, which a vacancy asks for, and a check
that every URI they name exists in the loaded taxonomy."""

from __future__ import annotations

from matching.taxonomy.model import Taxonomy
from models import JobSeeker, Vacancy


def seeker_skills(seeker: JobSeeker, taxonomy: Taxonomy) -> dict[str, str]:
    """Skill uri -> where it comes from. Declared skills win over ones implied by an occupation.

    A qualification or work experience in an occupation implies that occupation's essential skills.
    """
    skills: dict[str, str] = {uri: "declared" for uri in seeker.skill_uris}
    for source, uris in (
        ("qualification", [q.occupation_uri for q in seeker.qualifications]),
        ("experience", [e.occupation_uri for e in seeker.experience]),
    ):
        for occupation in uris:
            for skill in taxonomy.essential_skills(occupation):
                skills.setdefault(skill, source)
    return skills


def vacancy_requirements(vacancy: Vacancy, taxonomy: Taxonomy) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(essential, optional) skills; an empty list falls back to the occupation's ESCO profile."""
    essential = tuple(vacancy.essential_skill_uris) or taxonomy.essential_skills(vacancy.occupation_uri)
    optional = tuple(vacancy.optional_skill_uris)
    if not vacancy.essential_skill_uris and not optional:
        optional = taxonomy.optional_skills(vacancy.occupation_uri)
    return essential, tuple(s for s in optional if s not in set(essential))


def validate_concepts(item: JobSeeker | Vacancy, taxonomy: Taxonomy) -> None:
    """Raise UnknownConceptError naming the field of the first URI the taxonomy lacks."""
    if isinstance(item, JobSeeker):
        for i, q in enumerate(item.qualifications):
            taxonomy.occupation(q.occupation_uri, field_name=f"qualifications[{i}].occupation_uri")
        for i, e in enumerate(item.experience):
            taxonomy.occupation(e.occupation_uri, field_name=f"experience[{i}].occupation_uri")
        for i, uri in enumerate(item.skill_uris):
            taxonomy.skill(uri, field_name=f"skill_uris[{i}]")
        for i, uri in enumerate(item.work_authorisation.allowed_occupation_uris):
            taxonomy.occupation(uri, field_name=f"work_authorisation.allowed_occupation_uris[{i}]")
    else:
        taxonomy.occupation(item.occupation_uri, field_name="occupation_uri")
        for name in ("essential_skill_uris", "optional_skill_uris"):
            for i, uri in enumerate(getattr(item, name)):
                taxonomy.skill(uri, field_name=f"{name}[{i}]")
