"""How good are the matches, and for whom: precision@k, recall@k, nDCG@k, MRR and coverage, overall and sliced.

Both directions are evaluated: *candidates* (a vacancy's ranked job seekers) and *vacancies* (a job seeker's
ranked vacancies). Rankings are the service's own (:meth:`Matcher.rank_candidates`,
:meth:`Matcher.rank_vacancies`): eligible and bridge matches, best first; blocked pairs are never in them.

Labels are graded relevance (``{query_id: {doc_id: grade}}``, the TREC qrels shape), either from advisor
feedback (:func:`matching.evaluation.feedback_labels.feedback_qrels`: hired 3, interview 2, contacted 1) or from a labelled
evaluation set with known ground truth (:mod:`matching.evaluation.labelled`).

Per query, with the ranked list cut at k:

- ``P@k`` = relevant in the top k / k; ``R@k`` = relevant in the top k / all relevant; ``MRR`` = 1 / rank of
  the first relevant match in the top k (0 if none); ``nDCG@k`` with the grades as gains
  (:mod:`matching.evaluation.metrics`, the same functions as ``skillbridge evaluate``). A document is
  relevant when its grade is at least ``min_grade``.
- ``covered``: the query has at least one eligible or bridge match in its top k.

Means of P, R, nDCG and MRR are over the queries with at least one relevant document; coverage is over all
queries. Slices group the queries by their ``occupation_group`` (ISCO major group), ``german_level``
(a vacancy's minimum, a job seeker's own) and ``recognition`` (a vacancy occupation's regulation in Germany,
a job seeker's recognition status of their first qualification).

Query ids in results are keyed hashes (the analytics pseudonyms), so reports can go to analysts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from matching.evaluation.feedback_labels import feedback_qrels
from matching.evaluation.ground_truth import transpose
from matching.evaluation.metrics import ndcg_at_k, precision_at_k, recall_at_k, reciprocal_rank
from matching.evaluation.trec import EvaluationInputError, Qrels
from matching.pseudonyms import SECRET_NAME, analytics_pseudonym
from models import JobSeeker, Vacancy

if TYPE_CHECKING:
    from matching.service import Matcher
    from matching.taxonomy import Taxonomy

Side = Literal["candidates", "vacancies"]
SIDES: tuple[Side, ...] = ("candidates", "vacancies")
SLICES = ("occupation_group", "german_level", "recognition")
_QUERY_KIND = {"candidates": "vacancy", "vacancies": "jobseeker"}
_DOC_KIND = {"candidates": "jobseeker", "vacancies": "vacancy"}


@dataclass(frozen=True, slots=True)
class RankedList:
    """One query's ranking: eligible and bridge matches, best first, with what slicing needs."""

    query_id: str
    doc_ids: tuple[str, ...]
    scores: tuple[float, ...]
    eligibility: tuple[str, ...]
    blocked_total: int
    attributes: Mapping[str, str] = field(default_factory=dict)


# -- query attributes for slicing ----------------------------------------------------------------------


def _major_group(taxonomy: Taxonomy, occupation_uri: str | None) -> str:
    if occupation_uri is None or occupation_uri not in taxonomy.occupations:
        return "unknown"
    major = taxonomy.occupations[occupation_uri].isco_code[:1]
    if not major:
        return "unknown"
    group = taxonomy.isco_groups.get(major)
    label = (group.labels.get("en") or next(iter(group.labels.values()), "")) if group else ""
    return f"{major} {label}".strip()


def vacancy_attributes(matcher: Matcher, vacancy: Vacancy) -> dict[str, str]:
    rule = matcher.rules.rule_for(vacancy.occupation_uri)
    return {
        "occupation_group": _major_group(matcher.taxonomy, vacancy.occupation_uri),
        "german_level": vacancy.min_german_level.value if vacancy.min_german_level else "none",
        "recognition": rule.regulation.value if rule is not None else "not_regulated",
    }


def jobseeker_attributes(matcher: Matcher, seeker: JobSeeker) -> dict[str, str]:
    occupations = seeker.occupation_uris()
    level = seeker.language_level("de")
    return {
        "occupation_group": _major_group(matcher.taxonomy, occupations[0] if occupations else None),
        "german_level": level.value if level else "none",
        "recognition": seeker.qualifications[0].recognition.value if seeker.qualifications else "none",
    }


# -- rankings ------------------------------------------------------------------------------------------


def rank_for_vacancies(
    matcher: Matcher,
    k: int,
    *,
    organisation: str | None = None,
    vacancy_ids: Iterable[str] | None = None,
) -> list[RankedList]:
    """Every stored vacancy's candidates (of an organisation, when given), as the service ranks them."""
    _check_k(k)
    wanted = set(vacancy_ids) if vacancy_ids is not None else None
    out = []
    for record in matcher.vacancies.repo.iter_records():
        if (organisation is not None and record.organisation != organisation) or (
            wanted is not None and record.item.id not in wanted
        ):
            continue
        page = matcher.rank_candidates(record.item, k, organisation=record.organisation)
        out.append(_ranked(record.item.id, page, vacancy_attributes(matcher, record.item), "candidates"))
    return out


def rank_for_jobseekers(
    matcher: Matcher,
    k: int,
    *,
    organisation: str | None = None,
    jobseeker_ids: Iterable[str] | None = None,
) -> list[RankedList]:
    """Every stored job seeker's vacancies (of an organisation, when given), as the service ranks them."""
    _check_k(k)
    wanted = set(jobseeker_ids) if jobseeker_ids is not None else None
    out = []
    for record in matcher.seekers.repo.iter_records():
        if (organisation is not None and record.organisation != organisation) or (
            wanted is not None and record.item.id not in wanted
        ):
            continue
        page = matcher.rank_vacancies(record.item, k, organisation=record.organisation)
        out.append(_ranked(record.item.id, page, jobseeker_attributes(matcher, record.item), "vacancies"))
    return out


def _ranked(query_id: str, page: Any, attributes: dict[str, str], side: Side) -> RankedList:
    doc = (lambda m: m.jobseeker_id) if side == "candidates" else (lambda m: m.vacancy_id)
    return RankedList(
        query_id=query_id,
        doc_ids=tuple(doc(m) for m in page.items),
        scores=tuple(m.score for m in page.items),
        eligibility=tuple(m.eligibility.value for m in page.items),
        blocked_total=page.blocked_total,
        attributes=attributes,
    )


# -- metrics -------------------------------------------------------------------------------------------


def metric_names(k: int) -> list[str]:
    return [f"P@{k}", f"R@{k}", f"nDCG@{k}", "MRR"]


def query_metrics(
    ranked: Sequence[str], grades: Mapping[str, int], k: int, min_grade: int = 1
) -> dict[str, float]:
    """P@k, R@k, nDCG@k and MRR (within the top k) of one ranked list; relevant means grade >= min_grade."""
    _check_k(k)
    if isinstance(min_grade, bool) or not isinstance(min_grade, int) or min_grade < 1:
        raise ValueError(f"The 'min_grade' parameter must be an int >= 1. Got {min_grade!r} instead.")
    top = list(ranked)[:k]
    relevant = {doc for doc, grade in grades.items() if grade >= min_grade}
    return {
        f"P@{k}": precision_at_k(top, relevant, k),
        f"R@{k}": recall_at_k(top, relevant, k),
        f"nDCG@{k}": ndcg_at_k(top, grades, k),
        "MRR": reciprocal_rank(top, relevant),
    }


def evaluate_lists(
    lists: Iterable[RankedList],
    qrels: Mapping[str, Mapping[str, int]],
    k: int,
    *,
    min_grade: int = 1,
    pseudonym: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """One row per query: its attributes, how many documents are relevant, the metrics and ``covered``."""
    _check_k(k)
    rows = []
    for ranked in lists:
        grades = qrels.get(ranked.query_id, {})
        relevant = sum(1 for g in grades.values() if g >= min_grade)
        row: dict[str, Any] = {"query": pseudonym(ranked.query_id) if pseudonym else ranked.query_id}
        row.update(ranked.attributes)
        row["relevant"] = relevant
        row["eligible_in_top_k"] = min(k, len(ranked.doc_ids))
        row["blocked"] = ranked.blocked_total
        row.update(query_metrics(ranked.doc_ids, grades, k, min_grade))
        row["covered"] = bool(ranked.doc_ids[:k])
        rows.append(row)
    columns = ["query", *SLICES, "relevant", "eligible_in_top_k", "blocked", *metric_names(k), "covered"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"covered": bool})


def summarise(per_query: pd.DataFrame, k: int, by: str | None = None) -> pd.DataFrame:
    """Means per slice (or overall): metrics over queries with a relevant document, coverage over all."""
    names = metric_names(k)
    missing = [n for n in names if n not in per_query.columns]
    if missing:
        raise EvaluationInputError(
            f"The per-query table has no column(s) {missing}; was it evaluated at k={k}? "
            f"It has {list(per_query.columns)}."
        )
    if by is not None and by not in per_query.columns:
        raise EvaluationInputError(
            f"Cannot slice by {by!r}: the per-query table has no such column. Use one of {', '.join(SLICES)}."
        )

    def one(group: pd.DataFrame) -> dict[str, float | int]:
        judged = group[group["relevant"] > 0]
        out: dict[str, float | int] = {"queries": len(group), "with_relevant": len(judged)}
        for name in names:
            out[name] = float(judged[name].mean()) if len(judged) else math.nan
        out["coverage"] = float(group["covered"].mean()) if len(group) else math.nan
        return out

    if by is None:
        return pd.DataFrame([one(per_query)], index=pd.Index(["all"], name="slice"))
    rows = {str(value): one(group) for value, group in per_query.groupby(by, sort=True)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(by)


# -- the report ------------------------------------------------------------------------------------------


@dataclass
class QualityReport:
    """Per-query results of each evaluated side, and their summaries."""

    k: int
    labels: str  # what the grades came from, e.g. "ground truth" or "feedback"
    per_query: dict[Side, pd.DataFrame]

    def overall(self) -> pd.DataFrame:
        """One row per side: P@k, R@k, nDCG@k, MRR and coverage (vacancies: of vacancies; job seekers: of
        job seekers)."""
        frames = [
            summarise(frame, self.k).rename(index={"all": side}) for side, frame in self.per_query.items()
        ]
        return pd.concat(frames).rename_axis("side")

    def sliced(self, by: str, side: Side = "candidates") -> pd.DataFrame:
        if side not in self.per_query:
            raise EvaluationInputError(
                f"The side {side!r} was not evaluated; this report has {', '.join(self.per_query)}."
            )
        return summarise(self.per_query[side], self.k, by)

    def as_dict(self, by: Sequence[str] = ()) -> dict[str, Any]:
        """JSON-ready: the overall figures per side and, for each slice in ``by``, the figures per group."""
        out: dict[str, Any] = {"k": self.k, "labels": self.labels}
        for side in self.per_query:
            overall = summarise(self.per_query[side], self.k).iloc[0].to_dict()
            out[side] = {
                "overall": _clean(overall),
                **{
                    f"by_{name}": {
                        group: _clean(values)
                        for group, values in self.sliced(name, side).to_dict("index").items()
                    }
                    for name in by
                },
            }
        return out


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("queries", "with_relevant"):
            out[key] = int(value)
        else:
            out[key] = (
                None
                if value is None or (isinstance(value, float) and math.isnan(value))
                else round(float(value), 4)
            )
    return out


def evaluate_matching(
    matcher: Matcher,
    qrels: Qrels,
    k: int = 10,
    *,
    sides: Sequence[Side] = SIDES,
    organisation: str | None = None,
    min_grade: int = 1,
    labels: str = "ground truth",
    pseudonymise: bool = True,
) -> QualityReport:
    """Rank every stored vacancy (and/or job seeker) and score the rankings against ``qrels``.

    ``qrels`` are per vacancy (``{vacancy_id: {jobseeker_id: grade}}``); the job seekers' side uses the same
    judgements the other way round. With ``pseudonymise`` (the default), query ids are analytics pseudonyms.
    """
    unknown = [s for s in sides if s not in SIDES]
    if unknown or not sides:
        raise ValueError(
            f"The 'sides' parameter must name one or both of {', '.join(SIDES)}. Got {list(sides)!r}."
        )
    secret = matcher.storage.secret(SECRET_NAME) if pseudonymise else b""
    per_query: dict[Side, pd.DataFrame] = {}
    for side in sides:
        kind = _QUERY_KIND[side]
        pseudonym = (lambda i, kind=kind: analytics_pseudonym(secret, kind, i)) if pseudonymise else None
        if side == "candidates":
            lists = rank_for_vacancies(matcher, k, organisation=organisation)
            judged: Mapping[str, Mapping[str, int]] = qrels
        else:
            lists = rank_for_jobseekers(matcher, k, organisation=organisation)
            judged = transpose(qrels)
        per_query[side] = evaluate_lists(lists, judged, k, min_grade=min_grade, pseudonym=pseudonym)
    return QualityReport(k=k, labels=labels, per_query=per_query)


def evaluate_against_feedback(
    matcher: Matcher,
    k: int = 10,
    *,
    sides: Sequence[Side] = ("candidates",),
    organisation: str | None = None,
    min_grade: int = 1,
) -> QualityReport:
    """Today's rankings against the decisions advisors recorded (the furthest stage each pair reached).

    Feedback exists only for candidates someone looked at, so recall and nDCG are measured against what was
    seen; unseen good candidates count as not relevant (read them as lower bounds).
    """
    qrels = feedback_qrels(matcher.feedback.store.iter_all(organisation))
    return evaluate_matching(
        matcher, qrels, k, sides=sides, organisation=organisation, min_grade=min_grade, labels="feedback"
    )


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"The 'k' parameter must be an int >= 1. Got {k!r} instead.")
