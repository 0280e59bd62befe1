"""Reasons and next steps: one definition per code, with its topic, its severity and its text in German, English
and Ukrainian.

This is the one place a reason code is defined. The rules (:mod:`.eligibility`) emit codes from here; the
recognition bottleneck analysis groups blocked pairs by :attr:`ReasonCode.topic`; the pages receive the same
grouping as a generated block in ``api/web/static/js/common.js`` (:func:`javascript_constants`, checked by a
test), so no list of codes is written out twice. Next steps and the words reasons are made of are in
:mod:`.steps`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from models import Reason, Severity, Text


class Topic(StrEnum):
    """What a reason is about: the advisor's question it answers."""

    WORK_AUTHORISATION = "work_authorisation"
    RECOGNITION = "recognition"
    LANGUAGE = "language"
    COMMUTE = "commute"
    WORKING_TIME = "working_time"
    AVAILABILITY = "availability"


@dataclass(frozen=True, slots=True)
class ReasonCode:
    """A reason the rules can give. ``severity`` is the one it has unless its context softens it (a recognition
    reason becomes information where a bridge job or a placement during recognition is open)."""

    code: str
    topic: Topic
    severity: Severity
    texts: tuple[str, str, str]  # de, en, uk; placeholders are filled with str.format
    lifted_by_recognition: bool = False  # full recognition of the qualification would remove it


# Ukrainian texts name the German reference occupation (e.g. "Pflegefachfrau/Pflegefachmann"): it is the
# title the person applies for.
REASONS: dict[str, ReasonCode] = {
    reason.code: reason
    for reason in (
        ReasonCode(
            "work_not_permitted",
            Topic.WORK_AUTHORISATION,
            Severity.BLOCKING,
            (
                "Keine Erlaubnis zur Erwerbstätigkeit.",
                "No permission to work in Germany.",
                "Немає дозволу на роботу в Німеччині.",
            ),
        ),
        ReasonCode(
            "work_unknown",
            Topic.WORK_AUTHORISATION,
            Severity.BLOCKING,
            (
                "Die Arbeitserlaubnis ist nicht erfasst.",
                "Work authorisation has not been recorded.",
                "Дозвіл на роботу не зафіксовано.",
            ),
        ),
        ReasonCode(
            "work_expired",
            Topic.WORK_AUTHORISATION,
            Severity.BLOCKING,
            (
                "Die Arbeitserlaubnis ist am {until} abgelaufen.",
                "Work authorisation expired on {until}.",
                "Дозвіл на роботу закінчився {until}.",
            ),
        ),
        ReasonCode(
            "work_ends_before_start",
            Topic.WORK_AUTHORISATION,
            Severity.WARNING,
            (
                "Die Arbeitserlaubnis endet am {until}, vor Arbeitsbeginn am {start}: rechtzeitig verlängern.",
                "Work authorisation ends on {until}, before the start on {start}: extend it in time.",
                "Дозвіл на роботу закінчується {until}, до початку роботи {start}: вчасно продовжити.",
            ),
        ),
        ReasonCode(
            "work_occupation_restricted",
            Topic.WORK_AUTHORISATION,
            Severity.BLOCKING,
            (
                "Die Arbeitserlaubnis gilt nicht für den Beruf {occupation}.",
                "The work permit does not cover the occupation {occupation}.",
                "Дозвіл на роботу не поширюється на професію {occupation}.",
            ),
        ),
        ReasonCode(
            "work_hours_restricted",
            Topic.WORK_AUTHORISATION,
            Severity.BLOCKING,
            (
                "Die Arbeitserlaubnis erlaubt höchstens {allowed} Std./Woche, die Stelle hat {hours} Std./Woche.",
                "The work permit allows at most {allowed} h/week; the job has {hours} h/week.",
                "Дозвіл на роботу дозволяє щонайбільше {allowed} год/тиждень; робота передбачає {hours} год/тиждень.",
            ),
        ),
        ReasonCode(
            "work_needs_approval",
            Topic.WORK_AUTHORISATION,
            Severity.WARNING,
            (
                "Beschäftigung nur mit Zustimmung der Ausländerbehörde für diese Stelle.",
                "Employment needs the immigration office's approval for this specific job.",
                "Працевлаштування потребує згоди відомства у справах іноземців для цієї вакансії.",
            ),
        ),
        ReasonCode(
            "reserved_no_qualification",
            Topic.RECOGNITION,
            Severity.BLOCKING,
            (
                "{reference_de} ist ein reglementierter Beruf; es liegt keine passende Qualifikation vor.",
                "{reference_en} is a regulated profession; no matching qualification is on record.",
                "{reference_de} — регульована професія; відповідної кваліфікації не зафіксовано.",
            ),
        ),
        ReasonCode(
            "recognition_not_applied",
            Topic.RECOGNITION,
            Severity.BLOCKING,
            (
                "Für {reference_de} ist die Anerkennung nötig; sie wurde noch nicht beantragt.",
                "Working as {reference_en} requires recognition, which has not been applied for.",
                "Для роботи за фахом {reference_de} потрібне визнання кваліфікації; заяву ще не подано.",
            ),
            lifted_by_recognition=True,
        ),
        ReasonCode(
            "recognition_pending",
            Topic.RECOGNITION,
            Severity.BLOCKING,
            (
                "Anerkennung als {reference_de} beantragt{filed_de}; Entscheidung steht aus.",
                "Recognition as {reference_en} applied for{filed_en}; decision pending.",
                "Заяву про визнання за фахом {reference_de} подано{filed_uk}; рішення очікується.",
            ),
            lifted_by_recognition=True,
        ),
        ReasonCode(
            "recognition_partial",
            Topic.RECOGNITION,
            Severity.BLOCKING,
            (
                "Teilweise Gleichwertigkeit als {reference_de}; Ausgleichsmaßnahme ({measure_de}) {state_de}.",
                "Partial equivalence as {reference_en}; compensation measure ({measure_en}) {state_en}.",
                "Часткова рівноцінність за фахом {reference_de}; компенсаційний захід ({measure_uk}) {state_uk}.",
            ),
            lifted_by_recognition=True,
        ),
        ReasonCode(
            "recognition_rejected",
            Topic.RECOGNITION,
            Severity.BLOCKING,
            (
                "Die Anerkennung als {reference_de} wurde abgelehnt.",
                "Recognition as {reference_en} was refused.",
                "У визнанні за фахом {reference_de} відмовлено.",
            ),
            lifted_by_recognition=True,
        ),
        ReasonCode(
            "recognition_no_reference",
            Topic.RECOGNITION,
            Severity.BLOCKING,
            (
                "Für die Qualifikation gibt es keinen deutschen Referenzberuf {reference_de}.",
                "The qualification has no German reference occupation for {reference_en}.",
                "Для кваліфікації немає німецької референтної професії {reference_de}.",
            ),
            lifted_by_recognition=True,
        ),
        ReasonCode(
            "permit_valid",
            Topic.RECOGNITION,
            Severity.INFO,
            (
                "Befristete Berufserlaubnis bis {until}.",
                "Limited temporary permit to practise until {until}.",
                "Тимчасовий дозвіл на професійну діяльність до {until}.",
            ),
        ),
        ReasonCode(
            "permit_expired",
            Topic.RECOGNITION,
            Severity.BLOCKING,
            (
                "Die befristete Berufserlaubnis endete am {until}.",
                "The temporary permit to practise ended on {until}.",
                "Тимчасовий дозвіл на професійну діяльність закінчився {until}.",
            ),
            lifted_by_recognition=True,
        ),
        ReasonCode(
            "recognition_placement",
            Topic.RECOGNITION,
            Severity.INFO,
            (
                "Stelle mit Anerkennungsbegleitung (Anpassungslehrgang / Vorbereitung Kenntnisprüfung).",
                "Placement that supports recognition (adaptation course / preparation for the knowledge test).",
                "Місце, що супроводжує визнання (адаптаційний курс / підготовка до іспиту).",
            ),
        ),
        ReasonCode(
            "bridge_job",
            Topic.RECOGNITION,
            Severity.INFO,
            (
                "Überbrückungstätigkeit, solange die Anerkennung als {reference_de} läuft.",
                "Bridge job while recognition as {reference_en} is under way.",
                "Тимчасова робота, поки триває визнання за фахом {reference_de}.",
            ),
        ),
        ReasonCode(
            "title_protected",
            Topic.RECOGNITION,
            Severity.INFO,
            (
                "Die Tätigkeit ist frei; die Berufsbezeichnung {reference_de} ist geschützt.",
                "The work is open; the title {reference_en} is protected.",
                "Робота відкрита; назва професії {reference_de} захищена.",
            ),
        ),
        ReasonCode(
            "title_required",
            Topic.RECOGNITION,
            Severity.BLOCKING,
            (
                "Die Stelle verlangt die staatlich anerkannte Bezeichnung {reference_de}.",
                "The post requires the state-recognised title {reference_en}.",
                "Посада вимагає державно визнаної назви {reference_de}.",
            ),
            lifted_by_recognition=True,
        ),
        ReasonCode(
            "regulation_not_checked",
            Topic.RECOGNITION,
            Severity.INFO,
            (
                "Für diesen Beruf ist nicht geprüft, ob er in Deutschland reglementiert ist.",
                "Whether this occupation is regulated in Germany has not been checked.",
                "Не перевірено, чи ця професія регламентована в Німеччині.",
            ),
        ),
        ReasonCode(
            "self_employment_restricted",
            Topic.RECOGNITION,
            Severity.INFO,
            (
                "Angestellt frei ausübbar; für die Selbstständigkeit ist der Meister oder Gleichwertiges nötig.",
                "Open for employees; running one's own business needs a master craftsman or equivalent.",
                "Відкрито для найманих працівників; для власної справи потрібен майстер або рівноцінне.",
            ),
        ),
        ReasonCode(
            "german_gap",
            Topic.LANGUAGE,
            Severity.WARNING,
            (
                "Deutsch {required} erforderlich, vorhanden {has}.",
                "{required} German needed, has {has}.",
                "Потрібна німецька {required}, є {has}.",
            ),
        ),
        ReasonCode(
            "commute_too_far",
            Topic.COMMUTE,
            Severity.WARNING,
            (
                "Arbeitsweg {distance} km, gewünscht höchstens {max} km.",
                "Commute {distance} km, more than the maximum of {max} km.",
                "Дорога на роботу {distance} км, більше за бажані {max} км.",
            ),
        ),
        ReasonCode(
            "commute_unknown",
            Topic.COMMUTE,
            Severity.INFO,
            (
                "Entfernung unbekannt (Ort nicht gefunden).",
                "Distance unknown (place not found).",
                "Відстань невідома (місце не знайдено).",
            ),
        ),
        ReasonCode(
            "working_time_mismatch",
            Topic.WORKING_TIME,
            Severity.WARNING,
            (
                "Wünscht {wanted_de}, die Stelle ist {offered_de}.",
                "Wants {wanted_en}; the job is {offered_en}.",
                "Бажає {wanted_uk}; робота — {offered_uk}.",
            ),
        ),
        ReasonCode(
            "available_late",
            Topic.AVAILABILITY,
            Severity.WARNING,
            (
                "Verfügbar ab {available}, Arbeitsbeginn {start}.",
                "Available from {available}; the job starts {start}.",
                "Доступний(а) з {available}; початок роботи {start}.",
            ),
        ),
    )
}


def reason(code: str, severity: Severity, values: Mapping[str, object]) -> Reason:
    """The reason as the API shows it, its texts filled in with ``values``."""
    return Reason(code=code, severity=severity, text=render(REASONS[code].texts, **values))


def codes(topic: Topic, severity: Severity | None = None) -> frozenset[str]:
    """The codes about ``topic`` (of one severity, when given)."""
    return frozenset(
        r.code for r in REASONS.values() if r.topic == topic and (severity is None or r.severity == severity)
    )


def javascript_constants() -> str:
    """The groups of codes the pages need, as JavaScript (the generated block of api/web/static/js/common.js)."""
    groups = {
        "RECOGNITION_CODES": [r.code for r in REASONS.values() if r.topic == Topic.RECOGNITION],
        "LIFTED_BY_RECOGNITION": [r.code for r in REASONS.values() if r.lifted_by_recognition],
        "WORK_AUTHORISATION_CODES": [r.code for r in REASONS.values() if r.topic == Topic.WORK_AUTHORISATION],
    }
    return "\n".join(f"export const {name} = {json.dumps(values)};" for name, values in groups.items())


def render(texts: tuple[str, str, str], **values: object) -> Text:
    """German, English and Ukrainian with their placeholders filled in."""
    de, en, uk = texts
    return Text(de=de.format(**values), en=en.format(**values), uk=uk.format(**values))
