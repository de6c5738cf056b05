"""Batch exit (分出集报): admission, exit lists and release notes, monthly consolidation.

AEO and whitelist enterprises may let shipments leave on a batch exit list and release note
filed before each moves, from any second-line port, and declare them once a month (due by the
25th of the next month, tax paid, never two years in one). The facility is suspended when the
tier is lost, a declaration is late or a permit is missing, and reinstated on application once
fixed. Admission, suspension and reinstatement answer the facility's status on the date.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, Strict

from sim.api.common import Answer, Duties, Request
from sim.api.fields import Day, Fen, Flag, Id, Port, Qty, Year
from sim.rules.batch_exit import SuspensionCause
from sim.rules.goods import Regime
from sim.rules.refusals import Reason

__all__ = [
    "MAX_SHIPMENTS",
    "BatchExitStatus",
    "ConsolidatedIn",
    "ConsolidatedOut",
    "OpenPeriod",
    "ReinstateIn",
    "ShipmentIn",
    "ShipmentOut",
    "SuspendIn",
]


MAX_SHIPMENTS = 10_000
"""The most shipments one consolidated declaration may list."""


class ReinstateIn(Request):
    """An application for reinstatement."""

    on: Day
    permits_in_order: Flag = False


class SuspendIn(Request):
    """A customs suspension."""

    on: Day
    cause: SuspensionCause


class OpenPeriod(Answer):
    """A month with shipments not yet declared."""

    period: str = Field(description="YYYY-MM")
    due: dt.date = Field(description="the 25th of the next month")
    overdue: bool


class BatchExitStatus(Answer):
    """The facility on a date."""

    enabled: bool = Field(description="admitted")
    suspended: list[Reason] = Field(description="the causes in force (empty: usable)")
    suspended_on: dt.date | None
    open_periods: list[OpenPeriod]
    declared: list[str] = Field(description="months consolidated, YYYY-MM")


class ShipmentIn(Request):
    """A batch exit list and release note for one shipment."""

    book: Id
    shipment_id: Id
    item: Id
    qty: Qty
    on: Day
    port: Port
    price_fen: Fen | None = None
    permit: Flag = True


class ShipmentOut(Answer):
    """A filed exit list: the goods have left the book, their tax is due with the month's
    consolidated declaration."""

    shipment_id: str
    book: str
    item: str
    code: str
    regime: Regime
    qty: int
    base_fen: int
    duties: Duties
    port: Port
    filed: dt.date
    release_note: str
    period: str = Field(description="the month it belongs to, YYYY-MM")


class ConsolidatedIn(Request):
    """A monthly consolidated declaration."""

    year: Year
    month: Annotated[int, Strict(), Field(ge=1, le=12)]
    on: Day
    shipment_ids: list[Id] | None = Field(
        None, max_length=MAX_SHIPMENTS, description="the month's shipments (all when absent)"
    )


class ConsolidatedOut(Answer):
    """A consolidated declaration filed and its tax paid."""

    book: str
    period: str = Field(description="YYYY-MM")
    shipment_ids: list[str]
    qty: int
    duties: Duties
    due: dt.date
    filed: dt.date
    late: bool
    id: int
