"""The oracle's platform: what every drill step must be answered, from the rules alone.

A drill compares each answer of the platform with what the rules say it must be. The rules
(:mod:`sim.rules`) decide one request from its facts, so the drill keeps those facts as the
platform should hold them: the entities registered, their credit histories and each traveller's
duty-free purchases per year (:class:`~sim.drill.registry.ExpectedRegistry`, which this extends),
qualifications, account books (immutable :class:`~sim.rules.account_book.Book` values) and
declarations. :class:`ExpectedPlatform` takes the steps in order and, for each, asks the rules for
the decision —

- credit events and tier queries: :func:`sim.rules.oracle.tier_as_of`;
- qualifications, books, entries, bookings, purchases, transfers, processing:
  :mod:`sim.rules.ledger`; a transfer into another enterprise's book is *pending* (checked, not
  moved) until the receiver accepts it (:func:`sim.rules.ledger.accept_transfer`, the goods
  move on the acceptance date), rejects it, or the sender withdraws it;
- second-line declarations: :func:`sim.rules.oracle.decide_declaration`, with the declarant's
  tier and listing grounds on the declaration date;
- batch exit: :mod:`sim.rules.batch_exit`, with the holder's tier on the operation's date;
- departure checks: :func:`sim.rules.oracle.check_departure`;

— and returns an :class:`Expectation`: the status and the answer's fields (dotted paths, as
:func:`sim.workload.expect.compare_fields` reads them). A refusal expects its status
(:data:`sim.rules.refusals.HTTP_STATUS`) and its reason code. The state changes only as an
accepted request changes the platform's, so the next step is decided against what the
platform must hold by then, whatever the platform under test answered.

Fields the rules do not decide are not expected: identifiers the platform chooses (a
declaration's id, a book's version, a release note's number) and a department feed's count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

from sim.drill.registry import (
    Expectation,
    ExpectedRegistry,
    as_json,
    as_json_dict,
    duties_record,
    problem,
    refused,
)
from sim.drill.transfer_record import DECIDED, TransferRecord
from sim.rules import batch_exit, ledger
from sim.rules.account_book import Book
from sim.rules.config import RulesConfig
from sim.rules.dates import not_before
from sim.rules.goods import NO_DUTIES, Regime
from sim.rules.ledger_codec import book_to_dict
from sim.rules.oracle import (
    DeclarationRequest,
    check_inspection_date,
    decide_declaration,
    listing_grounds,
)
from sim.rules.refusals import Reason, Refusal

__all__ = ["Expectation", "ExpectedPlatform"]


class ExpectedPlatform(ExpectedRegistry):
    """The platform's state as the rules make it, step by step (see the module docstring).

    Args:
        rules: the rules' configuration the platform under test is started with.
    """

    def __init__(self, rules: RulesConfig) -> None:
        super().__init__(rules)
        self._quals: dict[str, ledger.Qualification] = {}
        self.books: dict[str, Book] = {}
        """Account book id -> its value as the platform must hold it."""
        self._owner: dict[str, str] = {}
        self.declarations: dict[str, dict[str, Any]] = {}
        """Declaration reference -> its stored answer (without the platform's id)."""
        self.declarations_of: dict[str, list[str]] = {}
        """Book -> references of its accepted declarations, in filing order."""
        self.transfers: dict[str, TransferRecord] = {}
        """The oracle's key -> every transfer asked for, where it stands."""

    # -- reading the state -------------------------------------------------------------------------

    def book_state(self, book: str) -> dict[str, Any]:
        """A book's state as ``GET /v1/books/{id}`` must show it."""
        return as_json_dict(book_to_dict(self.books[book]))

    def owner(self, book: str) -> str:
        """The entity a book belongs to."""
        return self._owner[book]

    def inputs_of(self, book: str, item: str, qty: int, on: date) -> int | None:
        """The imported plus domestic inputs ``qty`` units of ``item`` carry when they leave on
        ``on`` (None: the book cannot let them leave then, e.g. it does not hold them).

        The probe is an exit declaration on the step's own date, so the rules' date checks
        (no exit before the second line opened or before the goods entered the book) see the
        date the step will carry.
        """
        held = self.books.get(book)
        if held is None:
            return None
        try:
            _, decl = ledger.declare_exit(held, "probe", [ledger.ExitLine(item, qty, 0)],
                                          on, "xinhai", self.rules.tariff_table)
        except Refusal:
            return None
        line = decl.lines[0]
        return line.imported_fen + line.domestic_fen

    @staticmethod
    def price_for(inputs: int, value_added: Fraction) -> int:
        """The lowest whole-fen sale price whose value added over ``inputs`` reaches the ratio."""
        exact = inputs * (1 + value_added)
        return -(-exact.numerator // exact.denominator)

    # -- qualification and books -------------------------------------------------------------------

    def file_qualification(self, body: Mapping[str, Any]) -> Expectation:
        """``POST /v1/qualifications``."""
        key, on = body["entity"], date.fromisoformat(body["on"])
        registered = self.entity(key)
        if registered is None:
            return problem(404, "unknown_entity")
        kind, hainan = registered
        encouraged = bool(body.get("encouraged", False))
        try:
            q = ledger.file_qualification(key, hainan_registered=hainan,
                                          individual=kind == "individual",
                                          encouraged=encouraged, tier=self.tier(key, on), on=on)
        except Refusal as refusal:
            return refused(refusal)
        self._quals[key] = q
        return Expectation(201, {"entity": key, "encouraged": encouraged, "tier": q.tier,
                                 "filed": on.isoformat()})

    def file_book(self, body: Mapping[str, Any]) -> Expectation:
        """``POST /v1/books``."""
        book_id, key, on = body["id"], body["entity"], date.fromisoformat(body["on"])
        if self.entity(key) is None:
            return problem(404, "unknown_entity")
        holder = self._quals.get(key)
        if holder is None:
            return problem(409, "not_qualified")
        if book_id in self.books:
            return problem(409, "duplicate_id")
        try:
            book = ledger.file_book(book_id, holder, on)
        except Refusal as refusal:
            return refused(refusal)
        self.books[book_id], self._owner[book_id] = book, key
        return Expectation(201, {"id": book_id, "entity": key, "state": self.book_state(book_id)},
                           books=(book_id,))

    def get_book(self, book_id: str) -> Expectation:
        """``GET /v1/books/{id}``."""
        if book_id not in self.books:
            return problem(404, "unknown_book")
        return Expectation(200, {"id": book_id, "entity": self._owner[book_id],
                                 "state": self.book_state(book_id)})

    def book_operation(self, op: str, book_id: str, path: Mapping[str, str],
                       body: Mapping[str, Any]) -> Expectation:
        """Entries, bookings, settlements, purchases, transfers and processing of one book."""
        book = self.books.get(book_id)
        if book is None:
            return problem(404, "unknown_book")
        tariff = self.rules.tariff_table
        try:
            if op == "transfer":
                return self._transfer(book, body)
            if op == "first_line_entry":
                new, out = ledger.release_first_line(
                    book, body["entry_id"], body["item"], body["code"], body["qty"],
                    body["value_fen"], date.fromisoformat(body["released"]), tariff,
                    Regime(body.get("regime", "zero_tariff")))
                fields = {"entry_id": out.entry_id, "item": out.item, "qty": out.qty,
                          "pending": out.pending, "duties": duties_record(out.duties)}
            elif op in ("book_entry", "settle_entry"):
                on = date.fromisoformat(body["on"])
                new, out = (ledger.book_entry(book, path["entry_id"], on) if op == "book_entry"
                            else ledger.settle_overdue_entry(book, path["entry_id"], on, tariff))
                fields = {"entry_id": out.entry_id, "item": out.item, "qty": out.qty,
                          "pending": out.pending, "duties": duties_record(out.duties)}
            elif op == "purchase":
                new, bought = ledger.purchase_domestic(book, body["item"], body["code"],
                                                       body["qty"], body["value_fen"], tariff,
                                                       date.fromisoformat(body["on"]))
                fields = {"item": bought.item, "qty": bought.qty,
                          "domestic_fen": bought.domestic_fen,
                          "duties": duties_record(bought.duties)}
            else:
                bom = ledger.BillOfMaterials(
                    dict(body["inputs"]),
                    {item: (o["code"], o["qty"]) for item, o in body["outputs"].items()})
                new, made = ledger.process(book, body["order_id"], bom, body["batches"],
                                           date.fromisoformat(body["on"]), tariff)
                fields = {"order_id": made.order_id, "consumed": dict(made.consumed),
                          "produced": dict(made.produced), "imported_fen": made.imported_fen,
                          "domestic_fen": made.domestic_fen, "regime": made.regime.value}
        except Refusal as refusal:
            return refused(refusal)
        self.books[book_id] = new
        return Expectation(201, as_json(fields), books=(book_id,))

    def _transfer(self, book: Book, body: Mapping[str, Any]) -> Expectation:
        on, to = date.fromisoformat(body["on"]), body.get("to_book")
        key = str(len(self.transfers) + 1)
        if to is None:
            new, out = ledger.transfer_out(book, body["item"], body["qty"], on,
                                           self.rules.tariff_table, body.get("price_fen"))
            self.books[book.book_id] = new
            done = TransferRecord(book.book_id, None, out.item, out.qty, on, "done", on,
                             duties_record(out.duties))
            self.transfers[key] = done
            return Expectation(201, done.answer(), books=(book.book_id,), transfer=key)
        if to == book.book_id:
            return problem(422, "same_book")
        dst = self.books.get(to)
        if dst is None:
            return problem(404, "unknown_book")
        # Checked now, whether or not the goods move now: a refused transfer is never pending.
        src, dst_new, out = ledger.transfer(book, dst, body["item"], body["qty"], on)
        if self._owner[to] != self._owner[book.book_id]:
            pending = TransferRecord(book.book_id, to, out.item, out.qty, on, "pending", None,
                                duties_record(NO_DUTIES))
            self.transfers[key] = pending
            return Expectation(201, pending.answer(), transfer=key)
        self.books[book.book_id], self.books[to] = src, dst_new
        moved = TransferRecord(book.book_id, to, out.item, out.qty, on, "done", on,
                          duties_record(out.duties))
        self.transfers[key] = moved
        return Expectation(201, moved.answer(), books=(book.book_id, to), transfer=key)

    def decide_transfer(self, op: str, key: str, actor: str,
                        body: Mapping[str, Any]) -> Expectation:
        """``POST /v1/transfers/{id}/acceptance|rejection|withdrawal`` of the transfer the oracle
        knows as ``key``, sent by the enterprise ``actor``.

        The receiver accepts (the goods move on the acceptance date, the rules checking the
        sender's balance again: :func:`sim.rules.ledger.accept_transfer`) or rejects; the sender
        withdraws. Checked in the platform's order: the transfer exists, a sale out of the
        regime is never pending, only that side may decide, it is still pending, the decision
        is not dated before the transfer was asked for.
        """
        t = self.transfers.get(key)
        if t is None:
            return problem(404, "unknown_transfer")
        if op == "accept_transfer" and t.to_book is None:
            return problem(409, "transfer_not_pending")
        side = t.book if op == "withdraw_transfer" else t.to_book
        if side is None or self._owner[side] != actor:
            return problem(403, "forbidden")
        if t.status != "pending":
            return problem(409, "transfer_not_pending")
        on = date.fromisoformat(body["on"])
        assert t.to_book is not None
        try:
            not_before(on, t.asked, "the transfer was asked for")
            if op == "accept_transfer":
                src, dst, _ = ledger.accept_transfer(self.books[t.book], self.books[t.to_book],
                                                     t.item, t.qty, t.asked, on)
        except Refusal as refusal:
            return refused(refusal)
        decided = replace(t, status=DECIDED[op], decided_on=on)
        self.transfers[key] = decided
        if op != "accept_transfer":
            return Expectation(200, decided.answer())
        self.books[t.book], self.books[t.to_book] = src, dst
        return Expectation(200, decided.answer(), books=(t.book, t.to_book))

    # -- second line -------------------------------------------------------------------------------

    def declare(self, body: Mapping[str, Any]) -> Expectation:
        """``POST /v1/declarations``."""
        weights = self.rules.risk.weights
        indicators = tuple(body.get("risk_indicators", ()))
        if any(name not in weights for name in indicators):
            return problem(422, "unknown_risk_indicator")
        book_id, on = body["book"], date.fromisoformat(body["date"])
        book = self.books.get(book_id)
        if book is None:
            return problem(404, "unknown_book")
        key = self._owner[book_id]
        classified = self.classification(key, on)
        tier = classified.tier
        lines = tuple(ledger.ExitLine(ln["item"], ln["qty"], ln.get("price_fen"),
                                      ln.get("permit", True)) for ln in body["lines"])
        reference = body["reference"]
        request = DeclarationRequest(reference, body["port"], on, lines, indicators)
        try:
            decided = decide_declaration(book, tier, request, self.rules,
                                         listing_grounds(classified))
        except Refusal as refusal:
            return refused(refusal)
        if reference in self.declarations:
            return problem(409, "duplicate_id")
        self.books[book_id] = decided.book
        record = as_json({
            "reference": reference, "book": book_id, "entity": key, "port": body["port"],
            "date": on.isoformat(), "tier": tier, "risk_score": decided.risk.score,
            "channel": decided.channel, "duties": duties_record(decided.declaration.duties),
            "lines": [{"item": r.item, "code": r.code, "regime": r.regime.value, "qty": r.qty,
                       "base_fen": r.base_fen,
                       "value_added": None if r.value_added is None else float(r.value_added),
                       "duty_exempt": r.duty_exempt, "duties": duties_record(r.duties)}
                      for r in decided.declaration.lines],
            "inspection": None,
        })
        self.declarations[reference] = record
        self.declarations_of.setdefault(book_id, []).append(reference)
        return Expectation(201, dict(record), books=(book_id,), declaration=reference)

    def get_declaration(self, reference: str) -> Expectation:
        """``GET /v1/declarations/{id}`` of the declaration filed as ``reference``."""
        record = self.declarations.get(reference)
        if record is None:
            return problem(404, "unknown_declaration")
        return Expectation(200, dict(record))

    def record_inspection(self, reference: str, body: Mapping[str, Any]) -> Expectation:
        """``POST /v1/declarations/{id}/inspection``: dated no earlier than the declaration."""
        record = self.declarations.get(reference)
        if record is None:
            return problem(404, "unknown_declaration")
        try:
            check_inspection_date(date.fromisoformat(record["date"]),
                                  date.fromisoformat(body["on"]))
        except Refusal as refusal:
            return refused(refusal)
        record["inspection"] = {"on": body["on"], "channel": body["channel"],
                                "result": body["result"], "findings": body.get("findings", "")}
        return Expectation(200, as_json(record))

    # -- batch exit --------------------------------------------------------------------------------

    def batch_operation(self, op: str, book_id: str, body: Mapping[str, Any]) -> Expectation:
        """Admission, suspension, reinstatement, exit lists, consolidation, status of one book.

        The holder's tier is classified on the operation's date first, as the platform does.
        """
        book = self.books.get(book_id)
        if book is None:
            return problem(404, "unknown_book")
        on = date.fromisoformat(body["on"])
        tier = self.tier(self._owner[book_id], on)
        current = book if book.holder.tier == tier else ledger.with_tier(book, tier)
        try:
            if op == "batch_exit_status":
                return Expectation(200, as_json(batch_exit.batch_exit_status(current, on)))
            if op == "file_batch_list":
                new, s = batch_exit.file_batch_shipment(
                    current, body["shipment_id"], body["item"], body["qty"], on, body["port"],
                    self.rules.tariff_table, price_fen=body.get("price_fen"),
                    permit=body.get("permit", True))
                fields: dict[str, Any] = {
                    "shipment_id": body["shipment_id"], "book": book_id, "item": s.item,
                    "code": s.code, "regime": s.regime.value, "qty": s.qty,
                    "base_fen": s.base_fen, "duties": duties_record(s.duties), "port": s.port,
                    "filed": on.isoformat(), "period": batch_exit.period_of(on)}
            elif op == "consolidate":
                new, c = batch_exit.declare_consolidated(
                    current, body["year"], body["month"], on,
                    shipment_ids=body.get("shipment_ids"))
                fields = {"book": book_id, "period": c.period, "shipment_ids": c.shipment_ids,
                          "qty": c.qty, "duties": duties_record(c.duties), "due": c.due.isoformat(),
                          "filed": on.isoformat(), "late": c.late}
            else:
                if op == "admit_batch_exit":
                    new = batch_exit.admit_batch_exit(current, on)
                elif op == "suspend_batch_exit":
                    new = batch_exit.suspend_batch_exit(
                        current, Reason(body["cause"]), on)
                else:
                    new = batch_exit.reinstate_batch_exit(
                        current, on, permits_in_order=bool(body.get("permits_in_order", False)))
                fields = batch_exit.batch_exit_status(new, on)
        except Refusal as refusal:
            return refused(refusal)
        self.books[book_id] = new
        return Expectation(201, as_json(fields), books=(book_id,))
