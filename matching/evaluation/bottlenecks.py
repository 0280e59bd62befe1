"""What holds people back: matches blocked by recognition or work authorisation, matches held back by German,
and what finishing a recognition procedure or a German course would unlock.

The unit is a job seeker's list of vacancies as the service shows it (:meth:`Matcher.rank_vacancies`): the
top-k eligible and bridge matches, and the best blocked pairs (those that would otherwise be reasonable
matches) with the reasons that block them. Causes are read from the reasons' codes:

- ``recognition``: a reserved profession without the right to practise (``reserved_no_qualification``,
  ``recognition_*``, ``permit_expired``) — blocking;
- ``authorisation``: no, unknown, expired or restricted work permit (``work_*``) — blocking;
- ``language``: German below the vacancy's minimum (``german_gap``) — a warning that lowers the score.

Counterfactuals change a profile in memory and rank again (nothing is stored): :func:`complete_recognition`
(every foreign qualification of a regulated profession becomes fully recognised), :func:`german_one_level_up`
and both together. Pairs that were blocked are re-assessed with :meth:`Matcher.what_if`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from matching.evaluation.matching_quality import jobseeker_attributes
from matching.ranking.reasons import Topic, codes
from matching.ranking.regulation import Regulation
from models import (
    CEFRLevel,
    Eligibility,
    JobSeeker,
    LanguageSkill,
    Match,
    RecognitionStatus,
    Severity,
    Vacancy,
)

if TYPE_CHECKING:
    from matching.service import Matcher

# Causes as the reason catalogue defines them: blocking reasons about recognition or work authorisation,
# and any reason about language.
RECOGNITION_CODES = codes(Topic.RECOGNITION, Severity.BLOCKING)
AUTHORISATION_CODES = codes(Topic.WORK_AUTHORISATION, Severity.BLOCKING)
LANGUAGE_CODES = codes(Topic.LANGUAGE)
CAUSES = ("recognition", "authorisation", "language")
Scenario = Callable[[JobSeeker], JobSeeker | None]
Pseudonym = Callable[[str, str], str]
_UNRECOGNISED = {
    RecognitionStatus.NOT_APPLIED,
    RecognitionStatus.PENDING,
    RecognitionStatus.PARTIAL,
    RecognitionStatus.TEMPORARY_PERMIT,
    RecognitionStatus.REJECTED,
    RecognitionStatus.NO_REFERENCE,
    RecognitionStatus.NOT_REQUIRED,  # for a regulated profession: recorded wrongly, treated as not applied
}
_LEVELS = list(CEFRLevel)


def causes(match: Match) -> set[str]:
    """The causes in a match's reasons: blocking recognition or authorisation reasons, and a German gap."""
    found = set()
    for reason in match.reasons:
        if reason.severity == Severity.BLOCKING and reason.code in RECOGNITION_CODES:
            found.add("recognition")
        elif reason.severity == Severity.BLOCKING and reason.code in AUTHORISATION_CODES:
            found.add("authorisation")
        elif reason.code in LANGUAGE_CODES:
            found.add("language")
    return found


def _identity(kind: str, entity_id: str) -> str:
    return entity_id


def _seekers(matcher: Matcher, organisation: str | None, limit: int | None, seed: int) -> list[JobSeeker]:
    people = [
        r.item
        for r in matcher.seekers.repo.iter_records()
        if organisation is None or r.organisation == organisation
    ]
    if limit is not None and len(people) > limit:
        people = sorted(random.Random(seed).sample(people, limit), key=lambda s: s.id)
    return people


def blocked_matches(
    matcher: Matcher,
    k: int = 10,
    *,
    organisation: str | None = None,
    max_jobseekers: int | None = None,
    seed: int = 7,
    pseudonym: Pseudonym = _identity,
) -> pd.DataFrame:
    """One row per pair a job seeker is shown: their top-k eligible/bridge matches and best blocked pairs.

    Columns: ``jobseeker``, ``vacancy``, ``score``, ``eligibility``, a boolean ``by_<cause>`` per cause, and
    the job seeker's ``occupation_group``, ``german_level`` and ``recognition`` (status).
    """
    rows = []
    for seeker in _seekers(matcher, organisation, max_jobseekers, seed):
        page = matcher.rank_vacancies(seeker, k, organisation=organisation)
        attributes = jobseeker_attributes(matcher, seeker)
        for match in [*page.items, *page.blocked]:
            found = causes(match)
            rows.append(
                {
                    "jobseeker": pseudonym("jobseeker", seeker.id),
                    "vacancy": pseudonym("vacancy", match.vacancy_id),
                    "score": match.score,
                    "eligibility": match.eligibility.value,
                    **{f"by_{cause}": cause in found for cause in CAUSES},
                    **attributes,
                }
            )
    columns = ["jobseeker", "vacancy", "score", "eligibility", *(f"by_{c}" for c in CAUSES),
               "occupation_group", "german_level", "recognition"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def summarise_blocked(pairs: pd.DataFrame) -> pd.DataFrame:
    """Counts by cause: pairs blocked by it (alone or with another cause), job seekers affected, and for
    ``language`` the eligible matches held back by a German gap."""
    blocked = pairs[pairs["eligibility"] == Eligibility.BLOCKED.value]
    shown = pairs[pairs["eligibility"] != Eligibility.BLOCKED.value]
    rows = {}
    for cause in CAUSES:
        pool = shown if cause == "language" else blocked
        hit = pool[pool[f"by_{cause}"]]
        rows[cause] = {
            "pairs": len(hit),
            "share_of_pairs": len(hit) / len(pool) if len(pool) else 0.0,
            "jobseekers": hit["jobseeker"].nunique(),
        }
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("cause")
    out.attrs["blocked_pairs"] = len(blocked)
    out.attrs["shown_pairs"] = len(shown)
    return out


# -- counterfactual profiles ------------------------------------------------------------------------------


def complete_recognition(matcher: Matcher) -> Scenario:
    """Every foreign qualification in a regulated profession (or one needing recognition anyway) becomes
    fully recognised; ``None`` for someone with nothing to recognise."""

    def change(seeker: JobSeeker) -> JobSeeker | None:
        changed = False
        qualifications = []
        for q in seeker.qualifications:
            rule = matcher.rules.rule_for(q.occupation_uri)
            regulated = rule is not None and rule.regulation in (
                Regulation.PRACTICE_RESERVED,
                Regulation.TITLE_PROTECTED,
            )
            open_case = q.recognition in _UNRECOGNISED and (
                regulated or q.recognition != RecognitionStatus.NOT_REQUIRED
            )
            if q.country != "DE" and open_case:
                q = q.model_copy(
                    update={
                        "recognition": RecognitionStatus.FULL,
                        "compensation_measure": None,
                        "compensation_state": None,
                        "permit_valid_until": None,
                    }
                )
                changed = True
            qualifications.append(q)
        return seeker.model_copy(update={"qualifications": qualifications}) if changed else None

    return change


def german_one_level_up(seeker: JobSeeker) -> JobSeeker | None:
    """German one CEFR level higher (none becomes A1); ``None`` at C2."""
    level = seeker.language_level("de")
    if level == CEFRLevel.C2:
        return None
    better = CEFRLevel.A1 if level is None else _LEVELS[level.rank + 1]
    languages = [x for x in seeker.languages if x.language != "de"] + [
        LanguageSkill(language="de", level=better)
    ]
    return seeker.model_copy(update={"languages": languages})


def combined(*scenarios: Scenario) -> Scenario:
    """Apply several changes in turn; ``None`` when none of them changes anything."""

    def change(seeker: JobSeeker) -> JobSeeker | None:
        current, changed = seeker, False
        for scenario in scenarios:
            result = scenario(current)
            if result is not None:
                current, changed = result, True
        return current if changed else None

    return change


def counterfactuals(
    matcher: Matcher,
    scenarios: Mapping[str, Scenario],
    k: int = 10,
    *,
    organisation: str | None = None,
    max_jobseekers: int | None = None,
    seed: int = 7,
    suitable: Callable[[JobSeeker, str], bool] | None = None,
    pseudonym: Pseudonym = _identity,
) -> dict[str, pd.DataFrame]:
    """Rank again with each job seeker's changed profile; per scenario, one row per job seeker it changes.

    Columns: ``eligible_before``/``_after`` (eligible or bridge matches in the top k), ``newly_eligible``
    (top-k matches after the change whose pair was blocked before), ``unlocked`` (blocked pairs shown before
    that the change makes eligible or bridge, by :meth:`Matcher.what_if`), ``german_gap_before``/``_after``
    (top-k matches with a German gap) and, with ``suitable(seeker, vacancy_id)`` (e.g. the ground truth),
    ``suitable_before``/``_after`` (truly suitable matches in the top k) and ``newly_eligible_suitable``.
    """
    rows: dict[str, list[dict]] = {name: [] for name in scenarios}
    vacancies: dict[str, Vacancy] = {}

    def vacancy(vacancy_id: str) -> Vacancy:
        if vacancy_id not in vacancies:
            vacancies[vacancy_id] = matcher.get_vacancy(vacancy_id)
        return vacancies[vacancy_id]

    for seeker in _seekers(matcher, organisation, max_jobseekers, seed):
        changes = {name: scenario(seeker) for name, scenario in scenarios.items()}
        if all(changed is None for changed in changes.values()):
            continue
        before = matcher.rank_vacancies(seeker, k, organisation=organisation)
        shown_before = {m.vacancy_id for m in before.items}
        # Was the pair blocked before the change? Known for the blocked list, asked with what_if otherwise.
        blocked_before: dict[str, bool] = {m.vacancy_id: True for m in before.blocked}
        for name, changed in changes.items():
            if changed is None:
                continue
            after = matcher.rank_vacancies(changed, k, organisation=organisation)
            newly: list[str] = []
            for match in after.items:
                if match.vacancy_id in shown_before:
                    continue
                if match.vacancy_id not in blocked_before:
                    assessed = matcher.what_if(seeker, vacancy(match.vacancy_id))
                    blocked_before[match.vacancy_id] = assessed.eligibility == Eligibility.BLOCKED
                if blocked_before[match.vacancy_id]:
                    newly.append(match.vacancy_id)
            unlocked = sum(
                1
                for m in before.blocked
                if matcher.what_if(changed, vacancy(m.vacancy_id)).eligibility != Eligibility.BLOCKED
            )
            row = {
                "jobseeker": pseudonym("jobseeker", seeker.id),
                **jobseeker_attributes(matcher, seeker),
                "eligible_before": len(before.items),
                "eligible_after": len(after.items),
                "newly_eligible": len(newly),
                "blocked_before": len(before.blocked),
                "unlocked": unlocked,
                "german_gap_before": sum("language" in causes(m) for m in before.items),
                "german_gap_after": sum("language" in causes(m) for m in after.items),
            }
            if suitable is not None:
                row["suitable_before"] = sum(suitable(seeker, m.vacancy_id) for m in before.items)
                row["suitable_after"] = sum(suitable(changed, m.vacancy_id) for m in after.items)
                row["newly_eligible_suitable"] = sum(suitable(changed, v) for v in newly)
            rows[name].append(row)
    return {name: pd.DataFrame(found) for name, found in rows.items()}


def summarise_counterfactuals(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per scenario: job seekers changed, matches newly eligible, and who gains."""
    rows = {}
    for name, frame in results.items():
        if frame.empty:
            rows[name] = {"jobseekers": 0}
            continue
        row = {
            "jobseekers": len(frame),
            "newly_eligible_matches": int(frame["newly_eligible"].sum()),
            "jobseekers_gaining": int((frame["newly_eligible"] > 0).sum()),
            "unlocked_blocked_pairs": int(frame["unlocked"].sum()),
            "without_match_before": int((frame["eligible_before"] == 0).sum()),
            "without_match_after": int((frame["eligible_after"] == 0).sum()),
            "german_gaps_before": int(frame["german_gap_before"].sum()),
            "german_gaps_after": int(frame["german_gap_after"].sum()),
        }
        if "suitable_before" in frame:
            row["suitable_before"] = int(frame["suitable_before"].sum())
            row["suitable_after"] = int(frame["suitable_after"].sum())
            row["newly_eligible_suitable"] = int(frame["newly_eligible_suitable"].sum())
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


def scenarios(matcher: Matcher) -> dict[str, Scenario]:
    recognition = complete_recognition(matcher)
    return {
        "recognition completed": recognition,
        "German one level up": german_one_level_up,
        "both": combined(recognition, german_one_level_up),
    }
