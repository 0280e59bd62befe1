"""The project's multilingual linking check set (data/linking_eval/): reading it and scoring a linker on it."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matching.evaluation.metrics import evaluate
from matching.evaluation.trec import EvaluationInputError
from matching.paths import DATA_DIR

CHECK_SET_DIR = DATA_DIR / "linking_eval"
COLUMNS = ("id", "split", "language", "text", "gold")
SPLITS = ("dev", "test", "all")

Scorer = Callable[[Sequence[str]], np.ndarray]  # texts -> (n_texts, n_concepts) scores


@dataclass(frozen=True, slots=True)
class CheckItem:
    id: str
    split: str
    language: str
    text: str
    gold: tuple[str, ...]


def read_check_set(kind: str, split: str = "all", folder: Path = CHECK_SET_DIR) -> list[CheckItem]:
    """``kind``: 'titles' (→ occupations) or 'skills'; ``split``: 'dev', 'test' or 'all'."""
    if kind not in ("titles", "skills"):
        raise ValueError(f"The 'kind' parameter must be 'titles' or 'skills'. Got {kind!r} instead.")
    if split not in SPLITS:
        raise ValueError(f"The 'split' parameter must be one of {', '.join(SPLITS)}. Got {split!r} instead.")
    path = folder / f"{kind}.tsv"
    items = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise EvaluationInputError(
                f"{path.name}: expected the columns {COLUMNS}, got {reader.fieldnames}"
            )
        for line, row in enumerate(reader, start=2):
            gold = tuple(row["gold"].split())
            if not gold or row["split"] not in ("dev", "test") or not row["text"].strip():
                raise EvaluationInputError(
                    f"{path.name} line {line}: needs a text, a split (dev/test) and gold"
                )
            if split in ("all", row["split"]):
                items.append(CheckItem(row["id"], row["split"], row["language"], row["text"], gold))
    return items


def score_check_set(
    items: Sequence[CheckItem], scorer: Scorer, concept_ids: Sequence[str], ks: tuple[int, ...] = (1, 5)
) -> dict[str, dict[str, float]]:
    """Metrics per language (and 'all') over the items whose gold concepts the linker knows; ``queries``
    says how many counted, ``skipped`` how many had no gold concept in the loaded taxonomy."""
    known = set(concept_ids)
    by_language: dict[str, list[CheckItem]] = defaultdict(list)
    skipped: dict[str, int] = defaultdict(int)
    for item in items:
        if any(uri in known for uri in item.gold):
            by_language[item.language].append(item)
        else:
            skipped[item.language] += 1
    out: dict[str, dict[str, float]] = {}
    run: dict[str, list[tuple[str, float]]] = {}
    qrels: dict[str, dict[str, int]] = {}
    counted = [item for group in by_language.values() for item in group]
    if not counted:
        return out
    scores = scorer([item.text for item in counted])
    for item, row in zip(counted, scores, strict=True):
        top = np.argsort(-row, kind="stable")[: max(10, *ks)]
        run[item.id] = [(concept_ids[i], float(row[i])) for i in top]
        qrels[item.id] = {uri: 1 for uri in item.gold if uri in known}
    for language, group in [*sorted(by_language.items()), ("all", counted)]:
        ids = {item.id for item in group}
        metrics = evaluate({q: run[q] for q in ids}, {q: qrels[q] for q in ids}, ks=ks)
        metrics["skipped"] = skipped[language] if language != "all" else sum(skipped.values())
        out[language] = metrics
    return out
