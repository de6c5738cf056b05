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

Each purpose draws from its own named stream (``goods.enterprises``, ``goods.opening``,
``goods.imports``, ``goods.ops``, ``goods.ship``, ``goods.batch``, ``goods.times``), and an
enterprise uses batch exit when its fixed uniform draw is below ``batch_exit_adoption``, so
raising the adoption adds users without reshuffling anyone: common random numbers for the
what-if.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import simpy

from sim.model.goods_enterprises import (
    GoodsEnterprise,
    draw_enterprises,
    enterprises_from_columns,
)
from sim.model.truck_clock import TruckClock
from sim.results.goods import GoodsEvents
from sim.rng import RandomStreams
from sim.rules import batch_exit as bx
from sim.rules import ledger as lg
from sim.rules.goods import Regime, TariffTable, duty_exempt_by_value_added
from sim.rules.refusals import Reason, Refusal
from sim.scenario.calendar import Calendar
from sim.scenario.goods import GoodsConfig, GoodsLine

__all__ = ["GoodsEnterprise", "GoodsFlow", "draw_enterprises", "enterprises_from_columns"]

DAY_S = 86_400.0


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
        tariff: the tariff table (default: the packaged one with ``cfg.tariff`` changes).
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
        tariff: TariffTable | None = None,
        calendar: Calendar | None = None,
        clock: TruckClock | None = None,
    ) -> None:
        self.env, self.cfg, self.horizon_s = env, cfg, horizon_s
        self.tariff = tariff or cfg.tariff_table()
        for line in cfg.lines:  # fail before the run, not in the middle of it
            self.tariff.line(line.code)
            if line.product_code is not None:
                self.tariff.line(line.product_code)
        self.firms = list(
            draw_enterprises(cfg, streams.generator("goods.enterprises"))
            if enterprises is None
            else enterprises
        )
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
        self._products = {ln.code: ln for ln in cfg.lines if ln.product_code is not None}
        self._bookings: dict[date, list[tuple[int, str]]] = {}
        self._filings: dict[date, list[tuple[int, int, int]]] = {}
        self._n = 0
        self.events = GoodsEvents(
            enterprises=len(self.firms),
            batch_exit_enterprises=sum(f.batch_exit for f in self.firms),
        )
        first = self._midnight.date()
        self.books: list[lg.Book] = []
        for f in self.firms:
            q = lg.file_qualification(f.entity_id, hainan_registered=True, individual=False,
                                      encouraged=f.encouraged, tier=f.tier, on=first)
            book = lg.file_book(f"BK-{f.entity_id}", q, first)
            self.books.append(bx.admit_batch_exit(book, first) if f.batch_exit else book)
        self._opening_stock(first)

    def _opening_stock(self, first: date) -> None:
        """Lots already booked before the start (not events of the run): nobody starts empty."""
        rng = self._rng["opening"]
        for e in range(len(self.firms)):
            for _ in range(self.cfg.opening_imports):
                line = self.cfg.lines[int(rng.choice(len(self.cfg.lines), p=self._weights))]
                if self.tariff.line(line.code).taxed_list:
                    continue  # settled at the border: ordinary goods, not supervised stock
                qty = int(rng.integers(line.qty_min, line.qty_max + 1))
                entry = self._id("OP")
                book, _ = lg.release_first_line(
                    self.books[e], entry, f"{line.code}:{line.regime}", line.code, qty,
                    qty * line.unit_value_fen, first, self.tariff, regime=Regime(line.regime))
                self.books[e], _ = lg.book_entry(book, entry, first)

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

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def _refused(self, t: float, e: int, exc: Refusal) -> None:
        self.events.add(t, "refusal", e, cause=exc.reason.value)

    # -- one day ----------------------------------------------------------------------------------

    def _day(self, k: int, today: date) -> None:
        cfg, n = self.cfg, len(self.firms)
        self._calendar_day(today)
        imports = self._rng["imports"].poisson(cfg.imports_per_month * 12 / 365.2425, n)
        ships = self._rng["ship"].poisson(self._ship_rate, n)
        ops = self._rng["ops"].random((n, 3))
        if today.day == 1:
            self._schedule_filings(today)
        for e, entry in self._bookings.pop(today, []):
            self._book(k, today, e, entry)
        for e, y, m in self._filings.pop(today, []):
            self._consolidate(k, today, e, y, m)
        for e in range(n):
            for _ in range(int(imports[e])):
                self._import(k, today, e)
            if ops[e, 0] < cfg.process_per_day:
                self._process(k, today, e)
            if ops[e, 1] < cfg.transfer_per_day:
                self._transfer(k, today, e)
            if ops[e, 2] < cfg.island_sale_per_day:
                self._sell(k, today, e)
            for _ in range(int(ships[e])):
                self._ship(k, today, e)
            if self.firms[e].batch_exit:
                self._review(k, today, e)

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

    def _import(self, k: int, today: date, e: int) -> None:
        rng = self._rng["imports"]
        t = self._time(k, rng)  # from the imports stream: entries are common random numbers
        if t is None:
            return
        line: GoodsLine = self.cfg.lines[int(rng.choice(len(self.cfg.lines), p=self._weights))]
        qty = int(rng.integers(line.qty_min, line.qty_max + 1))
        late = bool(rng.random() < self.cfg.late_booking_rate)
        delay = int(rng.integers(15, 21)) if late else int(rng.integers(0, 4))
        # goods that will lose the preference are kept apart: settled goods are ordinary
        item = f"{line.code}:{'paid' if late else line.regime}"
        entry = self._id("EN")
        try:
            self.books[e], out = lg.release_first_line(
                self.books[e], entry, item, line.code, qty, qty * line.unit_value_fen, today,
                self.tariff, regime=Regime(line.regime))
        except Refusal as exc:
            self._refused(t, e, exc)
            return
        self.events.add(t, "entry", e, regime=line.regime, duties=out.duties)
        if out.pending:
            self._bookings.setdefault(today + timedelta(days=delay), []).append((e, entry))

    def _book(self, k: int, today: date, e: int, entry: str) -> None:
        t = self._time(k) or self.env.now
        try:
            self.books[e], _ = lg.book_entry(self.books[e], entry, today)
        except Refusal as exc:
            self._refused(t, e, exc)
            if exc.reason is Reason.BOOKING_OVERDUE:
                self.books[e], out = lg.settle_overdue_entry(self.books[e], entry, today,
                                                             self.tariff)
                self.events.add(t, "late_booking", e, duties=out.duties)

    def _holding(self, e: int, rng: np.random.Generator) -> str | None:
        """A random item the enterprise may move (relaxed-trade goods stay with their user)."""
        items = [i for i, p in self.books[e].positions.items()
                 if p.regime is not Regime.RELAXED_TRADE]
        return items[int(rng.integers(len(items)))] if items else None

    def _process(self, k: int, today: date, e: int) -> None:
        book = self.books[e]
        inputs = [i for i, p in book.positions.items()
                  if p.regime is Regime.ZERO_TARIFF and not p.processed
                  and i.split(":")[0] in self._products]
        t = self._time(k)
        if not inputs or t is None:
            return
        item = inputs[int(self._rng["ops"].integers(len(inputs)))]
        line = self._products[item.split(":")[0]]
        lot = book.positions[item]
        batches = lot.qty // line.input_per_unit
        if batches == 0:
            return
        assert line.product_code is not None
        used = lot.imported_fen * batches * line.input_per_unit // lot.qty
        domestic = f"{line.product_code}:domestic"
        value = round(used * self.cfg.domestic_input_ratio)
        # the product's regime depends on the maker, so it is part of the item's name
        made = f"{line.product_code}:{'va' if self.firms[e].encouraged else 'zt'}"
        bom = lg.BillOfMaterials({item: line.input_per_unit, domestic: 1},
                                 {made: (line.product_code, 1)})
        try:
            book, _ = lg.purchase_domestic(book, domestic, line.product_code, batches, value,
                                           self.tariff)
            self.books[e], _ = lg.process(book, self._id("PO"), bom, batches, today, self.tariff)
        except Refusal as exc:
            self._refused(t, e, exc)

    def _transfer(self, k: int, today: date, e: int) -> None:
        rng = self._rng["ops"]
        item, t = self._holding(e, rng), self._time(k)
        if item is None or t is None or len(self.firms) < 2:
            return
        dst = (e + 1 + int(rng.integers(len(self.firms) - 1))) % len(self.firms)
        qty = max(1, int(self.books[e].positions[item].qty * self.cfg.ship_fraction))
        try:
            self.books[e], self.books[dst], _ = lg.transfer(self.books[e], self.books[dst], item,
                                                            qty, today)
        except Refusal as exc:
            self._refused(t, e, exc)

    def _price(self, lot: lg.Position, qty: int, rng: np.random.Generator) -> int:
        inputs = (lot.imported_fen + lot.domestic_fen) * qty // lot.qty
        return round(inputs * (1.0 + float(self.cfg.margin.sample(rng, 1)[0])))

    def _sell(self, k: int, today: date, e: int) -> None:
        rng = self._rng["ops"]
        item, t = self._holding(e, rng), self._time(k)
        if item is None or t is None:
            return
        lot = self.books[e].positions[item]
        qty = max(1, int(lot.qty * self.cfg.ship_fraction))
        try:
            self.books[e], out = lg.transfer_out(self.books[e], item, qty, today, self.tariff,
                                                 price_fen=self._price(lot, qty, rng))
        except Refusal as exc:
            self._refused(t, e, exc)
            return
        self.events.add(t, "island_sale", e, regime=lot.regime.value, duties=out.duties)

    def _ship(self, k: int, today: date, e: int) -> None:
        rng = self._rng["ship"]
        item = self._holding(e, rng)
        if item is None:
            return
        book = self.books[e]
        lot = book.positions[item]
        qty = max(1, int(lot.qty * self.cfg.ship_fraction))
        price = self._price(lot, qty, rng)
        port = self._ports[int(rng.choice(len(self._ports), p=self._day_p))]
        clock = self._clock
        # the truck's time at its port, from the port's profile; outside the run: no shipment
        t = clock.time(k, port) if clock is not None and clock.covers(port) else self._time(k)
        if t is None:
            return
        va = 0
        if lot.regime is Regime.PROCESSING_VALUE_ADDED and duty_exempt_by_value_added(
                price, lot.imported_fen * qty // lot.qty, lot.domestic_fen * qty // lot.qty,
                encouraged=True):
            va = price
        if lot.regime is Regime.ORDINARY:
            # taxes settled: no second-line declaration, the goods take a non-customs channel
            self.books[e], _ = lg.declare_exit(book, self._id("NC"), [lg.ExitLine(item, qty)],
                                               today, port, self.tariff)
            self.events.add(t, "non_customs", e, port=port, regime=lot.regime.value)
            return
        batch_ok = self.firms[e].batch_exit and not bx.suspension_causes(book, today)
        permit_missing = bool(rng.random() < self.cfg.missing_permit_rate)
        try:
            if batch_ok and permit_missing:
                # planted: the shipment has no permit; refused, and customs suspends batch exit
                self._refused(t, e, Refusal(Reason.MISSING_PERMIT, "planted missing permit"))
                self.books[e] = bx.suspend_batch_exit(book, Reason.MISSING_PERMIT, today)
                self.events.add(t, "suspension", e, cause=Reason.MISSING_PERMIT.value)
            elif batch_ok:
                self.books[e], s = bx.file_batch_shipment(book, self._id("SH"), item, qty, today,
                                                          port, self.tariff, price_fen=price)
                self.events.add(t, "batch_shipment", e, port=port, regime=s.regime.value,
                                value_added_fen=va)
            else:
                self.books[e], d = lg.declare_exit(book, self._id("DC"),
                                                   [lg.ExitLine(item, qty, price)], today, port,
                                                   self.tariff)
                self.events.add(t, "declaration", e, port=port, regime=lot.regime.value,
                                duties=d.duties, value_added_fen=va)
        except Refusal as exc:
            self._refused(t, e, exc)

    # -- batch exit: month end, reviews, reinstatement --------------------------------------------

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

    def _consolidate(self, k: int, today: date, e: int, y: int, m: int) -> None:
        t = self._time(k) or self.env.now
        before = self.books[e].batch.suspended
        try:
            self.books[e], decl = bx.declare_consolidated(self.books[e], y, m, today)
        except Refusal as exc:
            self._refused(t, e, exc)
            return
        self.events.add(t, "consolidated", e, duties=decl.duties, late=decl.late)
        for cause in sorted(self.books[e].batch.suspended - before):
            self.events.add(t, "suspension", e, cause=cause)

    def _review(self, k: int, today: date, e: int) -> None:
        book = self.books[e]
        t = self._time(k) or self.env.now
        reviewed = bx.review_batch_exit(book, today)
        for cause in sorted(reviewed.batch.suspended - book.batch.suspended):
            self.events.add(t, "suspension", e, cause=cause)
        self.books[e] = reviewed
        since = reviewed.batch.suspended_on
        if since is None or (today - since).days < self.cfg.reinstatement_days:
            return
        try:  # the application is made once the enterprise has fixed what it can
            self.books[e] = bx.reinstate_batch_exit(reviewed, today, permits_in_order=True)
        except Refusal:
            return  # still overdue: it declares first, then applies
        self.events.add(t, "reinstatement", e)
