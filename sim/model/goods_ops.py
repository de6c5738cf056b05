"""The operations of the goods flow on its enterprises' account books, each one a logged event.

:class:`GoodsBooks` holds the books of the goods flow's enterprises and performs one operation at
a time through the pure rules (:mod:`sim.rules.ledger`, :mod:`sim.rules.batch_exit`,
:mod:`sim.rules.oracle`), recording every operation — accepted or refused — in the run's
:class:`~sim.results.goods.GoodsEvents` with everything a platform would need to be sent the same
operation: book, reference, goods lines, dates, and for shipments the oracle's decision.

Before each operation the enterprise's book carries its credit tier *on that day* (classified
from its history when the caller can, :data:`EnterpriseTiers`), as the platform re-classifies
the holder on every batch-exit operation and declaration; when the caller also knows the active
listing grounds (:class:`EnterpriseCredit`), a key-attention enterprise's shipments are routed
as its strictest ground, as the platform routes them. A shipment to the mainland is
decided by the oracle: its planted violation and the risk indicators it shows are drawn from the
stream ``goods.risk`` (one violation draw and one draw per indicator for every truck, whatever
its outcome, so the draws stay aligned), and its channel is
:func:`sim.rules.oracle.decide_declaration`'s (a batch-exit truck is routed by the same risk
check, :func:`sim.rules.risk.assess_risk`, although its filing gets no channel).

Identifiers are stable: ``<tag>-<KIND>-<enterprise>-<yymmdd>-<n>`` where ``tag`` names the seed
and replication (``S<seed>R<replication>``) and ``n`` counts the enterprise's operations of that
kind on that day. A policy change that leaves an enterprise's goods alone leaves its references
(and so their random selection) alone: common random numbers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol, runtime_checkable

import numpy as np

from sim.model.goods_enterprises import GoodsEnterprise
from sim.results.goods import Decision, GoodsEvents
from sim.rules import batch_exit as bx
from sim.rules import ledger as lg
from sim.rules.config import RulesConfig
from sim.rules.goods import Regime, duty_exempt_by_value_added
from sim.rules.oracle import DeclarationRequest, decide_declaration
from sim.rules.refusals import Reason, Refusal
from sim.rules.risk import assess_risk
from sim.rules.tiers import TIERS, Tier
from sim.scenario.goods import GoodsConfig, GoodsLine

__all__ = ["EnterpriseCredit", "EnterpriseTiers", "GoodsBooks"]

EnterpriseTiers = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``tiers_on(firms, days)``: tier codes (indices into :data:`sim.rules.tiers.TIERS`) of the
goods flow's enterprises ``firms`` (indices into ``GoodsFlow.firms``) on local dates ``days``
(days since 1970-01-01), one per element."""


@runtime_checkable
class EnterpriseCredit(Protocol):
    """An :data:`EnterpriseTiers` that also knows the enterprises' active listing grounds."""

    def __call__(self, firms: np.ndarray, days: np.ndarray) -> np.ndarray: ...

    def grounds(self, firms: np.ndarray, days: np.ndarray) -> list[str]:
        """Active listing grounds of ``firms`` on ``days``, comma-separated ('' for none)."""
        ...

_EPOCH = date(1970, 1, 1)


def _day(d: date) -> int:
    return (d - _EPOCH).days


class GoodsBooks:
    """The enterprises' account books and the operations on them (see the module docstring).

    Args:
        cfg: the ``goods`` section.
        firms: the enterprises, in the flow's order.
        events: the run's goods events (filled here).
        rules: the rules' configuration (tariff and risk model).
        risk_rng: the stream ``goods.risk``.
        violation_rates: each enterprise's planted violation rate per shipment.
        tag: the run's identifier tag (``S<seed>R<replication>``).
        tiers_on: the enterprises' tiers on any date; None keeps each one's ``tier``.
    """

    def __init__(
        self,
        cfg: GoodsConfig,
        firms: Sequence[GoodsEnterprise],
        events: GoodsEvents,
        rules: RulesConfig,
        risk_rng: np.random.Generator,
        violation_rates: Sequence[float],
        tag: str,
        tiers_on: EnterpriseTiers | None = None,
    ) -> None:
        self.cfg, self.firms, self.events, self.rules = cfg, list(firms), events, rules
        self.tariff = rules.tariff_table
        self._risk_rng = risk_rng
        self._rates = np.asarray(violation_rates, dtype=float)
        self._tag, self._tiers_on = tag, tiers_on
        self._fixed = np.array([TIERS.index(f.tier) for f in self.firms], dtype=np.int8)
        self._today_tiers = self._fixed
        self._today_grounds: list[tuple[str, ...]] = [()] * len(self.firms)
        self._today: date | None = None
        self._seq: dict[tuple[str, int], int] = {}
        self._stamp_day: date | None = None
        self._stamp = ""
        features = rules.risk.features
        self._names = [f.name for f in features]
        self._p_clean = np.array([f.prevalence_clean for f in features])
        self._p_bad = np.array([f.prevalence_violating for f in features])
        self.books: list[lg.Book] = []

    # -- the day -----------------------------------------------------------------------------------

    def new_day(self, today: date) -> None:
        """Classify every enterprise on ``today`` and restart the day's identifier counters."""
        self._today = today
        self._seq.clear()
        if self._tiers_on is not None and self.firms:
            n = len(self.firms)
            days = np.full(n, _day(today), dtype=np.int64)
            self._today_tiers = np.asarray(self._tiers_on(np.arange(n), days), dtype=np.int8)
            if isinstance(self._tiers_on, EnterpriseCredit):
                self._today_grounds = [
                    tuple(g.split(",")) if g else ()
                    for g in self._tiers_on.grounds(np.arange(n), days)
                ]

    def tier(self, e: int) -> Tier:
        """Enterprise ``e``'s tier today."""
        return TIERS[int(self._today_tiers[e])]

    def grounds(self, e: int) -> tuple[str, ...]:
        """Enterprise ``e``'s active listing grounds today (empty when not listed or unknown)."""
        return self._today_grounds[e]

    def _current(self, e: int) -> lg.Book:
        book = self.books[e]
        tier = self.tier(e)
        if book.holder.tier != tier:
            book = lg.with_tier(book, tier)
            self.books[e] = book
        return book

    def _id(self, kind: str, e: int, today: date) -> str:
        key = (kind, e)
        n = self._seq.get(key, 0) + 1
        self._seq[key] = n
        if today != self._stamp_day:  # strftime is slow; one date string a day
            self._stamp_day, self._stamp = today, f"{today:%y%m%d}"
        return f"{self._tag}-{kind}-{e:05d}-{self._stamp}-{n}"

    def _add(self, t: float, kind: str, e: int, today: date, **fields: Any) -> int:
        return self.events.add(t, kind, e, day=_day(today), **fields)

    def _refused(self, t: float, e: int, today: date, op: str, exc: Refusal, **f: Any) -> None:
        self._add(t, "refusal", e, today, op=op, cause=exc.reason.value, **f)

    # -- filing and opening stock ------------------------------------------------------------------

    def open_books(self, first: date) -> None:
        """Qualify every enterprise, file its book and admit batch-exit users, on ``first``."""
        self.new_day(first)
        for e, f in enumerate(self.firms):
            q = lg.file_qualification(f.entity_id, hainan_registered=True, individual=False,
                                      encouraged=f.encouraged, tier=self.tier(e), on=first)
            book = lg.file_book(f"BK-{f.entity_id}", q, first)
            self.books.append(bx.admit_batch_exit(book, first) if f.batch_exit else book)

    def opening_lot(self, e: int, line: GoodsLine, qty: int, first: date) -> None:
        """A lot released and booked on the first day (stock held before the run)."""
        entry = self._id("OP", e, first)
        item = sys.intern(f"{line.code}:{line.regime}")
        value = qty * line.unit_value_fen
        book, _ = lg.release_first_line(self.books[e], entry, item, line.code, qty, value, first,
                                        self.tariff, regime=Regime(line.regime))
        self.books[e], _ = lg.book_entry(book, entry, first)
        self._add(0.0, "opening", e, first, ref=entry, item=item, code=line.code, qty=qty,
                  value_fen=value, regime=line.regime)

    # -- first line --------------------------------------------------------------------------------

    def import_lot(self, t: float, today: date, e: int, line: GoodsLine, qty: int,
                   late: bool) -> str | None:
        """Goods released at the first line; the entry id when it waits to be booked."""
        item = sys.intern(f"{line.code}:{'paid' if late else line.regime}")
        entry = self._id("EN", e, today)
        value = qty * line.unit_value_fen
        fields: dict[str, Any] = {"ref": entry, "item": item, "code": line.code, "qty": qty,
                                  "value_fen": value, "regime": line.regime}
        try:
            self.books[e], out = lg.release_first_line(self.books[e], entry, item, line.code,
                                                       qty, value, today, self.tariff,
                                                       regime=Regime(line.regime))
        except Refusal as exc:
            self._refused(t, e, today, "entry", exc, **fields)
            return None
        self._add(t, "entry", e, today, duties=out.duties,
                  op="pending" if out.pending else "settled", **fields)
        return entry if out.pending else None

    def book_entry(self, t: float, today: date, e: int, entry: str) -> None:
        """Book a pending entry; one booked too late is refused and its taxes back-paid."""
        try:
            self.books[e], out = lg.book_entry(self.books[e], entry, today)
        except Refusal as exc:
            self._refused(t, e, today, "booking", exc, ref=entry)
            if exc.reason is Reason.BOOKING_OVERDUE:
                self.books[e], out = lg.settle_overdue_entry(self.books[e], entry, today,
                                                             self.tariff)
                self._add(t, "late_booking", e, today, ref=entry, duties=out.duties)
            return
        self._add(t, "booking", e, today, ref=entry, item=out.item, qty=out.qty)

    # -- circulation and processing ----------------------------------------------------------------

    def holding(self, e: int, rng: np.random.Generator) -> str | None:
        """A random item the enterprise may move (relaxed-trade goods stay with their user)."""
        items = [i for i, p in self.books[e].positions.items()
                 if p.qty and p.regime is not Regime.RELAXED_TRADE]
        return items[int(rng.integers(len(items)))] if items else None

    def process(self, t: float, today: date, e: int, rng: np.random.Generator,
                products: dict[str, GoodsLine], domestic_ratio: float) -> None:
        """Buy domestic inputs and run one processing order on a zero-tariff lot."""
        book = self.books[e]
        inputs = [i for i, p in book.positions.items()
                  if p.qty and p.regime is Regime.ZERO_TARIFF and not p.processed
                  and i.split(":")[0] in products]
        if not inputs:
            return
        item = inputs[int(rng.integers(len(inputs)))]
        line = products[item.split(":")[0]]
        lot = book.positions[item]
        batches = lot.qty // line.input_per_unit
        if batches == 0:
            return
        assert line.product_code is not None
        used = lot.imported_fen * batches * line.input_per_unit // lot.qty
        # names are interned: a year of processing orders names the same few items
        domestic = sys.intern(f"{line.product_code}:domestic")
        value = round(used * domestic_ratio)
        # the product's regime depends on the maker, so it is part of the item's name
        made = sys.intern(f"{line.product_code}:{'va' if self.firms[e].encouraged else 'zt'}")
        purchase = {"item": domestic, "code": line.product_code, "qty": batches,
                    "value_fen": value}
        try:
            self.books[e], _ = lg.purchase_domestic(book, domestic, line.product_code, batches,
                                                    value, self.tariff, on=today)
        except Refusal as exc:
            self._refused(t, e, today, "purchase", exc, **purchase)
            return
        self._add(t, "purchase", e, today, **purchase)
        order = self._id("PO", e, today)
        bom = lg.BillOfMaterials({item: line.input_per_unit, domestic: 1},
                                 {made: (line.product_code, 1)})
        # (input, per batch, domestic input, product, its code, batches): a tuple, not dicts
        detail = (item, line.input_per_unit, domestic, made, line.product_code, batches)
        try:
            self.books[e], out = lg.process(self.books[e], order, bom, batches, today,
                                            self.tariff)
        except Refusal as exc:
            self._refused(t, e, today, "processing", exc, ref=order, detail=detail)
            return
        self._add(t, "processing", e, today, ref=order, regime=out.regime.value, detail=detail)

    def transfer(self, t: float, today: date, e: int, dst: int, item: str, qty: int) -> None:
        """Move goods to another enterprise's book."""
        fields: dict[str, Any] = {"item": item, "qty": qty, "other": dst}
        try:
            self.books[e], self.books[dst], _ = lg.transfer(self.books[e], self.books[dst], item,
                                                            qty, today)
        except Refusal as exc:
            self._refused(t, e, today, "transfer", exc, **fields)
            return
        self._add(t, "transfer", e, today, **fields)

    def sell(self, t: float, today: date, e: int, item: str, qty: int, price: int) -> None:
        """Sell goods to a non-eligible buyer on the island: written off, taxes due."""
        lot = self.books[e].positions[item]
        fields: dict[str, Any] = {"item": item, "qty": qty, "price_fen": price}
        try:
            self.books[e], out = lg.transfer_out(self.books[e], item, qty, today, self.tariff,
                                                 price_fen=price)
        except Refusal as exc:
            self._refused(t, e, today, "island_sale", exc, **fields)
            return
        self._add(t, "island_sale", e, today, regime=lot.regime.value, duties=out.duties,
                  **fields)

    # -- the second line ---------------------------------------------------------------------------

    def _truck(self, e: int) -> tuple[bool, list[str]]:
        """The planted violation and the indicators shown by one truck's goods."""
        u = self._risk_rng.random(1 + len(self._names))
        violation = bool(u[0] < self._rates[e])
        prevalence = self._p_bad if violation else self._p_clean
        return violation, [n for n, x, p in zip(self._names, u[1:], prevalence, strict=True)
                           if x < p]

    def ship(self, t: float, today: date, e: int, item: str, qty: int, price: int, port: str,
             permit_missing: bool) -> None:
        """A shipment to the mainland: non-customs, batch-exit filing or declaration."""
        book = self._current(e)
        lot = book.positions[item]
        va = 0
        if lot.regime is Regime.PROCESSING_VALUE_ADDED and duty_exempt_by_value_added(
                price, lot.imported_fen * qty // lot.qty, lot.domestic_fen * qty // lot.qty,
                encouraged=True):
            va = price
        fields: dict[str, Any] = {"item": item, "qty": qty, "price_fen": price, "port": port,
                                  "regime": lot.regime.value}
        if lot.regime is Regime.ORDINARY:
            # Taxes settled: no customs channel; declared so that the platform's book balances.
            ref = self._id("NC", e, today)
            request = DeclarationRequest(ref, port, today, (lg.ExitLine(item, qty, price),))
            decided = decide_declaration(book, self.tier(e), request, self.rules,
                                         self.grounds(e))
            self.books[e] = decided.book
            self._add(t, "non_customs", e, today, ref=ref, duties=decided.declaration.duties,
                      decision=Decision(decided.tier, False, "", decided.risk.score,
                                        decided.channel, self._grounds_text(e)), **fields)
            return
        violation, shown = self._truck(e)
        if self.firms[e].batch_exit and not bx.suspension_causes(book, today):
            ref = self._id("SH", e, today)
            if permit_missing:
                # planted: customs finds the permit missing; refused, and batch exit suspended
                self._refused(t, e, today, "permit_check", Refusal(Reason.MISSING_PERMIT, ""),
                              ref=ref, **fields)
                self.books[e] = bx.suspend_batch_exit(book, Reason.MISSING_PERMIT, today)
                self._add(t, "suspension", e, today, cause=Reason.MISSING_PERMIT.value,
                          op="permit_check", detail=self._status(e, today))
                return
            try:
                self.books[e], filed = bx.file_batch_shipment(book, ref, item, qty, today, port,
                                                              self.tariff, price_fen=price)
            except Refusal as exc:
                self._refused(t, e, today, "batch_shipment", exc, ref=ref, **fields)
                return
            risk = assess_risk(shown, self.tier(e), ref, self.rules.risk, self.grounds(e))
            decision = Decision(self.tier(e), violation, ",".join(shown), risk.score,
                                risk.channel, self._grounds_text(e))
            self._add(t, "batch_shipment", e, today, ref=ref, value_added_fen=va,
                      duties=filed.duties, decision=decision, **fields)
            return
        ref = self._id("DC", e, today)
        request = DeclarationRequest(ref, port, today, (lg.ExitLine(item, qty, price),),
                                     tuple(shown))
        try:
            decided = decide_declaration(book, self.tier(e), request, self.rules,
                                         self.grounds(e))
        except Refusal as exc:
            self._refused(t, e, today, "declaration", exc, ref=ref, **fields,
                          decision=Decision(self.tier(e), violation, ",".join(shown), 0.0, "",
                                            self._grounds_text(e)))
            return
        self.books[e] = decided.book
        self._add(t, "declaration", e, today, ref=ref, duties=decided.declaration.duties,
                  value_added_fen=va,
                  decision=Decision(decided.tier, violation, ",".join(shown), decided.risk.score,
                                    decided.channel, self._grounds_text(e)), **fields)

    # -- batch exit: month end, reviews, reinstatement ---------------------------------------------

    def consolidate(self, t: float, today: date, e: int, year: int, month: int) -> None:
        """File the consolidated declaration of ``year``-``month``."""
        book = self._current(e)
        before = book.batch.suspended
        period = f"{year:04d}-{month:02d}"
        try:
            self.books[e], decl = bx.declare_consolidated(book, year, month, today)
        except Refusal as exc:
            self._refused(t, e, today, "consolidated", exc, ref=period)
            return
        self._add(t, "consolidated", e, today, ref=period, duties=decl.duties, late=decl.late,
                  qty=decl.qty)
        for cause in sorted(self.books[e].batch.suspended - before):
            self._add(t, "suspension", e, today, cause=cause, op="consolidated",
                      detail=self._status(e, today))

    def review(self, t: float, today: date, e: int, reinstatement_days: int) -> None:
        """Customs' daily review of a batch-exit user, then its reinstatement when due."""
        book = self._current(e)
        reviewed = bx.review_batch_exit(book, today)
        self.books[e] = reviewed
        for cause in sorted(reviewed.batch.suspended - book.batch.suspended):
            self._add(t, "suspension", e, today, cause=cause, op="review",
                      detail=self._status(e, today))
        since = reviewed.batch.suspended_on
        if since is None or (today - since).days < reinstatement_days:
            return
        try:  # the application is made once the enterprise has fixed what it can
            self.books[e] = bx.reinstate_batch_exit(reviewed, today, permits_in_order=True)
        except Refusal:
            return  # still overdue: it declares first, then applies
        self._add(t, "reinstatement", e, today, detail=self._status(e, today))

    def _grounds_text(self, e: int) -> str:
        return ",".join(self._today_grounds[e])

    def _status(self, e: int, today: date) -> dict[str, Any]:
        """The batch-exit causes in force after an operation (what the platform answers)."""
        return {"suspended": sorted(bx.suspension_causes(self.books[e], today))}
