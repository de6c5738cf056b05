"""Credit-list sizes over a year of the baseline: counted from intervals vs asked day by day.

A run's ``list_sizes`` (:mod:`sim.results.lists`) counts, for every day of the run, the
enterprises and individuals on each tier and listing ground. Prints, for the baseline
scenario's population (70,000 enterprises, 1,000,000 individuals, histories through the year):

1. the time and the peak of traced memory (``tracemalloc``, which NumPy reports to) of
   counting 365 days at once from the histories' intervals (what ``customs-sim run`` does);
2. alongside, in the same process, the per-date way: the tier of every entity on each of the
   365 days (``TierTimeline.tiers_at``), counted; the same totals, and the ratio of the times.

Usage: ``python benchmarks/bench_lists.py [--days N] [--seed S]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from datetime import timedelta  # noqa: E402

import numpy as np  # noqa: E402

from sim.population import generate_population  # noqa: E402
from sim.scenario import Scenario  # noqa: E402


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=20260310)
    args = parser.parse_args()
    scenario = Scenario()
    start = scenario.start.date()
    t0 = time.perf_counter()
    population = generate_population(
        scenario.population, scenario.credit, args.seed, start,
        history_until=start + timedelta(days=args.days),
    )
    print(f"population: {population.enterprises.num_rows:,} enterprises, "
          f"{population.individuals.num_rows:,} individuals, "
          f"{len(population.enterprise_events) + len(population.individual_events):,} events "
          f"({time.perf_counter() - t0:.1f} s)")
    tracemalloc.start()
    t0 = time.perf_counter()
    sizes = population.list_sizes(start, args.days)
    counted_s = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"intervals: {args.days} days counted in {1000 * counted_s:.1f} ms, "
          f"peak traced memory {peak / 2**20:.1f} MiB")
    t0 = time.perf_counter()
    for kind, timeline in (("enterprise", population.enterprise_timeline),
                           ("individual", population.individual_timeline)):
        listed = np.zeros(args.days, np.int64)
        for day in range(args.days):
            listed[day] = np.sum(timeline.tiers_at(start + timedelta(days=day)) == 2)
        assert np.array_equal(listed, sizes.kinds[kind].tiers["key_attention"]), kind
    per_date_s = time.perf_counter() - t0
    print(f"per date (tiers_at x {args.days} days, both kinds): {per_date_s:.2f} s; same counts")
    print(f"ratio per-date / intervals: {per_date_s / counted_s:.0f}x")
    ent = sizes.kinds["enterprise"]
    print(f"enterprises on the key-attention list: {ent.tiers['key_attention'][0]:,} -> "
          f"{ent.tiers['key_attention'][-1]:,} ({int(ent.listings.sum()):,} listed, "
          f"{int(ent.removals.sum()):,} removed over the year)")


if __name__ == "__main__":
    main()
