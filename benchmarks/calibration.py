"""Fits the linking confidence of a model (matching/linking/confidence.py) on development data and reports how
well calibrated it is on held-out queries.

    .venv/bin/python benchmarks/calibration.py [--model packaged:multilingual-e5-small] [--write]

Occupations: temperature scaling on the MELO dev sets (national titles → English ESCO labels) and the check
set's dev titles (German, Ukrainian, Russian; the service's linker). Skills: Platt scaling of the top-10
skills of each HOUSE validation sentence. Fitted on the even-numbered queries, reported on the odd ones
(expected calibration error, accuracy of the best occupation when confident and when "please confirm" is
shown), then refitted on all. English titles, which the service reads with both models beside a
multilingual one (linking/blend.py), get their own temperature, fitted on the MELO US English dev titles and
the first 3,000 JobBERT validation titles. ``--write`` stores the values in data/linking_calibration.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from linking import MELO_SETS, candidate_concepts, melo_set, skill_sets  # noqa: E402

from matching.config import Settings  # noqa: E402
from matching.embedding.factory import DEFAULT_MODEL, make_embedder  # noqa: E402
from matching.evaluation.check_set import read_check_set  # noqa: E402
from matching.linking.alignment import fit_query_map  # noqa: E402
from matching.linking.blend import BlendedTitles, blend_model_id  # noqa: E402
from matching.linking.confidence import (  # noqa: E402
    CALIBRATION_FILE,
    CONFIRM_BELOW,
    Calibration,
    expected_calibration_error,
    fit_platt,
    fit_temperature,
)
from matching.linking.linker import ConceptLinker, Linker  # noqa: E402
from matching.linking.taxonomy_linker import service_linker  # noqa: E402
from matching.linking.weights import OCCUPATION_WEIGHTS, SKILL_SPANS, SKILL_WEIGHTS  # noqa: E402
from matching.taxonomy.esco import load_esco  # noqa: E402
from matching.taxonomy.vocabulary import with_vocabulary  # noqa: E402


def title_rows(args, taxonomy, embedder, query_map) -> tuple[list[np.ndarray], list[list[int]]]:
    """Each labelled title's scores over its candidate occupations, and the indexes of its gold ones."""
    rows: list[np.ndarray] = []
    gold: list[list[int]] = []
    linkers: dict[bytes, Linker] = {}
    for folder in MELO_SETS:
        path = args.eval / "melo_dev" / folder
        if not path.is_dir():
            continue
        queries, qrels, concepts, _ = melo_set(path, taxonomy)
        key = (path / "corpus_elements.tsv").read_bytes()
        if key not in linkers:
            linkers[key] = service_linker(concepts, OCCUPATION_WEIGHTS, None, embedder=embedder,
                                          query_map=query_map)  # fmt: skip
        linker = linkers[key]
        position = {uri: i for i, uri in enumerate(linker.ids)}
        qids = list(queries)
        for start in range(0, len(qids), 256):
            part = qids[start : start + 256]
            scores = linker.score_matrix([queries[q] for q in part])[0]
            rows.extend(scores)
            gold.extend([position[u] for u in qrels[q] if u in position] for q in part)
    occupations = service_linker(list(taxonomy.occupations.values()), OCCUPATION_WEIGHTS, None,
                                 embedder=embedder, query_map=query_map)  # fmt: skip
    position = {uri: i for i, uri in enumerate(occupations.ids)}
    items = read_check_set("titles", "dev")
    scores = occupations.score_matrix([item.text for item in items])[0]
    rows.extend(scores)
    gold.extend([position[u] for u in item.gold if u in position] for item in items)
    return rows, gold


def english_title_rows(args, taxonomy, embedder, english, query_map):
    """English titles as the service reads them (both models blended, linking/blend.py): the MELO US English
    dev titles and the first 3,000 JobBERT validation titles."""
    rows: list[np.ndarray] = []
    gold: list[list[int]] = []
    path = args.eval / "melo_dev" / "usa_q_en_c_en"
    queries, qrels, concepts, _ = melo_set(path, taxonomy)
    with open(args.eval / "jobbert_titles" / "titles.csv", encoding="utf-8", newline="") as handle:
        titles = list(csv.DictReader(handle))[:3000]
    sets = [(concepts, queries, qrels),
            (list(taxonomy.occupations.values()), {str(i): t["vacancyTitle"] for i, t in enumerate(titles)},
             {str(i): {t["conceptUri"]: 1} for i, t in enumerate(titles)})]  # fmt: skip
    for concepts, queries, qrels in sets:
        linker = service_linker(concepts, OCCUPATION_WEIGHTS, None, embedder=embedder, english_embedder=english,
                                query_map=query_map)  # fmt: skip
        blend = getattr(linker, "english", None)
        if not isinstance(blend, BlendedTitles):
            raise RuntimeError("English titles are not blended: no query map for this model and taxonomy")
        position = {uri: i for i, uri in enumerate(blend.ids)}
        qids = list(queries)
        for start in range(0, len(qids), 256):
            part = qids[start : start + 256]
            rows.extend(blend.score_matrix([queries[q] for q in part])[0])
            gold.extend([position[u] for u in qrels[q] if u in position] for q in part)
    return rows, gold


def fit_titles(rows, gold) -> tuple[float, dict[str, float]]:
    """The temperature fitted on all labelled titles and the report of one fitted on the even-numbered ones
    and judged on the odd ones."""
    labelled = [i for i, g in enumerate(gold) if g]
    fit_part, held_out = labelled[0::2], labelled[1::2]
    t_fit = fit_temperature([rows[i] for i in fit_part], [gold[i] for i in fit_part])
    held = report_titles([rows[i] for i in held_out], [gold[i] for i in held_out], t_fit)
    return fit_temperature([rows[i] for i in labelled], [gold[i] for i in labelled]), held


def skill_pairs(args, taxonomy, embedder) -> tuple[list[float], list[bool], list[int]]:
    """The top-10 skills of every HOUSE validation sentence: score, whether gold, and the sentence's number."""
    labels, sets = skill_sets(args.eval / "skill_linking")
    linker = ConceptLinker(candidate_concepts(labels, taxonomy.skills), embedder, SKILL_WEIGHTS,
                           title_mode=False, spans=SKILL_SPANS)  # fmt: skip
    queries, qrels = sets["HOUSE validation"]
    scores, correct, owner = [], [], []
    qids = list(queries)
    for start in range(0, len(qids), 64):
        part = qids[start : start + 64]
        matrix = linker.score_matrix([queries[q] for q in part])[0]
        for row, q in enumerate(part):
            for i in np.argsort(-matrix[row])[:10]:
                scores.append(float(matrix[row, i]))
                correct.append(linker.ids[i] in qrels[q])
                owner.append(start + row)
    return scores, correct, owner


def report_titles(rows, gold, temperature: float) -> dict[str, float]:
    calibration = Calibration(temperature, 1.0, 0.0)
    top_confidence, top_correct = [], []
    for row, g in zip(rows, gold, strict=True):
        p = calibration.occupation_probabilities(row)
        best = int(np.argmax(row))
        top_confidence.append(float(p[best]))
        top_correct.append(best in g)
    conf, hit = np.asarray(top_confidence), np.asarray(top_correct)
    sure = conf >= CONFIRM_BELOW
    return {
        "titles": len(rows),
        "ECE": expected_calibration_error(conf, hit),
        "share asked to confirm": float(1 - sure.mean()),
        "Acc@1 when sure": float(hit[sure].mean()) if sure.any() else float("nan"),
        "Acc@1 when asked": float(hit[~sure].mean()) if (~sure).any() else float("nan"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--esco", type=Path, default=ROOT.parent / "shared" / "data" / "esco")
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "benchmark-embeddings.sqlite")
    parser.add_argument("--write", action="store_true", help=f"store the fitted values in {CALIBRATION_FILE}")
    args = parser.parse_args()
    if not args.esco.is_dir() or not args.eval.is_dir():
        print(f"Skipped: needs an ESCO folder ({args.esco}) and the evaluation sets ({args.eval}).")
        return 0
    taxonomy, _ = with_vocabulary(load_esco(args.esco), Settings().vocabulary)
    embedder = make_embedder(args.model, args.cache)

    query_map = fit_query_map(list(taxonomy.occupations.values()), embedder)  # as the service fits it
    temperature, held = fit_titles(*title_rows(args, taxonomy, embedder, query_map))

    scores, correct, owner = skill_pairs(args, taxonomy, embedder)
    even = [i for i, o in enumerate(owner) if o % 2 == 0]
    odd = [i for i, o in enumerate(owner) if o % 2 == 1]
    slope, intercept = fit_platt([scores[i] for i in even], [correct[i] for i in even])
    skill_conf = [Calibration(1.0, slope, intercept).skill_probability(scores[i]) for i in odd]
    skill_ece = expected_calibration_error(skill_conf, [correct[i] for i in odd])

    slope, intercept = fit_platt(scores, correct)
    print(f"# Linking confidence of `{embedder.model_id}`\n")
    print("| held-out (odd queries; fitted on the even ones) | value |\n|---|---|")
    for name, value in held.items():
        print(
            f"| occupations: {name} | {value:.3f} |" if isinstance(value, float) else f"| {name} | {value} |"
        )
    print(f"| skills: ECE ({len(odd)} HOUSE validation suggestions) | {skill_ece:.3f} |")
    print(
        f"\nFitted on all: temperature {temperature:.4f}, skill slope {slope:.3f}, intercept {intercept:.3f}"
    )
    entries = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    entries[embedder.model_id] = {
        "occupation_temperature": round(temperature, 5),
        "skill_slope": round(slope, 4),
        "skill_intercept": round(intercept, 4),
        "fitted_on": "MELO dev (4 sets) and data/linking_eval dev titles; HOUSE validation skills",
    }
    english_model = Settings(embedding_model=args.model).resolved_english_model
    if english_model:
        english = make_embedder(english_model, args.cache)
        blend_temperature, blend_held = fit_titles(
            *english_title_rows(args, taxonomy, embedder, english, query_map)
        )
        print(f"\n# English titles, `{english.model_id}` blended with `{embedder.model_id}`\n")
        print("| held-out (odd queries; fitted on the even ones) | value |\n|---|---|")
        for name, value in blend_held.items():
            print(f"| {name} | {value:.3f} |" if isinstance(value, float) else f"| {name} | {value} |")
        print(f"\nFitted on all: temperature {blend_temperature:.4f}")
        skills_of_english = entries.get(english.model_id, entries["default"])
        entries[blend_model_id(english.model_id, embedder.model_id)] = {
            "occupation_temperature": round(blend_temperature, 5),
            "skill_slope": skills_of_english["skill_slope"],  # skills are never blended: the English model's
            "skill_intercept": skills_of_english["skill_intercept"],
            "fitted_on": "MELO usa dev and the first 3,000 JobBERT validation titles",
        }
    if args.write:
        CALIBRATION_FILE.write_text(
            json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"Written to {CALIBRATION_FILE}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
