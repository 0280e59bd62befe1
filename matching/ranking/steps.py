"""Next steps in German, English and Ukrainian, and the translated words that reasons and steps are made of
(compensation measures, their states, working times)."""

from __future__ import annotations

from matching.ranking.reasons import REASONS, render
from models import NextStep

# Next steps: code -> (de, en, uk).
STEPS: dict[str, tuple[str, str, str]] = {
    "step_clarify_work_permit": (
        "Erlaubnis zur Beschäftigung bei der Ausländerbehörde Leipzig klären.",
        "Clarify permission to work with the immigration office (Ausländerbehörde Leipzig).",
        "З'ясувати дозвіл на роботу у відомстві у справах іноземців (Ausländerbehörde Leipzig).",
    ),
    "step_record_work_permit": (
        "Aufenthaltstitel und Nebenbestimmung zur Beschäftigung erfassen.",
        "Record the residence permit and its employment clause.",
        "Зафіксувати посвідку на проживання та умови щодо роботи.",
    ),
    "step_apply_recognition": (
        "Anerkennung als {reference_de} beantragen bei: {authority}.",
        "Apply for recognition as {reference_en} at: {authority}.",
        "Подати заяву на визнання за фахом {reference_de}: {authority}.",
    ),
    "step_wait_recognition": (
        "Stand des Verfahrens bei {authority} erfragen; fehlende Unterlagen nachreichen.",
        "Ask {authority} about the procedure; hand in any missing documents.",
        "Дізнатися про стан процедури в {authority}; донести відсутні документи.",
    ),
    "step_compensation": (
        "{measure_de} absolvieren, dann volle Anerkennung bei {authority} erhalten.",
        "Complete the {measure_en}, then obtain full recognition from {authority}.",
        "Пройти {measure_uk}, потім отримати повне визнання в {authority}.",
    ),
    "step_extend_permit": (
        "Verlängerung rechtzeitig vor dem {until} bei der Ausländerbehörde beantragen; bis zur Entscheidung gilt "
        "die Erlaubnis fort (§ 81 Abs. 4 AufenthG).",
        "Apply to the immigration office for the extension in time, before {until}; the permit continues while "
        "the application is pending (§ 81(4) AufenthG).",
        "Вчасно, до {until}, подати заяву на продовження до відомства у справах іноземців; до рішення дозвіл "
        "продовжує діяти (§ 81(4) AufenthG).",
    ),
    "step_check_regulation": (
        "Vor der Vermittlung bei der Anerkennungsberatung (One-Stop-Shop, IQ Netzwerk Sachsen) klären, ob der "
        "Beruf eine Anerkennung oder Erlaubnis verlangt.",
        "Before placing, ask the recognition counselling (one-stop shop, IQ Netzwerk Sachsen) whether this "
        "occupation needs recognition or a permit.",
        "Перед працевлаштуванням з'ясувати в консультації з питань визнання (One-Stop-Shop, IQ Netzwerk Sachsen), "
        "чи потребує ця професія визнання або дозволу.",
    ),
    "step_recognition_advice": (
        "Anerkennungsberatung (z. B. IQ Netzwerk Sachsen) zu Alternativen nutzen.",
        "Get recognition counselling (e.g. IQ Netzwerk Sachsen) about alternatives.",
        "Отримати консультацію щодо визнання (напр. IQ Netzwerk Sachsen) про альтернативи.",
    ),
    "step_use_title": (
        "Um den Titel {reference_de} zu führen: Anerkennung bei {authority} beantragen.",
        "To use the title {reference_en}: apply for recognition at {authority}.",
        "Щоб користуватися назвою {reference_de}: подати заяву до {authority}.",
    ),
    "step_german_course": (
        "Berufsbezogenen Deutschkurs (BAMF-Berufssprachkurs) bis {required} besuchen.",
        "Attend a job-related German course (BAMF Berufssprachkurs) up to {required}.",
        "Відвідати професійний курс німецької (BAMF Berufssprachkurs) до рівня {required}.",
    ),
    "step_renew_permit": (
        "Verlängerung der Erlaubnis rechtzeitig beantragen.",
        "Apply in time for the permit to be extended.",
        "Вчасно подати заяву на продовження дозволу.",
    ),
}

# Every text by code, reasons and next steps alike.
TEMPLATES: dict[str, tuple[str, str, str]] = {code: r.texts for code, r in REASONS.items()} | STEPS

MEASURES = {
    "adaptation_course": ("Anpassungslehrgang", "adaptation course", "адаптаційний курс"),
    "knowledge_test": ("Kenntnisprüfung", "knowledge test", "іспит на знання"),
    "aptitude_test": ("Eignungsprüfung", "aptitude test", "іспит на придатність"),
}
STATES = {
    "not_started": ("noch nicht begonnen", "not started", "не розпочато"),
    "in_progress": ("läuft", "in progress", "триває"),
    "passed": ("bestanden", "passed", "складено"),
    "failed": ("nicht bestanden", "failed", "не складено"),
    None: ("offen", "open", "відкрито"),
}
WORKING_TIME = {
    "full_time": ("Vollzeit", "full time", "повний день"),
    "part_time": ("Teilzeit", "part time", "неповний день"),
    "any": ("Voll- oder Teilzeit", "full or part time", "повний або неповний день"),
}


def step(
    code: str,
    authority: str | None = None,
    url: str | None = None,
    authority_name: str | None = None,
    **values: object,
) -> NextStep:
    """A next step; messages name the authority briefly, the ``authority`` field keeps its full description."""
    if authority is not None:
        values.setdefault("authority", authority_name or authority)
    return NextStep(code=code, text=render(STEPS[code], **values), authority=authority, url=url or None)


def localised(table: dict, key: object, prefix: str) -> dict[str, str]:
    """{prefix}_de / _en / _uk placeholders for a value with three translations."""
    de, en, uk = table[key]
    return {f"{prefix}_de": de, f"{prefix}_en": en, f"{prefix}_uk": uk}
