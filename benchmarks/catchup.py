"""How fast a serving process catches up when another process writes a large batch (a bulk import elsewhere).

    .venv/bin/python benchmarks/catchup.py                      # backlogs of 1,000 and 10,000 job seekers
    .venv/bin/python benchmarks/catchup.py --rows 1000 10000 100000

A "serving" matcher holds the demo data set (3,000 job seekers, 300 vacancies, hashing embedder, SQLite in a
temporary folder) with its document cache followed, as a server process does. A second matcher on the same
database — another worker, replica or the command line — then imports ``--rows`` new job seekers in one bulk
import; the serving matcher catches up from the change log (reads the rows, embeds them, adds them to its index)
and evaluates alerts on them (no saved searches here, so that part is the walk over the entries alone). Prints
a markdown table: rows per second of the import itself and of the catch-up.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10_000])
    args = parser.parse_args()

    from matching.bootstrap import build_matcher
    from matching.config import Settings
    from matching.ingest.synthetic import LeipzigGenerator

    data_dir = Path(tempfile.mkdtemp(prefix="skillbridge-catchup-"))
    try:
        settings = Settings(
            data_dir=data_dir,
            database_url=f"sqlite:///{data_dir / 'catchup.db'}",
            embedding_model="hashing-384",
        )  # type: ignore[call-arg]
        serving = build_matcher(settings)
        total = 3000 + sum(args.rows)
        dataset = LeipzigGenerator(serving.taxonomy, seed=7).generate(total, 300)
        serving.bulk_load(dataset.jobseekers[:3000], dataset.vacancies)
        serving.storage.jobseekers.cache_followed = serving.storage.vacancies.cache_followed = True
        serving.indexes.catch_up()
        serving.alerts.evaluate()
        writer = build_matcher(settings, taxonomy=serving.taxonomy)
        writer.open()

        print("**Serving process: 3,000 job seekers, 300 vacancies; another process imports a backlog**\n")
        print(
            "| backlog (job seekers) | import rows/s | catch-up s | catch-up rows/s | alerts walk s | in index |"
        )
        print("|--:|--:|--:|--:|--:|--:|")
        start = 3000
        for rows in args.rows:
            batch = dataset.jobseekers[start : start + rows]
            start += rows
            t0 = time.perf_counter()
            writer.bulk_load(batch, [])
            t1 = time.perf_counter()
            serving.indexes.catch_up()
            t2 = time.perf_counter()
            serving.alerts.evaluate()
            t3 = time.perf_counter()
            held = len(serving.seekers.index)
            print(
                f"| {rows:,} | {rows / (t1 - t0):,.0f} | {t2 - t1:.2f} | {rows / (t2 - t1):,.0f} "
                f"| {t3 - t2:.2f} | {held:,} |"
            )
        writer.close()
        serving.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
