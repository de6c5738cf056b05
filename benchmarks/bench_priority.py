"""Cost of serving by priority, measured against SimPy's own resources run alongside.

The port's resources (:class:`sim.model.resources.ScheduledResource`) serve waiting trucks by
priority class with a binary insertion into the waiting line. SimPy's ``PriorityResource``
re-sorts the whole line on every arrival, which costs O(n) per request when a rush builds a long
queue. Each side serves the same two-class customers on one server, in the same process, several
times interleaved (best time kept):

1. a stable queue (rho = 0.9, a few customers waiting): the cost of priority where it is cheap;
2. a rush (arrivals at 1.3x the service rate for the first half, then a drain): queues of
   thousands, where the insertion matters.

Each case prints ``us/customer`` for a plain FIFO ``simpy.Resource`` (the baseline),
``simpy.PriorityResource`` and ``ScheduledResource`` with two classes, and the ratios to the
baseline. Target: ScheduledResource at most 1.5x the FIFO baseline in both cases.

Run: ``make bench`` or ``python benchmarks/bench_priority.py [--repeats N] [--customers N]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.model.resources import ScheduledResource

Factory = Callable[[simpy.Environment], Any]


def _run(factory: Factory, classed: bool, gaps: list[float], service: list[float],
         classes: list[int]) -> float:  # fmt: skip
    """Seconds to serve every customer (each one's priority class when ``classed``)."""
    env = simpy.Environment()
    server = factory(env)
    started: list[int] = []

    def customer(k: int) -> Generator[Any, Any, None]:
        request = server.request(priority=classes[k]) if classed else server.request()
        with request as req:
            yield req
            started.append(k)
            yield env.timeout(service[k])

    def source() -> Generator[Any, Any, None]:
        for k, gap in enumerate(gaps):
            yield env.timeout(gap)
            env.process(customer(k))

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    elapsed = time.perf_counter() - t0
    assert len(started) == len(gaps)
    return elapsed


def _case(name: str, load: Callable[[int], float], customers: int, repeats: int) -> None:
    rng = random.Random(7)
    gaps = [rng.expovariate(load(k)) for k in range(customers)]
    service = [rng.expovariate(1.0) for _ in range(customers)]
    classes = [0 if rng.random() < 0.3 else 1 for _ in range(customers)]
    sides: dict[str, tuple[Factory, bool]] = {
        "simpy.Resource (FIFO)": (lambda env: simpy.Resource(env, 1), False),
        "simpy.PriorityResource": (lambda env: simpy.PriorityResource(env, 1), True),
        "ScheduledResource": (lambda env: ScheduledResource(env, 1), True),
    }
    best = {label: float("inf") for label in sides}
    for _ in range(repeats):
        for label, (factory, classed) in sides.items():
            best[label] = min(best[label], _run(factory, classed, gaps, service, classes))
    base = best["simpy.Resource (FIFO)"]
    print(f"{name}: {customers} customers, two classes, best of {repeats}")
    for label, seconds in best.items():
        print(f"  {label:24s} {seconds / customers * 1e6:8.2f} us/customer"
              f"  ratio {seconds / base:5.2f}")  # fmt: skip
    print(f"priority overhead ratio ({name}): {best['ScheduledResource'] / base:.2f}"
          "  (target <= 1.5)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--customers", type=int, default=40_000)
    args = parser.parse_args()
    n = args.customers
    _case("stable queue, rho 0.9", lambda k: 0.9, n, args.repeats)
    _case("rush, 1.3x then drain", lambda k: 1.3 if k < n // 2 else 0.5, n, args.repeats)


if __name__ == "__main__":
    main()
