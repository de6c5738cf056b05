"""Enterprises moving supervised goods: imports, processing, transfers and second-line shipments.

A sample of zero-tariff-eligible enterprises (``scenario.goods``) each hold an account book and
act once a day, as a SimPy process ticking at local midnight. Every step goes through the pure
rules (:mod:`sim.rules.ledger`, :mod:`sim.rules.batch_exit`), so quantities, duties, refusals and
suspensions are the rules' own answers:

- **opening stock**: each enterprise starts with ``opening_imports`` booked lots;
- **imports** arrive through the first line (Poisson per enterprise-day), are booked a few days
  later, or, at the planted ``late_booking_rate``, after the 14-day window: the booking is refused
  and the taxes are back-paid;
- **processing**: an enterprise holding goods with a ``product_code`` processes them with
  domestic inputs worth ``domestic_input_ratio`` of the imported ones;
- **transfers** to other sampled enterprises, and **sales** to non-eligible buyers on the island;
- **shipments** to the mainland: a share of a holding, processed goods priced at their input
  value times ``1 + margin``. An enterprise using batch exit files an exit list (at the planted
  ``missing_permit_rate`` the permit is missing: refused and suspended); every other shipment,
  and any while batch exit is suspended, is a second-line declaration at a port drawn from
  ``port_shares``. The calendar's ``cargo_truck`` multipliers scale each day's shipments and
  their split between ports; with a :class:`~sim.model.truck_clock.TruckClock` a shipment's
  time is its truck's arrival at the port (:mod:`sim.model.shipments` turns the shipments
  into the ports' supervised trucks), and a time outside the run means no shipment;
- **month end**: each batch-exit enterprise files its consolidated declaration on a day drawn in
  1..25 of the next month, or late (26th onward) at ``late_declaration_rate``; lateness suspends,
  and the enterprise is reinstated ``reinstatement_days`` after the suspension once fixed.

Each day is planned first (how many imports and shipments each enterprise makes, which of
processing, transfer and sale it does, and when), then its operations are carried out in the
order of their times: an operation sees the book as the earlier ones of the day left it, as a
platform receiving them in that order would. The operations themselves, and the log of every
one of them, are :class:`~sim.model.goods_ops.GoodsBooks`'s.

Each purpose draws from its own named stream (``goods.enterprises``, ``goods.opening``,
``goods.imports``, ``goods.ops``, ``goods.ship``, ``goods.batch``, ``goods.times``,
``goods.risk``), and an enterprise uses batch exit when its fixed uniform draw is below
``batch_exit_adoption``, so raising the adoption adds users without reshuffling anyone: common
random numbers for the what-if.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import numpy as np
import simpy

from sim.model.goods_enterprises import (
    GoodsEnterprise,
    draw_enterprises,
    enterprises_from_columns,
)
from sim.model.goods_ops import EnterpriseTiers, GoodsBooks
from sim.model.truck_clock import TruckClock
from sim.results.goods import GoodsEvents
from sim.rng import RandomStreams
from sim.rules import batch_exit as bx
from sim.rules.config import RulesConfig
from sim.scenario.calendar import Calendar
from sim.scenario.goods import GoodsConfig, GoodsLine

__all__ = ["GoodsEnterprise", "GoodsFlow", "draw_enterprises", "enterprises_from_columns"]

DAY_S = 86_400.0

_Action = tuple[float, int, Callable[[], None]]


def _cdf(p: np.ndarray) -> np.ndarray:
    """The cumulative distribution ``Generator.choice`` makes of ``p`` (normalised the same)."""
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    return cdf


def _pick(rng: np.random.Generator, cdf: np.ndarray) -> int:
    """``rng.choice(len(cdf), p=p)`` for ``cdf = _cdf(p)``: the same draw from the same
    uniform, without re-checking ``p`` each time (thousands of times a simulated day)."""
    return int(cdf.searchsorted(rng.random(), side="right"))


class GoodsFlow:
    """The goods activity of one run; read :attr:`events` when the run is over.

    Args:
        env: the run's environment (time 0 = the scenario start).
        cfg: the ``goods`` section.
        start: the scenario start (local time).
        horizon_s: the simulated period.
        streams: the run's named streams.
        enterprises: injected enterprises (e.g. from the population); by default drawn from
            ``cfg`` with :func:`draw_enterprises`.
        rules: the rules' configuration (tariff, risk model); the packaged one by default
            with ``cfg.tariff``'s changes.
        violation_rates: each enterprise's planted violation rate per shipment (by default
            its own ``violation_rate``, or 0).
        tiers_on: the enterprises' tiers on any date (e.g. classified from the population);
            None: each keeps its ``tier``.
        calendar: the scenario's calendar; its ``cargo_truck`` multipliers (day-of-week and
            dated, per port) scale the day's shipments and their split between ports, so a
            port's expected shipments on a day are ``enterprises x shipments_per_day x
            port_share x factor(day, port)``. None: no multipliers.
        clock: times each shipment's truck at its port (:mod:`sim.model.truck_clock`); None:
            a uniform time in 06:00-22:00.
    """

    def __init__(
        self,
        env: simpy.Environment,
        cfg: GoodsConfig,
        start: datetime,
        horizon_s: float,
        streams: RandomStreams,
        enterprises: Sequence[GoodsEnterprise] | None = None,
        *,
        rules: RulesConfig | None = None,
        violation_rates: Sequence[float] | None = None,
        tiers_on: EnterpriseTiers | None = None,
        calendar: Calendar | None = None,
        clock: TruckClock | None = None,
    ) -> None:
        self.env, self.cfg, self.horizon_s = env, cfg, horizon_s
        if rules is None:
            overrides = {c: o.model_dump(exclude_none=True) for c, o in cfg.tariff.items()}
            rules = RulesConfig(tariff=overrides)
        self.tariff = rules.tariff_table
        for line in cfg.lines:  # fail before the run, not in the middle of it
            self.tariff.line(line.code)
            if line.product_code is not None:
                self.tariff.line(line.product_code)
        self.firms = list(
            draw_enterprises(cfg, streams.generator("goods.enterprises"))
            if enterprises is None
            else enterprises
        )
        rates = violation_rates or [f.violation_rate or 0.0 for f in self.firms]
        self._midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
        self._offset = (start - self._midnight).total_seconds()
        self._rng = {k: streams.generator(f"goods.{k}")
                     for k in ("opening", "imports", "ops", "ship", "batch", "times")}
        weights = np.array([ln.weight for ln in cfg.lines])
        self._weights = weights / weights.sum()
        self._ports = list(cfg.port_shares)
        self._port_p = np.array(list(cfg.port_shares.values()))
        self._port_p = self._port_p / self._port_p.sum()
        self._calendar, self._clock = calendar, clock
        self._ship_rate, self._day_p = cfg.shipments_per_day, self._port_p
        self._line_cdf, self._day_cdf = _cdf(self._weights), _cdf(self._day_p)
        self._products = {ln.code: ln for ln in cfg.lines if ln.product_code is not None}
        self._bookings: dict[date, list[tuple[int, str]]] = {}
        self._filings: dict[date, list[tuple[int, int, int]]] = {}
        self.events = GoodsEvents(
            enterprises=len(self.firms),
            batch_exit_enterprises=sum(f.batch_exit for f in self.firms),
            entity=[f.entity_id for f in self.firms],
            batch_exit=[f.batch_exit for f in self.firms],
        )
        tag = f"S{streams.seed}R{streams.replication}"
        self.ops = GoodsBooks(cfg, self.firms, self.events, rules,
                              streams.generator("goods.risk"), rates, tag, tiers_on)
        first = self._midnight.date()
        self.ops.open_books(first)
        self._opening_stock(first)

    @property
    def books(self) -> list[Any]:
        """The enterprises' account books as they stand."""
        return self.ops.books

    def _opening_stock(self, first: date) -> None:
        """Lots already booked before the start: nobody starts empty."""
        rng = self._rng["opening"]
        for e in range(len(self.firms)):
            for _ in range(self.cfg.opening_imports):
                line = self.cfg.lines[_pick(rng, self._line_cdf)]
                if self.tariff.line(line.code).taxed_list:
                    continue  # settled at the border: ordinary goods, not supervised stock
                qty = int(rng.integers(line.qty_min, line.qty_max + 1))
                self.ops.opening_lot(e, line, qty, first)

    # -- the process ------------------------------------------------------------------------------

    def process(self) -> Generator[simpy.Event, Any, None]:
        """The daily tick: wait for each local midnight inside the horizon and act."""
        k = 0
        while True:
            t = max(0.0, k * DAY_S - self._offset)
            if t >= self.horizon_s:
                return
            yield self.env.timeout(t - self.env.now)
            self._day(k, (self._midnight + timedelta(days=k)).date())
            k += 1

    def _time(self, k: int, rng: np.random.Generator | None = None) -> float | None:
        """A working-hours time on day ``k`` (06:00-22:00 local), or None past the horizon."""
        u = (rng or self._rng["times"]).uniform(6, 22)
        t = max(self.env.now, k * DAY_S - self._offset + u * 3600)
        return t if t < self.horizon_s else None

    # -- one day ----------------------------------------------------------------------------------

    def _day(self, k: int, today: date) -> None:
        """Plan the day's operations, then carry them out in the order of their times."""
        cfg, n, ops = self.cfg, len(self.firms), self.ops
        ops.new_day(today)
        self._calendar_day(today)
        imports = self._rng["imports"].poisson(cfg.imports_per_month * 12 / 365.2425, n)
        ships = self._rng["ship"].poisson(self._ship_rate, n)
        flags = self._rng["ops"].random((n, 3))
        if today.day == 1:
            self._schedule_filings(today)
        now = self.env.now
        plan: list[_Action] = []

        def at(t: float | None, act: Callable[..., None], *args: Any) -> None:
            if t is not None:
                plan.append((t, len(plan), partial(act, t, today, *args)))

        for e in range(n):  # customs' review comes first: it applies to the whole day
            if self.firms[e].batch_exit:
                at(now, ops.review, e, cfg.reinstatement_days)
        for e, entry in self._bookings.pop(today, []):
            at(self._time(k) or now, ops.book_entry, e, entry)
        for e, y, m in self._filings.pop(today, []):
            at(self._time(k) or now, ops.consolidate, e, y, m)
        for e in range(n):
            for _ in range(int(imports[e])):
                at(self._time(k, self._rng["imports"]), self._import, e)
            for op, rate, act in ((0, cfg.process_per_day, self._process),
                                  (1, cfg.transfer_per_day, self._transfer),
                                  (2, cfg.island_sale_per_day, self._sell)):
                if flags[e, op] < rate:
                    at(self._time(k), act, e)
            for _ in range(int(ships[e])):
                port = self._ports[_pick(self._rng["ship"], self._day_cdf)]
                clock = self._clock
                # the truck's time at its port, from the port's profile; outside: no shipment
                covered = clock is not None and clock.covers(port)
                at(clock.time(k, port) if clock is not None and covered else self._time(k),
                   self._ship, e, port)
        for _, _, action in sorted(plan, key=lambda a: (a[0], a[1])):
            action()

    def _calendar_day(self, today: date) -> None:
        """The day's shipment rate and port split under the cargo-truck calendar multipliers.

        Port ``p`` gets weight ``share_p x factor_p``: the island rate is scaled by the weights'
        sum and ports are drawn in proportion to them, so each port sees its own multiplier.
        """
        if self._calendar is None:
            return
        cal = self._calendar
        w = self._port_p * np.array([cal.factor(today, "cargo_truck", p) for p in self._ports])
        total = float(w.sum())
        self._ship_rate = self.cfg.shipments_per_day * total
        self._day_p = w / total if total > 0 else self._port_p
        self._day_cdf = _cdf(self._day_p)

    def _import(self, t: float, today: date, e: int) -> None:
        rng = self._rng["imports"]  # entries are common random numbers
        line: GoodsLine = self.cfg.lines[_pick(rng, self._line_cdf)]
        qty = int(rng.integers(line.qty_min, line.qty_max + 1))
        late = bool(rng.random() < self.cfg.late_booking_rate)
        delay = int(rng.integers(15, 21)) if late else int(rng.integers(0, 4))
        entry = self.ops.import_lot(t, today, e, line, qty, late)
        if entry is not None:
            self._bookings.setdefault(today + timedelta(days=delay), []).append((e, entry))

    def _process(self, t: float, today: date, e: int) -> None:
        self.ops.process(t, today, e, self._rng["ops"], self._products,
                         self.cfg.domestic_input_ratio)

    def _transfer(self, t: float, today: date, e: int) -> None:
        rng = self._rng["ops"]
        item = self.ops.holding(e, rng)
        if item is None or len(self.firms) < 2:
            return
        dst = (e + 1 + int(rng.integers(len(self.firms) - 1))) % len(self.firms)
        qty = max(1, int(self.books[e].positions[item].qty * self.cfg.ship_fraction))
        self.ops.transfer(t, today, e, dst, item, qty)

    def _price(self, item: str, e: int, qty: int, rng: np.random.Generator) -> int:
        lot = self.books[e].positions[item]
        inputs = (lot.imported_fen + lot.domestic_fen) * qty // lot.qty
        price: float = inputs * (1.0 + float(self.cfg.margin.sample(rng, 1)[0]))
        return round(price)

    def _sell(self, t: float, today: date, e: int) -> None:
        rng = self._rng["ops"]
        item = self.ops.holding(e, rng)
        if item is None:
            return
        qty = max(1, int(self.books[e].positions[item].qty * self.cfg.ship_fraction))
        self.ops.sell(t, today, e, item, qty, self._price(item, e, qty, rng))

    def _ship(self, t: float, today: date, e: int, port: str) -> None:
        rng = self._rng["ship"]
        item = self.ops.holding(e, rng)
        if item is None:
            return
        qty = max(1, int(self.books[e].positions[item].qty * self.cfg.ship_fraction))
        price = self._price(item, e, qty, rng)
        permit_missing = bool(rng.random() < self.cfg.missing_permit_rate)
        self.ops.ship(t, today, e, item, qty, price, port, permit_missing)

    # -- batch exit: month end --------------------------------------------------------------------

    def _schedule_filings(self, today: date) -> None:
        prev = today - timedelta(days=1)
        rng = self._rng["batch"]
        for e, f in enumerate(self.firms):
            if not f.batch_exit:
                continue
            periods = {(s.filed.year, s.filed.month) for s in self.books[e].shipments.values()}
            if (prev.year, prev.month) not in periods:
                continue
            late = bool(rng.random() < self.cfg.late_declaration_rate)
            day = int(rng.integers(26, 36)) if late else int(rng.integers(1, bx.DUE_DAY + 1))
            on = today + timedelta(days=day - 1)
            self._filings.setdefault(on, []).append((e, prev.year, prev.month))
