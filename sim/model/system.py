"""Building the simulated system from a scenario: the one place where the parts are wired.

For every active port this module turns the scenario's data into running parts:

1. capacity timelines (channels, scanners and bays follow the opening hours, officers their
   shifts, scanner outages are subtracted) and the scheduled resources that follow them;
2. arrivals of every flow, drawn up front as non-homogeneous Poisson processes
   (:mod:`sim.model.arrivals`), each from its own named stream; supervised trucks instead
   arrive with the goods flow's shipments when the caller passes them, each already decided
   by the oracle (``goods.drives_trucks``, :mod:`sim.model.shipments`);
3. for supervised trucks: declarants from the tier source and risk decisions for Poisson
   trucks (:mod:`sim.model.routing`), what scans and inspections find, every service time, and
   each truck's priority class at each resource (``policy.priority``), drawn vectorised in
   arrival order; for duty-free travellers: who they are, what they present, and the departure
   check's decision (:mod:`sim.model.departures`);
4. the processes: truck lanes (:mod:`sim.model.customs`), duty-free checks
   (:mod:`sim.model.dutyfree`), and at strait ports the ferry side (:mod:`sim.model.strait`:
   timetable, weather, drivers' response, backlog; boarding in :mod:`sim.model.ferry`);
   passengers are only counted per hour.

Stream names (``arrivals.<port>.<flow>``, ``tiers.<port>.<flow>``, ``risk.<port>``,
``detect.<port>``, ``service.<port>.<kind>``, ``strait.<port>.response``) are part of the
model's contract: the same name always yields the same numbers for a seed and replication,
whatever else the scenario changes. Each flow draws its declarants from its own stream, so more
trucks never change who the travellers are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import simpy

from sim.model.arrivals import (
    HourBlocks,
    arrival_times,
    hour_blocks,
    hourly_counts,
    hourly_rates,
)
from sim.model.customs import CustomsLanes
from sim.model.departures import Departures
from sim.model.dutyfree import DutyFreeCheck
from sim.model.resources import (
    ScheduledResource,
    capacity_seconds,
    capacity_timeline,
    follow_timeline,
)
from sim.model.routing import TierSource, decide, inspect
from sim.model.shipments import PortShipments
from sim.model.strait import build_strait
from sim.results.columns import narrow
from sim.results.records import Column, RecordGroup
from sim.results.run import FerryStats
from sim.rng import RandomStreams
from sim.rules.ports import PORT_IDS
from sim.rules.risk import ROUTES
from sim.rules.tiers import TIERS
from sim.scenario.ports import PortConfig
from sim.scenario.priority import PRIORITY_RESOURCES, Priority
from sim.scenario.schema import Scenario

__all__ = ["System", "build"]


@dataclass
class System:
    """Everything :func:`build` made: record groups and the facts the KPIs need."""

    groups: list[RecordGroup] = field(default_factory=list)
    capacity_s: dict[str, dict[str, float]] = field(default_factory=dict)
    counted: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    ferries: dict[str, FerryStats] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    departures: Departures | None = None
    resources: dict[str, dict[str, ScheduledResource]] = field(default_factory=dict)

    def queues(self) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """Per port and resource, its queue length as a step function ``(times, lengths)``."""
        return {
            port: {name: r.queue_levels() for name, r in resources.items()}
            for port, resources in self.resources.items()
        }


def _seconds_from(start: datetime, when: datetime) -> float:
    return (when - start).total_seconds()


@dataclass(frozen=True)
class _Context:
    env: simpy.Environment
    scenario: Scenario
    streams: RandomStreams
    tiers: TierSource
    shipments: Mapping[str, PortShipments] | None
    blocks: HourBlocks
    offset_s: float
    horizon_s: float
    warmup_s: float
    first_day: int

    def days(self, times: np.ndarray) -> np.ndarray:
        """The local calendar day of each model time, as days since 1970-01-01."""
        return self.first_day + ((times + self.offset_s) // 86400.0).astype(np.int64)

    @property
    def tag(self) -> str:
        """The run's identifier tag: ``S<seed>R<replication>``."""
        return f"S{self.streams.seed}R{self.streams.replication}"


def build(
    scenario: Scenario,
    env: simpy.Environment,
    streams: RandomStreams,
    tiers: TierSource,
    shipments: Mapping[str, PortShipments] | None = None,
) -> System:
    """Create every resource and process of ``scenario`` in ``env``.

    Args:
        scenario: the validated scenario.
        env: a fresh SimPy environment (time 0 = the scenario start).
        streams: the run's named random streams.
        tiers: where declarants (tier, violation, identity) come from.
        shipments: the supervised trucks per port, in arrival order, as the goods flow's
            shipments decided them (:mod:`sim.model.shipments`); a port missing from it has
            none. None: trucks arrive as the Poisson process of ``flows.cargo_truck``.

    Returns:
        The system: record groups to be filled by the run, and capacity/ferry facts.
    """
    start = scenario.start
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    horizon_s = scenario.horizon_hours * 3600.0
    ctx = _Context(
        env=env,
        scenario=scenario,
        streams=streams,
        tiers=tiers,
        shipments=shipments,
        blocks=hour_blocks(start, horizon_s),
        offset_s=(start - midnight).total_seconds(),
        horizon_s=horizon_s,
        warmup_s=scenario.warmup_hours * 3600.0,
        first_day=(midnight.date() - date(1970, 1, 1)).days,
    )
    system = System(departures=Departures(scenario))
    for port_id in PORT_IDS:
        if port_id in scenario.active_ports:
            _build_port(ctx, system, port_id, scenario.ports.get(port_id))
    assert system.departures is not None
    system.departures.decide(ctx.streams)
    return system


def _arrivals(ctx: _Context, port_id: str, cfg: PortConfig, flow: str) -> np.ndarray | None:
    spec = getattr(cfg.flows, flow)
    if spec is None:
        return None
    rates = hourly_rates(ctx.blocks, spec, ctx.scenario.calendar, flow, port_id)
    return arrival_times(rates, ctx.blocks, ctx.streams.generator(f"arrivals.{port_id}.{flow}"))


def _resource(
    ctx: _Context, system: System, port: str, name: str, timeline: list[tuple[float, int]]
) -> ScheduledResource:
    resource = ScheduledResource(ctx.env, timeline[0][1])
    if len(timeline) > 1:
        ctx.env.process(follow_timeline(ctx.env, resource, timeline))
    system.resources.setdefault(port, {})[name] = resource
    return resource


_Trucks = tuple[RecordGroup, Column, Column, dict[str, Column], np.ndarray]


def _trucks(ctx: _Context, port_id: str, cfg: PortConfig) -> _Trucks | None:
    """Truck records plus their channels and service times, all in arrival order."""
    if cfg.flows.cargo_truck is None:
        return None
    streams, policy = ctx.streams, ctx.scenario.policy
    if ctx.shipments is None:
        times = _arrivals(ctx, port_id, cfg, "cargo_truck")
        assert times is not None
        draw = ctx.tiers.draw(port_id, "cargo_truck", ctx.days(times),
                              streams.generator(f"tiers.{port_id}.cargo_truck"))
        if draw is None:
            raise ValueError("the tier source supplied no declarants for supervised trucks")
        references = [f"{ctx.tag}-TR-{port_id}-{i}" for i in range(len(times))]
        decided = decide(draw, policy, references, streams.generator(f"risk.{port_id}"))
        tier, violation, first = draw.tier, draw.violation, decided.first
        ids = {"entity": draw.entity, "reference": references,
               "risk_indicators": decided.indicators, "grounds": draw.grounds}
    else:
        s = ctx.shipments.get(port_id)
        if s is None:
            s = PortShipments(np.empty(0), np.empty(0, np.int64), np.empty(0, np.int8),
                              np.empty(0, bool), np.empty(0), np.empty(0, np.int8),
                              [], [], [], [], [])
        times, tier, violation, first = s.time_s, s.tier, s.violation, s.first
        ids = {"entity": s.entity, "reference": s.reference, "book": s.book,
               "shipment": s.shipment, "risk_indicators": s.indicators,
               "grounds": s.grounds or [""] * len(s)}
    found = inspect(first, violation, policy.detection, streams.generator(f"detect.{port_id}"))
    n = len(times)
    svc = cfg.service
    # Columns: pages of Python floats made as trucks arrive, dropped once they are written out
    service = {
        kind: Column(dist.sample(streams.generator(f"service.{port_id}.{kind}"), n))
        for kind, dist in (
            ("channel", svc.channel),
            ("scan", svc.scan),
            ("review", svc.image_review),
            ("inspection", svc.inspection),
        )
    }
    # Inputs stay arrays (a byte or eight a truck) until the run reaches their page
    group = RecordGroup(
        port=port_id,
        flow="cargo_truck",
        arrival=Column(np.asarray(times, dtype=float)),
        tier=Column.coded(tier, TIERS),
        route=Column.coded(found.final, ROUTES),
        violation=Column(np.asarray(violation, dtype=bool)),
        detected=Column(np.asarray(found.detected, dtype=bool)),
        ids=ids,
    )
    routes = (Column(np.asarray(first, dtype=np.int8)), Column(found.final.astype(np.int8)))
    group.inputs.extend([*service.values(), *routes])
    return group, *routes, service, np.asarray(tier)


def _priority_classes(
    priority: Priority, tier: np.ndarray, group: RecordGroup
) -> dict[str, Column]:
    """Each truck's priority class at every resource that serves by priority (paged with the
    group's inputs)."""
    classes = Column(narrow(np.asarray(priority.classes(), dtype=np.int64))[tier.astype(np.int64)])
    group.inputs.append(classes)
    return {name: classes for name in PRIORITY_RESOURCES if priority.applies_to(name)}


def _plain_group(port_id: str, flow: str, route: str, times: np.ndarray) -> RecordGroup:
    n = len(times)
    return RecordGroup(
        port=port_id,
        flow=flow,
        arrival=Column(np.asarray(times, dtype=float)),
        tier=Column.filled("", n),
        route=Column.filled(route, n),
        violation=Column.filled(False, n),
        detected=Column.filled(False, n),
    )


def _vehicles(ctx: _Context, port_id: str, cfg: PortConfig) -> RecordGroup | None:
    """Ordinary vehicles at a port without ferries: non-customs channel, released on arrival."""
    times = _arrivals(ctx, port_id, cfg, "vehicle")
    if times is None:
        return None
    group = _plain_group(port_id, "vehicle", "non_customs", times)
    group.times["release"] = group.arrival  # copied (compact) by the group's Times
    return group


def _duty_free(
    ctx: _Context,
    system: System,
    port_id: str,
    cfg: PortConfig,
    desks: list[tuple[float, int]],
) -> None:
    times = _arrivals(ctx, port_id, cfg, "duty_free_traveller")
    if times is None:
        return
    group = _plain_group(port_id, "duty_free_traveller", "duty_free_check", times)
    # Travellers come from the population when the tier source has them (individuals' tiers
    # as of the day, what they bought): the departure check's decision is the oracle's, made
    # for all ports in time order once every port is built (a quota spans the island).
    days = ctx.days(times)
    travellers = ctx.tiers.draw(port_id, "duty_free_traveller", days,
                                ctx.streams.generator(f"tiers.{port_id}.duty_free_traveller"))
    if travellers is not None:
        group.tier = Column.coded(travellers.tier, TIERS)
        group.ids = {"entity": travellers.entity}
        assert system.departures is not None
        system.departures.add(group, days, travellers)
    del days, travellers  # what the departures need, they hold narrow
    system.groups.append(group)
    rng = ctx.streams.generator(f"service.{port_id}.duty_free_check")
    check = Column(cfg.service.duty_free_check.sample(rng, len(times)))
    group.inputs.append(check)  # dropped with the group's pages
    desk = _resource(ctx, system, port_id, "duty_free_desks", desks)
    ctx.env.process(DutyFreeCheck(ctx.env, group, check, desk).source())


def _build_port(ctx: _Context, system: System, port_id: str, cfg: PortConfig) -> None:
    env, res = ctx.env, cfg.resources
    system.kinds[port_id] = cfg.kind
    hours = [h for w in cfg.opening_hours for h in (w.open, w.close)]

    def when_open(n: int) -> list[tuple[float, int]]:
        return capacity_timeline(
            lambda h: n if cfg.is_open(h) else 0, hours, ctx.offset_s, ctx.horizon_s
        )

    outages = [
        (
            _seconds_from(ctx.scenario.start, o.start),
            _seconds_from(ctx.scenario.start, o.start) + o.duration_hours * 3600.0,
            -o.scanners,
        )
        for o in ctx.scenario.events.scanner_outages
        if o.port == port_id
    ]
    shift_hours = [h for s in res.officer_shifts for h in (s.start, s.end)]
    timelines = {
        "customs_channels": when_open(res.customs_channels),
        "scanners": capacity_timeline(
            lambda h: res.scanners if cfg.is_open(h) else 0,
            hours,
            ctx.offset_s,
            ctx.horizon_s,
            outages,
        ),
        "inspection_bays": when_open(res.inspection_bays),
        "officers": capacity_timeline(res.officers_at, shift_hours, ctx.offset_s, ctx.horizon_s),
        "duty_free_desks": when_open(res.duty_free_desks),
    }
    system.capacity_s[port_id] = {
        name: capacity_seconds(tl, ctx.warmup_s, ctx.horizon_s) for name, tl in timelines.items()
    }

    trucks = _trucks(ctx, port_id, cfg)
    ferry = None
    if cfg.ferry is not None:
        strait = build_strait(
            env,
            ctx.scenario,
            port_id,
            cfg.ferry,
            ctx.streams,
            _arrivals(ctx, port_id, cfg, "vehicle"),
            trucks[0] if trucks is not None else None,
        )
        ferry = strait.ferry
        env.process(ferry.sailings())
        system.ferries[port_id] = strait.stats
        vehicles_and_backlog = strait.groups
    else:
        vehicles = _vehicles(ctx, port_id, cfg)
        vehicles_and_backlog = [vehicles] if vehicles is not None else []
    if trucks is not None:
        group, first, final, service, tier = trucks
        system.groups.append(group)
        channels, scanners, bays, officers = (
            _resource(ctx, system, port_id, name, timelines[name]) for name in PRIORITY_RESOURCES
        )
        lanes = CustomsLanes(
            env,
            group,
            first,
            final,
            service,
            channels,
            scanners,
            bays,
            officers,
            on_release=ferry.truck_released if ferry is not None else None,
            priority=_priority_classes(ctx.scenario.policy.priority, tier, group),
        )
        env.process(lanes.source())
    system.groups.extend(vehicles_and_backlog)
    _duty_free(ctx, system, port_id, cfg, timelines["duty_free_desks"])
    if cfg.flows.passenger is not None:  # counted per hour, never held one by one
        bins = int(np.ceil(ctx.horizon_s / 3600.0))
        rates = hourly_rates(ctx.blocks, cfg.flows.passenger, ctx.scenario.calendar,
                             "passenger", port_id)
        rng = ctx.streams.generator(f"arrivals.{port_id}.passenger")
        counts = hourly_counts(rates, ctx.blocks, rng, bins)
        system.counted.setdefault(port_id, {})["passenger"] = counts
