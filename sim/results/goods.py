"""Goods activity of a run as plain data, and the ``goods`` block of ``kpis.json``.

The goods flow of the model (:mod:`sim.model.goods_flow`) writes one row per event into a
columnar :class:`GoodsEvents` table:

=====================  ==========================================================================
kind                   meaning
=====================  ==========================================================================
``entry``              a first-line import released into a book (duties only if settled there)
``late_booking``       an import not booked within 14 days: taxes back-paid (duties set)
``island_sale``        goods sold to a non-eligible buyer on the island (duties set)
``declaration``        a second-line declaration at ``port`` (duties, value-added value set)
``batch_shipment``     a batch-exit shipment: exit list and release note filed, goods gone
``non_customs``        tax-settled goods leaving through a non-customs channel (no declaration)
``consolidated``       a monthly consolidated declaration (``late`` when after the 25th)
``suspension``         batch exit suspended (``cause`` is the reason code)
``reinstatement``      batch exit reinstated on application
``refusal``            an operation the rules refused (``cause`` is the reason code)
=====================  ==========================================================================

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

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GoodsEvents", "goods_kpis"]


@dataclass
class GoodsEvents:
    """Columns of goods events (see the module docstring); one index per row.

    ``overdue_at_end`` is a fact of the end state rather than an event: the batch-exit months
    past their due date and still undeclared when the run ends.
    """

    enterprises: int = 0
    batch_exit_enterprises: int = 0
    overdue_at_end: int = 0
    time_s: list[float] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    enterprise: list[int] = field(default_factory=list)
    port: list[str] = field(default_factory=list)
    regime: list[str] = field(default_factory=list)
    duty_fen: list[int] = field(default_factory=list)
    vat_fen: list[int] = field(default_factory=list)
    consumption_fen: list[int] = field(default_factory=list)
    value_added_fen: list[int] = field(default_factory=list)
    late: list[bool] = field(default_factory=list)
    cause: list[str] = field(default_factory=list)

    def add(
        self,
        time_s: float,
        kind: str,
        enterprise: int,
        *,
        port: str = "",
        regime: str = "",
        duties: tuple[int, int, int] = (0, 0, 0),
        value_added_fen: int = 0,
        late: bool = False,
        cause: str = "",
    ) -> None:
        """Append one event."""
        self.time_s.append(time_s)
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

    def __len__(self) -> int:
        return len(self.time_s)


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
