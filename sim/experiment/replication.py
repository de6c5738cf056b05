"""One replication as a unit of work: what a worker runs and what it sends back.

A worker gets a :class:`Job` (which world, which scenario, which replication index), runs the
scenario in that world (:func:`sim.world.run_scenario`), and reduces the run to an
:class:`Outcome`: the KPI rows, the hourly series, the ferry backlog, the daily credit-list
sizes and the clearance-time histogram. The journey records stay in the worker (a year of
them is millions of rows); only the reduction travels back. The reduction is a pure function
of the job, so the same job gives the same outcome on any worker, process pool or Dask cluster
alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.results import compute_kpis
from sim.results.journeys import (
    clearance_histogram,
    ferry_backlog_hourly,
    stage_queues_hourly,
)
from sim.results.lists import list_series
from sim.results.rows import KpiRow, KpiSeries, kpi_rows, kpi_series
from sim.scenario import Scenario
from sim.world import World, run_scenario

__all__ = ["Job", "Outcome", "run_job"]


@dataclass(frozen=True)
class Job:
    """One replication to run.

    Attributes:
        world: the id of the world to run in (the executor holds the worlds by id).
        scenario: the validated scenario.
        replication: the replication index.
    """

    world: str
    scenario: Scenario
    replication: int


@dataclass(frozen=True)
class Outcome:
    """What one replication reduces to.

    Attributes:
        replication: its index.
        rows: its scalar KPI rows.
        series: its hourly KPIs (queues, ferry backlog) and daily ones (credit-list sizes,
            metrics ending in ``_daily``; the same in every replication of one world).
        histogram: port ("" = all) -> released trucks per minute of clearance time.
    """

    replication: int
    rows: tuple[KpiRow, ...]
    series: tuple[KpiSeries, ...]
    histogram: dict[str, tuple[int, ...]]


def run_job(world: World, scenario: Scenario, replication: int) -> Outcome:
    """Run one replication of ``scenario`` in ``world`` and reduce it."""
    result = run_scenario(scenario, replication=replication, world=world)
    kpis = compute_kpis(result)
    backlog = ferry_backlog_hourly(
        result.records, sorted(result.ferries), result.warmup_s, result.horizon_s
    )
    return Outcome(
        replication=replication,
        rows=tuple(kpi_rows(kpis)),
        series=(
            *kpi_series(kpis),
            *stage_queues_hourly(result.records, result.warmup_s, result.horizon_s),
            *backlog,
            *list_series(kpis),
        ),
        histogram=clearance_histogram(result.records, result.warmup_s),
    )
