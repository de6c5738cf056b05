"""Running a scenario: the public entry point of the model.

:func:`simulate` builds the system (:mod:`sim.model.system`) in a fresh SimPy environment, runs
it to the horizon, and returns a :class:`~sim.results.run.RunResult` of plain data. The run is a
pure function of the scenario, the replication index and the code: all randomness comes from
named streams of the scenario's seed (:mod:`sim.rng`), so the same inputs give the same records
and the same ``kpis.json`` bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import simpy

from sim.model.goods_flow import GoodsEnterprise, GoodsFlow
from sim.model.routing import SharesTierSource, TierSource
from sim.model.system import build
from sim.results.records import concat
from sim.results.run import RunResult
from sim.rng import RandomStreams
from sim.scenario.schema import Scenario

__all__ = ["simulate"]

_PROGRESS_STEPS = 100


def simulate(
    scenario: Scenario,
    *,
    replication: int = 0,
    progress: Callable[[float], None] | None = None,
    tier_source: TierSource | None = None,
    goods_enterprises: Sequence[GoodsEnterprise] | None = None,
) -> RunResult:
    """Simulate ``scenario`` over its horizon.

    Args:
        scenario: a validated scenario.
        replication: index of an independent replication (0, 1, 2, ...): each index has its own
            independent streams, and the same index always gives the same run.
        progress: called with the fraction of the horizon simulated so far (0 < f <= 1).
        tier_source: where declarants' tiers and planted violations come from; by default drawn
            from ``scenario.policy`` shares (:class:`~sim.model.routing.SharesTierSource`).
        goods_enterprises: the enterprises of the goods flow (e.g. from the population); by
            default drawn from ``scenario.goods`` (:mod:`sim.model.goods_flow`).

    Returns:
        The records and the facts the KPIs need (see :func:`sim.results.compute_kpis`).
    """
    streams = RandomStreams(scenario.seed, replication)
    env = simpy.Environment()
    system = build(scenario, env, streams, tier_source or SharesTierSource(scenario.policy))
    horizon = scenario.horizon_hours * 3600.0
    goods = None
    if scenario.goods.enabled:
        goods = GoodsFlow(env, scenario.goods, scenario.start, horizon, streams, goods_enterprises)
        env.process(goods.process())
    if progress is None:
        env.run(until=horizon)
    else:
        for k in range(1, _PROGRESS_STEPS + 1):
            env.run(until=horizon * k / _PROGRESS_STEPS)
            progress(k / _PROGRESS_STEPS)
    return RunResult(
        scenario=scenario.name,
        seed=scenario.seed,
        replication=replication,
        start=scenario.start.isoformat(),
        horizon_s=horizon,
        warmup_s=scenario.warmup_hours * 3600.0,
        ports=tuple(p for p in system.kinds),
        port_kinds=dict(system.kinds),
        records=concat(system.groups),
        capacity_s=system.capacity_s,
        counted=system.counted,
        ferries=system.ferries,
        goods=goods.events if goods is not None else None,
    )
