"""Ranking metrics for skill linking and matching, as pure functions on one ranked list.

Notation for one query: ``d_1, d_2, …`` is the ranked list (best first), ``rel`` the set of relevant
documents (graded relevance > 0), ``R = |rel|``, ``top_k = {d_1, …, d_k}`` and ``[x]`` is 1 if x holds,
else 0. A document id repeated in a ranking keeps its first position; later copies are ignored.
Every metric is 0 for a query with no relevant document (:func:`evaluate` leaves such queries out).

``relevant`` may be a collection of relevant doc ids or a ``{doc_id: grade}`` mapping straight from
qrels; in a mapping only grades > 0 count as relevant.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence

from matching.evaluation.trec import EvaluationInputError

Relevant = Collection[str] | Mapping[str, int]


def reciprocal_rank(ranked: Sequence[str], relevant: Relevant) -> float:
    """RR = 1 / min{i : d_i ∈ rel}, or 0 if no relevant document is retrieved."""
    rel = _relevant_set(relevant)
    for i, doc in enumerate(_unique(ranked), start=1):
        if doc in rel:
            return 1.0 / i
    return 0.0


def average_precision(ranked: Sequence[str], relevant: Relevant) -> float:
    """AP = (1/R) · Σ_i [d_i ∈ rel] · P@i.

    The sum runs over the retrieved list but is divided by all R relevant documents, so a relevant
    document that was never retrieved counts as a miss (as in ``trec_eval``'s ``map``).
    """
    rel = _relevant_set(relevant)
    if not rel:
        return 0.0
    hits = 0
    total = 0.0
    for i, doc in enumerate(_unique(ranked), start=1):
        if doc in rel:
            hits += 1
            total += hits / i
    return total / len(rel)


def accuracy_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    """Acc@k = [|rel ∩ top_k| > 0]: 1 if any relevant document is in the top k (a.k.a. hit rate, success@k)."""
    return 1.0 if _hits(ranked, relevant, k) > 0 else 0.0


def r_precision_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    """RP@k = |rel ∩ top_k| / min(k, R).

    The "RP@k" of the ESCO skill-linking literature: precision at k when at least k documents are
    relevant, recall otherwise, so a perfect ranking scores 1 for every k.
    """
    _check_k(k)
    rel = _relevant_set(relevant)
    if not rel:
        return 0.0
    return _hits(ranked, rel, k) / min(k, len(rel))


def precision_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    """P@k = |rel ∩ top_k| / k; a list shorter than k still divides by k (as ``trec_eval`` does)."""
    return _hits(ranked, relevant, k) / k


def recall_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    """R@k = |rel ∩ top_k| / R."""
    _check_k(k)
    rel = _relevant_set(relevant)
    if not rel:
        return 0.0
    return _hits(ranked, rel, k) / len(rel)


def ndcg_at_k(ranked: Sequence[str], grades: Relevant, k: int) -> float:
    """nDCG@k = DCG@k / IDCG@k with linear gains and a log2 discount (``trec_eval``'s ``ndcg_cut``).

    DCG@k = Σ_{i=1..k} g(d_i) / log2(i + 1), where g is the graded relevance from qrels (negative
    grades count as 0, a plain collection of ids as grade 1). IDCG@k is the DCG@k of the best possible
    ranking: all judged documents sorted by grade, so unretrieved relevant documents lower the score.
    """
    _check_k(k)
    gain = _gains(grades)
    dcg = sum(gain.get(doc, 0) / math.log2(i + 1) for i, doc in enumerate(_unique(ranked)[:k], start=1))
    ideal = sorted(gain.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg > 0 else 0.0


def evaluate(
    run: Mapping[str, Sequence[tuple[str, float]]],
    qrels: Mapping[str, Mapping[str, int]],
    ks: Iterable[int] = (1, 5, 10),
) -> dict[str, float]:
    """Mean MRR, MAP, Acc@k, RP@k and nDCG@k of a run against qrels.

    The mean is over the queries that have at least one relevant document in ``qrels``. Such a query
    missing from the run scores 0 on every metric. Queries in the run without qrels are ignored.
    The run's lists are taken in the order given (:func:`~matching.evaluation.trec.read_run` orders
    them by rank).

    Returns, in this order: ``MRR``, ``MAP``, ``Acc@k`` for each k, ``RP@k`` for each k,
    ``nDCG@k`` for each k (ks sorted, duplicates dropped), then the counts ``queries`` (evaluated),
    ``queries_without_results`` (evaluated but absent or empty in the run),
    ``queries_without_qrels`` (in the run, absent from qrels) and ``queries_without_relevant``
    (judged, but no document with relevance > 0; not evaluated).

    Raises :class:`~matching.evaluation.trec.EvaluationInputError` when no query has a relevant
    document, since there is nothing to average.
    """
    requested = list(ks)
    for k in requested:  # before de-duplicating: True == 1 would hide a bool
        _check_k(k)
    cutoffs = sorted(set(requested))
    evaluated = sorted(qid for qid, judged in qrels.items() if any(g > 0 for g in judged.values()))
    if not evaluated:
        raise EvaluationInputError(
            f"The qrels hold no query with a relevant document (relevance > 0) among their "
            f"{len(qrels)} queries; there is nothing to evaluate."
        )
    names = ["MRR", "MAP"] + [f"{m}@{k}" for m in ("Acc", "RP", "nDCG") for k in cutoffs]
    per_query: dict[str, list[float]] = {name: [] for name in names}
    without_results = 0
    for qid in evaluated:
        ranked = [doc for doc, _score in run.get(qid, ())]
        if not ranked:
            without_results += 1
        judged = qrels[qid]
        per_query["MRR"].append(reciprocal_rank(ranked, judged))
        per_query["MAP"].append(average_precision(ranked, judged))
        for k in cutoffs:
            per_query[f"Acc@{k}"].append(accuracy_at_k(ranked, judged, k))
            per_query[f"RP@{k}"].append(r_precision_at_k(ranked, judged, k))
            per_query[f"nDCG@{k}"].append(ndcg_at_k(ranked, judged, k))
    result: dict[str, float] = {
        name: math.fsum(values) / len(evaluated) for name, values in per_query.items()
    }
    result["queries"] = len(evaluated)
    result["queries_without_results"] = without_results
    result["queries_without_qrels"] = sum(1 for qid in run if qid not in qrels)
    result["queries_without_relevant"] = len(qrels) - len(evaluated)
    return result


# -- helpers -------------------------------------------------------------------------------------


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"The 'k' parameter must be an int >= 1. Got {k!r} instead.")


def _unique(ranked: Iterable[str]) -> list[str]:
    """The ranking with repeated doc ids removed, each kept at its first position."""
    return list(dict.fromkeys(ranked))


def _relevant_set(relevant: Relevant) -> set[str]:
    if isinstance(relevant, Mapping):
        return {doc for doc, grade in relevant.items() if grade > 0}
    return set(relevant)


def _gains(grades: Relevant) -> dict[str, int]:
    if isinstance(grades, Mapping):
        return {doc: grade for doc, grade in grades.items() if grade > 0}
    return dict.fromkeys(grades, 1)


def _hits(ranked: Sequence[str], relevant: Relevant, k: int) -> int:
    """|rel ∩ top_k|."""
    _check_k(k)
    rel = _relevant_set(relevant)
    return sum(1 for doc in _unique(ranked)[:k] if doc in rel)
