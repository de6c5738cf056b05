"""Speed of the model, measured against bare SimPy run alongside in the same process.

1. ``sim overhead ratio``: the project's model on ``scenarios/theory/mmc.yaml`` against an
   idiomatic bare-SimPy M/M/c queue (:mod:`bare_simpy`) with the same rates, the same number of
   servers and the same number of customers. Each side runs several times, interleaved, and the
   ratio compares the best time per customer of each (the least disturbed by other work on a
   shared machine). Target: at most 2.0.
2. The whole island on ``scenarios/spring_festival_peak.yaml`` for one day, as ``customs-sim run``
   does it (population drawn, then the model): wall seconds and entities per second. Target: at
   most 20 s on a two-core machine.

Run: ``make bench`` or ``python benchmarks/bench_sim.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bare_simpy import run_bare_mmc  # noqa: E402

from sim.model import simulate  # noqa: E402
from sim.results import compute_kpis  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.world import build_world, run_scenario  # noqa: E402


def _overhead(repeats: int) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "theory" / "mmc.yaml")
    port = scenario.ports.get(scenario.active_ports[0])
    c = port.resources.customs_channels
    lam = port.flows.cargo_truck.per_day / 86_400
    mu = 1 / port.service.channel.mean()
    model_s, bare_s, customers = [], [], 0
    for rep in range(repeats):
        t0 = time.perf_counter()
        records = simulate(scenario, replication=rep).records
        model_s.append(time.perf_counter() - t0)
        customers = len(records)
        t0 = time.perf_counter()
        bare = run_bare_mmc(lam, mu, c, customers, seed=rep)
        bare_s.append(time.perf_counter() - t0)
        assert len(bare) == customers
    per_model = min(model_s) / customers
    per_bare = min(bare_s) / customers
    print(f"M/M/{c} at rho={lam / (c * mu):.2f}: {customers} customers, best of {repeats}")
    print(f"  model:      {per_model * 1e6:8.2f} us/customer")
    print(f"  bare SimPy: {per_bare * 1e6:8.2f} us/customer")
    print(f"sim overhead ratio: {per_model / per_bare:.2f}  (target <= 2.0)")


def _peak_day() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "spring_festival_peak.yaml", ["horizon_hours=24"])
    t0 = time.perf_counter()
    world = build_world(scenario)
    t1 = time.perf_counter()
    result = run_scenario(scenario, world=world)
    t2 = time.perf_counter()
    kpis = compute_kpis(result)
    entities = kpis["entities"]
    print(f"spring_festival_peak, whole island, one day: {entities} entities")
    source = scenario.policy.declarants
    print(f"  world ({source}): {t1 - t0:.2f} s, goods flow + ports: {t2 - t1:.2f} s")
    trucks = {p: k["arrivals"] for p, k in kpis["ports"].items()}
    print(f"  supervised trucks: {sum(trucks.values())} ({trucks})")
    print(f"peak day wall seconds: {t2 - t0:.2f}  (target <= 20)")
    print(f"peak day entities per second: {entities / (t2 - t0):,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each side (default 5)")
    args = parser.parse_args()
    _overhead(args.repeats)
    _peak_day()


if __name__ == "__main__":
    main()
