"""Import a taxonomy from a folder in the official ESCO CSV download layout.

Expected files (``<lang>`` is a language code; every language found is loaded):
``occupations_<lang>.csv``, ``skills_<lang>.csv``, ``occupationSkillRelations[_<lang>].csv``,
optionally ``ISCOGroups_<lang>.csv`` and ``broaderRelationsOccPillar[_<lang>].csv``.
List cells such as ``altLabels`` hold several values joined by newlines, as in the official files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from matching.errors import TaxonomyError
from matching.taxonomy.model import Concept, IscoGroup, Taxonomy

_LANG_FILE = re.compile(r"^(occupations|skills|ISCOGroups)_([a-z]{2,3}(?:-[A-Za-z]+)?)\.csv$")
_REQUIRED_COLUMNS = {
    "occupations": {"conceptUri", "preferredLabel", "altLabels", "iscoGroup"},
    "skills": {"conceptUri", "preferredLabel", "altLabels"},
    "relations": {"occupationUri", "relationType", "skillUri"},
    "isco": {"conceptUri", "code", "preferredLabel"},
    "broader": {"conceptUri", "broaderUri"},
}


def _read(path: Path, kind: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise TaxonomyError(
            f"Cannot parse {path}: {exc}. Expected UTF-8 CSV as in the ESCO download."
        ) from exc
    missing = _REQUIRED_COLUMNS[kind] - set(frame.columns)
    if missing:
        raise TaxonomyError(
            f"{path.name} lacks the column(s) {sorted(missing)}; the official ESCO CSV layout has "
            f"{sorted(_REQUIRED_COLUMNS[kind])}. Found: {list(frame.columns)[:12]}."
        )
    return frame


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("\n") if part.strip())


def _isco_code(raw: str) -> str:
    # Some re-saved copies lose leading zeros (0110 -> 110); ISCO unit groups have 4 digits.
    raw = raw.strip()
    if raw.isdigit() and len(raw) < 4:
        return raw.zfill(4)
    return raw


def detect_languages(folder: Path) -> dict[str, dict[str, Path]]:
    """Map kind ('occupations', 'skills', 'ISCOGroups') -> language -> file."""
    found: dict[str, dict[str, Path]] = defaultdict(dict)
    for path in sorted(folder.iterdir()):
        match = _LANG_FILE.match(path.name)
        if match:
            found[match.group(1)][match.group(2)] = path
    return found


def _one_of(folder: Path, stem: str) -> Path | None:
    candidates = sorted(folder.glob(f"{stem}*.csv"))
    # Prefer the English file of a per-language set; relations are language-independent.
    for path in candidates:
        if path.name in (f"{stem}.csv", f"{stem}_en.csv"):
            return path
    return candidates[0] if candidates else None


def load_esco(folder: str | Path) -> Taxonomy:
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise TaxonomyError(
            f"ESCO folder {str(folder)!r} does not exist. Set SKILLBRIDGE_ESCO_PATH to a folder holding "
            "the official ESCO CSV download (occupations_<lang>.csv, skills_<lang>.csv, …)."
        )
    files = detect_languages(folder)
    occ_langs = set(files.get("occupations", {}))
    skill_langs = set(files.get("skills", {}))
    if not occ_langs or not skill_langs:
        raise TaxonomyError(
            f"{folder} has no occupations_<lang>.csv or skills_<lang>.csv; expected the official ESCO CSV "
            "download layout (e.g. occupations_en.csv, skills_en.csv, occupationSkillRelations_en.csv)."
        )
    relations_path = _one_of(folder, "occupationSkillRelations")
    if relations_path is None:
        raise TaxonomyError(
            f"{folder} has no occupationSkillRelations.csv or occupationSkillRelations_<lang>.csv."
        )

    languages = tuple(sorted(occ_langs | skill_langs, key=lambda lang: (lang != "en", lang != "de", lang)))
    occupations = _concepts(files["occupations"], "occupations")
    skills = _concepts(files["skills"], "skills")

    essential: dict[str, list[str]] = defaultdict(list)
    optional: dict[str, list[str]] = defaultdict(list)
    relations = _read(relations_path, "relations")
    for occ, rel, skill in zip(
        relations["occupationUri"], relations["relationType"], relations["skillUri"], strict=True
    ):
        if occ not in occupations or skill not in skills:
            continue  # relations to concepts outside this (possibly partial) download
        (essential if rel == "essential" else optional)[occ].append(skill)

    isco_groups: dict[str, IscoGroup] = {}
    for lang, path in files.get("ISCOGroups", {}).items():
        frame = _read(path, "isco")
        for uri, code, label in zip(frame["conceptUri"], frame["code"], frame["preferredLabel"], strict=True):
            group = isco_groups.get(code)
            labels = dict(group.labels) if group else {}
            if label:
                labels[lang] = label
            isco_groups[code] = IscoGroup(uri=uri, code=code, labels=labels)

    broader: dict[str, str] = {}
    broader_path = _one_of(folder, "broaderRelationsOccPillar")
    if broader_path is not None:
        frame = _read(broader_path, "broader")
        for uri, parent in zip(frame["conceptUri"], frame["broaderUri"], strict=True):
            if uri in occupations:
                broader.setdefault(uri, parent)

    return Taxonomy(
        languages=languages,
        occupations=occupations,
        skills=skills,
        essential={k: tuple(dict.fromkeys(v)) for k, v in essential.items()},
        optional={k: tuple(dict.fromkeys(v)) for k, v in optional.items()},
        isco_groups=isco_groups,
        broader=broader,
        source=str(folder),
    )


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series([""] * len(frame), index=frame.index)


def concept_labels(folder: str | Path) -> Iterator[tuple[str, str, str]]:
    """(uri, language, label) for every preferred, alternative and hidden label of the occupations and
    skills in a folder of the ESCO CSV layout; used to take another folder's names as a vocabulary."""
    folder = Path(folder)
    files = detect_languages(folder)
    if not files.get("occupations") and not files.get("skills"):
        raise TaxonomyError(
            f"{folder} has no occupations_<lang>.csv or skills_<lang>.csv, so it is no folder in the ESCO "
            "CSV layout to take labels from."
        )
    for kind in ("occupations", "skills"):
        for uri, concept in _concepts(files.get(kind, {}), kind).items():
            for language, label in concept.all_labels():
                yield uri, language, label


def _concepts(paths: dict[str, Path], kind: str) -> dict[str, Concept]:
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    alts: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
    descriptions: dict[str, dict[str, str]] = defaultdict(dict)
    attrs: dict[str, dict[str, str]] = {}
    # English first: its language-independent columns are the reference ones.
    for lang, path in sorted(paths.items(), key=lambda item: item[0] != "en"):
        frame = _read(path, kind)
        if "status" in frame.columns:
            frame = frame[frame["status"].isin(["released", ""])]
        desc = _column(frame, "description")
        # Hidden labels (misspellings, old spellings, gendered forms) exist for search: they count as
        # alternative labels for linking; nothing displays alternative labels.
        hidden = _column(frame, "hiddenLabels")
        for uri, pref, alt, hide, text in zip(
            frame["conceptUri"], frame["preferredLabel"], frame["altLabels"], hidden, desc, strict=True
        ):
            if pref:
                labels[uri][lang] = pref.strip()
            alt_labels = tuple(dict.fromkeys((*_split(alt), *_split(hide))))
            if alt_labels:
                alts[uri][lang] = alt_labels
            if text:
                descriptions[uri][lang] = text.strip()
        if not attrs:  # language-independent columns: take them from the first file
            for row in frame.itertuples(index=False):
                get = row._asdict().get
                attrs[get("conceptUri")] = {
                    "isco": _isco_code(get("iscoGroup", "") or ""),
                    "code": get("code", "") or "",
                    "skill_type": get("skillType", "") or "",
                    "reuse": get("reuseLevel", "") or "",
                    "regulated": get("regulatedProfessionNote", "") or "",
                }
    concept_kind = "occupation" if kind == "occupations" else "skill"
    out: dict[str, Concept] = {}
    for uri, by_lang in labels.items():
        extra = attrs.get(uri, {})
        out[uri] = Concept(
            uri=uri,
            kind=concept_kind,
            labels=by_lang,
            alt_labels=alts.get(uri, {}),
            descriptions=descriptions.get(uri, {}),
            isco_code=extra.get("isco", ""),
            code=extra.get("code", ""),
            skill_type=extra.get("skill_type", ""),
            reuse_level=extra.get("reuse", ""),
            regulated_note=extra.get("regulated", ""),
        )
    return out
