"""Running a scenario: the public entry point of the model.

:func:`simulate` runs the goods flow (its own SimPy environment, :mod:`sim.model.shipments`),
builds the ports (:mod:`sim.model.system`) in a fresh environment, with the goods flow's
second-line shipments as the supervised trucks (``goods.drives_trucks``; otherwise trucks are
the Poisson process of ``flows.cargo_truck.per_day``), runs it to the horizon, and returns a
:class:`~sim.results.run.RunResult` of plain data. The run is a
pure function of the scenario, the replication index and the code: all randomness comes from
named streams of the scenario's seed (:mod:`sim.rng`), so the same inputs give the same records
and the same ``kpis.json`` bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import cast

import simpy

from sim.model.goods_enterprises import GoodsEnterprise
from sim.model.goods_flow import GoodsFlow
from sim.model.routing import SharesTierSource, TierSource
from sim.model.shipments import EnterpriseTiers, PortShipments, run_goods, schedule_trucks
from sim.model.system import build
from sim.results.goods import GoodsEvents
from sim.results.memory import release_memory
from sim.results.records import RecordGroup, concat
from sim.results.run import ObservedFigure, RunResult
from sim.results.stream import RecordStream
from sim.rng import RandomStreams
from sim.rules import batch_exit as bx
from sim.scenario.schema import Scenario

__all__ = ["simulate"]

_PROGRESS_STEPS = 100
_DAY = 86400.0


def _overdue_at_end(flow: GoodsFlow, scenario: Scenario) -> int:
    """Batch-exit months past their due date and undeclared on the run's last day."""
    last_day = (scenario.end - timedelta(microseconds=1)).date()
    overdue = 0
    for firm, book in zip(flow.firms, flow.books, strict=True):
        if firm.batch_exit:
            status = bx.batch_exit_status(book, last_day)
            periods = cast(list[dict[str, object]], status["open_periods"])
            overdue += sum(1 for p in periods if p["overdue"])
    return overdue


def simulate(
    scenario: Scenario,
    *,
    replication: int = 0,
    progress: Callable[[float], None] | None = None,
    tier_source: TierSource | None = None,
    goods_enterprises: Sequence[GoodsEnterprise] | None = None,
    goods_tiers: EnterpriseTiers | None = None,
    records_to: RecordStream | None = None,
) -> RunResult:
    """Simulate ``scenario`` over its horizon.

    Args:
        scenario: a validated scenario.
        replication: index of an independent replication (0, 1, 2, ...): each index has its own
            independent streams, and the same index always gives the same run.
        progress: called with the fraction of the horizon simulated so far (0 < f <= 1).
        tier_source: where declarants' tiers and planted violations come from; by default drawn
            from ``scenario.policy`` shares (:class:`~sim.model.routing.SharesTierSource`).
            When the goods flow drives the trucks, trucks are declared by their shipments'
            enterprises and this source serves only the other flows (travellers).
        goods_enterprises: the enterprises of the goods flow (e.g. from the population); by
            default drawn from ``scenario.goods`` (:mod:`sim.model.goods_flow`).
        goods_tiers: those enterprises' tiers on any date (see
            :data:`~sim.model.shipments.EnterpriseTiers`): their books and declarations carry
            the tier of the day; by default their fixed ``tier``.
        records_to: stream the records there instead of keeping them: at each simulated day
            the finished journeys are written and dropped, so memory follows the day, not the
            horizon; the result's ``records`` are then empty (compute the KPIs with
            :func:`sim.results.stream.kpis_from_file`).

    Returns:
        The records and the facts the KPIs need (see :func:`sim.results.compute_kpis`).
    """
    streams = RandomStreams(scenario.seed, replication)
    source: TierSource = tier_source or SharesTierSource(scenario.policy)
    horizon = scenario.horizon_hours * 3600.0
    goods: GoodsEvents | None = None
    shipments: dict[str, PortShipments] | None = None
    if scenario.goods.enabled:
        # The goods flow does not depend on the port queues: run it first, so that its
        # shipments can be the trucks the ports pre-draw.
        flow = run_goods(scenario, streams, goods_enterprises, goods_tiers)
        flow.events.overdue_at_end = _overdue_at_end(flow, scenario)
        if scenario.goods.drives_trucks:
            shipments = schedule_trucks(flow, scenario)
        # only the events go on: the books (a year of entries, lots and shipments) go now
        goods = flow.events
        del flow
    env = simpy.Environment()
    system = build(scenario, env, streams, source, shipments)
    shipments = None  # the groups hold what the run needs, compactly; a year's strings go
    _run(env, horizon, progress, system.groups, records_to)
    return RunResult(
        scenario=scenario.name,
        seed=scenario.seed,
        replication=replication,
        start=scenario.start.isoformat(),
        horizon_s=horizon,
        warmup_s=scenario.warmup_hours * 3600.0,
        ports=tuple(p for p in system.kinds),
        port_kinds=dict(system.kinds),
        records=concat(system.groups if records_to is None else []),
        capacity_s=system.capacity_s,
        counted=system.counted,
        ferries=system.ferries,
        goods=goods,
        queues=system.queues(),
        observed=tuple(
            ObservedFigure(
                at_s=(o.at - scenario.start).total_seconds(),
                measure=o.measure,
                ports=tuple(o.ports),
                value=o.value,
                bound=o.bound,
                since_s=0.0 if o.since is None else (o.since - scenario.start).total_seconds(),
                source=o.source,
            )
            for o in scenario.observed
        ),
    )


def _run(
    env: simpy.Environment,
    horizon: float,
    progress: Callable[[float], None] | None,
    groups: list[RecordGroup],
    stream: RecordStream | None,
) -> None:
    """Run to the horizon, stopping for progress reports and, when streaming, each midnight."""
    stops = {horizon}
    if progress is not None:
        stops.update(horizon * k / _PROGRESS_STEPS for k in range(1, _PROGRESS_STEPS))
    days = {min(d * _DAY, horizon) for d in range(1, int(horizon // _DAY) + 1)}
    if stream is not None:
        stops.update(days)
        release_memory()  # what building the ports drew and dropped, before the long run
    for until in sorted(stops):
        env.run(until=until)
        if progress is not None:
            progress(until / horizon)
        if stream is not None and until in days and until < horizon:
            stream.flush(groups)
    if stream is not None:
        stream.close(groups)
