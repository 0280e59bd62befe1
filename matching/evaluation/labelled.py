"""A synthetic evaluation set with known ground truth: who is truly suitable for which vacancy, and how much.

The job seekers and vacancies are :class:`~matching.ingest.synthetic.LeipzigGenerator`'s (its output for a seed is
unchanged), plus, for every vacancy, a few job seekers planted by construction: *suitable* ones (trained and
experienced in the occupation, allowed to practise it, authorised to work, German at the required level,
living within their commute) and *near misses* (the same, with exactly one requirement broken: German,
commute, work authorisation or recognition). Planted people get ordinary ids and protected attributes, so
nothing but the ground truth tells them apart.

The grading rule is :mod:`matching.evaluation.ground_truth`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from matching.evaluation.ground_truth import UNMET_REASONS, GroundTruth, judge_all, transpose
from matching.evaluation.trec import Qrels
from matching.ingest.synthetic import LeipzigGenerator
from matching.ranking.geo import Gazetteer
from matching.ranking.places import haversine_km, load_places
from matching.ranking.regulation import Regulation, RegulationTable
from matching.taxonomy import Taxonomy
from models import (
    CEFRLevel,
    JobSeeker,
    LanguageSkill,
    Location,
    Qualification,
    RecognitionStatus,
    Vacancy,
    WorkAuthorisation,
    WorkAuthorisationStatus,
    WorkExperience,
    WorkingTime,
)
from models.feedback import Decision, FeedbackRequest, RejectionReason

NEAR_MISS_KINDS = ("german", "commute", "authorisation", "recognition")
_LEVELS = list(CEFRLevel)


@dataclass(frozen=True, slots=True)
class Planted:
    """A job seeker made for one vacancy: ``suitable``, or a ``near_miss`` failing ``broken``."""

    vacancy_id: str
    kind: str
    broken: str | None = None


@dataclass(frozen=True)
class LabelledSet:
    """Job seekers, vacancies and the ground truth: ``qrels[vacancy_id][jobseeker_id] = grade`` (> 0 only)."""

    jobseekers: list[JobSeeker]
    vacancies: list[Vacancy]
    qrels: Qrels
    planted: dict[str, Planted]
    truth: GroundTruth = field(repr=False, compare=False)

    def seeker_qrels(self) -> Qrels:
        """The same judgements per job seeker: ``{jobseeker_id: {vacancy_id: grade}}``."""
        return transpose(self.qrels)

    def grade(self, vacancy_id: str, jobseeker_id: str) -> int:
        return self.qrels.get(vacancy_id, {}).get(jobseeker_id, 0)


class _Planter:
    """Builds the planted job seekers for one vacancy from ordinary generated ones."""

    def __init__(self, base: LeipzigGenerator, truth: GroundTruth, rng: random.Random):
        self.base = base
        self.truth = truth
        self.rng = rng
        self.places = load_places()

    @staticmethod
    def _point(vacancy: Vacancy) -> tuple[float, float]:
        lat, lon = vacancy.location.lat, vacancy.location.lon
        if lat is None or lon is None:
            raise ValueError(
                f"Vacancy {vacancy.id!r} has no coordinates; generated vacancies always have them."
            )
        return lat, lon

    def _near(self, vacancy: Vacancy, within_km: float) -> Location:
        lat, lon = self._point(vacancy)
        # Up to ``within_km`` away in a random direction (1° latitude ≈ 111 km, 1° longitude ≈ 70 km here).
        for _ in range(20):
            d_lat = self.rng.uniform(-within_km, within_km) / 111.0
            d_lon = self.rng.uniform(-within_km, within_km) / 70.0
            point = (round(lat + d_lat, 5), round(lon + d_lon, 5))
            if haversine_km(lat, lon, *point) <= within_km:
                return Location(place=vacancy.location.place, lat=point[0], lon=point[1])
        return Location(place=vacancy.location.place, lat=lat, lon=lon)

    def _far(self, vacancy: Vacancy, beyond_km: float) -> Location | None:
        lat, lon = self._point(vacancy)
        far = [p for p in self.places if haversine_km(lat, lon, p.lat, p.lon) > beyond_km]
        if not far:
            return None
        place = self.rng.choice(far)
        return Location(place=place.name, postcode=place.postcode, lat=place.lat, lon=place.lon)

    def _recognition(self, vacancy: Vacancy, placement: bool) -> dict:
        rule = self.truth.rule(vacancy.occupation_uri)
        if rule is None or rule.regulation in (
            Regulation.NOT_REGULATED,
            Regulation.SELF_EMPLOYMENT_RESTRICTED,
        ):
            return {"recognition": RecognitionStatus.NOT_REQUIRED}
        if placement:
            return {
                "recognition": RecognitionStatus.PENDING,
                "recognition_filed_on": self.truth.today - dt.timedelta(days=self.rng.randint(10, 200)),
            }
        return {"recognition": RecognitionStatus.FULL}

    def suitable(self, number: int, vacancy: Vacancy, placement: bool = False) -> JobSeeker:
        person = self.base.jobseeker(number)
        rng = self.rng
        country = person.qualifications[0].country
        qualification = Qualification(
            occupation_uri=vacancy.occupation_uri,
            country=country,
            year=rng.randint(1995, 2023),
            **self._recognition(vacancy, placement),
        )
        experience = [
            WorkExperience(
                occupation_uri=vacancy.occupation_uri, years=round(rng.uniform(1, 15), 1), country=country
            )
        ]
        required = vacancy.min_german_level
        floor = required.rank if required is not None else rng.randint(0, 3)
        german = _LEVELS[min(len(_LEVELS) - 1, floor + rng.choice([0, 0, 1, 2]))]
        languages = [x for x in person.languages if x.language != "de"]
        languages.append(LanguageSkill(language="de", level=german))
        wanted = rng.choice([WorkingTime.ANY, vacancy.working_time])
        max_commute = float(rng.choice([10, 15, 20, 25, 30, 40]))
        skills = list(vacancy.essential_skill_uris)
        skills = rng.sample(skills, k=max(1, int(len(skills) * rng.uniform(0.5, 1.0)))) if skills else []
        skills += [s for s in vacancy.optional_skill_uris if rng.random() < 0.5]
        return person.model_copy(
            update={
                "qualifications": [qualification],
                "experience": experience,
                "skill_uris": list(dict.fromkeys(skills)),
                "languages": languages,
                "home": self._near(vacancy, 0.6 * max_commute),
                "max_commute_km": max_commute,
                "available_from": self.truth.today + dt.timedelta(days=rng.randint(0, 30)),
                "working_time": wanted,
                "hours_per_week": vacancy.hours_per_week if wanted == WorkingTime.PART_TIME else None,
                "work_authorisation": WorkAuthorisation(
                    status=WorkAuthorisationStatus.PERMITTED, basis="§ 24 AufenthG"
                ),
            }
        )

    def possible_breaks(self, vacancy: Vacancy) -> list[str]:
        rule = self.truth.rule(vacancy.occupation_uri)
        kinds = ["commute", "authorisation"]
        if vacancy.min_german_level is not None and vacancy.min_german_level.rank >= 1:
            kinds.append("german")
        if rule is not None and rule.reserved and not vacancy.recognition_support:
            kinds.append("recognition")
        return [k for k in NEAR_MISS_KINDS if k in kinds]

    def near_miss(self, number: int, vacancy: Vacancy, broken: str) -> JobSeeker:
        person = self.suitable(number, vacancy)
        if broken == "german":
            required = vacancy.min_german_level
            if required is None:
                raise ValueError(
                    f"Vacancy {vacancy.id!r} asks for no German; its near miss cannot break German."
                )
            below = _LEVELS[max(0, required.rank - self.rng.choice([1, 2]))]
            languages = [x for x in person.languages if x.language != "de"]
            languages.append(LanguageSkill(language="de", level=below))
            return person.model_copy(update={"languages": languages})
        if broken == "commute":
            home = self._far(vacancy, person.max_commute_km + 5)
            if home is None:  # nowhere far enough: a short commute limit instead
                return person.model_copy(
                    update={"max_commute_km": 1.0, "home": self._far(vacancy, 3) or person.home}
                )
            return person.model_copy(update={"home": home})
        if broken == "authorisation":
            status = self.rng.choice([WorkAuthorisationStatus.NOT_PERMITTED, WorkAuthorisationStatus.UNKNOWN])
            return person.model_copy(update={"work_authorisation": WorkAuthorisation(status=status)})
        if broken == "recognition":
            q = person.qualifications[0].model_copy(
                update={
                    "recognition": self.rng.choice([RecognitionStatus.NOT_APPLIED, RecognitionStatus.PENDING])
                }
            )
            return person.model_copy(update={"qualifications": [q]})
        raise ValueError(f"Unknown requirement to break {broken!r}; use one of {', '.join(NEAR_MISS_KINDS)}.")


def generate_labelled_set(
    taxonomy: Taxonomy,
    n_jobseekers: int,
    n_vacancies: int,
    seed: int = 7,
    today: dt.date | None = None,
    regulation: RegulationTable | None = None,
    suitable_per_vacancy: int = 2,
    near_misses_per_vacancy: int = 2,
    gazetteer: Gazetteer | None = None,
) -> LabelledSet:
    """LeipzigGenerator's data for ``seed`` plus planted job seekers, with every pair's grade.

    The first ``n_jobseekers`` job seekers and all vacancies are exactly
    ``LeipzigGenerator(taxonomy, seed, today, regulation).generate(n_jobseekers, n_vacancies)``; the planted
    ones follow with the next ids (``suitable_per_vacancy + near_misses_per_vacancy`` per vacancy).
    """
    for name, value in (
        ("n_jobseekers", n_jobseekers),
        ("n_vacancies", n_vacancies),
        ("suitable_per_vacancy", suitable_per_vacancy),
        ("near_misses_per_vacancy", near_misses_per_vacancy),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"The {name!r} parameter must be an int >= 0. Got {value!r} instead.")
    today = today or dt.date.today()
    regulation = regulation or RegulationTable.load()
    base = LeipzigGenerator(taxonomy, seed=seed, today=today, regulation=regulation).generate(
        n_jobseekers, n_vacancies
    )
    truth = GroundTruth(taxonomy, regulation, today, gazetteer)
    # A second generator stream for the planted people, so the base data set stays as it is for the seed.
    planter = _Planter(
        LeipzigGenerator(taxonomy, seed=seed + 1_000_003, today=today, regulation=regulation),
        truth,
        random.Random(seed + 2_000_003),
    )
    planted: dict[str, Planted] = {}
    extra: list[JobSeeker] = []
    number = n_jobseekers
    for vacancy in base.vacancies:
        rule = truth.rule(vacancy.occupation_uri)
        placement_possible = bool(rule and rule.reserved and vacancy.recognition_support)
        for i in range(suitable_per_vacancy):
            number += 1
            placement = placement_possible and i % 2 == 1
            person = planter.suitable(number, vacancy, placement)
            extra.append(person)
            planted[person.id] = Planted(vacancy.id, "suitable")
        breaks = planter.possible_breaks(vacancy)
        for i in range(near_misses_per_vacancy):
            number += 1
            broken = breaks[(i + planter.rng.randrange(len(breaks))) % len(breaks)]
            person = planter.near_miss(number, vacancy, broken)
            extra.append(person)
            planted[person.id] = Planted(vacancy.id, "near_miss", broken)
    seekers = [*base.jobseekers, *extra]
    return LabelledSet(
        jobseekers=seekers,
        vacancies=base.vacancies,
        qrels=judge_all(truth, seekers, base.vacancies),
        planted=planted,
        truth=truth,
    )


def simulate_feedback(
    labelled: LabelledSet,
    shown: Mapping[str, Sequence[str]],
    seed: int = 7,
) -> list[tuple[str, str, FeedbackRequest]]:
    """What advisors would record for the candidates they were shown, by the ground truth with some noise.

    ``shown`` maps a vacancy id to the job seekers proposed for it (e.g. the top 5 of its ranking). Per pair,
    one decision, the furthest stage it reached: grade 3 mostly hired, grade 2 mostly interview, grade 1
    mostly contacted; grade 0 rejected with the reason of the first requirement it fails. One in ten
    decisions is replaced by what happens anyway (the candidate declines, the position is filled).
    Returns ``(vacancy_id, jobseeker_id, request)`` in the order given.
    """
    rng = random.Random(seed)
    seekers = {s.id: s for s in labelled.jobseekers}
    vacancies = {v.id: v for v in labelled.vacancies}
    out: list[tuple[str, str, FeedbackRequest]] = []
    for vacancy_id, people in shown.items():
        vacancy = vacancies[vacancy_id]
        for seeker_id in people:
            judgement = labelled.truth.judge(seekers[seeker_id], vacancy)
            if rng.random() < 0.1:
                anyway = rng.choice([RejectionReason.CANDIDATE_DECLINED, RejectionReason.POSITION_FILLED])
                request = FeedbackRequest(decision=Decision.REJECTED, reason=anyway)
            elif judgement.grade == 0:
                cause = UNMET_REASONS[judgement.unmet[0]] if judgement.unmet else RejectionReason.OTHER
                request = FeedbackRequest(decision=Decision.REJECTED, reason=cause)
            else:
                options, weights = _OUTCOMES[judgement.grade]
                decision = rng.choices(options, weights)[0]
                reason = RejectionReason.SKILLS_MISMATCH if decision == Decision.REJECTED else None
                request = FeedbackRequest(decision=decision, reason=reason)
            out.append((vacancy_id, seeker_id, request))
    return out


_OUTCOMES: dict[int, tuple[list[Decision], list[float]]] = {
    3: ([Decision.HIRED, Decision.INTERVIEW, Decision.CONTACTED], [0.5, 0.35, 0.15]),
    2: ([Decision.INTERVIEW, Decision.CONTACTED, Decision.HIRED], [0.5, 0.35, 0.15]),
    1: ([Decision.CONTACTED, Decision.REJECTED, Decision.INTERVIEW], [0.55, 0.3, 0.15]),
}
