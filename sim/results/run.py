"""What one simulation run hands back: the records and the facts needed to turn them into KPIs.

A :class:`RunResult` is plain data (no SimPy objects, no scenario objects), so reports, experiments
and tests can use it without the model. Besides the journey records it carries what records
cannot tell: how many resource-seconds each port had available in the KPI window (capacity
changes over the day with opening hours, shifts and outages), the hourly counts of flows that are
only counted (passengers), and the ferry timetable facts of each strait port.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from sim.results.goods import GoodsEvents
from sim.results.lists import ListSizes
from sim.results.records import Records

__all__ = ["FerryStats", "ObservedFigure", "RunResult"]


@dataclass(frozen=True)
class FerryStats:
    """Ferry facts of one strait port over the whole horizon.

    Attributes:
        holding_capacity: vehicles the holding area takes.
        lane_units_per_sailing: capacity of one sailing in lane units (a car takes one).
        sailings_scheduled: sailings in the timetable over the horizon (extra sailings
            included).
        sailings_cancelled: of those, cancelled by weather.
        suspensions: ``(start_s, end_s, sailing_share)`` weather windows; ``sailing_share``
            is the share of sailings still running (0 for a full suspension).
        scheduled: every timetabled departure time, cancelled ones included, in order.
        departures: the departures that ran, in order.
        lane_units: lane units one vehicle of each flow takes (``vehicle``, ``cargo_truck``).
        postponed: ordinary vehicles that postponed their trip because of the weather.
        postponed_beyond_end: of those, the ones whose postponed trip falls after the run.
        staged: ordinary vehicles that waited in a city staging area instead of the port.
    """

    holding_capacity: int
    lane_units_per_sailing: float
    sailings_scheduled: int
    sailings_cancelled: int
    suspensions: tuple[tuple[float, float, float], ...] = ()
    scheduled: tuple[float, ...] = ()
    departures: tuple[float, ...] = ()
    lane_units: dict[str, float] = field(default_factory=dict)
    postponed: int = 0
    postponed_beyond_end: int = 0
    staged: int = 0


@dataclass(frozen=True)
class ObservedFigure:
    """A reported figure of a real episode, in model time (see :mod:`sim.scenario.observed`).

    Attributes:
        at_s: the moment it refers to, seconds since the start.
        measure: ``waiting``, ``holding``, ``outside``, ``boarded`` or ``longest_wait_hours``.
        ports: the strait ports it covers (summed).
        value: the figure.
        bound: ``about``, ``at_least`` or ``at_most``.
        since_s: for ``boarded``, the start of the count.
        source: where it was reported.
    """

    at_s: float
    measure: str
    ports: tuple[str, ...]
    value: float
    bound: str
    since_s: float
    source: str


@dataclass(frozen=True)
class RunResult:
    """The outcome of :func:`sim.model.simulate`.

    Attributes:
        scenario: the scenario's name.
        seed: the run's seed.
        replication: the replication index (independent streams per index).
        start: the scenario start, ISO 8601 local time.
        horizon_s: simulated seconds.
        warmup_s: seconds at the start excluded from the KPIs.
        ports: the simulated port ids, in the official order.
        port_kinds: port id -> strait_roro / seaport / airport.
        records: one row per journey (see :mod:`sim.results.records`).
        capacity_s: port -> resource -> resource-seconds available in the KPI window, for
            ``customs_channels``, ``scanners``, ``inspection_bays``, ``officers`` and
            ``duty_free_desks``.
        counted: port -> flow -> arrivals per model hour (bin k is [k h, (k+1) h)) for flows
            that are counted rather than simulated one by one (passengers).
        ferries: strait port id -> ferry facts.
        queues: port -> resource -> its queue length as a step function ``(times, lengths)``:
            ``lengths[k]`` requests wait from ``times[k]`` on (``times[0]`` is 0), for the
            resources the port uses (``customs_channels``, ``scanners``, ``inspection_bays``,
            ``officers``, ``duty_free_desks``).
        observed: figures reported for the real episode the scenario rebuilds, to be set
            beside the model's (validation scenarios).
        goods: the goods events (account books, declarations, batch exit), None when the
            scenario's goods activity is disabled.
        lists: the population's credit-list sizes on each day of the run
            (:mod:`sim.results.lists`), None when the declarants are not a population.
    """

    scenario: str
    seed: int
    replication: int
    start: str
    horizon_s: float
    warmup_s: float
    ports: tuple[str, ...]
    port_kinds: dict[str, str]
    records: Records
    capacity_s: dict[str, dict[str, float]]
    counted: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    ferries: dict[str, FerryStats] = field(default_factory=dict)
    goods: GoodsEvents | None = None
    queues: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)
    observed: tuple[ObservedFigure, ...] = ()
    lists: ListSizes | None = None

    def local_time(self, seconds: float) -> datetime:
        """Model time (seconds since the start) as a local Asia/Shanghai date-time."""
        return datetime.fromisoformat(self.start) + timedelta(seconds=seconds)
