"""Encoding and index building on Ray beside the single-process path, on the same synthetic database.

    .venv/bin/pip install -e ".[distributed]"
    .venv/bin/python benchmarks/distributed.py --jobseekers 100000 --shards 8 --cpus 2

Writes N synthetic Leipzig job seekers (demo taxonomy) into a SQLite file, then measures:
- one process: read every row by keyset, validate, encode (ProfileEncoder, batches of 2,000 as
  Matcher._rebuild does) and build one index in the layout chosen for N (VectorIndex.build);
- Ray: ``build_shards`` on a local cluster of ``--cpus`` CPUs (encoder actors read their own pages);
- search: exact single index vs the shards (threads), p50 over queries drawn from vacancies.
Prints a markdown table. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.embedding.factory import DEFAULT_MODEL, make_embedder  # noqa: E402
from matching.embedding.profiles import ProfileEncoder  # noqa: E402
from matching.index.shards import ShardedIndex  # noqa: E402
from matching.index.vector_index import VectorIndex  # noqa: E402
from matching.ingest.synthetic import LeipzigGenerator  # noqa: E402
from matching.paths import DEMO_ESCO_DIR  # noqa: E402
from matching.service.distributed import build_shards  # noqa: E402
from matching.store.storage import Storage  # noqa: E402
from matching.taxonomy.esco import load_esco  # noqa: E402


def p50_ms(fn, queries: np.ndarray) -> float:
    times = []
    for query in queries:
        started = time.perf_counter()
        fn(query)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobseekers", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray cluster")
    parser.add_argument("--batch-size", type=int, default=20_000, help="rows per Ray page")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--work-dir", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=None,
        help="torch threads of the one-process path (default: torch's; Ray actors use 1 each)",
    )
    args = parser.parse_args()
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    load_before = os.getloadavg()[0]

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="sb-distributed-"))
    work.mkdir(parents=True, exist_ok=True)
    taxonomy = load_esco(DEMO_ESCO_DIR)
    url = f"sqlite:///{work / 'profiles.db'}"
    storage = Storage(url)
    if storage.jobseekers.count() != args.jobseekers:
        storage.clear()
        started = time.perf_counter()
        data = LeipzigGenerator(taxonomy, seed=11).generate(args.jobseekers, 200)
        storage.jobseekers.create_many(data.jobseekers)
        storage.vacancies.create_many(data.vacancies)
        print(
            f"wrote {args.jobseekers} job seekers in {time.perf_counter() - started:.1f} s", file=sys.stderr
        )
    n = storage.jobseekers.count()

    # One process.
    encoder = ProfileEncoder(taxonomy, make_embedder(args.model))
    started = time.perf_counter()
    ids, parts, chunk = [], [], []
    for seeker in storage.jobseekers.iter_all(batch=2000):
        chunk.append(seeker)
        if len(chunk) == 2000:
            parts.append(encoder.encode_seekers(chunk))
            ids.extend(s.id for s in chunk)
            chunk = []
    if chunk:
        parts.append(encoder.encode_seekers(chunk))
        ids.extend(s.id for s in chunk)
    vectors = np.concatenate(parts)
    encode_s = time.perf_counter() - started
    started = time.perf_counter()
    single = VectorIndex.build(encoder.dim, ids, vectors)
    build_s = time.perf_counter() - started
    exact = VectorIndex(encoder.dim)
    exact.upsert(ids, vectors)

    # Ray, on a local cluster started and stopped by build_shards (its start-up is in the total).
    report = build_shards(
        url,
        DEMO_ESCO_DIR,
        args.model,
        work / "indexes",
        args.shards,
        batch_size=args.batch_size,
        num_cpus=args.cpus,
    )
    shards = ShardedIndex.load(report.manifest)

    queries = encoder.encode_vacancies(list(storage.vacancies.iter_all())[:200])
    # The model embeds concept labels in other batches on each worker, so vectors agree to float rounding,
    # not bit for bit: compare the ids found and the scores.
    overlap, score_gap = [], 0.0
    for query in queries[:50]:
        got, want = shards.search(query, 20), exact.search(query, 20)
        overlap.append(len({h[0] for h in got} & {h[0] for h in want}) / 20)
        score_gap = max(score_gap, max(abs(a[1] - b[1]) for a, b in zip(got, want, strict=True)))

    threads = args.torch_threads or "default"
    print(
        f"\n{n:,} job seekers, model {args.model}, {args.shards} shards, Ray on {args.cpus} CPUs; torch threads "
        f"in one process: {threads}; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after\n"
    )
    print("| path | encode (read + validate + compose) | profiles/s | index build | total |")
    print("|---|---|---|---|---|")
    print(
        f"| one process | {encode_s:.1f} s | {n / encode_s:,.0f} | {build_s:.1f} s ({single.spec.kind}) "
        f"| {encode_s + build_s:.1f} s |"
    )
    print(
        f"| Ray, {report.workers} actors, {report.pages} pages | {report.encode_seconds:.1f} s "
        f"| {report.profiles_per_second:,.0f} | {report.build_seconds:.1f} s "
        f"({', '.join(sorted({s.kind for s in shards.specs}))}) "
        f"| {report.seconds:.1f} s (with Ray start-up) |"
    )
    print("\n| search, top 20 | p50 |")
    print("|---|---|")
    print(f"| one exact index | {p50_ms(lambda q: exact.search(q, 20), queries):.2f} ms |")
    print(
        f"| {args.shards} exact shards, threads | {p50_ms(lambda q: shards.search(q, 20), queries):.2f} ms |"
    )
    print(
        f"\nshards vs one exact index over 50 queries: top-20 overlap {np.mean(overlap):.3f}, "
        f"largest score difference at equal rank {score_gap:.1e}"
    )
    storage.dispose()


if __name__ == "__main__":
    main()
