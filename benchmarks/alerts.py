"""Cost of evaluating saved searches on the write path: one write against many saved searches.

    .venv/bin/python benchmarks/alerts.py                     # 1,000 saved searches, 200 writes
    .venv/bin/python benchmarks/alerts.py --searches 5000 --writes 500

Builds the synthetic Leipzig data set (3,000 job seekers, 300 vacancies, hashing embedder) in a temporary
folder, saves ``--searches`` candidate searches over its vacancies (k 10 or 20, some with filters), then
creates ``--writes`` new job seekers one at a time and times the alert evaluation after each (the index
catch-up before it is the follower's ordinary work and timed apart). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()

    from api.app import GC_THRESHOLD
    from matching.access import Actor, Role
    from matching.bootstrap import build_matcher
    from matching.config import Settings
    from matching.ingest.synthetic import LeipzigGenerator
    from matching.ranking.filters import MatchFilters
    from models import CEFRLevel

    data_dir = Path(tempfile.mkdtemp(prefix="skillbridge-alerts-"))
    try:
        settings = Settings(
            data_dir=data_dir,
            database_url=f"sqlite:///{data_dir / 'alerts.db'}",
            embedding_model="hashing-384",
        )  # type: ignore[call-arg]
        matcher = build_matcher(settings)
        dataset = LeipzigGenerator(matcher.taxonomy, seed=7).generate(3000 + args.writes, 300)
        stored, new = dataset.jobseekers[:3000], dataset.jobseekers[3000:]
        matcher.bulk_load(stored, dataset.vacancies)
        matcher.ranker.rules.gazetteer.warm()
        # As in a serving process, whose change-log follower keeps the document cache in step.
        matcher.storage.jobseekers.cache_followed = matcher.storage.vacancies.cache_followed = True
        matcher.alerts.evaluate()
        key_id = matcher.storage.keys.create("advisor", "default", label="benchmark")[0].id
        advisor = Actor(Role.ADVISOR, "default", key_id=key_id, purpose="benchmark")
        rng = random.Random(3)
        started = time.perf_counter()
        for number in range(args.searches):
            filters = MatchFilters(min_german=CEFRLevel.B1) if number % 4 == 0 else MatchFilters()
            vacancy = dataset.vacancies[number % len(dataset.vacancies)]
            matcher.alerts.save("candidates", vacancy.id, rng.choice([10, 20]), filters, advisor)
        saving = time.perf_counter() - started
        # As a serving process does after start-up (api.app): the long-lived heap is frozen and young
        # collections are rarer, so a collection does not walk the data set during a timed write.
        gc.collect()
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, 20, 20)

        catch_up, evaluate, raised = [], [], 0
        for person in new:
            matcher.create_jobseeker(person)
            t0 = time.perf_counter()
            matcher.indexes.catch_up()
            t1 = time.perf_counter()
            raised += matcher.alerts.evaluate()
            t2 = time.perf_counter()
            catch_up.append(t1 - t0)
            evaluate.append(t2 - t1)

        def ms(values: list[float], q: float) -> str:
            ordered = sorted(values)
            return f"{1000 * ordered[min(len(ordered) - 1, round(q * len(ordered)))]:.2f}"

        print(
            f"**{args.searches} saved searches over {len(dataset.vacancies)} vacancies, 3,000 job seekers; "
            f"{args.writes} job seekers created one by one (saving the searches took {saving:.1f} s)**\n"
        )
        print("| step per write | mean ms | p50 ms | p99 ms |")
        print("|:--|--:|--:|--:|")
        for name, values in (("alert evaluation", evaluate), ("index catch-up (own write)", catch_up)):
            print(
                f"| {name} | {1000 * statistics.mean(values):.2f} | {ms(values, 0.5)} | {ms(values, 0.99)} |"
            )
        print(f"\nAlerts raised: {raised} ({raised / len(new):.2f} per write).")
        matcher.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
