"""The account book's data: what a book holds and what its operations return.

A book is an immutable value: NamedTuples holding dicts that are never mutated once shared. Every
operation (in :mod:`sim.rules.ledger` and :mod:`sim.rules.batch_exit`) copies the one small dict
it changes and builds a new :class:`Book`, so an old state stays valid for as long as anyone
holds it (the platform persists states; the model runs many books fast).

Values travel with quantities: a :class:`Position` of ``qty`` units holds ``imported_fen``
(inputs from abroad with taxes unsettled, i.e. the customs value of zero-tariff goods) and
``domestic_fen``. Splitting ``q`` units off moves ``floor(value * q / qty)`` and leaves the
remainder, so value is conserved to the fen and the last unit out takes what is left.

A position also remembers ``since``, the earliest day its units entered the book (released at
the first line, bought, produced, received), so an operation dated before it can be refused; and
a position emptied to zero stays in the book (its item is known, its balance is 0), so taking
from it is ``insufficient_balance``, not ``unknown_item``.

The underscore helpers at the end are shared by the rule modules of this package only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import NamedTuple

from sim.rules.dates import not_before
from sim.rules.goods import Duties, Regime
from sim.rules.refusals import Reason, Refusal

__all__ = [
    "BOOKING_WINDOW_DAYS",
    "BatchExit",
    "BillOfMaterials",
    "Book",
    "EntryOutcome",
    "ExitDeclaration",
    "ExitLine",
    "ExitLineResult",
    "Pending",
    "Position",
    "ProcessOutcome",
    "Qualification",
    "Shipment",
    "TransferOutcome",
]

BOOKING_WINDOW_DAYS = 14
"""Direct-release goods must be booked within this many days of release (inclusive) [S]."""


class Qualification(NamedTuple):
    """A qualification filing: who holds the book and what they qualify for."""

    entity_id: str
    encouraged: bool
    """A registered encouraged-industry enterprise (processing value-added policy)."""
    tier: str
    """Credit tier: ``"aeo"``, ``"whitelist"`` or ``"key_attention"`` (batch exit needs one of
    the first two)."""
    filed: date


class Position(NamedTuple):
    """The balance of one item in a book."""

    code: str
    regime: Regime
    processed: bool
    """Made on the island (its exit value is the sale price, and the value-added rule applies)."""
    qty: int
    imported_fen: int
    domestic_fen: int
    since: date | None = None
    """The earliest day units of the item entered the book (None: not recorded)."""


class Pending(NamedTuple):
    """A first-line direct-release entry not yet booked."""

    item: str
    code: str
    regime: Regime
    qty: int
    value_fen: int
    released: date


class Shipment(NamedTuple):
    """A batch-exit shipment: its exit list and release note filed, awaiting consolidation."""

    item: str
    code: str
    regime: Regime
    qty: int
    base_fen: int
    duties: Duties
    filed: date
    port: str


class BatchExit(NamedTuple):
    """The book's batch-exit status."""

    enabled: bool = False
    suspended: frozenset[str] = frozenset()
    """Suspension causes (Reason values); empty when not suspended."""
    suspended_on: date | None = None


class Book(NamedTuple):
    """An account book. Treat every field, dicts included, as read-only."""

    book_id: str
    holder: Qualification
    opened: date
    positions: Mapping[str, Position]
    pending: Mapping[str, Pending]
    shipments: Mapping[str, Shipment]
    declared: frozenset[str]
    """Months ("YYYY-MM") whose consolidated declaration has been filed."""
    batch: BatchExit


def _book(b: Book, positions: Mapping[str, Position]) -> Book:
    # Positional construction: several times faster than NamedTuple._replace on the hot path.
    return Book(b.book_id, b.holder, b.opened, positions, b.pending, b.shipments, b.declared,
                b.batch)


class EntryOutcome(NamedTuple):
    """A first-line entry: taxes settled at the border (if any) and whether it awaits booking."""

    entry_id: str
    item: str
    qty: int
    duties: Duties
    pending: bool


class TransferOutcome(NamedTuple):
    """Units moved out of a book, with the taxes due (none between eligible entities)."""

    item: str
    qty: int
    imported_fen: int
    domestic_fen: int
    duties: Duties


@dataclass(frozen=True, slots=True)
class BillOfMaterials:
    """What one batch of processing consumes and produces.

    Attributes:
        inputs: item -> units consumed per batch.
        outputs: item -> (tariff code, units produced per batch). The inputs' value is allocated
            to the outputs in proportion to their quantities (remainder to the first output).
    """

    inputs: Mapping[str, int]
    outputs: Mapping[str, tuple[str, int]]


class ProcessOutcome(NamedTuple):
    """Processing done: units consumed and produced, and the input value carried over."""

    order_id: str
    consumed: Mapping[str, int]
    produced: Mapping[str, int]
    imported_fen: int
    domestic_fen: int
    regime: Regime


class ExitLine(NamedTuple):
    """One line of a second-line declaration.

    Attributes:
        item: the book item.
        qty: units leaving.
        price_fen: domestic sale price of these units (required for processed goods).
        permit: a permit is held (needed when the tariff line requires one).
    """

    item: str
    qty: int
    price_fen: int | None = None
    permit: bool = True


class ExitLineResult(NamedTuple):
    """One written-off declaration line and its assessment."""

    item: str
    code: str
    regime: Regime
    qty: int
    base_fen: int
    """The customs value taxed: booked import value, or the sale price of processed goods."""
    imported_fen: int
    domestic_fen: int
    value_added: Fraction | None
    duty_exempt: bool
    duties: Duties


class ExitDeclaration(NamedTuple):
    """A second-line declaration written off: its lines and the duties due."""

    declaration_id: str
    port: str
    on: date
    lines: tuple[ExitLineResult, ...]
    duties: Duties


# -- checks ---------------------------------------------------------------------------------------


def _positive(qty: int, what: str = "qty") -> None:
    if type(qty) is not int or qty <= 0:
        raise Refusal(Reason.INVALID_QUANTITY, f"{what} must be a positive integer", **{what: qty})


def _money(fen: int, what: str) -> None:
    if type(fen) is not int or fen < 0:
        raise Refusal(Reason.INVALID_QUANTITY, f"{what} must be integer fen >= 0", **{what: fen})


def _take(positions: Mapping[str, Position], item: str, qty: int) -> tuple[Position, Position]:
    """Split ``qty`` units off ``item``: (what is left, what moves). Refuses what it must."""
    _positive(qty)
    p = positions.get(item)
    if p is None:
        raise Refusal(Reason.UNKNOWN_ITEM, f"no item {item!r} in the book", item=item)
    if p.qty < qty:
        raise Refusal(Reason.INSUFFICIENT_BALANCE, f"{item!r} holds {p.qty}, {qty} needed",
                      item=item, balance=p.qty, requested=qty)
    if qty == p.qty:
        return Position(p.code, p.regime, p.processed, 0, 0, 0, p.since), p
    imp = p.imported_fen * qty // p.qty
    dom = p.domestic_fen * qty // p.qty
    moved = Position(p.code, p.regime, p.processed, qty, imp, dom, p.since)
    left = Position(p.code, p.regime, p.processed, p.qty - qty, p.imported_fen - imp,
                    p.domestic_fen - dom, p.since)
    return left, moved


def _entered(lot: Position, item: str, on: date) -> None:
    """Refuse taking ``lot`` on ``on`` when its units entered the book only later."""
    not_before(on, lot.since, "the goods entered the book", item=item)


def _put(positions: dict[str, Position], item: str, lot: Position) -> None:
    """Add ``lot`` to ``item`` in a dict being built (refuses a mismatched item)."""
    p = positions.get(item)
    if p is None or p.qty == 0:
        positions[item] = lot
        return
    if (p.code, p.regime, p.processed) != (lot.code, lot.regime, lot.processed):
        raise Refusal(Reason.ITEM_MISMATCH,
                      f"{item!r} is {p.code}/{p.regime.value}, not {lot.code}/{lot.regime.value}",
                      item=item)
    # Units of unknown age make the whole position's age unknown.
    since = None if p.since is None or lot.since is None else min(p.since, lot.since)
    positions[item] = Position(p.code, p.regime, p.processed, p.qty + lot.qty,
                               p.imported_fen + lot.imported_fen, p.domestic_fen + lot.domestic_fen,
                               since)


def _set(positions: dict[str, Position], item: str, left: Position) -> None:
    # An emptied position stays: the item is known to the book, with a balance of 0.
    positions[item] = left
