"""Ranking metrics and TREC files, checked against values worked out by hand and a brute-force reference."""

from __future__ import annotations

import io
import math
import random
from pathlib import Path

import pytest

from matching.errors import MatchingError
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
from matching.evaluation.trec import EvaluationInputError, read_qrels, read_run, write_run

LOG2_3 = math.log2(3)  # discount of rank 2
LOG2_5 = math.log2(5)  # discount of rank 4


# -- single rankings, by hand --------------------------------------------------------------------


def test_binary_metrics_by_hand():
    ranked, relevant = ["a", "b", "c", "d"], {"b", "d"}  # hits at ranks 2 and 4, R = 2
    assert reciprocal_rank(ranked, relevant) == 1 / 2  # first hit at rank 2
    assert average_precision(ranked, relevant) == pytest.approx(0.5)  # (1/2 + 2/4) / 2
    assert accuracy_at_k(ranked, relevant, 1) == 0.0  # top 1 = {a}
    assert accuracy_at_k(ranked, relevant, 2) == 1.0
    assert accuracy_at_k(ranked, relevant, 5) == 1.0
    assert r_precision_at_k(ranked, relevant, 1) == 0.0  # 0 / min(1, 2)
    assert r_precision_at_k(ranked, relevant, 2) == 0.5  # 1 / min(2, 2)
    assert r_precision_at_k(ranked, relevant, 5) == 1.0  # 2 / min(5, 2)
    assert precision_at_k(ranked, relevant, 2) == 0.5  # 1 / 2
    assert precision_at_k(ranked, relevant, 5) == pytest.approx(0.4)  # 2 / 5: a short list still divides by k
    assert recall_at_k(ranked, relevant, 2) == 0.5  # 1 / 2
    assert recall_at_k(ranked, relevant, 4) == 1.0  # 2 / 2
    # nDCG@5, gains 1: DCG = 1/log2(3) + 1/log2(5); IDCG = 1/log2(2) + 1/log2(3)  -> 0.65092...
    expected = (1 / LOG2_3 + 1 / LOG2_5) / (1 + 1 / LOG2_3)
    assert ndcg_at_k(ranked, relevant, 5) == pytest.approx(expected)
    assert ndcg_at_k(ranked, relevant, 5) == pytest.approx(0.6509209298)
    assert ndcg_at_k(ranked, relevant, 1) == 0.0


def test_graded_relevance_by_hand():
    ranked = ["a", "b", "c"]
    grades = {"a": 1, "b": 0, "c": 3, "x": 2}  # x is relevant but never retrieved; b judged non-relevant
    # relevant = {a, c, x}, R = 3; hits at ranks 1 and 3
    assert reciprocal_rank(ranked, grades) == 1.0
    assert average_precision(ranked, grades) == pytest.approx(5 / 9)  # (1/1 + 2/3) / 3: x is a miss
    assert r_precision_at_k(ranked, grades, 1) == 1.0  # 1 / min(1, 3)
    assert r_precision_at_k(ranked, grades, 3) == pytest.approx(2 / 3)  # 2 / min(3, 3)
    assert r_precision_at_k(ranked, grades, 10) == pytest.approx(2 / 3)  # 2 / min(10, 3)
    # DCG@3 = 1/log2(2) + 0/log2(3) + 3/log2(4) = 1 + 1.5 = 2.5
    # IDCG@3 = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.26186 + 0.5  -> nDCG@3 = 0.52500...
    assert ndcg_at_k(ranked, grades, 3) == pytest.approx(2.5 / (3 + 2 / LOG2_3 + 0.5))
    assert ndcg_at_k(ranked, grades, 3) == pytest.approx(0.5250049894)
    assert ndcg_at_k(ranked, grades, 1) == pytest.approx(1 / 3)  # 1/log2(2) over 3/log2(2)


def test_negative_grades_count_as_not_relevant():
    grades = {"a": -1, "b": 1}
    assert reciprocal_rank(["a", "b"], grades) == 1 / 2
    assert ndcg_at_k(["a", "b"], grades, 2) == pytest.approx(1 / LOG2_3)  # DCG = 0 + 1/log2(3), IDCG = 1


def test_empty_ranking_scores_zero():
    relevant = {"a"}
    assert reciprocal_rank([], relevant) == 0.0
    assert average_precision([], relevant) == 0.0
    for metric in (accuracy_at_k, r_precision_at_k, precision_at_k, recall_at_k, ndcg_at_k):
        assert metric([], relevant, 3) == 0.0, metric.__name__


@pytest.mark.parametrize("relevant", [set(), {"a": 0, "b": -1}], ids=["no-ids", "no-positive-grade"])
def test_query_without_relevant_documents_scores_zero(relevant):
    ranked = ["a", "b"]
    assert reciprocal_rank(ranked, relevant) == 0.0
    assert average_precision(ranked, relevant) == 0.0
    for metric in (accuracy_at_k, r_precision_at_k, precision_at_k, recall_at_k, ndcg_at_k):
        assert metric(ranked, relevant, 2) == 0.0, metric.__name__


def test_k_larger_than_the_list():
    ranked, relevant = ["a"], {"a"}
    assert accuracy_at_k(ranked, relevant, 10) == 1.0
    assert r_precision_at_k(ranked, relevant, 10) == 1.0  # 1 / min(10, 1)
    assert precision_at_k(ranked, relevant, 10) == pytest.approx(0.1)  # 1 / 10
    assert recall_at_k(ranked, relevant, 10) == 1.0
    assert ndcg_at_k(ranked, relevant, 10) == 1.0


def test_duplicate_doc_ids_keep_their_first_position():
    ranked, relevant = ["a", "a", "b", "b"], {"b"}  # read as [a, b]
    assert reciprocal_rank(ranked, relevant) == 1 / 2  # not 1/3
    assert average_precision(ranked, relevant) == 1 / 2  # b counted once, at rank 2
    assert precision_at_k(ranked, relevant, 2) == 1 / 2  # top 2 = {a, b}
    assert r_precision_at_k(ranked, {"a", "b"}, 4) == 1.0  # 2 / min(4, 2), never above 1
    assert ndcg_at_k(ranked, {"a", "b"}, 4) == pytest.approx(1.0)


@pytest.mark.parametrize("k", [0, -1, True, 2.0])
def test_k_must_be_a_positive_int(k):
    for metric in (accuracy_at_k, r_precision_at_k, precision_at_k, recall_at_k, ndcg_at_k):
        with pytest.raises(ValueError, match=r"The 'k' parameter must be an int >= 1\. Got .* instead"):
            metric(["a"], {"a"}, k)
    with pytest.raises(ValueError, match="must be an int >= 1"):
        evaluate({"q": [("a", 1.0)]}, {"q": {"a": 1}}, ks=(1, k))


# -- evaluate() on files -------------------------------------------------------------------------

QRELS = """\
q1 0 a 1
q1 0 b 0
q1 0 c 2
q2 0 x 1
q3 0 y 0
q4 0 z 1
"""
RUN = """\
q1 Q0 b 1 0.9 test
q1 Q0 a 2 0.8 test
q1 Q0 c 3 0.7 test
q2 Q0 x 1 0.5 test
q5 Q0 w 1 0.4 test
"""


def test_evaluate_on_files_by_hand(tmp_path: Path):
    (tmp_path / "qrels.txt").write_text(QRELS)
    (tmp_path / "run.txt").write_text(RUN)
    run, qrels = read_run(tmp_path / "run.txt"), read_qrels(tmp_path / "qrels.txt")
    result = evaluate(run, qrels, ks=(5, 1, 5))
    # Evaluated: q1, q2, q4 (q3 has no relevant document, q5 no qrels).
    # q1: ranked [b, a, c], relevant {a: 1, c: 2}: RR = 1/2, AP = (1/2 + 2/3)/2 = 7/12,
    #     Acc@1 = RP@1 = nDCG@1 = 0, Acc@5 = 1, RP@5 = 2/min(5, 2) = 1,
    #     nDCG@5 = (1/log2(3) + 2/log2(4)) / (2/log2(2) + 1/log2(3)) = 0.61991
    # q2: [x], relevant {x}: every metric 1.   q4: not in the run: every metric 0.
    ndcg5_q1 = (1 / LOG2_3 + 1) / (2 + 1 / LOG2_3)
    assert list(result) == [
        "MRR", "MAP", "Acc@1", "Acc@5", "RP@1", "RP@5", "nDCG@1", "nDCG@5",
        "queries", "queries_without_results", "queries_without_qrels", "queries_without_relevant",
    ]  # fmt: skip
    assert result == pytest.approx(
        {
            "MRR": (1 / 2 + 1 + 0) / 3,
            "MAP": (7 / 12 + 1 + 0) / 3,
            "Acc@1": 1 / 3,
            "Acc@5": 2 / 3,
            "RP@1": 1 / 3,
            "RP@5": 2 / 3,
            "nDCG@1": 1 / 3,
            "nDCG@5": (ndcg5_q1 + 1 + 0) / 3,
            "queries": 3,
            "queries_without_results": 1,
            "queries_without_qrels": 1,
            "queries_without_relevant": 1,
        }
    )
    assert result["nDCG@5"] == pytest.approx(0.5399687444)
    assert evaluate(run, qrels, ks=(1, 5)) == result  # deterministic, whatever the order of ks


def test_evaluate_needs_a_query_with_a_relevant_document():
    with pytest.raises(
        EvaluationInputError, match=r"no query with a relevant document .* among their 1 queries"
    ):
        evaluate({"q": [("a", 1.0)]}, {"q": {"a": 0}})
    with pytest.raises(EvaluationInputError, match="among their 0 queries"):
        evaluate({"q": [("a", 1.0)]}, {})


def test_evaluate_without_cutoffs_gives_mrr_and_map_only():
    result = evaluate({"q": [("a", 1.0), ("b", 0.5)]}, {"q": {"b": 1}}, ks=())
    assert result == {
        "MRR": 0.5,
        "MAP": 0.5,
        "queries": 1,
        "queries_without_results": 0,
        "queries_without_qrels": 0,
        "queries_without_relevant": 0,
    }


# -- TREC files ----------------------------------------------------------------------------------


def test_read_run_orders_by_rank_then_score_then_doc_id(tmp_path: Path):
    path = tmp_path / "run.txt"
    path.write_text(
        "q1 Q0 c 2 0.5 r\n"
        "q1 Q0 a 1 0.1 r\n"
        "q1 Q0 b 2 0.9 r\n"  # ties with c on rank 2; higher score first
        "\n"
        "q1 Q0 e 3 0.2 r\n"
        "q1\tQ0\td\t3\t0.2\tr\n"  # ties with e on rank and score; doc id decides; tabs are fine
        "q1 Q0 a 5 0.0 r\n"  # duplicate of a: the first occurrence (rank 1) is kept
        "q0 Q0 z 1 -1e3 r\n"
    )
    assert read_run(path) == {
        "q1": [("a", 0.1), ("b", 0.9), ("c", 0.5), ("d", 0.2), ("e", 0.2)],
        "q0": [("z", -1000.0)],
    }


def test_read_qrels(tmp_path: Path):
    path = tmp_path / "qrels.txt"
    path.write_text("q1 0 a 2\nq1 0 b 0\n\nq2 0 a -1\nq1 0 a 2\n")  # a repeated judgement that agrees is fine
    assert read_qrels(path) == {"q1": {"a": 2, "b": 0}, "q2": {"a": -1}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("q1 Q0 a 1 0.5 r\n\nq1 Q0 b 2 0.4\n",
         r"run\.txt line 3: expected 6 columns 'qid Q0 doc rank score run', got 5$"),
        ("q1 Q0 a 1 0.5 r\nq1 a 1 0.5\n", r"run\.txt line 2: expected 6 columns .*, got 4$"),
        ("q1 Q0 a first 0.5 r\n", r"run\.txt line 1: rank must be an integer, got 'first'"),
        ("q1 Q0 a 1.0 0.5 r\n", r"run\.txt line 1: rank must be an integer, got '1\.0'"),
        ("q1 Q0 a 1 high r\n", r"run\.txt line 1: score must be a number, got 'high'"),
        ("q1 Q0 a 1 nan r\n", r"run\.txt line 1: score must be a number, got 'nan'"),
    ],
)  # fmt: skip
def test_bad_run_file_names_file_and_line(tmp_path: Path, text: str, message: str):
    path = tmp_path / "run.txt"
    path.write_text(text)
    with pytest.raises(EvaluationInputError, match=message) as caught:
        read_run(path)
    assert str(caught.value).startswith(str(path))
    assert isinstance(caught.value, MatchingError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("q1 0 a 1\nq1 0 b\n", r"qrels\.txt line 2: expected 4 columns 'qid 0 doc relevance', got 3$"),
        ("q1 Q0 a 1 0.5 r\n", r"qrels\.txt line 1: expected 4 columns .*, got 6$"),  # a run given as qrels
        ("q1 0 a yes\n", r"qrels\.txt line 1: relevance must be an integer, got 'yes'"),
        ("q1 0 a 1\nq1 0 a 0\n",
         r"qrels\.txt line 2: query 'q1' document 'a' judged 1 earlier and 0 here; keep one judgement"),
    ],
)  # fmt: skip
def test_bad_qrels_file_names_file_and_line(tmp_path: Path, text: str, message: str):
    path = tmp_path / "qrels.txt"
    path.write_text(text)
    with pytest.raises(EvaluationInputError, match=message):
        read_qrels(path)


def test_file_that_is_not_utf8_names_the_line(tmp_path: Path):
    path = tmp_path / "run.txt"
    path.write_bytes("q1 Q0 a 1 0.5 r\nq1 Q0 b\xe4r 2 0.4 r\n".encode("latin-1"))
    with pytest.raises(EvaluationInputError, match=r"run\.txt line 2: not UTF-8 text"):
        read_run(path)


def test_utf8_bom_and_non_ascii_ids_are_read(tmp_path: Path):
    path = tmp_path / "qrels.txt"
    path.write_bytes("\ufeffq1 0 Bär 1\n".encode())
    assert read_qrels(path) == {"q1": {"Bär": 1}}


def test_write_run_then_read_run_round_trip(tmp_path: Path):
    rng = random.Random(3)
    results = {
        f"q{q}": [(f"http://data.europa.eu/esco/skill/{rng.randrange(10**6)}-{i}", rng.uniform(-5, 5))
                  for i in range(rng.randrange(1, 12))]
        for q in range(20)
    }  # fmt: skip
    for ranked in results.values():
        ranked.sort(key=lambda pair: -pair[1])
    results["tie"] = [("tie-b", 0.1 + 0.2), ("tie-a", 0.1 + 0.2)]  # written order beats doc id: rank decides
    path = tmp_path / "run.txt"
    write_run(path, results, run_name="bm25")
    assert read_run(path) == results
    lines = path.read_text().splitlines()
    assert len(lines) == sum(len(ranked) for ranked in results.values())
    assert all(len(line.split()) == 6 and line.split()[5] == "bm25" for line in lines)
    assert lines[-2:] == [
        "tie Q0 tie-b 1 0.30000000000000004 bm25",
        "tie Q0 tie-a 2 0.30000000000000004 bm25",
    ]


def test_write_run_to_a_handle_and_read_from_one():
    buffer = io.StringIO()
    write_run(buffer, {"q1": [("a", 2.0), ("b", 1.5)]}, "run1")
    assert buffer.getvalue() == "q1 Q0 a 1 2.0 run1\nq1 Q0 b 2 1.5 run1\n"
    buffer.seek(0)
    assert read_run(buffer) == {"q1": [("a", 2.0), ("b", 1.5)]}
    with pytest.raises(EvaluationInputError, match=r"^<stream> line 1: expected 6 columns"):
        read_run(io.StringIO("q1 Q0 a\n"))


@pytest.mark.parametrize(
    ("results", "run_name", "message"),
    [
        ({"q1": [("a", 1.0)]}, "my run", r"The run_name must be a non-empty string without whitespace"),
        ({"q1": [("a", 1.0)]}, "", r"The run_name must be .* Got '' instead"),
        ({"q 1": [("a", 1.0)]}, "r", r"The query id must be"),
        ({"q1": [("a", 1.0), ("b c", 0.5)]}, "r", r"The doc id \(query 'q1', rank 2\) must be"),
        ({"q1": [("a", math.nan)]}, "r", r"Score of query 'q1' doc 'a' is NaN"),
    ],
)
def test_write_run_refuses_what_it_could_not_read_back(tmp_path: Path, results, run_name, message):
    path = tmp_path / "run.txt"
    with pytest.raises(ValueError, match=message):
        write_run(path, results, run_name)
    assert not path.exists()  # nothing half-written


# -- against an independent implementation on seeded random data ---------------------------------


def _reference_ap(ranked: list[str], relevant: set[str]) -> float:
    """Mean over all relevant documents of the precision at its rank; 0 for one never retrieved."""
    precisions = []
    for doc in relevant:
        if doc in ranked:
            rank = ranked.index(doc) + 1
            precisions.append(len(relevant.intersection(ranked[:rank])) / rank)
        else:
            precisions.append(0.0)
    return sum(precisions) / len(relevant)


def _reference_rr(ranked: list[str], relevant: set[str]) -> float:
    ranks = [ranked.index(doc) + 1 for doc in relevant if doc in ranked]
    return 1 / min(ranks) if ranks else 0.0


def _random_queries(seed: int, n: int = 300) -> tuple[dict, dict]:
    rng = random.Random(seed)
    docs = [f"d{i}" for i in range(40)]
    run, qrels = {}, {}
    for q in range(n):
        ranked = rng.sample(docs, rng.randrange(0, 25))
        if ranked or rng.random() < 0.5:  # some queries are absent from the run
            run[f"q{q}"] = [(doc, float(len(ranked) - i)) for i, doc in enumerate(ranked)]
        judged = rng.sample(docs, rng.randrange(0, 10))
        if judged:
            qrels[f"q{q}"] = {doc: rng.choice([0, 1, 1, 2, 3]) for doc in judged}
    return run, qrels


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_map_and_mrr_match_a_brute_force_reference(seed: int):
    run, qrels = _random_queries(seed)
    ap, rr = [], []
    for qid, judged in qrels.items():
        relevant = {doc for doc, grade in judged.items() if grade > 0}
        if not relevant:
            continue
        ranked = [doc for doc, _ in run.get(qid, [])]
        assert average_precision(ranked, judged) == pytest.approx(_reference_ap(ranked, relevant))
        assert reciprocal_rank(ranked, judged) == pytest.approx(_reference_rr(ranked, relevant))
        ap.append(_reference_ap(ranked, relevant))
        rr.append(_reference_rr(ranked, relevant))
    result = evaluate(run, qrels)
    assert result["queries"] == len(ap) > 100
    assert result["MAP"] == pytest.approx(sum(ap) / len(ap))
    assert result["MRR"] == pytest.approx(sum(rr) / len(rr))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ap_and_ndcg_match_sklearn_when_every_relevant_doc_is_retrieved(seed: int):
    from sklearn.metrics import average_precision_score, ndcg_score

    rng = random.Random(seed)
    checked = 0
    for _ in range(200):
        n = rng.randrange(2, 30)
        ranked = [f"d{i}" for i in range(n)]
        rng.shuffle(ranked)
        grades = {doc: rng.choice([0, 0, 1, 2, 3]) for doc in ranked}  # every judged doc is retrieved
        if not any(grades.values()):
            continue
        scores = [float(n - i) for i in range(n)]  # distinct, descending: sklearn sees our ranking
        truth = [grades[doc] for doc in ranked]
        assert average_precision(ranked, grades) == pytest.approx(
            average_precision_score([g > 0 for g in truth], scores)
        )
        for k in (1, 5, 10):
            assert ndcg_at_k(ranked, grades, k) == pytest.approx(ndcg_score([truth], [scores], k=k))
        checked += 1
    assert checked > 150
