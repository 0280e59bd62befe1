"""Advisors' feedback as evaluation labels: the real world's judgement of suggested candidates."""

from __future__ import annotations

from collections.abc import Iterable

from matching.evaluation.trec import Qrels
from models.feedback import DECISION_GRADES, Feedback


def feedback_qrels(records: Iterable[Feedback]) -> Qrels:
    """Graded labels per vacancy from feedback: the furthest stage each pair reached.

    hired 3, interview 2, contacted 1; proposed-only and rejected pairs are judged 0 (seen, not relevant).
    A pair rejected after an interview keeps grade 2: the suggestion was good enough to be interviewed.
    """
    qrels: dict[str, dict[str, int]] = {}
    for record in records:
        judged = qrels.setdefault(record.vacancy_id, {})
        judged[record.jobseeker_id] = max(
            judged.get(record.jobseeker_id, 0), DECISION_GRADES[record.decision]
        )
    return qrels
