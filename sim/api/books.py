"""Goods: qualification filing, account books and what happens to goods before they leave.

- ``POST /v1/qualifications`` — an enterprise's zero-tariff qualification filing;
- ``POST /v1/books`` — account book filing; ``GET /v1/books/{id}`` — the book's state;
- ``POST /v1/books/{id}/entries`` — a first-line entry (direct release, or taxed at the border),
  ``.../entries/{entry}/booking`` — book it within 14 days,
  ``.../entries/{entry}/settlement`` — back-pay the taxes of one booked too late;
- ``POST /v1/books/{id}/purchases`` — domestically bought goods (inputs for processing);
- ``POST /v1/books/{id}/transfers`` — to another eligible book (free) or out to a non-eligible
  entity (taxes due);
- ``POST /v1/books/{id}/processing`` — a bill of materials run in batches.

Every decision is :mod:`sim.rules.ledger`'s. A book's ``state`` is the ledger's book value as
:func:`sim.rules.ledger_codec.book_to_dict` writes it, described member by member by
:class:`BookState`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from sim.api.common import Answer, Duties, Request
from sim.api.fields import Code, Day, Fen, Flag, Id, Port, Qty
from sim.rules.goods import Regime
from sim.rules.refusals import Reason
from sim.rules.tiers import Tier

__all__ = [
    "MAX_BOM_ITEMS",
    "BatchState",
    "BookIn",
    "BookOut",
    "BookState",
    "EntryIn",
    "EntryOut",
    "HolderState",
    "OutputIn",
    "PendingState",
    "PositionState",
    "ProcessingIn",
    "ProcessingOut",
    "PurchaseIn",
    "PurchaseOut",
    "QualificationIn",
    "QualificationOut",
    "ShipmentState",
    "TransferDecisionIn",
    "TransferIn",
    "TransferOut",
    "TransferStatus",
]

MAX_BOM_ITEMS = 100
"""The most inputs, and the most outputs, one bill of materials may name."""


class QualificationIn(Request):
    """A qualification filing."""

    entity: Id
    on: Day
    encouraged: Flag = Field(False, description="a registered encouraged-industry enterprise")


class QualificationOut(Answer):
    """A qualification on file."""

    entity: str
    encouraged: bool
    tier: Tier = Field(description="the enterprise's tier on the filing date")
    filed: dt.date


class BookIn(Request):
    """An account book filing."""

    id: Id
    entity: Id
    on: Day


class HolderState(Answer):
    """The qualification a book was filed under."""

    entity_id: str
    encouraged: bool
    tier: Tier
    filed: dt.date


class PositionState(Answer):
    """The units of one item a book holds, and the value they carry."""

    code: str
    regime: Regime
    processed: bool
    qty: int = Field(ge=0, description="0: the item was in the book and is all gone")
    imported_fen: int = Field(ge=0)
    domestic_fen: int = Field(ge=0)
    since: dt.date | None = Field(
        None, description="the earliest day its units entered the book (null: not recorded)"
    )


class PendingState(Answer):
    """A first-line entry released directly and not booked yet."""

    item: str
    code: str
    regime: Regime
    qty: int = Field(ge=0)
    value_fen: int = Field(ge=0)
    released: dt.date


class ShipmentState(Answer):
    """A batch-exit shipment not yet in a consolidated declaration."""

    item: str
    code: str
    regime: Regime
    qty: int = Field(ge=0)
    base_fen: int = Field(ge=0)
    duty_fen: int = Field(ge=0)
    vat_fen: int = Field(ge=0)
    consumption_fen: int = Field(ge=0)
    filed: dt.date
    port: Port


class BatchState(Answer):
    """The book's batch-exit facility as stored."""

    enabled: bool
    suspended: list[Reason] = Field(description="the causes recorded")
    suspended_on: dt.date | None


class BookState(Answer):
    """An account book's value (``sim.rules.ledger_codec.book_to_dict``)."""

    format: int = Field(description="the layout version")
    book_id: str
    holder: HolderState
    opened: dt.date
    positions: dict[str, PositionState] = Field(description="item -> position")
    pending: dict[str, PendingState] = Field(description="entry id -> entry awaiting booking")
    shipments: dict[str, ShipmentState] = Field(description="shipment id -> shipment")
    declared: list[str] = Field(description="months consolidated, YYYY-MM")
    batch: BatchState


class BookOut(Answer):
    """An account book: its holder, its version (bumped by every change) and its state."""

    id: str
    entity: str
    version: int = Field(ge=0)
    state: BookState


class EntryIn(Request):
    """Goods released at the first line into the book."""

    entry_id: Id
    item: Id
    code: Code = Field(description="tariff line, e.g. 0202.30")
    qty: Qty
    value_fen: Fen
    released: Day
    regime: Regime = Regime.ZERO_TARIFF


class EntryOut(Answer):
    """An entry released, booked or settled."""

    entry_id: str
    item: str
    qty: int
    pending: bool = Field(description="released directly, awaiting booking")
    duties: Duties


class PurchaseIn(Request):
    """Goods bought on the domestic market."""

    item: Id
    code: Code
    qty: Qty
    value_fen: Fen
    on: Day


class PurchaseOut(Answer):
    """A domestic purchase booked."""

    item: str
    qty: int
    domestic_fen: int
    duties: Duties


class TransferIn(Request):
    """An intra-island transfer: to another eligible book, or out to a non-eligible entity.

    Into a book of the same enterprise the goods move at once; into another enterprise's book
    the transfer waits for that enterprise to accept it (``POST /v1/transfers/{id}/acceptance``).
    """

    item: Id
    qty: Qty
    on: Day
    to_book: Id | None = Field(None, description="receiving book; omit for a non-eligible buyer")
    price_fen: Fen | None = Field(None, description="sale price (processed goods, non-eligible)")


TransferStatus = Literal["done", "pending", "rejected", "withdrawn"]
"""Where a transfer stands: goods moved; waiting for the receiver; refused by it; taken back."""


class TransferOut(Answer):
    """A transfer: done, or waiting for the receiving enterprise (nothing has moved yet)."""

    id: int = Field(description="the transfer's id (to accept, reject or withdraw it)")
    book: str = Field(description="the sending book")
    item: str
    qty: int
    to_book: str | None = Field(description="null: sold out to a non-eligible entity")
    on: dt.date = Field(description="the day it was asked for")
    status: TransferStatus
    decided_on: dt.date | None = Field(
        description="the day it was accepted, rejected or withdrawn (null while pending)"
    )
    duties: Duties


class TransferDecisionIn(Request):
    """Accepting, rejecting or withdrawing a pending transfer, on a day."""

    on: Day


class OutputIn(Request):
    """One output of a bill of materials."""

    code: Code
    qty: Qty


class ProcessingIn(Request):
    """A processing order."""

    order_id: Id
    inputs: dict[Id, Qty] = Field(
        min_length=1, max_length=MAX_BOM_ITEMS, description="item -> units consumed per batch"
    )
    outputs: dict[Id, OutputIn] = Field(
        min_length=1, max_length=MAX_BOM_ITEMS, description="item -> produced per batch"
    )
    batches: Qty
    on: Day


class ProcessingOut(Answer):
    """A processing order run."""

    order_id: str
    consumed: dict[str, int] = Field(description="item -> units consumed")
    produced: dict[str, int] = Field(description="item -> units produced")
    imported_fen: int = Field(description="imported inputs' value carried into the outputs")
    domestic_fen: int = Field(description="domestic inputs' value carried into the outputs")
    regime: Regime = Field(description="the outputs' regime")
