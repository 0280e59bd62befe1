"""Which occupations stored profiles and vacancies use: the input of the regulation coverage report."""

from __future__ import annotations

from collections import Counter

from matching.store.storage import Storage


def occupations_in_use(storage: Storage) -> dict[str, tuple[int, int]]:
    """Occupation URI → (job seekers with a qualification or experience in it, vacancies for it)."""
    seekers: Counter[str] = Counter()
    vacancies: Counter[str] = Counter()
    for seeker in storage.jobseekers.iter_all():
        seekers.update(
            {q.occupation_uri for q in seeker.qualifications} | {e.occupation_uri for e in seeker.experience}
        )
    for vacancy in storage.vacancies.iter_all():
        vacancies[vacancy.occupation_uri] += 1
    return {uri: (seekers[uri], vacancies[uri]) for uri in seekers.keys() | vacancies.keys()}
