"""Drills: every business process at every port, step by step, checked against the rules.

A load test asks "does the platform hold the traffic"; a drill asks "does every step of every
process give the right answer, at every port, also when something breaks". Before closure the
authorities rehearsed each process at each second-line port; this package does that against a
platform:

- :mod:`~sim.drill.catalogue` (and its schema, :mod:`~sim.drill.catalogue_schema`) — the
  processes as data (``scenarios/drills/*.yaml``): steps naming an API operation, an entity by
  role, a date and the request's business facts, never an expected answer;
- :mod:`~sim.drill.operations` — who sends each operation and what the drill fills in;
- :mod:`~sim.drill.cast` — the synthetic entities of the population playing each role, fresh
  for each process at each port;
- :mod:`~sim.drill.expected` (over :mod:`~sim.drill.registry`, with
  :mod:`~sim.drill.transfer_record`) — the oracle's platform: each step decided by
  :mod:`sim.rules`;
- :mod:`~sim.drill.plan` — every request and its expected answer, before anything is sent;
- :mod:`~sim.drill.runner` — sending them, checking and timing every answer;
- :mod:`~sim.drill.faults` and :mod:`~sim.drill.proxy` — killing the platform, locking its
  database, cutting the network, mid-drill;
- :mod:`~sim.drill.audit` — reading the platform back: nothing acknowledged lost, nothing
  applied twice;
- :mod:`~sim.drill.run` — all of it, into a :class:`~sim.results.drill.DrillSummary`.

Example::

    from sim.drill import connect, default_catalogue, load_catalogue, plan_drill, run_drill

    catalogue = load_catalogue([default_catalogue()])
    plan = plan_drill(catalogue.select(["full_process"]), population, rules, ports=["xinhai"])
    with connect(None, rules.model_dump(mode="json")) as platform:
        summary = run_drill(plan, platform, faults=["kill"])
    summary.verdict, summary.matrix()["full_process"]["xinhai"]["status"]
"""

from sim.drill.cast import CastError, Casting, drill_population
from sim.drill.catalogue import (
    PORT_GROUPS,
    Catalogue,
    CatalogueError,
    Process,
    default_catalogue,
    load_catalogue,
)
from sim.drill.expected import Expectation, ExpectedPlatform
from sim.drill.faults import FAULTS, FaultError, FaultSettings, check_faults
from sim.drill.operations import DRILL_OPERATIONS, NOT_SUPPORTED
from sim.drill.plan import DrillPlan, PlannedStep, RunPlan, plan_drill
from sim.drill.proxy import TcpProxy
from sim.drill.run import Connection, connect, run_drill

__all__ = [
    "DRILL_OPERATIONS",
    "FAULTS",
    "NOT_SUPPORTED",
    "PORT_GROUPS",
    "CastError",
    "Casting",
    "Catalogue",
    "CatalogueError",
    "Connection",
    "DrillPlan",
    "Expectation",
    "ExpectedPlatform",
    "FaultError",
    "FaultSettings",
    "PlannedStep",
    "Process",
    "RunPlan",
    "TcpProxy",
    "check_faults",
    "connect",
    "default_catalogue",
    "drill_population",
    "load_catalogue",
    "plan_drill",
    "run_drill",
]
