"""Offline evaluation of rankings: TREC run/qrels files and the metrics of the skill-linking literature."""

from matching.evaluation.metrics import (
    accuracy_at_k,
    average_precision,
    evaluate,
    ndcg_at_k,
    precision_at_k,
    r_precision_at_k,
    recall_at_k,
    reciprocal_rank,
)
from matching.evaluation.trec import EvaluationInputError, Qrels, Run, read_qrels, read_run, write_run

__all__ = [
    "EvaluationInputError",
    "Qrels",
    "Run",
    "accuracy_at_k",
    "average_precision",
    "evaluate",
    "ndcg_at_k",
    "precision_at_k",
    "r_precision_at_k",
    "read_qrels",
    "read_run",
    "recall_at_k",
    "reciprocal_rank",
    "write_run",
]
