"""Eligibility rules: work authorisation, recognition of regulated professions, bridge jobs, and the soft
factors (German level, commute, working time, availability) with reasons and next steps.

Hard rules are never broken: a pair that fails one is BLOCKED, and the reasons say what is missing.
"""

from __future__ import annotations

import datetime as dt

from matching.ranking.assessment import Assessment, ReasonNote, StepNote, german_factor, then, why
from matching.ranking.geo import Gazetteer
from matching.ranking.regulation import Regulation, RegulationRule, RegulationTable
from matching.ranking.steps import MEASURES, STATES, WORKING_TIME, localised
from matching.taxonomy import Taxonomy
from models import (
    Eligibility,
    JobSeeker,
    Qualification,
    RecognitionStatus,
    Severity,
    Vacancy,
    WorkAuthorisationStatus,
    WorkingTime,
)

FULL_TIME_HOURS = 40.0
LATE_START_TOLERANCE_DAYS = 90
# Recognition states from which a bridge job makes sense (the profession itself is not open yet).
IN_PROGRESS = {
    RecognitionStatus.NOT_APPLIED,
    RecognitionStatus.PENDING,
    RecognitionStatus.PARTIAL,
    RecognitionStatus.TEMPORARY_PERMIT,
    RecognitionStatus.REJECTED,
    RecognitionStatus.NOT_REQUIRED,  # recorded wrongly for a reserved profession: treat as not applied
}
# The most advanced state wins when someone holds several qualifications for one profession.
PROGRESS_ORDER = [
    RecognitionStatus.PARTIAL,
    RecognitionStatus.PENDING,
    RecognitionStatus.TEMPORARY_PERMIT,
    RecognitionStatus.NOT_APPLIED,
    RecognitionStatus.NOT_REQUIRED,
    RecognitionStatus.COMPARABILITY_STATEMENT,
    RecognitionStatus.NO_REFERENCE,
    RecognitionStatus.REJECTED,
]


class EligibilityRules:
    def __init__(self, taxonomy: Taxonomy, regulation: RegulationTable, gazetteer: Gazetteer):
        self.taxonomy = taxonomy
        self.regulation = regulation
        self.gazetteer = gazetteer

    @classmethod
    def standard(cls, taxonomy: Taxonomy) -> EligibilityRules:
        """The rules as the project ships them: data/regulated_professions.csv and the offline gazetteer."""
        return cls(taxonomy, RegulationTable.load(), Gazetteer())

    def rule_for(self, occupation_uri: str) -> RegulationRule | None:
        concept = self.taxonomy.occupations.get(occupation_uri)
        return self.regulation.rule_for(occupation_uri, concept.isco_code if concept else "")

    def assess(self, seeker: JobSeeker, vacancy: Vacancy, today: dt.date | None = None) -> Assessment:
        today = today or dt.date.today()
        start = max(vacancy.start_date or today, today)
        out = Assessment()
        self._work_authorisation(seeker, vacancy, start, today, out)
        self._recognition(seeker, vacancy, start, out)
        self._language(seeker, vacancy, out)
        self._commute(seeker, vacancy, out)
        self._working_time(seeker, vacancy, out)
        self._availability(seeker, vacancy, start, out)
        return out

    def surely_blocked(self, seeker: JobSeeker, vacancy: Vacancy) -> bool:
        """Whether the hard rules block the pair on grounds that need no date or place: no permission to work
        (or none recorded), or a reserved profession (or a protected title the vacancy requires) the person
        holds no qualification for. A cheap test before :meth:`assess`; never true where it would not block."""
        if seeker.work_authorisation.status in (
            WorkAuthorisationStatus.NOT_PERMITTED,
            WorkAuthorisationStatus.UNKNOWN,
        ):
            return True
        rule = self.rule_for(vacancy.occupation_uri)
        if rule is None:
            return False
        title_required = rule.regulation == Regulation.TITLE_PROTECTED and vacancy.requires_recognised_title
        return (rule.reserved or title_required) and not self._covered(seeker, rule, vacancy.occupation_uri)

    # -- hard rules --------------------------------------------------------------------------------

    def _work_authorisation(
        self, seeker: JobSeeker, vacancy: Vacancy, start: dt.date, today: dt.date, out: Assessment
    ) -> None:
        permit = seeker.work_authorisation
        if permit.status == WorkAuthorisationStatus.NOT_PERMITTED:
            out.block(why("work_not_permitted"), then("step_clarify_work_permit"))
            return
        if permit.status == WorkAuthorisationStatus.UNKNOWN:
            out.block(why("work_unknown"), then("step_record_work_permit"))
            return
        if permit.valid_until is not None and permit.valid_until < today:
            out.block(why("work_expired", until=permit.valid_until), then("step_clarify_work_permit"))
        elif permit.valid_until is not None and permit.valid_until < start:
            # Not a block: an extension applied for in time keeps the permit valid (§ 81(4) AufenthG), and
            # temporary protection (§ 24 AufenthG) ends on one date for nearly every Ukrainian job seeker.
            out.note(
                why("work_ends_before_start", until=permit.valid_until, start=start),
                then("step_extend_permit", until=permit.valid_until),
            )
        if permit.status != WorkAuthorisationStatus.RESTRICTED:
            return
        if permit.allowed_occupation_uris and vacancy.occupation_uri not in permit.allowed_occupation_uris:
            label = self.taxonomy.label(vacancy.occupation_uri, "de")
            out.block(
                why("work_occupation_restricted", occupation=label),
                then("step_clarify_work_permit"),
            )
        hours = vacancy.hours_per_week or (
            FULL_TIME_HOURS if vacancy.working_time == WorkingTime.FULL_TIME else None
        )
        if permit.max_hours_per_week is not None and hours is not None and hours > permit.max_hours_per_week:
            out.block(
                why(
                    "work_hours_restricted",
                    allowed=f"{permit.max_hours_per_week:g}",
                    hours=f"{hours:g}",
                ),
                then("step_clarify_work_permit"),
            )
        if out.eligibility != Eligibility.BLOCKED:
            out.note(why("work_needs_approval"), then("step_clarify_work_permit"))

    def _covered(
        self, seeker: JobSeeker, rule: RegulationRule | None, occupation_uri: str
    ) -> list[Qualification]:
        out = []
        for q in seeker.qualifications:
            concept = self.taxonomy.occupations.get(q.occupation_uri)
            isco = concept.isco_code if concept else ""
            if q.occupation_uri == occupation_uri or (
                rule is not None and rule.covers(q.occupation_uri, isco)
            ):
                out.append(q)
        return out

    @staticmethod
    def _may_practise(q: Qualification, start: dt.date) -> bool:
        if q.country == "DE" or q.recognition == RecognitionStatus.FULL:
            return True
        if q.recognition == RecognitionStatus.TEMPORARY_PERMIT:
            return q.permit_valid_until is None or q.permit_valid_until >= start
        return False

    def _recognition(self, seeker: JobSeeker, vacancy: Vacancy, start: dt.date, out: Assessment) -> None:
        rule = self.rule_for(vacancy.occupation_uri)
        if rule is None:  # nobody checked this occupation: say so rather than imply "no obstacle"
            out.note(why("regulation_not_checked"), then("step_check_regulation"))
        title_required = (
            rule is not None
            and rule.regulation == Regulation.TITLE_PROTECTED
            and vacancy.requires_recognised_title
        )
        if rule is not None and (rule.reserved or title_required):
            covered = self._covered(seeker, rule, vacancy.occupation_uri)
            allowed = [q for q in covered if self._may_practise(q, start)]
            if allowed:
                permits = [
                    q
                    for q in allowed
                    if q.recognition == RecognitionStatus.TEMPORARY_PERMIT and q.country != "DE"
                ]
                if permits and len(permits) == len(allowed) and permits[0].permit_valid_until:
                    out.note(why("permit_valid", until=permits[0].permit_valid_until))
                return
            if not covered:
                code = "title_required" if title_required else "reserved_no_qualification"
                out.block(why(code, **_names(rule)))
                return
            best = min(
                covered,
                key=lambda q: PROGRESS_ORDER.index(q.recognition) if q.recognition in PROGRESS_ORDER else 99,
            )
            status, steps = self._status(best, rule, start)
            placement_ok = vacancy.recognition_support and best.recognition in (
                RecognitionStatus.PARTIAL,
                RecognitionStatus.PENDING,
            )
            if placement_ok and out.eligibility != Eligibility.BLOCKED:
                out.eligibility = Eligibility.BRIDGE
                out.bridge = True
                out.note(why("recognition_placement"))
                out.note(status.with_severity(Severity.INFO), *steps)
            else:
                out.block(status, *steps)
            return
        if rule is not None and rule.regulation == Regulation.TITLE_PROTECTED:
            foreign = [
                q
                for q in self._covered(seeker, rule, vacancy.occupation_uri)
                if not self._may_practise(q, start)
            ]
            if foreign:
                out.note(
                    why("title_protected", **_names(rule)),
                    then(
                        "step_use_title",
                        authority=rule.authority,
                        url=rule.authority_url,
                        authority_name=rule.authority_name,
                        **_names(rule),
                    ),
                )
        elif (
            rule is not None
            and rule.regulation == Regulation.SELF_EMPLOYMENT_RESTRICTED
            and any(q.country != "DE" for q in self._covered(seeker, rule, vacancy.occupation_uri))
        ):
            out.note(why("self_employment_restricted"))
        self._bridge(seeker, vacancy, start, out)

    def _bridge(self, seeker: JobSeeker, vacancy: Vacancy, start: dt.date, out: Assessment) -> None:
        """An open role related to a reserved profession the person trained for but may not practise yet."""
        for q in seeker.qualifications:
            if q.recognition not in IN_PROGRESS or self._may_practise(q, start):
                continue
            rule = self.rule_for(q.occupation_uri)
            if rule is None or not rule.reserved or vacancy.occupation_uri not in rule.bridge_uris:
                continue
            out.bridge = True
            if out.eligibility == Eligibility.ELIGIBLE:
                out.eligibility = Eligibility.BRIDGE
            status, steps = self._status(q, rule, start)
            out.note(why("bridge_job", **_names(rule)))
            out.note(status.with_severity(Severity.INFO), *steps)
            return

    @staticmethod
    def _status(q: Qualification, rule: RegulationRule, start: dt.date) -> tuple[ReasonNote, list[StepNote]]:
        names = _names(rule)
        where = {
            "authority": rule.authority,
            "url": rule.authority_url,
            "authority_name": rule.authority_name,
        }
        status = q.recognition
        if status == RecognitionStatus.PENDING:
            filed = q.recognition_filed_on
            dates = (
                {"filed_de": f" am {filed}", "filed_en": f" on {filed}", "filed_uk": f" {filed}"}
                if filed
                else {"filed_de": "", "filed_en": "", "filed_uk": ""}
            )
            return why("recognition_pending", **names, **dates), [then("step_wait_recognition", **where)]
        if status == RecognitionStatus.PARTIAL:
            measure = q.compensation_measure.value if q.compensation_measure else "adaptation_course"
            values = {
                **names,
                **localised(MEASURES, measure, "measure"),
                **localised(STATES, q.compensation_state.value if q.compensation_state else None, "state"),
            }
            return why("recognition_partial", **values), [
                then(
                    "step_compensation",
                    **where,
                    **{k: v for k, v in values.items() if k.startswith("measure")},
                )
            ]
        if status == RecognitionStatus.TEMPORARY_PERMIT:
            return why("permit_expired", until=q.permit_valid_until), [
                then("step_renew_permit"),
                then("step_apply_recognition", **where, **names),
            ]
        if status == RecognitionStatus.REJECTED:
            return why("recognition_rejected", **names), [then("step_recognition_advice")]
        if status == RecognitionStatus.NO_REFERENCE:
            return why("recognition_no_reference", **names), [then("step_recognition_advice")]
        return why("recognition_not_applied", **names), [then("step_apply_recognition", **where, **names)]

    # -- soft factors ------------------------------------------------------------------------------

    @staticmethod
    def _language(seeker: JobSeeker, vacancy: Vacancy, out: Assessment) -> None:
        required = vacancy.min_german_level
        has = seeker.language_level("de")
        out.factors["german"] = german_factor(required, has)
        if required is None or out.factors["german"] == 1.0:
            return
        out.note(
            why("german_gap", required=required.value, has=has.value if has else "—"),
            then("step_german_course", required=required.value),
        )

    def _commute(self, seeker: JobSeeker, vacancy: Vacancy, out: Assessment) -> None:
        distance = self.gazetteer.distance_km(seeker.home, vacancy.location)
        if distance is None:
            out.factors["commute"] = 0.5
            out.note(why("commute_unknown"))
            return
        out.distance_km = round(distance, 1)
        limit = seeker.max_commute_km
        if distance <= limit:
            out.factors["commute"] = 1.0 - 0.5 * distance / limit
        else:
            out.factors["commute"] = max(0.0, 0.5 * (1.0 - (distance - limit) / limit))
            out.note(why("commute_too_far", distance=f"{distance:.1f}", max=f"{limit:g}"))

    @staticmethod
    def _working_time(seeker: JobSeeker, vacancy: Vacancy, out: Assessment) -> None:
        wanted, offered = seeker.working_time, vacancy.working_time
        value = 1.0
        if wanted != WorkingTime.ANY and offered != WorkingTime.ANY and wanted != offered:
            value = 0.5 if wanted == WorkingTime.FULL_TIME else 0.2
            out.note(
                why(
                    "working_time_mismatch",
                    **localised(WORKING_TIME, wanted.value, "wanted"),
                    **localised(WORKING_TIME, offered.value, "offered"),
                ).with_severity(Severity.WARNING if value < 0.5 else Severity.INFO)
            )
        elif (
            seeker.hours_per_week
            and vacancy.hours_per_week
            and vacancy.hours_per_week > seeker.hours_per_week + 5
        ):
            value = 0.6
        out.factors["working_time"] = value

    @staticmethod
    def _availability(seeker: JobSeeker, vacancy: Vacancy, start: dt.date, out: Assessment) -> None:
        available = seeker.available_from
        if available is None or available <= start:
            out.factors["availability"] = 1.0
            return
        late = (available - start).days
        out.factors["availability"] = max(0.0, 1.0 - late / LATE_START_TOLERANCE_DAYS)
        out.note(why("available_late", available=available, start=start))


def _names(rule: RegulationRule) -> dict[str, str]:
    return {"reference_de": rule.reference_de, "reference_en": rule.reference_en}
