"""The ground truth of the labelled evaluation set: a rule over facts that grades any (job seeker, vacancy) pair.

The ground truth itself is a rule over facts, written independently of the matcher's scoring (no skills
weights, no embeddings): :meth:`GroundTruth.judge` grades any pair, planted or not.

Grades (the same scale as advisor feedback: 3 hired, 2 interview, 1 contacted, 0 not relevant):

- 3: the person trained in or worked at least a year in the vacancy's occupation;
- 2: a bridge role of a reserved profession the person trained for (a nurse as nursing assistant), a post
  with a recognition placement for a person whose recognition is under way, or a closely related occupation
  (ESCO broader/narrower, same ISCO unit group);
- 1: same ISCO minor group, or less than a year's experience in the occupation;
- one grade less when full/part time is the opposite of what the person wants;
- 0 when the person may not take the job (no work authorisation, a reserved profession without the right to
  practise) or does not meet it (German below the vacancy's minimum, home farther than their maximum
  commute), whatever the occupation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from matching.evaluation.trec import Qrels
from matching.ranking.geo import Gazetteer
from matching.ranking.regulation import RegulationRule, RegulationTable
from matching.taxonomy import Taxonomy
from models import (
    CEFRLevel,
    JobSeeker,
    Qualification,
    RecognitionStatus,
    Vacancy,
    WorkAuthorisationStatus,
    WorkingTime,
)
from models.feedback import RejectionReason

GRADE_SAME = 3
GRADE_CLOSE = 2
GRADE_RELATED = 1
MIN_EXPERIENCE_YEARS = 1.0

# Requirements a pair can fail, and the rejection reason an advisor would record for each.
UNMET_REASONS: dict[str, RejectionReason] = {
    "occupation": RejectionReason.SKILLS_MISMATCH,
    "authorisation": RejectionReason.OTHER,
    "recognition": RejectionReason.RECOGNITION_PENDING,
    "german": RejectionReason.LANGUAGE,
    "commute": RejectionReason.COMMUTE,
    "working_time": RejectionReason.WORKING_TIME,
}
_LEVELS = list(CEFRLevel)


@dataclass(frozen=True, slots=True)
class Judgement:
    """A pair's grade, how the occupations relate (``same``, ``bridge``, ``close``, ``related`` or ``none``)
    and the requirements it fails (keys of :data:`UNMET_REASONS`)."""

    grade: int
    fit: str
    unmet: tuple[str, ...] = ()


class GroundTruth:
    """Grades any (job seeker, vacancy) pair by the rule in this module's docstring."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        regulation: RegulationTable,
        today: dt.date,
        gazetteer: Gazetteer | None = None,
    ):
        self.taxonomy = taxonomy
        self.regulation = regulation
        self.today = today
        self.gazetteer = gazetteer or Gazetteer()

    def rule(self, occupation_uri: str) -> RegulationRule | None:
        concept = self.taxonomy.occupations.get(occupation_uri)
        return self.regulation.rule_for(occupation_uri, concept.isco_code if concept else "")

    def isco(self, occupation_uri: str) -> str:
        concept = self.taxonomy.occupations.get(occupation_uri)
        return concept.isco_code if concept else ""

    def _fit(self, seeker: JobSeeker, vacancy: Vacancy) -> tuple[int, str]:
        target = vacancy.occupation_uri
        trained = {q.occupation_uri for q in seeker.qualifications}
        experienced = {e.occupation_uri for e in seeker.experience if e.years >= MIN_EXPERIENCE_YEARS}
        if target in trained or target in experienced:
            return GRADE_SAME, "same"
        for q in seeker.qualifications:
            rule = self.rule(q.occupation_uri)
            if rule is not None and rule.reserved and target in rule.bridge_uris:
                return GRADE_CLOSE, "bridge"
        own = trained | experienced
        broader = self.taxonomy.broader
        if any(broader.get(o) == target or broader.get(target) == o for o in own):
            return GRADE_CLOSE, "close"
        isco = self.isco(target)
        if isco and any(self.isco(o) == isco for o in own):
            return GRADE_CLOSE, "close"
        if any(e.occupation_uri == target for e in seeker.experience):
            return GRADE_RELATED, "related"  # less than a year in the occupation
        if len(isco) >= 3 and any(self.isco(o)[:3] == isco[:3] for o in own):
            return GRADE_RELATED, "related"
        return 0, "none"

    def _may_practise(self, q: Qualification, start: dt.date) -> bool:
        if q.country == "DE" or q.recognition == RecognitionStatus.FULL:
            return True
        if q.recognition == RecognitionStatus.TEMPORARY_PERMIT:
            return q.permit_valid_until is None or q.permit_valid_until >= start
        return False

    def judge(self, seeker: JobSeeker, vacancy: Vacancy) -> Judgement:
        start = max(vacancy.start_date or self.today, self.today)
        grade, fit = self._fit(seeker, vacancy)
        unmet: list[str] = []
        if fit == "none":
            unmet.append("occupation")
        if not self._authorised(seeker, vacancy, self.today):
            unmet.append("authorisation")
        rule = self.rule(vacancy.occupation_uri)
        if rule is not None and rule.reserved:
            covered = [
                q
                for q in seeker.qualifications
                if q.occupation_uri == vacancy.occupation_uri
                or rule.covers(q.occupation_uri, self.isco(q.occupation_uri))
            ]
            if not any(self._may_practise(q, start) for q in covered):
                in_progress = any(
                    q.recognition in (RecognitionStatus.PENDING, RecognitionStatus.PARTIAL) for q in covered
                )
                if vacancy.recognition_support and in_progress:
                    grade, fit = min(grade, GRADE_CLOSE), "bridge"
                else:
                    unmet.append("recognition")
        required = vacancy.min_german_level
        has = seeker.language_level("de")
        if required is not None and (has is None or has < required):
            unmet.append("german")
        distance = self.gazetteer.distance_km(seeker.home, vacancy.location)
        if distance is None or distance > seeker.max_commute_km:
            unmet.append("commute")
        wanted, offered = seeker.working_time, vacancy.working_time
        if WorkingTime.ANY not in (wanted, offered) and wanted != offered:
            grade -= 1
            if grade <= 0:
                unmet.append("working_time")
        if unmet:
            return Judgement(0, fit, tuple(unmet))
        return Judgement(max(grade, 0), fit)

    @staticmethod
    def _authorised(seeker: JobSeeker, vacancy: Vacancy, start: dt.date) -> bool:
        permit = seeker.work_authorisation
        if permit.status in (WorkAuthorisationStatus.NOT_PERMITTED, WorkAuthorisationStatus.UNKNOWN):
            return False
        if permit.valid_until is not None and permit.valid_until < start:
            return False
        if permit.status == WorkAuthorisationStatus.RESTRICTED:
            if (
                permit.allowed_occupation_uris
                and vacancy.occupation_uri not in permit.allowed_occupation_uris
            ):
                return False
            hours = vacancy.hours_per_week or (
                40.0 if vacancy.working_time == WorkingTime.FULL_TIME else None
            )
            if (
                permit.max_hours_per_week is not None
                and hours is not None
                and hours > permit.max_hours_per_week
            ):
                return False
        return True


def transpose(qrels: Mapping[str, Mapping[str, int]]) -> Qrels:
    out: Qrels = {}
    for query, judged in qrels.items():
        for doc, grade in judged.items():
            out.setdefault(doc, {})[query] = grade
    return out


def judge_all(truth: GroundTruth, jobseekers: Iterable[JobSeeker], vacancies: Iterable[Vacancy]) -> Qrels:
    """Grades > 0 of every pair. Only pairs whose occupations are related at all are judged in detail."""
    taxonomy = truth.taxonomy
    by_key: dict[str, list[JobSeeker]] = {}
    for seeker in jobseekers:
        keys: set[str] = set()
        for uri in seeker.occupation_uris():
            keys.add("occ:" + uri)
            keys.add("minor:" + truth.isco(uri)[:3])
            if uri in taxonomy.broader:
                keys.add("occ:" + taxonomy.broader[uri])
        for q in seeker.qualifications:
            rule = truth.rule(q.occupation_uri)
            if rule is not None:
                keys.update("occ:" + b for b in rule.bridge_uris)
        for key in keys:
            by_key.setdefault(key, []).append(seeker)
    narrower: dict[str, list[str]] = {}
    for child, parent in taxonomy.broader.items():
        narrower.setdefault(parent, []).append(child)
    qrels: Qrels = {}
    for vacancy in vacancies:
        target = vacancy.occupation_uri
        keys = {"occ:" + target, "minor:" + truth.isco(target)[:3]}
        keys.update("occ:" + n for n in narrower.get(target, ()))
        candidates = {s.id: s for key in keys for s in by_key.get(key, ())}
        judged = {}
        for seeker_id in sorted(candidates):
            grade = truth.judge(candidates[seeker_id], vacancy).grade
            if grade > 0:
                judged[seeker_id] = grade
        qrels[vacancy.id] = judged
    return qrels
