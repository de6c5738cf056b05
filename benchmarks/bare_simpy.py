"""The baseline the model's speed is measured against: an idiomatic bare-SimPy M/M/c queue.

This is how the SimPy documentation writes a queue: a source process that sleeps exponential gaps
and starts one process per customer, which requests a ``simpy.Resource``, holds it for an
exponential service time and releases it. The customer records its arrival, start and end so the
work is comparable with the model's records.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from typing import Any

import simpy


def run_bare_mmc(
    lam: float, mu: float, c: int, customers: int, seed: int
) -> list[tuple[float, ...]]:
    """Simulate ``customers`` arrivals to an M/M/c queue; return (arrival, start, end) each."""
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=c)
    records: list[tuple[float, ...]] = []

    def customer(env: simpy.Environment) -> Generator[Any, Any, None]:
        arrival = env.now
        with servers.request() as req:
            yield req
            start = env.now
            yield env.timeout(rng.expovariate(mu))
        records.append((arrival, start, env.now))

    def source(env: simpy.Environment) -> Generator[Any, Any, None]:
        for _ in range(customers):
            yield env.timeout(rng.expovariate(lam))
            env.process(customer(env))

    env.process(source(env))
    env.run()
    return records
