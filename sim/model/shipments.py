"""Goods shipments become the supervised trucks at the ports.

A supervised truck at a second-line port carries a shipment of supervised goods: either a
second-line declaration or a batch-exit shipment (exit list and release note filed). Both
physically leave the island by truck through a customs channel. With ``goods.drives_trucks``
(the default) the model therefore runs the goods flow (:mod:`sim.model.goods_flow`) *first*,
in its own SimPy environment over the horizon (it does not depend on the port queues), and
turns its shipments into the trucks' pre-drawn arrivals:

1. :func:`run_goods` runs the enterprises' account books day by day; each shipment's truck
   is timed at its port by :class:`~sim.model.truck_clock.TruckClock` (the port's
   ``cargo_truck`` hourly profile within its opening hours, stream
   ``goods.truck_times.<port>``), so a goods event's time *is* its truck's arrival and the
   goods block of ``kpis.json`` and the truck records count the same shipments in the same
   KPI window. Each shipment is decided there by the oracle (:mod:`sim.rules.oracle`): the
   shipper's tier and listing grounds on the day, the planted violation (at the enterprise's
   rate from the population, or its tier's ``policy.tiers.<tier>.violation_rate``), the risk
   indicators its goods show and the channel;
2. :func:`schedule_trucks` takes every ``declaration`` and ``batch_shipment`` event and sorts
   each port's shipments by time, with those decisions and their identities (enterprise,
   reference or shipment id, book);
3. the port model (:mod:`sim.model.system`) sends the truck at position ``i`` of a port to the
   channel of shipment ``i``; scans, anomalies and inspections follow as for any truck.

Shipments at a port that is not simulated (not in ``active_ports``, or without a
``cargo_truck`` flow, whose profile times the trucks) are not turned into trucks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.model.goods_enterprises import GoodsEnterprise, draw_enterprises
from sim.model.goods_flow import GoodsFlow
from sim.model.goods_ops import EnterpriseTiers
from sim.model.truck_clock import TruckClock
from sim.results.columns import Column
from sim.results.goods import GoodsEvents, book_id
from sim.rng import RandomStreams
from sim.rules.risk import ROUTES
from sim.rules.tiers import TIERS, tier_code
from sim.scenario.schema import Scenario

__all__ = [
    "SHIPMENT_KINDS",
    "EnterpriseTiers",
    "PortShipments",
    "run_goods",
    "schedule_trucks",
]

SHIPMENT_KINDS = frozenset({"declaration", "batch_shipment"})
"""Goods events that are a truck through a customs channel."""


@dataclass(frozen=True)
class PortShipments:
    """The shipments leaving through one port, in arrival order, as the oracle decided them.

    Attributes:
        time_s: arrival times at the port (sorted, seconds since the scenario start).
        event: each shipment's row in the goods events.
        tier: the shipper's tier code on the day (index into :data:`sim.rules.tiers.TIERS`).
        violation: whether the shipment is a planted violation.
        score: its risk score.
        first: its channel code (index into :data:`sim.rules.risk.ROUTES`).
        entity: the shipper's credit code.
        book: the shipper's account book.
        reference: the declaration reference ('' for a batch-exit shipment).
        shipment: the batch-exit shipment id ('' for a declaration).
        indicators: the risk indicators shown, comma-separated.
        grounds: the shipper's active listing grounds that day, comma-separated ('' for none).
    """

    time_s: np.ndarray
    event: np.ndarray
    tier: np.ndarray
    violation: np.ndarray
    score: np.ndarray
    first: np.ndarray
    entity: Sequence[str]
    book: Sequence[str]
    reference: Sequence[str]
    shipment: Sequence[str]
    indicators: Sequence[str]
    grounds: Sequence[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.time_s)


def run_goods(
    scenario: Scenario,
    streams: RandomStreams,
    enterprises: Sequence[GoodsEnterprise] | None = None,
    tiers_on: EnterpriseTiers | None = None,
) -> GoodsFlow:
    """Run the goods flow of ``scenario`` over its horizon in an environment of its own.

    Args:
        scenario: a validated scenario (its ``goods`` section, calendar and rules are used).
        streams: the run's named streams (the flow draws from ``goods.*``).
        enterprises: injected enterprises (e.g. from the population); by default drawn from
            ``scenario.goods``.
        tiers_on: the enterprises' tiers on any date (e.g. classified from the population's
            histories); None: each keeps its ``tier``.

    Returns:
        The finished flow: read ``.events``, ``.firms`` and ``.books``.
    """
    env = simpy.Environment()
    horizon = scenario.horizon_hours * 3600.0
    clock = TruckClock.from_scenario(scenario, streams) if scenario.goods.drives_trucks else None
    firms = (
        list(enterprises) if enterprises is not None
        else draw_enterprises(scenario.goods, streams.generator("goods.enterprises"))
    )
    flow = GoodsFlow(env, scenario.goods, scenario.start, horizon, streams,
                     rules=scenario.rules_config(), enterprises=firms,
                     violation_rates=_violation_rates(firms, scenario), tiers_on=tiers_on,
                     calendar=scenario.calendar, clock=clock)  # fmt: skip
    env.process(flow.process())
    env.run(until=horizon)
    flow.events.compact()  # a year's events are a million: held narrow through the run
    return flow


def _violation_rates(firms: Sequence[GoodsEnterprise], scenario: Scenario) -> list[float]:
    """Each enterprise's own rate (population), else its tier's ``policy.tiers`` rate."""
    return [
        scenario.policy.treatment(TIERS[tier_code(f.tier)]).violation_rate
        if f.violation_rate is None else f.violation_rate
        for f in firms
    ]


def schedule_trucks(flow: GoodsFlow, scenario: Scenario) -> dict[str, PortShipments]:
    """The supervised trucks of every simulated port, from the flow's shipments.

    Args:
        flow: a finished goods flow (:func:`run_goods`).
        scenario: the scenario (active ports and their flows).

    Returns:
        Per active port with a ``cargo_truck`` flow, its shipments in arrival order (possibly
        none).
    """
    ev: GoodsEvents = flow.events
    rows_by_port: dict[str, list[int]] = {}
    for i, (kind, port) in enumerate(zip(ev.kind, ev.port, strict=True)):
        if kind in SHIPMENT_KINDS:
            rows_by_port.setdefault(port, []).append(i)
    route = {name: i for i, name in enumerate(ROUTES)}
    books = [book_id(x) for x in ev.entity]
    out: dict[str, PortShipments] = {}
    for port in scenario.active_ports:
        if scenario.ports.get(port).flows.cargo_truck is None:
            continue
        rows = np.array(rows_by_port.get(port, []), dtype=np.int64)
        times = np.array([ev.time_s[i] for i in rows.tolist()], dtype=float)
        order = np.argsort(times, kind="stable")
        rows, times = rows[order], times[order]
        picked = rows.tolist()
        declared = [ev.kind[i] == "declaration" for i in picked]
        firm = np.array([ev.enterprise[i] for i in picked], dtype=np.int64)
        # compact columns, a port at a time: a year's shipments are half a million
        out[port] = PortShipments(
            time_s=times,
            event=rows,
            tier=np.array([tier_code(ev.tier[i]) for i in picked], dtype=np.int8),
            violation=np.array([ev.violation[i] for i in picked], dtype=bool),
            score=np.array([ev.score[i] for i in picked], dtype=float),
            first=np.array([route[ev.channel[i]] for i in picked], dtype=np.int8),
            entity=Column.coded(firm, ev.entity),
            book=Column.coded(firm, books),
            reference=Column([ev.ref[i] if d else "" for i, d in zip(picked, declared,
                                                                      strict=True)]),
            shipment=Column(["" if d else ev.ref[i] for i, d in zip(picked, declared,
                                                                     strict=True)]),
            indicators=Column([ev.indicators[i] for i in picked]),
            grounds=Column([ev.grounds[i] for i in picked]),
        )
    return out
