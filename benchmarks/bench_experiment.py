"""Experiment benchmarks: a 20-replication comparison on two cores, and one year of the baseline.

1. ``customs-sim compare baseline.yaml strict_key_attention.yaml -n 20``: one day each at full
   volume, 40 replications on a local process pool of two workers (target: at most 2 minutes
   of wall time). Beside it, the same replications' serial cost, measured alongside in this
   process (one replication of each arm run in-process, times 20): the ratio is the pool's
   speed-up, which on two cores cannot exceed 2.
2. One year of the baseline (8,760 h, ~6.9 M journeys) through ``customs-sim run`` in a fresh
   process: its wall time and peak resident memory (target: at most 1 GB), printed beside one
   simulated day run the same way, times 365.

Nothing is asserted: the machine is shared, so the raw figures and the ratios are printed.
``--skip-year`` leaves out the year (it takes several minutes).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.experiment import ArmSpec, LocalExecutor, run_experiment  # noqa: E402
from sim.results import compute_kpis  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.world import build_world, run_scenario  # noqa: E402

BASELINE = ROOT / "scenarios" / "baseline.yaml"
WHAT_IF = ROOT / "scenarios" / "strict_key_attention.yaml"
REPLICATIONS = 20


def _serial_estimate() -> float:
    """Seconds to run the comparison's replications one after another: each arm's world once,
    and one replication of each arm, x REPLICATIONS."""
    total = 0.0
    for path in (BASELINE, WHAT_IF):
        scenario = load_scenario(path)
        t0 = time.perf_counter()
        world = build_world(scenario)
        t1 = time.perf_counter()
        compute_kpis(run_scenario(scenario, replication=0, world=world))
        t2 = time.perf_counter()
        total += (t1 - t0) + REPLICATIONS * (t2 - t1)
    return total


def bench_comparison() -> None:
    a, b = load_scenario(BASELINE), load_scenario(WHAT_IF)
    t0 = time.perf_counter()
    run = run_experiment(
        "comparison", [ArmSpec("A", a), ArmSpec("B", b)], REPLICATIONS, LocalExecutor(workers=2)
    )
    wall = time.perf_counter() - t0
    serial = _serial_estimate()
    crn = next(
        d
        for d in run.experiment.differences
        if d.key.metric == "clearance_time_s.mean" and not d.key.port and not d.key.tier
    )
    print(f"comparison, {REPLICATIONS} replications x 2 arms, one day each, 2 workers:")
    print(f"  wall {wall:.1f} s (target <= 120 s)")
    print(f"  serial, measured alongside: {serial:.1f} s; pool speed-up: {serial / wall:.2f}x")
    print(
        f"  island mean clearance B - A: {crn.paired.mean:+.1f} s, paired half-width "
        f"{crn.paired.half_width:.1f} s vs unpaired {crn.unpaired.half_width:.1f} s"
    )


def _run_cli(hours: int, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``customs-sim run`` over ``hours`` in a new process."""
    code = "from sim.cli import main; main()"
    args = [
        sys.executable, "-c", code, "run", str(BASELINE), "--set", f"horizon_hours={hours}",
        "--no-report", "--out", str(out),
    ]  # fmt: skip
    t0 = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"customs-sim run over {hours} h failed (status {status})")
    return wall, usage.ru_maxrss / 1024.0


def bench_year() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        day_s, day_mb = _run_cli(24, Path(tmp) / "day")
        year_s, year_mb = _run_cli(8760, Path(tmp) / "year")
        size = (Path(tmp) / "year" / "records.parquet").stat().st_size / 1e6
    print("one year of the baseline (8,760 h), customs-sim run in a fresh process:")
    print(f"  peak memory {year_mb:.0f} MB (target <= 1024 MB); one day: {day_mb:.0f} MB")
    print(
        f"  wall {year_s:.0f} s beside one day x 365 = {day_s * 365:.0f} s "
        f"(ratio {year_s / (day_s * 365):.2f}); records.parquet {size:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-year", action="store_true", help="leave out the one-year run")
    args = parser.parse_args()
    bench_comparison()
    if not args.skip_year:
        bench_year()


if __name__ == "__main__":
    main()
