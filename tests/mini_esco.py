"""A hand-made miniature taxonomy in the official ESCO CSV layout, written to a folder by the tests.

Small enough that every expected ranking can be worked out by hand:
- nurse (ISCO 2221) and its specialisation, specialist nurse; nursing assistant (5321) shares care skills;
- forklift operator (8344) and warehouse worker (9333) share warehouse skills;
- electrician (7411).
"""

from __future__ import annotations

import csv
from pathlib import Path

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"
ISCO = "http://data.europa.eu/esco/isco/C"

NURSE = OCC + "nurse"
SPECIALIST_NURSE = OCC + "specialist-nurse"
NURSING_ASSISTANT = OCC + "nursing-assistant"
FORKLIFT = OCC + "forklift-operator"
WAREHOUSE = OCC + "warehouse-worker"
ELECTRICIAN = OCC + "electrician"

MEDICATION = SKILL + "administer-medication"
HYGIENE = SKILL + "personal-hygiene"
VITALS = SKILL + "monitor-vital-signs"
CARE_PLAN = SKILL + "care-planning"
DOCUMENTATION = SKILL + "care-documentation"
FORKLIFT_DRIVING = SKILL + "operate-forklift"
STOCK = SKILL + "stock-control"
LOADING = SKILL + "load-cargo"
WIRING = SKILL + "install-wiring"
SAFETY = SKILL + "electrical-safety"
TEAMWORK = SKILL + "teamwork"

OCCUPATIONS = [
    # uri, isco, code, en, de, uk, alt-en
    (
        NURSE,
        "2221",
        "2221.1",
        "nurse",
        "Pflegefachmann/Pflegefachfrau",
        "медична сестра",
        ["registered nurse", "general nurse"],
    ),
    (
        SPECIALIST_NURSE,
        "2221",
        "2221.2",
        "specialist nurse",
        "Fachpfleger/Fachpflegerin",
        "спеціалізована медсестра",
        [],
    ),
    (
        NURSING_ASSISTANT,
        "5321",
        "5321.1",
        "nursing assistant",
        "Pflegehelfer/Pflegehelferin",
        "помічник медсестри",
        ["care helper"],
    ),
    (
        FORKLIFT,
        "8344",
        "8344.1",
        "forklift operator",
        "Staplerfahrer/Staplerfahrerin",
        "водій навантажувача",
        [],
    ),
    (
        WAREHOUSE,
        "9333",
        "9333.1",
        "warehouse worker",
        "Lagerhelfer/Lagerhelferin",
        "працівник складу",
        ["stock handler"],
    ),
    (ELECTRICIAN, "7411", "7411.1", "electrician", "Elektriker/Elektrikerin", "електрик", []),
]
SKILLS = [
    (MEDICATION, "administer medication", "Medikamente verabreichen", "вводити ліки"),
    (
        HYGIENE,
        "assist with personal hygiene",
        "bei der Körperpflege helfen",
        "допомагати з особистою гігієною",
    ),
    (VITALS, "monitor vital signs", "Vitalzeichen überwachen", "стежити за життєвими показниками"),
    (CARE_PLAN, "plan nursing care", "Pflege planen", "планувати догляд"),
    (DOCUMENTATION, "document care", "Pflege dokumentieren", "документувати догляд"),
    (FORKLIFT_DRIVING, "operate forklift", "Gabelstapler fahren", "керувати навантажувачем"),
    (STOCK, "control stock", "Lagerbestand kontrollieren", "контролювати запаси"),
    (LOADING, "load cargo", "Fracht verladen", "завантажувати вантаж"),
    (WIRING, "install electrical wiring", "elektrische Leitungen verlegen", "прокладати електропроводку"),
    (SAFETY, "apply electrical safety rules", "Elektrosicherheit beachten", "дотримуватися електробезпеки"),
    (TEAMWORK, "work in teams", "im Team arbeiten", "працювати в команді"),
]
RELATIONS = [
    (NURSE, "essential", [MEDICATION, HYGIENE, VITALS, CARE_PLAN, DOCUMENTATION]),
    (NURSE, "optional", [TEAMWORK]),
    (SPECIALIST_NURSE, "essential", [MEDICATION, VITALS, CARE_PLAN]),
    (NURSING_ASSISTANT, "essential", [HYGIENE, VITALS, DOCUMENTATION]),
    (NURSING_ASSISTANT, "optional", [TEAMWORK]),
    (FORKLIFT, "essential", [FORKLIFT_DRIVING, LOADING]),
    (FORKLIFT, "optional", [STOCK]),
    (WAREHOUSE, "essential", [STOCK, LOADING]),
    (WAREHOUSE, "optional", [FORKLIFT_DRIVING, TEAMWORK]),
    (ELECTRICIAN, "essential", [WIRING, SAFETY]),
    (ELECTRICIAN, "optional", [TEAMWORK]),
]
ISCO_GROUPS = {
    "2": "Professionals", "22": "Health professionals", "222": "Nursing and midwifery professionals",
    "2221": "Nursing professionals", "5": "Service and sales workers", "53": "Personal care workers",
    "532": "Personal care workers in health services", "5321": "Health care assistants",
    "7": "Craft and related trades workers", "74": "Electrical and electronic trades workers",
    "741": "Electrical equipment installers", "7411": "Building electricians",
    "8": "Plant and machine operators", "83": "Drivers and mobile plant operators",
    "834": "Mobile plant operators", "8344": "Lifting truck operators",
    "9": "Elementary occupations", "93": "Labourers", "933": "Transport and storage labourers",
    "9333": "Freight handlers",
}  # fmt: skip

OCC_HEADER = ["conceptType", "conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels", "status",
              "modifiedDate", "regulatedProfessionNote", "scopeNote", "definition", "inScheme", "description", "code"]  # fmt: skip
SKILL_HEADER = ["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels", "hiddenLabels",
                "status", "modifiedDate", "scopeNote", "definition", "inScheme", "description"]  # fmt: skip


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in header})


def write_mini_esco(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for lang_index, lang in enumerate(("en", "de", "uk")):
        _write(
            folder / f"occupations_{lang}.csv",
            OCC_HEADER,
            [
                {
                    "conceptType": "Occupation", "conceptUri": uri, "iscoGroup": isco, "code": code,
                    "preferredLabel": (en, de, uk)[lang_index],
                    "altLabels": "\n".join(alt) if lang == "en" else "",
                    "status": "released", "description": f"{en} ({lang})",
                }
                for uri, isco, code, en, de, uk, alt in OCCUPATIONS
            ],
        )  # fmt: skip
        _write(
            folder / f"skills_{lang}.csv",
            SKILL_HEADER,
            [
                {"conceptType": "KnowledgeSkillCompetence", "conceptUri": uri, "skillType": "skill/competence",
                 "reuseLevel": "sector-specific", "preferredLabel": labels[lang_index], "status": "released"}
                for uri, *labels in SKILLS
            ],
        )  # fmt: skip
        _write(
            folder / f"ISCOGroups_{lang}.csv",
            ["conceptType", "conceptUri", "code", "preferredLabel", "status", "altLabels", "inScheme", "description"],
            [{"conceptType": "ISCOGroup", "conceptUri": ISCO + c, "code": c, "preferredLabel": f"{label} [{lang}]",
              "status": "released"} for c, label in ISCO_GROUPS.items()],
        )  # fmt: skip
    _write(
        folder / "occupationSkillRelations_en.csv",
        ["occupationUri", "relationType", "skillType", "skillUri"],
        [
            {"occupationUri": occ, "relationType": rel, "skillType": "skill/competence", "skillUri": s}
            for occ, rel, skills in RELATIONS
            for s in skills
        ],
    )
    broader = [{"conceptType": "ISCOGroup", "conceptUri": ISCO + c, "broaderType": "ISCOGroup",
                "broaderUri": ISCO + c[:-1]} for c in ISCO_GROUPS if len(c) > 1]  # fmt: skip
    for uri, isco, *_ in OCCUPATIONS:
        parent = NURSE if uri == SPECIALIST_NURSE else ISCO + isco
        broader.append(
            {
                "conceptType": "Occupation",
                "conceptUri": uri,
                "broaderType": "Occupation",
                "broaderUri": parent,
            }
        )
    _write(
        folder / "broaderRelationsOccPillar_en.csv",
        ["conceptType", "conceptUri", "broaderType", "broaderUri"],
        broader,
    )
    return folder
