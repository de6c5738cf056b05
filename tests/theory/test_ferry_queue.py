"""The strait's ferries agree with the bulk-service queue with periodic departures.

``scenarios/theory/ferry.yaml`` reduces a strait port to Poisson arrivals (rate lambda) and a
departure every T taking up to b vehicles, first come first served. The number left behind by a
departure is the Markov chain N' = max(N + A - b, 0), A ~ Poisson(lambda T). Within a period
the number waiting grows from N by the period's arrivals, so the time-average number waiting is
E[N] + lambda T / 2 and, by Little's law, the mean wait is E[N] / lambda + T / 2. Over
independent replications the model's mean wait must contain it in its 95% confidence interval,
at a load where the left-behind term matters (it would fail a model that let vehicles overtake,
skipped the capacity, or ran the wrong timetable).

Lane units must not change that reduction: the same traffic counted in units of 3 on sailings of
3b units boards at exactly the same times.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model import simulate
from sim.scenario import load_scenario
from tests.theory.queueing import bulk_service_left_behind, t_interval

ROOT = Path(__file__).resolve().parents[2]
FERRY = ROOT / "scenarios" / "theory" / "ferry.yaml"
REPLICATIONS = 10
T = 1800.0
B = 148


def test_the_left_behind_chain_has_the_textbook_limits() -> None:
    # Light traffic: nobody is ever left behind; near capacity the backlog grows.
    assert bulk_service_left_behind(10.0, 148) == pytest.approx(0.0, abs=1e-12)
    assert bulk_service_left_behind(133.2, 148) > bulk_service_left_behind(120.0, 148) > 0
    # Against a direct simulation of the same chain, N' = max(N + A - 4, 0), A ~ Poisson(3).
    rng = np.random.default_rng(0)
    n, total = 0, 0
    for a_k in rng.poisson(3.0, 400_000):
        n = max(n + int(a_k) - 4, 0)
        total += n
    assert bulk_service_left_behind(3.0, 4) == pytest.approx(total / 400_000, rel=0.03)


def _waits(rho: float, replication: int) -> float:
    per_day = rho * B * 86_400 / T
    scenario = load_scenario(FERRY, [f"ports.xinhai.flows.vehicle.per_day={per_day}"])
    recs = simulate(scenario, replication=replication).records
    lo = scenario.warmup_hours * 3600
    hi = scenario.horizon_hours * 3600 - 6 * 3600  # every vehicle before it has boarded
    keep = (recs["arrival"] >= lo) & (recs["arrival"] < hi)
    assert not np.isnan(recs["boarding"][keep]).any()
    return float(np.mean(recs["boarding"][keep] - recs["arrival"][keep]))


@pytest.mark.slow
def test_mean_wait_matches_the_bulk_service_queue() -> None:
    rho = 0.98
    lam = rho * B / T
    theory = bulk_service_left_behind(lam * T, B) / lam + T / 2
    mean, low, high = t_interval([_waits(rho, r) for r in range(REPLICATIONS)])
    assert low <= theory <= high, f"W {mean:.1f} s, CI [{low:.1f}, {high:.1f}] vs {theory:.1f}"
    assert high - low < 0.1 * theory
    assert theory > 1.1 * T / 2  # the left-behind term is a real part of the answer


def test_lane_units_scale_out_of_the_reduction() -> None:
    short = ["horizon_hours=48"]
    cars = simulate(load_scenario(FERRY, short)).records
    big = simulate(load_scenario(FERRY, [*short, "ports.xinhai.ferry.lane_units.vehicle=3",
                                         "ports.xinhai.ferry.lane_units_per_sailing=444"]))
    assert np.array_equal(cars["boarding"], big.records["boarding"], equal_nan=True)
