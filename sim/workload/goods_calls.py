"""The goods flow on the platform: account-book operations and second-line exits, as calls.

Every row of the run's goods events (:class:`~sim.results.goods.GoodsEvents`) is one call, or
two, to the platform, with the answer the rules gave the model as its expectation:

==================  =======================================================================
event               call
==================  =======================================================================
(filing)            ``POST /v1/qualifications``, ``POST /v1/books``, batch-exit admission
``opening``         ``POST .../entries`` and ``.../booking`` on the first day
``entry``           ``POST /v1/books/{book}/entries``
``booking``         ``POST .../entries/{entry}/booking``
``late_booking``    ``POST .../entries/{entry}/settlement`` (after the refused booking)
``purchase``        ``POST /v1/books/{book}/purchases``
``processing``      ``POST /v1/books/{book}/processing``
``transfer``        ``POST /v1/books/{book}/transfers`` with ``to_book`` (pending: the goods go
                    into another enterprise's book), then the receiver's
                    ``POST /v1/transfers/{id}/acceptance`` (the goods move)
``island_sale``     ``POST /v1/books/{book}/transfers`` with a price, no ``to_book``
``declaration``     ``POST /v1/declarations`` (expected: tier, risk score, channel, duties)
``non_customs``     ``POST /v1/declarations`` of tax-settled goods (so the books balance)
``batch_shipment``  ``POST /v1/batch-exit/lists``
``consolidated``    ``POST /v1/books/{book}/consolidated-declarations``
``suspension``      ``POST .../batch-exit/suspension`` by an officer (not when a late
                    consolidated declaration itself suspended: its own call does that)
``reinstatement``   ``POST .../batch-exit/reinstatement``
``refusal``         the refused call, expecting the refusal's status and reason code (not the
                    customs' planted finding of a missing permit, which is no filing)
==================  =======================================================================

Which enterprises: those with a call in the period (at the chosen ports), and, so that their
books stand as in the model, every enterprise whose transfer into one of their books came
before (recursively). Each of these is set up with all it did before the period. An enterprise
that only received goods from them is registered with a book, nothing more (a transfer's
answer does not depend on the receiving book's contents).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from sim.model.goods_enterprises import GoodsEnterprise
from sim.results.goods import GoodsEvents, book_id
from sim.rules.refusals import HTTP_STATUS, Reason
from sim.workload.builder import CallBuilder

__all__ = ["GoodsCalls"]

_EPOCH = date(1970, 1, 1)
_Call = dict[str, Any]
"""A call's fields but its phase and time, as :meth:`CallBuilder.add` takes them."""
_PORT_KINDS = frozenset({"declaration", "non_customs", "batch_shipment"})


def _duties(ev: GoodsEvents, i: int) -> dict[str, int]:
    d, v, c = ev.duty_fen[i], ev.vat_fen[i], ev.consumption_fen[i]
    return {"duty_fen": d, "vat_fen": v, "consumption_fen": c, "total_fen": d + v + c}


class GoodsCalls:
    """Turns the goods events of a run into calls (see the module docstring).

    Args:
        events: the run's goods events.
        firms: the goods flow's enterprises (tier on the first day, encouraged flag).
        first: the scenario's first day (filings and opening stock are dated then).
        period: the period's model-time window ``[from, to)``.
        ports: the ports whose traffic is exported.
    """

    def __init__(
        self,
        events: GoodsEvents,
        firms: Sequence[GoodsEnterprise],
        first: date,
        period: tuple[float, float],
        ports: frozenset[str],
        all_ports: bool,
    ) -> None:
        self.ev, self.firms, self.first = events, firms, first
        self._from, self._to = period
        self._ports, self._all_ports = ports, all_ports
        self.declarations: dict[str, int] = {}
        """Declaration reference -> its call's index (inspection results name its answer)."""

    # -- who --------------------------------------------------------------------------------------

    def seeds(self, extra: set[int]) -> set[int]:
        """Enterprises with a timed call at the chosen ports (plus ``extra``)."""
        ev, out = self.ev, set(extra)
        for i, t in enumerate(ev.time_s):
            if not self._from <= t < self._to or ev.kind[i] == "opening":
                continue
            port = ev.port[i]
            if (port and port in self._ports) or (not port and self._all_ports):
                out.add(ev.enterprise[i])
        return out

    def closure(self, seeds: set[int]) -> tuple[set[int], set[int]]:
        """``(active, receivers)``: enterprises set up in full, and those set up minimally."""
        ev = self.ev
        transfers = [i for i, k in enumerate(ev.kind)
                     if k == "transfer" and ev.time_s[i] < self._to]
        active = set(seeds)
        changed = True
        while changed:
            changed = False
            for i in transfers:
                if ev.other[i] in active and ev.enterprise[i] not in active:
                    active.add(ev.enterprise[i])
                    changed = True
        receivers = {ev.other[i] for i in transfers if ev.enterprise[i] in active} - active
        return active, receivers

    def entity(self, e: int) -> str:
        """An enterprise's credit code."""
        return self.ev.entity[e]

    # -- calls ------------------------------------------------------------------------------------

    def add_filings(self, builder: CallBuilder, enterprises: set[int]) -> None:
        """Qualification, book filing and batch-exit admission on the first day."""
        on = self.first.isoformat()
        for e in sorted(enterprises):
            firm, key = self.firms[e], self.entity(e)
            book = book_id(key)
            t = float(e)
            builder.add("setup", t, "qualification", "POST", "/v1/qualifications",
                        {"entity": key, "on": on, "encouraged": firm.encouraged},
                        "enterprise", key, key, 201,
                        {"tier": firm.tier, "encouraged": firm.encouraged},
                        stage="filing", touches=(key,))
            builder.add("setup", t, "book_filing", "POST", "/v1/books",
                        {"id": book, "entity": key, "on": on}, "enterprise", key, key, 201,
                        {"id": book}, stage="filing", touches=(book,))
            if self.ev.batch_exit[e]:
                builder.add("setup", t, "batch_admission", "POST",
                            f"/v1/books/{book}/batch-exit/admission", {"on": on},
                            "enterprise", key, key, 201, {"enabled": True}, stage="filing",
                            touches=(book,))

    def add_operations(self, builder: CallBuilder, enterprises: set[int]) -> None:
        """Every operation of ``enterprises`` before the period's end."""
        ev = self.ev
        for i, e in enumerate(ev.enterprise):
            t = ev.time_s[i]
            if e not in enterprises or t >= self._to:
                continue
            kind = ev.kind[i]
            make = _MAKERS.get(kind if kind != "refusal" else f"refusal:{ev.op[i]}")
            if make is None or (kind == "suspension" and ev.op[i] == "consolidated"):
                continue
            index = -1
            for call in make(self, i):
                if call.pop("needs_previous", False):  # its path names the previous answer
                    call["answer_of"] = index
                if kind == "opening":
                    index = builder.add("setup", float(len(builder)), **call, stage="opening")
                else:
                    index = builder.add("setup" if t < self._from else "timed", t, **call)
                if kind == "declaration":
                    self.declarations[ev.ref[i]] = index

    # -- one call per event -----------------------------------------------------------------------

    def _spec(self, i: int, operation: str, path: str, body: dict[str, Any],
              expected: dict[str, Any], *, status: int = 201, role: str = "enterprise",
              touches: tuple[str, ...] = ()) -> _Call:
        """One call's fields (all but its phase and time) for :meth:`CallBuilder.add`."""
        ev = self.ev
        key = self.entity(ev.enterprise[i])
        refused = ev.kind[i] == "refusal"
        if refused:
            reason = Reason(ev.cause[i])
            status, expected = HTTP_STATUS[reason], {"code": reason.value}
        return {
            "operation": operation, "method": "POST", "path": path, "body": body,
            "actor_role": role, "actor_entity": key if role == "enterprise" else "",
            "partition": key, "expected_status": status, "expected": expected,
            "port": ev.port[i] if ev.kind[i] in _PORT_KINDS or refused else "",
            "touches": touches or (book_id(key),),
        }

    def _day(self, i: int) -> str:
        return (_EPOCH + timedelta(days=self.ev.day[i])).isoformat()

    def _book(self, i: int) -> str:
        return book_id(self.entity(self.ev.enterprise[i]))

    def _entry(self, i: int) -> list[_Call]:
        ev = self.ev
        body = {"entry_id": ev.ref[i], "item": ev.item[i], "code": ev.code[i], "qty": ev.qty[i],
                "value_fen": ev.value_fen[i], "released": self._day(i), "regime": ev.regime[i]}
        pending = ev.kind[i] == "opening" or ev.op[i] == "pending"
        expected = {"pending": pending, "duties": _duties(self.ev, i)}
        calls = [self._spec(i, "first_line_entry", f"/v1/books/{self._book(i)}/entries", body,
                            expected)]
        if ev.kind[i] == "opening":
            calls.append(self._spec(i, "booking", self._entry_path(i, "booking"),
                                    {"on": self._day(i)}, {"pending": False, "qty": ev.qty[i]}))
        return calls

    def _entry_path(self, i: int, action: str) -> str:
        return f"/v1/books/{self._book(i)}/entries/{self.ev.ref[i]}/{action}"

    def _booking(self, i: int) -> list[_Call]:
        return [self._spec(i, "booking", self._entry_path(i, "booking"), {"on": self._day(i)},
                           {"pending": False, "qty": self.ev.qty[i]})]

    def _settlement(self, i: int) -> list[_Call]:
        return [self._spec(i, "settlement", self._entry_path(i, "settlement"),
                           {"on": self._day(i)}, {"duties": _duties(self.ev, i)})]

    def _purchase(self, i: int) -> list[_Call]:
        ev = self.ev
        body = {"item": ev.item[i], "code": ev.code[i], "qty": ev.qty[i],
                "value_fen": ev.value_fen[i], "on": self._day(i)}
        return [self._spec(i, "purchase", f"/v1/books/{self._book(i)}/purchases", body,
                           {"qty": ev.qty[i], "domestic_fen": ev.value_fen[i]})]

    def _processing(self, i: int) -> list[_Call]:
        item, per_batch, domestic, made, code, batches = self.ev.detail[i]
        body = {"order_id": self.ev.ref[i], "inputs": {item: per_batch, domestic: 1},
                "outputs": {made: {"code": code, "qty": 1}}, "batches": batches,
                "on": self._day(i)}
        return [self._spec(i, "processing", f"/v1/books/{self._book(i)}/processing", body,
                           {"regime": self.ev.regime[i]})]

    def _transfer(self, i: int) -> list[_Call]:
        ev = self.ev
        receiver = self.entity(ev.other[i])
        dst = book_id(receiver)
        body = {"item": ev.item[i], "qty": ev.qty[i], "on": self._day(i), "to_book": dst}
        touches = (self._book(i), dst)
        offer = self._spec(i, "transfer", f"/v1/books/{self._book(i)}/transfers", body,
                           {"qty": ev.qty[i], "to_book": dst, "status": "pending"},
                           touches=touches)
        if ev.kind[i] == "refusal":
            return [offer]
        # Into another enterprise's book the goods move once it accepts, the same day.
        accept = self._spec(i, "transfer_acceptance", "/v1/transfers/{depends_on.id}/acceptance",
                            {"on": self._day(i)},
                            {"qty": ev.qty[i], "to_book": dst, "status": "done"}, status=200,
                            touches=touches)
        accept.update(actor_entity=receiver, partition=receiver, needs_previous=True)
        return [offer, accept]

    def _sale(self, i: int) -> list[_Call]:
        ev = self.ev
        body = {"item": ev.item[i], "qty": ev.qty[i], "on": self._day(i),
                "price_fen": ev.price_fen[i]}
        return [self._spec(i, "island_sale", f"/v1/books/{self._book(i)}/transfers", body,
                           {"qty": ev.qty[i], "to_book": None, "duties": _duties(ev, i)})]

    def _declaration(self, i: int) -> list[_Call]:
        ev = self.ev
        line: dict[str, Any] = {"item": ev.item[i], "qty": ev.qty[i]}
        if ev.price_fen[i] >= 0:
            line["price_fen"] = ev.price_fen[i]
        indicators = [x for x in ev.indicators[i].split(",") if x]
        body = {"reference": ev.ref[i], "book": self._book(i), "port": ev.port[i],
                "date": self._day(i), "lines": [line], "risk_indicators": indicators}
        expected: dict[str, Any] = {"reference": ev.ref[i], "tier": ev.tier[i],
                                    "risk_score": ev.score[i], "channel": ev.channel[i],
                                    "duties": _duties(ev, i)}
        operation = "non_customs_exit" if ev.kind[i] == "non_customs" else "declaration"
        return [self._spec(i, operation, "/v1/declarations", body, expected)]

    def _batch_list(self, i: int) -> list[_Call]:
        ev = self.ev
        body: dict[str, Any] = {"book": self._book(i), "shipment_id": ev.ref[i],
                                "item": ev.item[i], "qty": ev.qty[i], "on": self._day(i),
                                "port": ev.port[i]}
        if ev.price_fen[i] >= 0:
            body["price_fen"] = ev.price_fen[i]
        return [self._spec(i, "batch_exit_list", "/v1/batch-exit/lists", body,
                           {"qty": ev.qty[i], "duties": _duties(ev, i)})]

    def _consolidated(self, i: int) -> list[_Call]:
        ev = self.ev
        year, month = (int(x) for x in ev.ref[i].split("-"))
        body = {"year": year, "month": month, "on": self._day(i)}
        return [self._spec(i, "consolidated_declaration",
                           f"/v1/books/{self._book(i)}/consolidated-declarations", body,
                           {"late": ev.late[i], "qty": ev.qty[i], "duties": _duties(ev, i)})]

    def _suspension(self, i: int) -> list[_Call]:
        body = {"on": self._day(i), "cause": self.ev.cause[i]}
        return [self._spec(i, "batch_suspension",
                           f"/v1/books/{self._book(i)}/batch-exit/suspension", body,
                           dict(self.ev.detail[i]), role="officer")]

    def _reinstatement(self, i: int) -> list[_Call]:
        body = {"on": self._day(i), "permits_in_order": True}
        return [self._spec(i, "batch_reinstatement",
                           f"/v1/books/{self._book(i)}/batch-exit/reinstatement", body,
                           dict(self.ev.detail[i]))]


_MAKERS: dict[str, Callable[[GoodsCalls, int], list[_Call]]] = {
    "opening": GoodsCalls._entry,
    "entry": GoodsCalls._entry,
    "booking": GoodsCalls._booking,
    "late_booking": GoodsCalls._settlement,
    "purchase": GoodsCalls._purchase,
    "processing": GoodsCalls._processing,
    "transfer": GoodsCalls._transfer,
    "island_sale": GoodsCalls._sale,
    "declaration": GoodsCalls._declaration,
    "non_customs": GoodsCalls._declaration,
    "batch_shipment": GoodsCalls._batch_list,
    "consolidated": GoodsCalls._consolidated,
    "suspension": GoodsCalls._suspension,
    "reinstatement": GoodsCalls._reinstatement,
    "refusal:entry": GoodsCalls._entry,
    "refusal:booking": GoodsCalls._booking,
    "refusal:purchase": GoodsCalls._purchase,
    "refusal:processing": GoodsCalls._processing,
    "refusal:transfer": GoodsCalls._transfer,
    "refusal:island_sale": GoodsCalls._sale,
    "refusal:declaration": GoodsCalls._declaration,
    "refusal:batch_shipment": GoodsCalls._batch_list,
    "refusal:consolidated": GoodsCalls._consolidated,
}
