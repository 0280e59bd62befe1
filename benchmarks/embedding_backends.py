"""The English model's backends side by side: eager fp32, the TorchScript trace, ONNX Runtime and (where the CPU
has it) bf16.

    .venv/bin/python benchmarks/embedding_backends.py                 # 3 rounds
    .venv/bin/python benchmarks/embedding_backends.py --rounds 5 --esco ../shared/data/esco

Per backend: the seconds to load the model (the trace and its check included), the time to embed one short
text, a job-ad sentence's 32 word spans and the sentence itself (median of 30 calls each), throughput on long
texts, and agreement with eager fp32. With a full ESCO download and the public HOUSE set beside it, also the
service's linking latency as `benchmarks/linking.py` measures it (200 JobBERT titles → occupations, 100 HOUSE
sentences → skills; label vectors from its cache). Backends take turns in every round, so a machine that gets
busier or quieter mid-run affects all alike. Prints a markdown table of the medians over the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))

from linking import jobbert_set, link_latency, skill_sets  # noqa: E402

from matching.config import Settings  # noqa: E402
from matching.embedding.factory import make_embedder  # noqa: E402
from matching.embedding.sbert import (  # noqa: E402
    PROBE_SENTENCES,
    SentenceTransformerEmbedder,
    _cpu_has_bf16,
)
from matching.linking.taxonomy_linker import TaxonomyLinker  # noqa: E402
from matching.linking.text import word_spans  # noqa: E402
from matching.taxonomy.esco import load_esco  # noqa: E402
from matching.taxonomy.vocabulary import with_vocabulary  # noqa: E402

SENTENCE = (
    "Strong knowledge of HTML and CSS, experience with Java or C# and a good understanding of relational "
    "databases such as PostgreSQL or MySQL"
)


def timed(call: Callable[[], object], repeats: int) -> list[float]:
    call()  # warm
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        out.append(1000 * (time.perf_counter() - started))
    return out


def embedder_round(backend: str, reference: SentenceTransformerEmbedder | None) -> dict[str, float]:
    started = time.perf_counter()
    model = SentenceTransformerEmbedder(backend=backend)
    row = {"load, s": time.perf_counter() - started}
    spans = word_spans(SENTENCE, (1, 2, 3, 4))[:32]
    long_texts = [f"{a} {b}" for a in PROBE_SENTENCES for b in PROBE_SENTENCES] * 2  # 128 texts
    row["one short text, ms"] = statistics.median(timed(lambda: model.embed_queries(["python"]), 30))
    row["32 spans, ms"] = statistics.median(timed(lambda: model.embed_queries(spans), 30))
    row["the sentence, ms"] = statistics.median(timed(lambda: model.embed_queries([SENTENCE]), 30))
    seconds = statistics.median(timed(lambda: model.embed(long_texts), 3)) / 1000
    row["texts/s (two sentences each)"] = len(long_texts) / seconds
    if reference is not None:
        texts = [*PROBE_SENTENCES, SENTENCE, *spans]
        row["min cosine to fp32"] = float(np.min(np.sum(model.embed(texts) * reference.embed(texts), axis=1)))
    return row


class LinkingProbe:
    """The service's linkers over the full ESCO download, rebuilt per backend of the English model."""

    def __init__(self, esco: Path, eval_dir: Path, cache: Path):
        self.settings, self.cache = Settings(), cache
        self.taxonomy, _ = with_vocabulary(load_esco(esco), self.settings.vocabulary)
        self.multilingual = make_embedder(self.settings.embedding_model, cache)
        _, sets = skill_sets(eval_dir / "skill_linking")
        self.sentences = list(sets["HOUSE test"][0].values())[:100]
        self.titles = list(jobbert_set(eval_dir / "jobbert_titles", set())[0].values())[:200]

    def round(self, backend: str) -> dict[str, float]:
        model = self.settings.resolved_english_model or "packaged:all-MiniLM-L6-v2"
        english = make_embedder(model, self.cache, backend)
        service = TaxonomyLinker(self.taxonomy, self.multilingual, english_embedder=english)
        row = {}
        for name, linker, texts in (
            ("title → occupations", service.occupations, self.titles),
            ("sentence → skills", service.skills, self.sentences),
        ):
            row[f"{name} p50, ms"], row[f"{name} p99, ms"] = link_latency(linker, texts)
        return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--esco", type=Path, default=ROOT.parent / "shared" / "data" / "esco")
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "benchmark-embeddings.sqlite")
    args = parser.parse_args()
    backends = ["fp32", "traced", "onnx", *(["bf16"] if _cpu_has_bf16() else [])]
    with_linking = (args.esco / "occupations_en.csv").is_file() and (args.eval / "skill_linking").is_dir()
    probe = LinkingProbe(args.esco, args.eval, args.cache) if with_linking else None
    reference = SentenceTransformerEmbedder(backend="fp32")
    rounds: dict[str, list[dict[str, float]]] = {b: [] for b in backends}
    for _ in range(args.rounds):
        for backend in backends:
            row = embedder_round(backend, reference)
            if probe is not None:
                row |= probe.round(backend)
            rounds[backend].append(row)
    columns = list(rounds[backends[0]][0])
    print("| backend | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for backend in backends:
        cells = [statistics.median(r[c] for r in rounds[backend]) for c in columns]
        print(f"| {backend} | " + " | ".join(f"{v:.6f}" if "cosine" in c else f"{v:.1f}" for c, v in zip(columns, cells, strict=True)) + " |")  # fmt: skip
    if probe is None:
        print(f"\nLinking latency skipped: it needs a full ESCO download ({args.esco}) and {args.eval}.")


if __name__ == "__main__":
    main()
