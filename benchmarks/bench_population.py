"""Population speed and memory: vectorised generation against a naive Faker-per-field generator.

Prints, with ratios against baselines run alongside in the same process (the machine is shared
and noisy, so the ratios matter more than the absolute figures):

1. entities per second for the scenario's default mix (70,000 enterprises and 1,000,000
   individuals), in memory and written to files (Parquet + checked history), on one core
   (Arrow and BLAS limited to one thread);
2. the same for a naive generator that calls Faker once per field per entity, on a smaller
   mix in the same proportions, and the ratio (target >= 10x; vectorised target >= 200,000/s);
3. the peak resident memory of writing 10 M individuals, measured in a subprocess with
   ``resource.getrusage`` (target <= 1.5 GB; skip with ``--skip-10m``);
4. list dynamics of 1 M enterprises over 5 years (target < 60 s), against ``classify`` called
   per entity and month end on a sample, extrapolated.

Usage: ``python benchmarks/bench_population.py [--skip-10m] [--naive N] [--seed S]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
from faker import Faker  # noqa: E402

from sim.population import generate_population, write_population  # noqa: E402
from sim.population.dynamics import month_ends, simulate_dynamics  # noqa: E402
from sim.population.enterprises import enterprise_events  # noqa: E402
from sim.population.history_lines import history_records  # noqa: E402
from sim.population.regions import REGIONS  # noqa: E402
from sim.population.scales import Scales  # noqa: E402
from sim.population.timeline import from_day_number  # noqa: E402
from sim.rng import RandomStreams  # noqa: E402
from sim.rules.credit import classify, group_by_entity, parse_record  # noqa: E402
from sim.rules.identifiers import uscc_check_char  # noqa: E402
from sim.scenario import Scenario  # noqa: E402

REFERENCE = date(2026, 3, 10)
TARGET_RATE = 200_000
TARGET_RATIO = 10.0
TARGET_PEAK_GB = 1.5
TARGET_DYNAMICS_S = 60.0

_MEMORY_CHILD = """
import resource, sys, tempfile
from datetime import date
from pathlib import Path
import pyarrow as pa
pa.set_cpu_count(1); pa.set_io_thread_count(1)
from sim.population import write_population
from sim.scenario import Scenario
s = Scenario()
with tempfile.TemporaryDirectory() as tmp:
    write_population(Path(tmp) / "p", s.population, s.credit, 1, date(2026, 3, 10),
                     enterprises=0, individuals=int(sys.argv[1]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def naive_population(enterprises: int, individuals: int, seed: int) -> pa.Table:
    """The obvious way: one Faker call per field per entity, one dict per entity."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    industries = list(Scenario().population.enterprises.industries)
    codes = [r.code for r in REGIONS]
    rows = []
    for _ in range(enterprises):
        region = fake.random_element(codes)
        body = f"91{region}" + fake.bothify("????????#", letters="ABCDEFGHJKLMNPQRTUWXY")
        rows.append({
            "uscc": body + uscc_check_char(body),
            "name": fake.company(),
            "hainan": str(region).startswith("46"),
            "industry": fake.random_element(industries),
            "encouraged": fake.boolean(20),
            "zero_tariff": fake.boolean(17),
            "aeo": fake.boolean(3),
            "shipments_per_month": fake.random_int(1, 60),
            "batch_exit": fake.boolean(30),
        })
    people = []
    for _ in range(individuals):
        people.append({
            "id_number": fake.ssn(),
            "name": fake.name(),
            "age": fake.random_int(0, 90),
            "resident": fake.boolean(40),
            "trips_per_year": fake.random_int(1, 12),
            "duty_free_spend_fen": fake.random_int(0, 10_000_000),
            "vehicle_plate": fake.license_plate(),
            "violation": fake.boolean(1),
        })
    pa.Table.from_pylist(people)
    return pa.Table.from_pylist(rows)


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def bench_generation(seed: int, naive_n: int) -> None:
    scenario = Scenario()
    n_ent = scenario.population.enterprises.count
    n_ind = scenario.population.individuals.count
    total = n_ent + n_ind
    print(f"default mix: {n_ent:,} enterprises + {n_ind:,} individuals = {total:,} entities")

    started = time.perf_counter()
    generate_population(scenario.population, scenario.credit, seed, REFERENCE)
    in_memory = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        summary = write_population(
            Path(tmp) / "p", scenario.population, scenario.credit, seed, REFERENCE,
            enterprises=n_ent, individuals=n_ind,
        )
        to_files = time.perf_counter() - started
    vec_rate = _rate(total, in_memory)
    file_rate = _rate(total, to_files)
    print(f"  vectorised, in memory:        {in_memory:7.2f} s  {vec_rate:12,.0f} entities/s")
    print(f"  vectorised, to files:         {to_files:7.2f} s  {file_rate:12,.0f} entities/s"
          f"  ({summary.events:,} history events checked and written)")

    naive_ent = max(1, round(naive_n * n_ent / total))
    naive_ind = naive_n - naive_ent
    started = time.perf_counter()
    naive_population(naive_ent, naive_ind, seed)
    naive = time.perf_counter() - started
    naive_rate = _rate(naive_n, naive)
    print(f"  naive Faker per field ({naive_n:,}): {naive:7.2f} s  {naive_rate:12,.0f} entities/s")
    ratio = vec_rate / naive_rate
    ok_rate = "OK" if vec_rate >= TARGET_RATE else "BELOW TARGET"
    ok_ratio = "OK" if ratio >= TARGET_RATIO else "BELOW TARGET"
    print(f"  rate   {vec_rate:12,.0f} entities/s   target >= {TARGET_RATE:,}   {ok_rate}")
    print(f"  ratio  {ratio:12,.1f} x vs naive   target >= {TARGET_RATIO:.0f}x   {ok_ratio}")


def bench_memory(individuals: int) -> None:
    print(f"peak memory writing {individuals:,} individuals (subprocess, ru_maxrss):")
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(individuals)],
        check=True, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - started
    peak_gb = int(child.stdout.strip().splitlines()[-1]) * 1024 / 1e9
    ok = "OK" if peak_gb <= TARGET_PEAK_GB else "ABOVE TARGET"
    print(f"  peak {peak_gb:5.2f} GB in {elapsed:.1f} s ({_rate(individuals, elapsed):,.0f}/s)"
          f"   target <= {TARGET_PEAK_GB} GB   {ok}")


def bench_dynamics(seed: int) -> None:
    scenario = Scenario()
    scales = Scales.from_table(scenario.credit)
    n, years = 1_000_000, 5
    started = time.perf_counter()
    simulate_dynamics(scenario.population, scales, seed, REFERENCE, years, enterprises=n)
    elapsed = time.perf_counter() - started
    ok = "OK" if elapsed < TARGET_DYNAMICS_S else "ABOVE TARGET"
    print(f"list dynamics, {n:,} enterprises x {years} years (60 month ends):")
    print(f"  vectorised {elapsed:7.2f} s   target < {TARGET_DYNAMICS_S:.0f} s   {ok}")

    # Baseline: classify each entity at each month end, on a sample with histories.
    sample = 2_000
    ends = month_ends(REFERENCE, 12 * years)
    window = (int(ends[0]) - 3 * 365, int(ends[-1]) + 1)
    events = enterprise_events(
        scenario.population.enterprises, RandomStreams(seed), sample, window, scales
    )
    keys = pa.array([f"E{i}" for i in range(sample)])
    grouped = group_by_entity(
        parse_record(r, i + 1, scenario.credit)
        for i, r in enumerate(history_records([("enterprise", events, keys)]))
    )
    days = [from_day_number(int(d)) for d in ends]
    started = time.perf_counter()
    listed = np.zeros(len(days), dtype=np.int64)
    for history in grouped.values():
        for m, day in enumerate(days):
            listed[m] += classify(history, day, scenario.credit).tier == "key_attention"
    per_entity = (time.perf_counter() - started) / sample  # entities without history: free
    extrapolated = per_entity * n
    print(f"  classify per entity and month end: {per_entity * 1e3:.2f} ms per entity "
          f"-> {extrapolated:,.0f} s for {n:,} (extrapolated from {sample:,})")
    print(f"  ratio {extrapolated / elapsed:,.0f} x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-10m", action="store_true", help="skip the 10 M memory run")
    parser.add_argument("--naive", type=int, default=5_000, help="entities for the naive run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    bench_generation(args.seed, args.naive)
    bench_dynamics(args.seed)
    if not args.skip_10m:
        bench_memory(10_000_000)


if __name__ == "__main__":
    main()
