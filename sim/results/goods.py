"""Goods activity of a run as plain data, and the ``goods`` block of ``kpis.json``.

The goods flow of the model (:mod:`sim.model.goods_flow`) writes one row per operation on an
account book into a columnar :class:`GoodsEvents` table, with everything needed to send the same
operation to a platform (the workload export, :mod:`sim.workload`):

=====================  ==========================================================================
kind                   meaning
=====================  ==========================================================================
``opening``            a lot of the opening stock: released and booked on the first day
``entry``              a first-line import released into a book (duties only if settled there)
``booking``            a pending entry booked within the 14-day window
``late_booking``       an import not booked within 14 days: taxes back-paid (duties set)
``purchase``           domestically bought inputs booked for processing
``processing``         a processing order (``detail``: input, units per batch, domestic input,
                       product, its tariff code, batches)
``transfer``           goods moved to another sampled enterprise's book (``other``)
``island_sale``        goods sold to a non-eligible buyer on the island (duties set)
``declaration``        a second-line declaration at ``port`` (duties, value-added value set)
``batch_shipment``     a batch-exit shipment: exit list and release note filed, goods gone
``non_customs``        tax-settled goods leaving through a non-customs channel (declared to the
                       platform so that its books balance; no truck in a customs channel)
``consolidated``       a monthly consolidated declaration (``late`` when after the 25th)
``suspension``         batch exit suspended (``cause``: the reason; ``op``: what suspended it,
                       ``review`` or ``permit_check`` by customs, ``consolidated`` by a late
                       declaration)
``reinstatement``      batch exit reinstated on application
``refusal``            an operation the rules refused (``op``: the operation, ``cause``: the
                       reason code; ``permit_check`` is the customs' planted finding of a
                       missing permit on a batch-exit filing)
=====================  ==========================================================================

Columns common to all: the model time (the truck's arrival at its port for shipments), the
local ``day`` (days since 1970-01-01), the enterprise (its index in the flow; its book is
``BK-<credit code>``), and as the operation needs them ``ref`` (entry, declaration, shipment or
order id; the period ``YYYY-MM`` of a consolidated declaration), ``item``, ``code``, ``qty``,
``value_fen``, ``price_fen`` (-1: none), ``other`` (the receiving enterprise of a transfer, -1
otherwise). Shipments (declarations and batch-exit shipments) also carry the declarant's
``tier`` on the day and its active listing ``grounds`` (comma-separated sources), the planted
``violation``, the risk ``indicators`` shown (comma-separated names), the risk ``score`` and the
``channel`` the oracle (:mod:`sim.rules.oracle`) decided.

:func:`goods_kpis` turns the rows of the KPI window into the block DESIGN §5 and issue 4 ask for:
declarations by regime and port, duty assessed (fen), value of duty-free value-added goods,
batch-exit share, late consolidated declarations and suspensions.

How the batch-exit counts fit together. A month's consolidated declaration is due by the 25th
of the next month. On the 26th an undeclared month is *overdue*, and customs suspends the
facility that day (a ``suspension`` with cause ``late_consolidated_declaration``), before the
late declaration is filed; the late filing itself is counted in
``late_consolidated_declarations`` when it comes within the run. A month still undeclared when
the run ends is counted in ``overdue_at_end``. So, over a run without warm-up::

    suspensions_by_cause[late_consolidated_declaration]
        = late_consolidated_declarations + overdue_at_end - (late months that found the
          facility already suspended for lateness, which record no new suspension)

``suspensions`` counts suspension *events*, one per cause newly recorded (lateness, a missing
permit, the tier lost), so a facility suspended for two causes counts twice.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.results.columns import narrow
from sim.results.strings import CodedStrings, PackedStrings

__all__ = ["Decision", "GoodsEvents", "book_id", "goods_kpis"]


@dataclass(frozen=True)
class Decision:
    """What the oracle decided on a shipment (the truck's declarant, risk and channel)."""

    tier: str
    violation: bool
    indicators: str
    score: float
    channel: str
    grounds: str = ""
    """The declarant's active listing grounds that day, comma-separated ('' if not listed)."""


_NO_DECISION = Decision("", False, "", 0.0, "")


@dataclass
class GoodsEvents:
    """Columns of goods events (see the module docstring); one index per row.

    Attributes:
        enterprises: the flow's enterprises.
        batch_exit_enterprises: of those, admitted to batch exit at the start.
        entity: each enterprise's credit code (index = the ``enterprise`` column).
        batch_exit: whether each enterprise was admitted to batch exit at the start.

    ``overdue_at_end`` is a fact of the end state rather than an event: the batch-exit months
    past their due date and still undeclared when the run ends.

    Numbers are kept in typed arrays (8 bytes each, not a Python object each), strings in
    compact columns read like lists (:mod:`sim.results.strings`): a year of the baseline holds
    about a million events.
    """

    enterprises: int = 0
    batch_exit_enterprises: int = 0
    overdue_at_end: int = 0
    entity: list[str] = field(default_factory=list)
    batch_exit: list[bool] = field(default_factory=list)
    time_s: array[float] = field(default_factory=lambda: array("d"))
    day: array[int] = field(default_factory=lambda: array("q"))
    kind: CodedStrings = field(default_factory=CodedStrings)
    enterprise: array[int] = field(default_factory=lambda: array("q"))
    port: CodedStrings = field(default_factory=CodedStrings)
    regime: CodedStrings = field(default_factory=CodedStrings)
    duty_fen: array[int] = field(default_factory=lambda: array("q"))
    vat_fen: array[int] = field(default_factory=lambda: array("q"))
    consumption_fen: array[int] = field(default_factory=lambda: array("q"))
    value_added_fen: array[int] = field(default_factory=lambda: array("q"))
    late: list[bool] = field(default_factory=list)
    cause: CodedStrings = field(default_factory=CodedStrings)
    op: CodedStrings = field(default_factory=CodedStrings)
    ref: PackedStrings = field(default_factory=PackedStrings)
    item: CodedStrings = field(default_factory=CodedStrings)
    code: CodedStrings = field(default_factory=CodedStrings)
    qty: array[int] = field(default_factory=lambda: array("q"))
    value_fen: array[int] = field(default_factory=lambda: array("q"))
    price_fen: array[int] = field(default_factory=lambda: array("q"))
    other: array[int] = field(default_factory=lambda: array("q"))
    tier: CodedStrings = field(default_factory=CodedStrings)
    violation: list[bool] = field(default_factory=list)
    indicators: CodedStrings = field(default_factory=CodedStrings)
    score: array[float] = field(default_factory=lambda: array("d"))
    channel: CodedStrings = field(default_factory=CodedStrings)
    grounds: CodedStrings = field(default_factory=CodedStrings)
    detail: dict[int, Any] = field(default_factory=dict)

    def add(
        self,
        time_s: float,
        kind: str,
        enterprise: int,
        *,
        day: int = 0,
        port: str = "",
        regime: str = "",
        duties: tuple[int, int, int] = (0, 0, 0),
        value_added_fen: int = 0,
        late: bool = False,
        cause: str = "",
        op: str = "",
        ref: str = "",
        item: str = "",
        code: str = "",
        qty: int = 0,
        value_fen: int = 0,
        price_fen: int | None = None,
        other: int = -1,
        decision: Decision | None = None,
        detail: Any = None,
    ) -> int:
        """Append one event; returns its row."""
        row = len(self.time_s)
        self.time_s.append(time_s)
        self.day.append(day)
        self.kind.append(kind)
        self.enterprise.append(enterprise)
        self.port.append(port)
        self.regime.append(regime)
        self.duty_fen.append(duties[0])
        self.vat_fen.append(duties[1])
        self.consumption_fen.append(duties[2])
        self.value_added_fen.append(value_added_fen)
        self.late.append(late)
        self.cause.append(cause)
        self.op.append(op)
        self.ref.append(ref)
        self.item.append(item)
        self.code.append(code)
        self.qty.append(qty)
        self.value_fen.append(value_fen)
        self.price_fen.append(-1 if price_fen is None else price_fen)
        self.other.append(other)
        d = decision or _NO_DECISION
        self.tier.append(d.tier)
        self.violation.append(d.violation)
        self.indicators.append(d.indicators)
        self.score.append(d.score)
        self.channel.append(d.channel)
        self.grounds.append(d.grounds)
        if detail is not None:
            self.detail[row] = detail
        return row

    def __len__(self) -> int:
        return len(self.time_s)

    def compact(self) -> None:
        """Hold each integer column in the narrowest type its values fit (once the flow is
        over: the values stay the same Python ints when read; appending a value that no longer
        fits raises ``OverflowError`` rather than wrapping)."""
        for name, column in vars(self).items():
            if isinstance(column, array) and column.typecode == "q":
                setattr(self, name, _narrowest(column))

    def book(self, enterprise: int) -> str:
        """The account book id of an enterprise of the flow."""
        return book_id(self.entity[enterprise])


def _narrowest(column: array[int]) -> array[int]:
    if not column:
        return column
    values = narrow(np.frombuffer(column, dtype=np.int64))  # the one narrowing rule
    code = _TYPECODES.get(values.itemsize)
    if code is None or array(code).itemsize != values.itemsize:
        return column  # already 8 bytes a value (or no array type of that width here)
    narrowed = array(code)
    narrowed.frombytes(values.tobytes())
    return narrowed


_TYPECODES = {1: "b", 2: "h", 4: "i"}
"""The signed array type code of each width :func:`sim.results.columns.narrow` gives."""


def book_id(entity: str) -> str:
    """The account book id the goods flow files for an enterprise: ``BK-<credit code>``."""
    return f"BK-{entity}"


def _duties(ev: GoodsEvents, rows: list[int]) -> dict[str, int]:
    duty = sum(ev.duty_fen[i] for i in rows)
    vat = sum(ev.vat_fen[i] for i in rows)
    ct = sum(ev.consumption_fen[i] for i in rows)
    return {"duty_fen": duty, "vat_fen": vat, "consumption_fen": ct, "total_fen": duty + vat + ct}


def _count(values: list[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def goods_kpis(ev: GoodsEvents, warmup_s: float = 0.0) -> dict[str, Any]:
    """The ``goods`` block of ``kpis.json`` over the KPI window (events at or after the warm-up).

    Args:
        ev: the run's goods events.
        warmup_s: events before this model time are left out.

    Returns:
        Plain JSON-ready data (integers for counts and fen; the batch-exit share a float or None).
    """
    by_kind: dict[str, list[int]] = {}
    for i, (t, k) in enumerate(zip(ev.time_s, ev.kind, strict=True)):
        if t >= warmup_s:
            by_kind.setdefault(k, []).append(i)

    def rows(kind: str) -> list[int]:
        return by_kind.get(kind, [])

    decl, ship, cons = rows("declaration"), rows("batch_shipment"), rows("consolidated")
    supervised = len(decl) + len(ship)
    assessed = {
        "second_line": _duties(ev, decl),
        "consolidated": _duties(ev, cons),
        "first_line": _duties(ev, rows("entry") + rows("late_booking")),
        "island_sales": _duties(ev, rows("island_sale")),
    }
    total = {k: sum(a[k] for a in assessed.values()) for k in next(iter(assessed.values()))}
    return {
        "enterprises": ev.enterprises,
        "declarations": {
            "total": len(decl),
            "by_regime": _count([ev.regime[i] for i in decl]),
            "by_port": _count([ev.port[i] for i in decl]),
        },
        "duty_assessed_fen": {**assessed, "total": total},
        "value_added_goods_value_fen": sum(ev.value_added_fen[i] for i in decl + ship),
        "batch_exit": {
            "enterprises": ev.batch_exit_enterprises,
            "shipments": len(ship),
            "shipments_by_port": _count([ev.port[i] for i in ship]),
            "share": len(ship) / supervised if supervised else None,
            "consolidated_declarations": len(cons),
            "late_consolidated_declarations": sum(1 for i in cons if ev.late[i]),
            "overdue_at_end": ev.overdue_at_end,
            "suspensions": len(rows("suspension")),
            "suspensions_by_cause": _count([ev.cause[i] for i in rows("suspension")]),
            "reinstatements": len(rows("reinstatement")),
        },
        "first_line": {"entries": len(rows("entry")), "late_bookings": len(rows("late_booking"))},
        "island_sales": len(rows("island_sale")),
        "non_customs_shipments": len(rows("non_customs")),
        "refusals": _count([ev.cause[i] for i in rows("refusal")]),
    }
