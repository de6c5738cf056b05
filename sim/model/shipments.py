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
   KPI window;
2. :func:`schedule_trucks` takes every ``declaration`` and ``batch_shipment`` event and sorts
   each port's shipments by time, with the shipper's credit tier and planted violation rate;
3. :class:`ShipmentTierSource` is the model's tier-source seam keyed by that order: the truck
   at position ``i`` of a port is shipment ``i``, declared by its enterprise's tier (as of
   the truck's date when the caller can classify it, e.g. from the population), with a
   violation planted at the enterprise's rate (from the population) or its tier's
   ``policy.tiers.<tier>.violation_rate``. Routing, service and everything downstream are the
   same as for Poisson trucks.

Shipments at a port that is not simulated (not in ``active_ports``, or without a
``cargo_truck`` flow, whose profile times the trucks) are not turned into trucks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import simpy

from sim.model.goods_enterprises import GoodsEnterprise
from sim.model.goods_flow import GoodsFlow
from sim.model.routing import DeclarantDraw, TierDraw, TierSource
from sim.model.truck_clock import TruckClock
from sim.results.goods import GoodsEvents
from sim.rng import RandomStreams
from sim.rules.tiers import TIERS
from sim.scenario.schema import Scenario

__all__ = [
    "SHIPMENT_KINDS",
    "EnterpriseTiers",
    "PortShipments",
    "ShipmentTierSource",
    "run_goods",
    "schedule_trucks",
]

SHIPMENT_KINDS = frozenset({"declaration", "batch_shipment"})
"""Goods events that are a truck through a customs channel."""

_DAY_S = 86_400.0

EnterpriseTiers = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``tiers_on(firms, days)``: tier codes (indices into :data:`sim.rules.tiers.TIERS`) of the
goods flow's enterprises ``firms`` (indices into ``GoodsFlow.firms``) on local dates ``days``
(days since 1970-01-01), one per element."""

@dataclass(frozen=True)
class PortShipments:
    """The shipments leaving through one port, in arrival order.

    Attributes:
        time_s: arrival times at the port (sorted, seconds since the scenario start).
        event: each shipment's row in the goods events.
        tier: the shipper's tier code (index into :data:`sim.rules.tiers.TIERS`, int8).
        violation_rate: planted probability that the shipment violates the rules.
    """

    time_s: np.ndarray
    event: np.ndarray
    tier: np.ndarray
    violation_rate: np.ndarray

    def __len__(self) -> int:
        return len(self.time_s)


def run_goods(
    scenario: Scenario,
    streams: RandomStreams,
    enterprises: Sequence[GoodsEnterprise] | None = None,
) -> GoodsFlow:
    """Run the goods flow of ``scenario`` over its horizon in an environment of its own.

    Args:
        scenario: a validated scenario (its ``goods`` section and calendar are used).
        streams: the run's named streams (the flow draws from ``goods.*``).
        enterprises: injected enterprises (e.g. from the population); by default drawn from
            ``scenario.goods``.

    Returns:
        The finished flow: read ``.events``, ``.firms`` and ``.books``.
    """
    env = simpy.Environment()
    horizon = scenario.horizon_hours * 3600.0
    clock = TruckClock.from_scenario(scenario, streams) if scenario.goods.drives_trucks else None
    flow = GoodsFlow(env, scenario.goods, scenario.start, horizon, streams, enterprises,
                     calendar=scenario.calendar, clock=clock)  # fmt: skip
    env.process(flow.process())
    env.run(until=horizon)
    return flow


def schedule_trucks(
    flow: GoodsFlow, scenario: Scenario, tiers_on: EnterpriseTiers | None = None
) -> dict[str, PortShipments]:
    """The supervised trucks of every simulated port, from the flow's shipments.

    Args:
        flow: a finished goods flow (:func:`run_goods`).
        scenario: the scenario (active ports, their flows, policy tiers).
        tiers_on: the enterprises' tiers as of each truck's local date (e.g. classified from
            the population's histories); None: each enterprise's tier in ``flow.firms``.

    Returns:
        Per active port with a ``cargo_truck`` flow, its shipments in arrival order (possibly
        none).
    """
    ev: GoodsEvents = flow.events
    tier_rate: dict[str, float] = {
        name: getattr(scenario.policy.tiers, name).violation_rate for name in TIERS
    }
    code: dict[str, int] = {name: i for i, name in enumerate(TIERS)}
    firm_tier = np.array([code[f.tier] for f in flow.firms], dtype=np.int8)
    firm_rate = np.array(
        [tier_rate[f.tier] if f.violation_rate is None else f.violation_rate for f in flow.firms],
        dtype=np.float64,
    )
    midnight = scenario.start.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (scenario.start - midnight).total_seconds()
    first_day = (midnight.date() - date(1970, 1, 1)).days
    rows_by_port: dict[str, list[int]] = {}
    for i, (kind, port) in enumerate(zip(ev.kind, ev.port, strict=True)):
        if kind in SHIPMENT_KINDS:
            rows_by_port.setdefault(port, []).append(i)
    out: dict[str, PortShipments] = {}
    for port in scenario.active_ports:
        if scenario.ports.get(port).flows.cargo_truck is None:
            continue
        rows = np.array(rows_by_port.get(port, []), dtype=np.int64)
        times = np.array([ev.time_s[i] for i in rows.tolist()], dtype=float)
        order = np.argsort(times, kind="stable")
        rows, times = rows[order], times[order]
        firms = np.array([ev.enterprise[i] for i in rows.tolist()], dtype=np.int64)
        if tiers_on is None:
            tiers = firm_tier[firms]
        else:
            days = first_day + ((times + offset) // _DAY_S).astype(np.int64)
            tiers = np.asarray(tiers_on(firms, days), dtype=np.int8)
        out[port] = PortShipments(times, rows, tiers, firm_rate[firms])
    return out


class ShipmentTierSource:
    """The tier-source seam for trucks that are goods shipments.

    The model asks for the declarants of a port's ``cargo_truck`` flow in arrival order; the
    ``i``-th truck is the ``i``-th shipment of :func:`schedule_trucks`, with its shipper's tier
    and a violation planted at the shipper's rate from the caller's ``tiers.<port>`` stream.
    Other flows (duty-free travellers) are served by ``others``.

    Args:
        shipments: per port, its shipments in arrival order.
        others: the tier source of every other flow.
    """

    def __init__(self, shipments: Mapping[str, PortShipments], others: TierSource) -> None:
        self._shipments = shipments
        self._others = others

    def draw(
        self, port: str, flow: str, days: np.ndarray, rng: np.random.Generator
    ) -> DeclarantDraw | None:
        """The shipments' declarants at ``port`` (trucks), or ``others``' draw."""
        if flow != "cargo_truck":
            return self._others.draw(port, flow, days, rng)
        s = self._shipments.get(port)
        n = 0 if s is None else len(s)
        if len(days) != n:
            raise ValueError(f"{port}: {len(days)} trucks asked for, {n} shipments scheduled")
        if s is None:
            return TierDraw(np.empty(0, dtype=np.int8), np.empty(0, dtype=bool))
        return TierDraw(s.tier, rng.random(n) < s.violation_rate)
