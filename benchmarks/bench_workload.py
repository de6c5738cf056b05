"""What exporting a workload adds to a run of the model, measured in the same process.

The Spring Festival peak day at all ten ports (``scenarios/spring_festival_peak.yaml``, the
whole horizon): the run as ``customs-sim run`` makes it (the world drawn, then the model), and
the same run followed by the export of every platform call of the day and the writing of the
workload file. Each is timed several times, interleaved, and the best time of each is kept (the
least disturbed by other work on a shared machine); the ratio of the export's time to the run's
is printed. Target: the export adds at most 50% (ratio <= 0.5).

Run: ``make bench`` or ``python benchmarks/bench_workload.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from sim.scenario import load_scenario
from sim.workload import export_workload, resolve_period, write_workload
from sim.world import build_world, run_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "spring_festival_peak.yaml")
    period = resolve_period(scenario)
    runs, exports = [], []
    calls: list = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "workload.parquet"
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            world = build_world(scenario)
            result = run_scenario(scenario, world=world)
            runs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            info, calls = export_workload(scenario, period, world=world, result=result)
            write_workload(out, info, calls)
            exports.append(time.perf_counter() - t0)
        size = out.stat().st_size
    run_s, export_s = min(runs), min(exports)
    timed = Counter(c.operation for c in calls if c.phase == "timed")
    print(f"{scenario.name}: {period.hours:g} h at {len(period.ports)} ports, best of "
          f"{args.repeats}")
    print(f"  run (world + model):       {run_s:7.2f} s")
    print(f"  export + write:            {export_s:7.2f} s   {len(calls)} calls "
          f"({sum(timed.values())} timed), {size / 1e6:.1f} MB")
    print(f"  calls per second exported: {len(calls) / export_s:,.0f}")
    print(f"export overhead ratio: {export_s / run_s:.2f}  (target <= 0.50)")


if __name__ == "__main__":
    main()
