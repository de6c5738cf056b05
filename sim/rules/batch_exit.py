"""Batch exit, consolidated declaration (分批出岛、集中申报, "分出集报").

AEO and whitelist enterprises may send supervised goods to the mainland in many shipments and
declare them once a month:

- each shipment files a *batch exit list* and a *release note* through the Single Window before
  the goods move (:func:`file_batch_shipment`); the goods are written off the book then, from
  any second-line port, and the duties they will owe are computed with the same rules as an
  ordinary exit;
- one *consolidated declaration* per calendar month (:func:`declare_consolidated`), due by the
  25th of the following month (:func:`due_date`), with the tax paid. It covers exactly one month,
  so it never spans two years (December is declared alone, by 25 January);
- customs *suspends* the facility when the credit tier is lost, a declaration is late, or a
  permit is missing (:func:`review_batch_exit`, :func:`suspend_batch_exit`); the enterprise
  applies for *reinstatement* once the cause is fixed (:func:`reinstate_batch_exit`).

Choices where the rules are silent: a late declaration is still *accepted* (the tax is owed
anyway) but suspends the facility; suspension is a function of the book and the date, so a
shipment filed while a month is overdue is refused even before anyone has recorded the
suspension, and :func:`review_batch_exit` records it. A month can be declared only once it is over.
Every dated step is checked against the facts it depends on (``invalid_date``): nothing before
the book was opened, no shipment before the second line opened or before its goods entered the
book.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from sim.rules.account_book import BatchExit, Book, ExitLine, Shipment, _entered, _set, _take
from sim.rules.dates import SECOND_LINE_OPENED, not_before
from sim.rules.goods import NO_DUTIES, Duties, TariffTable
from sim.rules.ledger import assess_exit_line
from sim.rules.refusals import Reason, Refusal
from sim.rules.tiers import AEO, WHITELIST

__all__ = [
    "BATCH_EXIT_TIERS",
    "DUE_DAY",
    "SUSPENSION_CAUSES",
    "ConsolidatedDeclaration",
    "SuspensionCause",
    "admit_batch_exit",
    "batch_exit_status",
    "declare_consolidated",
    "due_date",
    "file_batch_shipment",
    "period_of",
    "reinstate_batch_exit",
    "review_batch_exit",
    "suspend_batch_exit",
    "suspension_causes",
]

BATCH_EXIT_TIERS = frozenset({AEO, WHITELIST})
"""Credit tiers allowed to use batch exit [S]."""

DUE_DAY = 25
"""A month's consolidated declaration is due by this day of the following month [S]."""

SuspensionCause = Literal["tier_lost", "late_consolidated_declaration", "missing_permit"]
"""Why batch exit can be suspended: the tier lost, a late declaration, a missing permit."""
SUSPENSION_CAUSES: tuple[Reason, ...] = tuple(Reason(c) for c in get_args(SuspensionCause))
"""The suspension causes as refusal reasons (each is also the code of the refusal it causes)."""


@dataclass(frozen=True, slots=True)
class ConsolidatedDeclaration:
    """A month's consolidated declaration: the shipments it covers and the tax paid."""

    period: str
    shipment_ids: tuple[str, ...]
    qty: int
    duties: Duties
    due: date
    on: date
    late: bool


def period_of(day: date) -> str:
    """The month a date falls in, as ``"YYYY-MM"``."""
    return f"{day.year:04d}-{day.month:02d}"


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def due_date(year: int, month: int) -> date:
    """The due date of the consolidated declaration for ``year``-``month`` (25th of the next)."""
    y, m = _next_month(year, month)
    return date(y, m, DUE_DAY)


def _due(period: str) -> date:
    return due_date(int(period[:4]), int(period[5:]))


def _with_batch(book: Book, batch: BatchExit) -> Book:
    return Book(book.book_id, book.holder, book.opened, book.positions, book.pending,
                book.shipments, book.declared, batch)


def _overdue_periods(book: Book, on: date) -> list[str]:
    periods = {period_of(s.filed) for s in book.shipments.values()}
    return sorted(p for p in periods if on > _due(p))


def suspension_causes(book: Book, on: date) -> frozenset[str]:
    """Every cause suspending batch exit on ``on``: those recorded plus those that hold now.

    The computed causes are ``tier_lost`` (the holder is not AEO or whitelist) and
    ``late_consolidated_declaration`` (a month with shipments is past its due date undeclared).
    """
    causes = set(book.batch.suspended)
    if book.holder.tier not in BATCH_EXIT_TIERS:
        causes.add(Reason.TIER_LOST.value)
    if _overdue_periods(book, on):
        causes.add(Reason.LATE_CONSOLIDATED_DECLARATION.value)
    return frozenset(causes)


def admit_batch_exit(book: Book, on: date) -> Book:
    """Admit the book's holder to batch exit.

    Raises:
        Refusal: ``invalid_date`` (before the book was opened); ``not_eligible`` unless the
            holder is AEO or whitelist.
    """
    not_before(on, book.opened, "the book was opened")
    if book.holder.tier not in BATCH_EXIT_TIERS:
        raise Refusal(Reason.NOT_ELIGIBLE, "batch exit is for AEO and whitelist enterprises",
                      tier=book.holder.tier)
    if book.batch.enabled:
        return book
    return _with_batch(book, BatchExit(True, frozenset(), None))


def suspend_batch_exit(book: Book, cause: Reason, on: date) -> Book:
    """Record a suspension cause (customs action; ``missing_permit`` is only ever recorded so).

    Raises:
        Refusal: ``invalid_date`` (before the book was opened).
    """
    not_before(on, book.opened, "the book was opened")
    b = book.batch
    if cause.value in b.suspended:
        return book
    return _with_batch(book, BatchExit(b.enabled, b.suspended | {cause.value},
                                       b.suspended_on or on))


def review_batch_exit(book: Book, on: date) -> Book:
    """Record every suspension cause that holds on ``on`` (tier lost, overdue declaration)."""
    if not book.batch.enabled:
        return book
    causes = suspension_causes(book, on)
    if causes == book.batch.suspended:
        return book
    b = book.batch
    return _with_batch(book, BatchExit(b.enabled, causes, b.suspended_on or on))


def reinstate_batch_exit(book: Book, on: date, *, permits_in_order: bool = False) -> Book:
    """Lift a suspension on application, once every cause is fixed.

    Args:
        book: the book.
        on: application date.
        permits_in_order: the applicant shows the missing permits are now held (needed when a
            ``missing_permit`` cause is recorded).

    Raises:
        Refusal: ``invalid_date`` (before the book was opened); ``not_suspended``;
            ``tier_lost`` while the tier is not AEO or whitelist;
            ``late_consolidated_declaration`` while a month is still overdue undeclared;
            ``missing_permit`` without ``permits_in_order``.
    """
    not_before(on, book.opened, "the book was opened")
    causes = suspension_causes(book, on)
    if not causes:
        raise Refusal(Reason.NOT_SUSPENDED, "batch exit is not suspended")
    if Reason.TIER_LOST.value in causes and book.holder.tier not in BATCH_EXIT_TIERS:
        raise Refusal(Reason.TIER_LOST, "the credit tier is still not AEO or whitelist",
                      tier=book.holder.tier)
    overdue = _overdue_periods(book, on)
    if overdue:
        raise Refusal(Reason.LATE_CONSOLIDATED_DECLARATION,
                      f"{overdue[0]} is still undeclared", periods=overdue)
    if Reason.MISSING_PERMIT.value in causes and not permits_in_order:
        raise Refusal(Reason.MISSING_PERMIT, "the missing permits are not shown")
    return _with_batch(book, BatchExit(book.batch.enabled, frozenset(), None))


def file_batch_shipment(
    book: Book, shipment_id: str, item: str, qty: int, on: date, port: str,
    tariff: TariffTable, *, price_fen: int | None = None, permit: bool = True,
) -> tuple[Book, Shipment]:
    """File a shipment's batch exit list and release note; its goods leave the book.

    Raises:
        Refusal: ``invalid_date`` (before the second line opened, the book was opened or the
            goods entered it); ``batch_exit_not_enabled``; ``batch_exit_suspended`` (context
            lists the causes); ``duplicate_id``; ``unknown_item``, ``invalid_quantity``,
            ``insufficient_balance``; ``relaxed_trade_no_exit``; ``missing_permit``;
            ``missing_price``.
    """
    not_before(on, SECOND_LINE_OPENED, "the second line opened")
    not_before(on, book.opened, "the book was opened")
    if not book.batch.enabled:
        raise Refusal(Reason.BATCH_EXIT_NOT_ENABLED, "the enterprise is not admitted to batch exit")
    causes = suspension_causes(book, on)
    if causes:
        raise Refusal(Reason.BATCH_EXIT_SUSPENDED, "batch exit is suspended",
                      causes=sorted(causes))
    if shipment_id in book.shipments:
        raise Refusal(Reason.DUPLICATE_ID, f"shipment {shipment_id!r} already filed",
                      shipment_id=shipment_id)
    left, moved = _take(book.positions, item, qty)
    _entered(moved, item, on)
    result = assess_exit_line(moved, ExitLine(item, qty, price_fen, permit), tariff)
    shipment = Shipment(item, moved.code, moved.regime, qty, result.base_fen, result.duties, on,
                        port)
    positions = dict(book.positions)
    _set(positions, item, left)
    shipments = dict(book.shipments)
    shipments[shipment_id] = shipment
    new = Book(book.book_id, book.holder, book.opened, positions, book.pending, shipments,
               book.declared, book.batch)
    return new, shipment


def declare_consolidated(
    book: Book, year: int, month: int, on: date, *, shipment_ids: Iterable[str] | None = None
) -> tuple[Book, ConsolidatedDeclaration]:
    """File the consolidated declaration for one month, paying its tax.

    Args:
        book: the book.
        year: the declared month's year.
        month: the declared month (1-12).
        on: filing date; after :func:`due_date` the declaration is accepted but late, and the
            facility is suspended.
        shipment_ids: the shipments the declarant lists; None means all of the month's. When
            given they must be exactly the month's shipments.

    Raises:
        Refusal: ``invalid_date`` (no such month); ``period_not_ended``; ``already_declared``;
            ``nothing_to_declare``; ``unknown_item``; ``spans_two_years`` / ``spans_two_months``
            (a listed shipment from another month); ``incomplete_declaration``.
    """
    if not 1 <= month <= 12:
        raise Refusal(Reason.INVALID_DATE, "month must be 1-12", month=month)
    period = f"{year:04d}-{month:02d}"
    ny, nm = _next_month(year, month)
    if on < date(ny, nm, 1):
        raise Refusal(Reason.PERIOD_NOT_ENDED, f"{period} is not over", on=on.isoformat())
    if period in book.declared:
        raise Refusal(Reason.ALREADY_DECLARED, f"{period} was already declared", period=period)
    mine = {sid: s for sid, s in book.shipments.items() if period_of(s.filed) == period}
    if shipment_ids is not None:
        listed = list(shipment_ids)
        for sid in listed:
            s = book.shipments.get(sid)
            if s is None:
                raise Refusal(Reason.UNKNOWN_ITEM, f"no pending shipment {sid!r}", shipment_id=sid)
            if s.filed.year != year:
                raise Refusal(Reason.SPANS_TWO_YEARS, "a declaration may not span two years",
                              shipment_id=sid, filed=s.filed.isoformat())
            if s.filed.month != month:
                raise Refusal(Reason.SPANS_TWO_MONTHS, "a declaration covers one month",
                              shipment_id=sid, filed=s.filed.isoformat())
        missing = sorted(set(mine) - set(listed))
        if missing:
            raise Refusal(Reason.INCOMPLETE_DECLARATION, f"{len(missing)} shipments unlisted",
                          missing=missing)
    if not mine:
        raise Refusal(Reason.NOTHING_TO_DECLARE, f"no shipments in {period}", period=period)
    duties = NO_DUTIES
    for s in mine.values():
        duties = duties.plus(s.duties)
    due = due_date(year, month)
    late = on > due
    shipments = {sid: s for sid, s in book.shipments.items() if sid not in mine}
    batch = book.batch
    if late and batch.enabled:
        cause = Reason.LATE_CONSOLIDATED_DECLARATION.value
        batch = BatchExit(batch.enabled, batch.suspended | {cause}, batch.suspended_on or on)
    new = Book(book.book_id, book.holder, book.opened, book.positions, book.pending, shipments,
               book.declared | {period}, batch)
    decl = ConsolidatedDeclaration(period, tuple(sorted(mine)),
                                   sum(s.qty for s in mine.values()), duties, due, on, late)
    return new, decl


def batch_exit_status(book: Book, on: date) -> dict[str, object]:
    """The facility's state on ``on`` as plain data (for the platform and reports)."""
    periods = sorted({period_of(s.filed) for s in book.shipments.values()})
    return {
        "enabled": book.batch.enabled,
        "suspended": sorted(suspension_causes(book, on)) if book.batch.enabled else [],
        "suspended_on": book.batch.suspended_on.isoformat() if book.batch.suspended_on else None,
        "open_periods": [{"period": p, "due": _due(p).isoformat(), "overdue": on > _due(p)}
                         for p in periods],
        "declared": sorted(book.declared),
    }
