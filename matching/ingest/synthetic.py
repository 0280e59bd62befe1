"""A realistic synthetic data set for Leipzig: job seekers and vacancies drawn from any ESCO taxonomy.

Occupations are drawn by ISCO unit group, weighted by what the Leipzig job market and its newcomers look
like (care, health, logistics, trades, hospitality, IT, education), so the same generator works on the
demo taxonomy and on the full ESCO download. Nothing here describes a real person or employer.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from matching.ranking.places import Place, load_places
from matching.ranking.regulation import Regulation, RegulationTable
from matching.taxonomy import Taxonomy
from models import (
    CEFRLevel,
    CompensationMeasure,
    CompensationState,
    Gender,
    JobSeeker,
    LanguageSkill,
    Location,
    ProtectedAttributes,
    Qualification,
    RecognitionStatus,
    Vacancy,
    WorkAuthorisation,
    WorkAuthorisationStatus,
    WorkExperience,
    WorkingTime,
)

# ISCO unit group -> (weight among job seekers' qualifications, weight among vacancies)
ISCO_WEIGHTS: dict[str, tuple[float, float]] = {
    "2221": (6, 8),  # nurses
    "3221": (2, 3),  # nursing associate professionals
    "5321": (5, 10),  # health care assistants
    "5322": (3, 6),  # home-based personal care workers
    "2211": (3, 2),  # general practitioners
    "2212": (2, 2),  # specialist physicians
    "2261": (1, 1),  # dentists
    "2262": (1, 1),  # pharmacists
    "3213": (1, 1),  # pharmaceutical technicians
    "2264": (1, 2),  # physiotherapists
    "3256": (1, 3),  # medical assistants
    "2341": (3, 2),  # primary school teachers
    "2330": (3, 2),  # secondary school teachers
    "2342": (2, 3),  # early childhood educators
    "5311": (2, 4),  # child care workers
    "2635": (1, 1),  # social work professionals
    "4321": (3, 5),  # stock clerks
    "9333": (4, 8),  # freight handlers
    "8344": (2, 4),  # lifting truck operators
    "8322": (3, 3),  # car, taxi and van drivers
    "8332": (2, 4),  # heavy truck drivers
    "7411": (3, 5),  # electricians
    "7126": (2, 3),  # plumbers and pipe fitters
    "7212": (2, 2),  # welders
    "7115": (1, 2),  # carpenters
    "7131": (1, 2),  # painters
    "7231": (2, 3),  # motor vehicle mechanics
    "7233": (1, 2),  # industrial machinery mechanics
    "7421": (1, 2),  # electronics mechanics
    "5120": (3, 5),  # cooks
    "9412": (3, 4),  # kitchen helpers
    "5131": (2, 4),  # waiters
    "4224": (1, 2),  # hotel receptionists
    "9112": (3, 4),  # cleaners in offices and hotels
    "7512": (1, 1),  # bakers
    "5223": (2, 3),  # shop sales assistants
    "5230": (1, 2),  # cashiers
    "2512": (3, 3),  # software developers
    "2513": (1, 2),  # web developers
    "2522": (1, 1),  # system administrators
    "3512": (1, 2),  # ICT user support
    "2142": (1, 1),  # civil engineers
    "2144": (2, 2),  # mechanical engineers
    "2151": (1, 1),  # electrical engineers
    "2411": (2, 1),  # accountants
    "4110": (2, 2),  # general office clerks
    "2643": (1, 1),  # translators and interpreters
    "5414": (1, 2),  # security guards
    "8331": (1, 2),  # bus drivers
    "5141": (1, 1),  # hairdressers
    "6113": (1, 1),  # gardeners
    "8219": (2, 3),  # assemblers
    "9329": (2, 4),  # manufacturing labourers
}

# Unit groups whose professions are regulated in Germany: recognition decides who may practise.
REGULATED_ISCO = {
    "2211",
    "2212",
    "2221",
    "2222",
    "2261",
    "2262",
    "2264",
    "2341",
    "2330",
    "2342",
    "2635",
    "2611",
    "3213",
}

# Country of origin: weight, first languages, how work authorisation is usually obtained.
ORIGINS: dict[str, tuple[float, tuple[str, ...], str]] = {
    "UA": (45, ("uk", "ru"), "temporary_protection"),
    "SY": (12, ("ar",), "refugee"),
    "AF": (7, ("fa", "ps"), "asylum"),
    "RU": (3, ("ru",), "mixed"),
    "IR": (3, ("fa",), "mixed"),
    "TR": (4, ("tr",), "mixed"),
    "IN": (5, ("hi", "en"), "skilled"),
    "VN": (3, ("vi",), "skilled"),
    "ER": (2, ("ti",), "asylum"),
    "PL": (3, ("pl",), "eu"),
    "RO": (3, ("ro",), "eu"),
    "BR": (2, ("pt",), "skilled"),
    "TN": (2, ("ar", "fr"), "skilled"),
    "MD": (2, ("ro", "ru"), "mixed"),
    "VE": (1, ("es",), "asylum"),
    "GE": (2, ("ka", "ru"), "mixed"),
}

GERMAN_LEVELS = [(None, 4), (CEFRLevel.A1, 12), (CEFRLevel.A2, 20), (CEFRLevel.B1, 30), (CEFRLevel.B2, 20),
                 (CEFRLevel.C1, 10), (CEFRLevel.C2, 4)]  # fmt: skip

SKILL_NOTES: dict[str, Sequence[str]] = {
    "uk": ("досвід догляду за літніми людьми", "водійські права категорії B", "працювала в лікарні",
           "досвід роботи на складі", "знання Excel", "працював електриком"),
    "ru": ("опыт работы на складе", "водительские права категории C", "работала медсестрой"),
    "de": ("Erfahrung mit Gabelstapler", "Führerschein Klasse B", "Pflegepraktikum absolviert",
           "Erfahrung in der Gastronomie", "Grundkenntnisse SAP", "Schichtbereitschaft"),
    "en": ("experience with SAP and forklifts", "driving licence category B", "hospital work experience",
           "worked with Python and SQL", "customer service in retail"),
    "ar": ("خبرة في المطبخ", "رخصة قيادة"),
}  # fmt: skip

EMPLOYER_STEMS = {
    "2": ("Klinikum", "Praxis", "Bildungswerk", "Softwarehaus", "Ingenieurbüro", "Schule"),
    "3": ("Praxis", "Apotheke", "IT-Service", "Medizinisches Versorgungszentrum"),
    "4": ("Logistik", "Verwaltung", "Hotel", "Handelshaus"),
    "5": ("Pflegedienst", "Seniorenzentrum", "Hotel", "Restaurant", "Kita", "Markt", "Sicherheitsdienst"),
    "6": ("Gartenbau",),
    "7": ("Elektrotechnik", "Haustechnik", "Autohaus", "Metallbau", "Bäckerei", "Malerbetrieb"),
    "8": ("Spedition", "Verkehrsbetriebe", "Automobilwerk Zulieferer", "Logistikzentrum"),
    "9": ("Gebäudeservice", "Logistikzentrum", "Großküche", "Produktion"),
}
EMPLOYER_SUFFIX = ("GmbH", "gGmbH", "GmbH & Co. KG", "e.V.", "AG")
EMPLOYER_NAMES = ("Auwald", "Elster", "Pleiße", "Parthe", "Messestadt", "Connewitzer", "Lindenauer", "Nordstern",
                  "Sachsen", "Mitteldeutsche", "Völkerschlacht", "Rosental", "Cospudener", "Gohliser")  # fmt: skip

MIN_GERMAN_BY_MAJOR = {
    "1": "B2",
    "2": "B2",
    "3": "B2",
    "4": "B1",
    "5": "A2",
    "6": "A2",
    "7": "A2",
    "8": "A2",
    "9": "A1",
}
# Physicians, dentists, pharmacists, teachers, lawyers: C1 is the usual requirement.
C1_GROUPS = ("2211", "2212", "2261", "2262", "2330", "2341", "2611")


@dataclass(frozen=True, slots=True)
class SyntheticDataset:
    jobseekers: list[JobSeeker]
    vacancies: list[Vacancy]


class LeipzigGenerator:
    def __init__(
        self,
        taxonomy: Taxonomy,
        seed: int = 7,
        today: dt.date | None = None,
        regulation: RegulationTable | None = None,
    ):
        self.taxonomy = taxonomy
        self.regulation = regulation or RegulationTable.load()
        self.rng = random.Random(seed)
        self.today = today or dt.date.today()
        self.places = load_places()
        by_group: dict[str, list[str]] = {}
        for uri in sorted(taxonomy.occupations):
            by_group.setdefault(taxonomy.occupations[uri].isco_code, []).append(uri)
        self.groups = {g: uris for g, uris in by_group.items() if g in ISCO_WEIGHTS}
        if not self.groups:  # a taxonomy without these ISCO groups: draw from all of it evenly
            self.groups = by_group
        self._seeker_groups = list(self.groups)
        self._seeker_w = [ISCO_WEIGHTS.get(g, (1, 1))[0] for g in self._seeker_groups]
        self._vacancy_w = [ISCO_WEIGHTS.get(g, (1, 1))[1] for g in self._seeker_groups]

    # -- helpers -----------------------------------------------------------------------------------

    def _pick_occupation(self, for_vacancy: bool) -> str:
        weights = self._vacancy_w if for_vacancy else self._seeker_w
        group = self.rng.choices(self._seeker_groups, weights)[0]
        return self.rng.choice(self.groups[group])

    def _place(self, employer: bool) -> Place:
        weights = [p.employer_weight if employer else p.seeker_weight for p in self.places]
        return self.rng.choices(self.places, weights)[0]

    def _location(self, place: Place) -> Location:
        # Jitter within about 1 km so people in one district are not all at the same point.
        return Location(
            place=place.name,
            postcode=place.postcode,
            lat=round(place.lat + self.rng.uniform(-0.008, 0.008), 5),
            lon=round(place.lon + self.rng.uniform(-0.012, 0.012), 5),
        )

    def _regulated(self, occupation: str) -> bool:
        rule = self.regulation.rule_for(occupation, self.taxonomy.occupation(occupation).isco_code)
        return rule is not None and rule.regulation in (
            Regulation.PRACTICE_RESERVED,
            Regulation.TITLE_PROTECTED,
        )

    def _recognition(self, occupation: str) -> dict:
        if not self._regulated(occupation):
            return {"recognition": RecognitionStatus.NOT_REQUIRED}
        status = self.rng.choices(
            [RecognitionStatus.NOT_APPLIED, RecognitionStatus.PENDING, RecognitionStatus.PARTIAL,
             RecognitionStatus.FULL, RecognitionStatus.TEMPORARY_PERMIT, RecognitionStatus.REJECTED],
            [25, 25, 20, 20, 5, 5],
        )[0]  # fmt: skip
        out: dict = {"recognition": status}
        if status == RecognitionStatus.PENDING:
            out["recognition_filed_on"] = self.today - dt.timedelta(days=self.rng.randint(10, 300))
        if status == RecognitionStatus.PARTIAL:
            out["compensation_measure"] = self.rng.choice(list(CompensationMeasure))
            out["compensation_state"] = self.rng.choice(
                [CompensationState.NOT_STARTED, CompensationState.IN_PROGRESS, CompensationState.IN_PROGRESS]
            )
        if status == RecognitionStatus.TEMPORARY_PERMIT:
            out["permit_valid_until"] = self.today + dt.timedelta(days=self.rng.randint(60, 700))
        return out

    def _authorisation(self, route: str) -> WorkAuthorisation:
        r = self.rng.random()
        if route == "eu":
            return WorkAuthorisation(status=WorkAuthorisationStatus.PERMITTED, basis="EU free movement")
        if route == "temporary_protection":
            return WorkAuthorisation(status=WorkAuthorisationStatus.PERMITTED, basis="§ 24 AufenthG")
        if route == "skilled":
            basis = self.rng.choice(["§ 18a AufenthG", "§ 18b AufenthG", "§ 18g AufenthG (Blaue Karte EU)"])
            return WorkAuthorisation(status=WorkAuthorisationStatus.PERMITTED, basis=basis)
        if route == "refugee" and r < 0.75:
            return WorkAuthorisation(status=WorkAuthorisationStatus.PERMITTED, basis="§ 25 Abs. 2 AufenthG")
        if r < 0.55:
            return WorkAuthorisation(status=WorkAuthorisationStatus.PERMITTED, basis="§ 25 Abs. 3 AufenthG")
        if r < 0.80:
            return WorkAuthorisation(
                status=WorkAuthorisationStatus.RESTRICTED,
                basis="§ 61 AsylG (Aufenthaltsgestattung), employment with permission of the Ausländerbehörde",
            )
        if r < 0.90:
            return WorkAuthorisation(status=WorkAuthorisationStatus.NOT_PERMITTED, basis="§ 60a AufenthG")
        return WorkAuthorisation(status=WorkAuthorisationStatus.UNKNOWN)

    # -- entities ----------------------------------------------------------------------------------

    def jobseeker(self, number: int) -> JobSeeker:
        rng = self.rng
        country = rng.choices(list(ORIGINS), [o[0] for o in ORIGINS.values()])[0]
        _, first_languages, route = ORIGINS[country]
        occupation = self._pick_occupation(for_vacancy=False)
        qualifications = [
            Qualification(
                occupation_uri=occupation,
                country=country,
                year=rng.randint(1990, 2024),
                **self._recognition(occupation),
            )
        ]
        experience = [
            WorkExperience(occupation_uri=occupation, years=round(rng.uniform(0, 15), 1), country=country)
        ]
        if rng.random() < 0.3:  # a helper job taken in Germany meanwhile
            side_job = self._pick_occupation(for_vacancy=True)
            experience.append(
                WorkExperience(occupation_uri=side_job, years=round(rng.uniform(0.2, 3), 1), country="DE")
            )
        essential = list(self.taxonomy.essential_skills(occupation))
        optional = list(self.taxonomy.optional_skills(occupation))
        skills = rng.sample(essential, k=int(len(essential) * rng.uniform(0.3, 0.9))) if essential else []
        skills += rng.sample(optional, k=min(len(optional), rng.randint(0, 4)))
        languages = [LanguageSkill(language=first_languages[0], level=CEFRLevel.C2)]
        for extra in first_languages[1:]:
            languages.append(
                LanguageSkill(language=extra, level=rng.choice([CEFRLevel.B2, CEFRLevel.C1, CEFRLevel.C2]))
            )
        german = rng.choices([lvl for lvl, _ in GERMAN_LEVELS], [w for _, w in GERMAN_LEVELS])[0]
        if german is not None:
            languages.append(LanguageSkill(language="de", level=german))
        if "en" not in first_languages and rng.random() < 0.5:
            languages.append(LanguageSkill(language="en", level=rng.choice(list(CEFRLevel)[:5])))
        note_lang = rng.choice(
            [lang for lang in (*first_languages, "de", "en") if lang in SKILL_NOTES] or ["de"]
        )
        notes = rng.sample(list(SKILL_NOTES[note_lang]), k=rng.randint(0, 2))
        working_time = rng.choices(list(WorkingTime), [55, 20, 25])[0]
        return JobSeeker(
            id=f"js-{number:06d}",
            qualifications=qualifications,
            experience=experience,
            skill_uris=skills,
            skills_text="; ".join(notes) or None,
            languages=languages,
            home=self._location(self._place(employer=False)),
            max_commute_km=rng.choice([5, 10, 15, 20, 25, 30, 40, 50]),
            available_from=self.today + dt.timedelta(days=rng.randint(0, 120)),
            working_time=working_time,
            hours_per_week=rng.choice([20, 25, 30]) if working_time == WorkingTime.PART_TIME else None,
            work_authorisation=self._authorisation(route),
            protected=ProtectedAttributes(
                nationality=country,
                gender=rng.choices(
                    [Gender.FEMALE, Gender.MALE, Gender.DIVERSE, Gender.UNDISCLOSED], [48, 47, 1, 4]
                )[0],
                birth_year=self.today.year - rng.randint(19, 62),
            ),
        )

    def vacancy(self, number: int) -> Vacancy:
        rng = self.rng
        occupation = self._pick_occupation(for_vacancy=True)
        concept = self.taxonomy.occupation(occupation)
        major = concept.isco_code[:1] or "9"
        essential = list(self.taxonomy.essential_skills(occupation))
        optional = list(self.taxonomy.optional_skills(occupation))
        chosen_e = rng.sample(essential, k=min(len(essential), rng.randint(4, 8)))
        chosen_o = rng.sample(optional, k=min(len(optional), rng.randint(1, 4)))
        stem = rng.choice(EMPLOYER_STEMS.get(major, ("Betrieb",)))
        employer = f"{stem} {rng.choice(EMPLOYER_NAMES)} {rng.choice(EMPLOYER_SUFFIX)}"
        title_label = concept.label("de")
        level: str | None = MIN_GERMAN_BY_MAJOR.get(major, "B1")
        if concept.isco_code.startswith(C1_GROUPS):
            level = "C1"
        if major in "789" and rng.random() < 0.3:
            level = "A1"
        if concept.isco_code.startswith(("2512", "2513", "2522")) and rng.random() < 0.5:
            level = None  # English-speaking IT teams
        working_time = rng.choices([WorkingTime.FULL_TIME, WorkingTime.PART_TIME], [75, 25])[0]
        place = self._place(employer=True)
        description = (
            f"{employer} in {place.name} sucht {title_label} (m/w/d). "
            f"Aufgaben: {', '.join(self.taxonomy.label(s, 'de') for s in chosen_e[:3])}."
        )
        return Vacancy(
            id=f"vac-{number:05d}",
            employer=employer,
            title=f"{title_label} (m/w/d)",
            description=description,
            occupation_uri=occupation,
            essential_skill_uris=chosen_e,
            optional_skill_uris=[s for s in chosen_o if s not in chosen_e],
            min_german_level=CEFRLevel(level) if level else None,
            location=self._location(place),
            working_time=working_time,
            hours_per_week=rng.choice([20, 25, 30]) if working_time == WorkingTime.PART_TIME else 40,
            start_date=self.today + dt.timedelta(days=rng.randint(0, 90)),
            positions=rng.choices([1, 2, 3, 5], [70, 15, 10, 5])[0],
            # Some employers in regulated fields offer placements during recognition.
            recognition_support=self._regulated(occupation) and rng.random() < 0.25,
        )

    def generate(self, n_jobseekers: int, n_vacancies: int) -> SyntheticDataset:
        return SyntheticDataset(
            jobseekers=[self.jobseeker(i + 1) for i in range(n_jobseekers)],
            vacancies=[self.vacancy(i + 1) for i in range(n_vacancies)],
        )
