"""Electronic account books (账册): the quantities and values of supervised goods, as values.

The full process rehearsed before closure, one function per step:

1. :func:`file_qualification` — an entity registered in Hainan (not an individual) qualifies for
   zero tariff; the filing also records whether it is an encouraged-industry enterprise and its
   credit tier (which batch exit needs).
2. :func:`file_book` — opens the entity's account book.
3. :func:`release_first_line` / :func:`book_entry` — goods released directly at the first line
   wait as *pending* entries and must be booked within 14 days of release (day 14 inclusive)
   before they can be used. A later booking is refused (``booking_overdue``); the goods then lose
   the preference and :func:`settle_overdue_entry` books them as tax-paid ordinary goods, with the
   back-paid taxes. Goods whose taxes are settled at the border (taxed list, ordinary imports) go
   straight to the balance. :func:`purchase_domestic` books domestically bought inputs.
4. :func:`transfer` (eligible to eligible, free: quantities move between books) and
   :func:`transfer_out` (to a non-eligible entity: the goods leave, tax due).
5. :func:`process` — a bill of materials consumes inputs and produces outputs, carrying the
   inputs' imported and domestic value into the products for the value-added rule.
6. :func:`declare_exit` — the second-line declaration: the goods are written off and the duties
   due are returned, with the value-added rule applied to processed goods.

Batch exit (分出集报) lives in :mod:`sim.rules.batch_exit`; serialisation in
:mod:`sim.rules.ledger_codec`.

Every dated operation checks its date against the facts it depends on
(:mod:`sim.rules.dates`), refusing ``invalid_date``: nothing happens in a book before it was
opened, goods leave or are used no earlier than they entered it, a booking follows the release,
and a second-line exit is no earlier than the day the second line opened.

A book is an immutable value (its types live in :mod:`sim.rules.account_book` and are
re-exported here): each operation returns a *new* book and an outcome, or raises
:class:`~sim.rules.refusals.Refusal` and leaves nothing changed. Copy-on-write keeps an operation
to a shallow copy of one small dict, so the model can run many books fast and the platform can
persist any state it was handed. A book remembers pending entries and unconsolidated batch
shipments by identifier, not past declarations: keeping declaration identifiers unique (and
requests idempotent) is the platform's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from fractions import Fraction

from sim.rules.account_book import (
    BOOKING_WINDOW_DAYS,
    BatchExit,
    BillOfMaterials,
    Book,
    EntryOutcome,
    ExitDeclaration,
    ExitLine,
    ExitLineResult,
    Pending,
    Position,
    ProcessOutcome,
    Qualification,
    Shipment,
    TransferOutcome,
    _book,
    _entered,
    _money,
    _positive,
    _put,
    _set,
    _take,
)
from sim.rules.dates import SECOND_LINE_OPENED, not_before
from sim.rules.goods import (
    NO_DUTIES,
    Movement,
    Regime,
    TariffTable,
    applicable_taxes,
    compute_duties,
    duty_exempt_by_value_added,
    value_added_ratio,
)
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
    "accept_transfer",
    "assess_exit_line",
    "book_entry",
    "declare_exit",
    "file_book",
    "file_qualification",
    "process",
    "purchase_domestic",
    "release_first_line",
    "settle_overdue_entry",
    "transfer",
    "transfer_out",
    "with_tier",
]

# -- filing ---------------------------------------------------------------------------------------


def file_qualification(
    entity_id: str, *, hainan_registered: bool, individual: bool, encouraged: bool = False,
    tier: str = "whitelist", on: date,
) -> Qualification:
    """File an entity's zero-tariff qualification.

    Args:
        entity_id: the entity's identifier (e.g. its unified social credit code).
        hainan_registered: registered in Hainan.
        individual: a natural person (individuals never qualify).
        encouraged: a registered encouraged-industry enterprise.
        tier: its credit tier.
        on: filing date.

    Raises:
        Refusal: ``not_eligible`` for individuals and entities registered elsewhere.
    """
    if individual or not hainan_registered:
        raise Refusal(Reason.NOT_ELIGIBLE,
                      "zero tariff is for entities registered in Hainan, not individuals",
                      entity_id=entity_id)
    return Qualification(entity_id, encouraged, tier, on)


def file_book(book_id: str, holder: Qualification, on: date) -> Book:
    """Open an account book for a qualified entity.

    Raises:
        Refusal: ``invalid_date`` when opened before the qualification was filed.
    """
    not_before(on, holder.filed, "the qualification was filed")
    return Book(book_id, holder, on, {}, {}, {}, frozenset(), BatchExit())


def with_tier(book: Book, tier: str) -> Book:
    """The book with its holder's credit tier updated (batch exit reviews read it)."""
    h = book.holder
    return book._replace(holder=Qualification(h.entity_id, h.encouraged, tier, h.filed))


# -- first line -----------------------------------------------------------------------------------


def release_first_line(
    book: Book, entry_id: str, item: str, code: str, qty: int, value_fen: int, released: date,
    tariff: TariffTable, regime: Regime = Regime.ZERO_TARIFF,
) -> tuple[Book, EntryOutcome]:
    """Goods released at the first line into the book.

    Zero-tariff and relaxed-trade goods not on the taxed list wait as a pending entry to be booked
    within :data:`BOOKING_WINDOW_DAYS`. Goods whose taxes fall due at the border (taxed list,
    ordinary imports) pay them now and go straight to the balance as ordinary goods.

    Raises:
        Refusal: ``invalid_date`` (released before the book was opened), ``duplicate_id``,
            ``invalid_quantity``, ``unknown_tariff_line``, ``invalid_regime``, ``item_mismatch``.
    """
    _positive(qty)
    _money(value_fen, "value_fen")
    not_before(released, book.opened, "the book was opened", entry_id=entry_id)
    if entry_id in book.pending:
        raise Refusal(Reason.DUPLICATE_ID, f"entry {entry_id!r} already pending", entry_id=entry_id)
    line = tariff.line(code)
    taxes = applicable_taxes(regime, Movement.FIRST_LINE_ENTRY, line)
    if taxes.any:
        duties = compute_duties(value_fen, line, taxes)
        # Tax-settled foreign goods are no longer "imported inputs" (taxes unsettled) for the
        # value-added rule: they count with the domestically purchased inputs.
        positions = dict(book.positions)
        _put(positions, item, Position(code, Regime.ORDINARY, False, qty, 0, value_fen, released))
        return _book(book, positions), EntryOutcome(entry_id, item, qty, duties, False)
    pending = dict(book.pending)
    pending[entry_id] = Pending(item, code, regime, qty, value_fen, released)
    new = Book(book.book_id, book.holder, book.opened, book.positions, pending, book.shipments,
               book.declared, book.batch)
    return new, EntryOutcome(entry_id, item, qty, NO_DUTIES, True)


def _pending(book: Book, entry_id: str, on: date) -> Pending:
    e = book.pending.get(entry_id)
    if e is None:
        raise Refusal(Reason.UNKNOWN_ITEM, f"no pending entry {entry_id!r}", entry_id=entry_id)
    not_before(on, e.released, "the goods were released", entry_id=entry_id)
    return e


def book_entry(book: Book, entry_id: str, on: date) -> tuple[Book, EntryOutcome]:
    """Book a pending direct-release entry into the balance (day 14 after release inclusive).

    Raises:
        Refusal: ``unknown_item``, ``invalid_date``, ``booking_overdue`` (day 15 or later),
            ``item_mismatch``.
    """
    e = _pending(book, entry_id, on)
    if (on - e.released).days > BOOKING_WINDOW_DAYS:
        raise Refusal(Reason.BOOKING_OVERDUE,
                      f"released {e.released.isoformat()}, booking window of "
                      f"{BOOKING_WINDOW_DAYS} days is over", entry_id=entry_id,
                      released=e.released.isoformat(), on=on.isoformat())
    positions = dict(book.positions)
    _put(positions, e.item, Position(e.code, e.regime, False, e.qty, e.value_fen, 0, e.released))
    pending = dict(book.pending)
    del pending[entry_id]
    new = Book(book.book_id, book.holder, book.opened, positions, pending, book.shipments,
               book.declared, book.batch)
    return new, EntryOutcome(entry_id, e.item, e.qty, NO_DUTIES, False)


def settle_overdue_entry(
    book: Book, entry_id: str, on: date, tariff: TariffTable
) -> tuple[Book, EntryOutcome]:
    """Back-pay the taxes on an entry not booked in time; its goods join the book as ordinary.

    Raises:
        Refusal: ``unknown_item``, ``invalid_date``, ``entry_not_overdue`` (it can still be
            booked), ``item_mismatch``.
    """
    e = _pending(book, entry_id, on)
    if (on - e.released).days <= BOOKING_WINDOW_DAYS:
        raise Refusal(Reason.ENTRY_NOT_OVERDUE, "the entry can still be booked",
                      entry_id=entry_id)
    duties = compute_duties(e.value_fen, tariff.line(e.code))
    positions = dict(book.positions)
    _put(positions, e.item,
         Position(e.code, Regime.ORDINARY, False, e.qty, 0, e.value_fen, e.released))
    pending = dict(book.pending)
    del pending[entry_id]
    new = Book(book.book_id, book.holder, book.opened, positions, pending, book.shipments,
               book.declared, book.batch)
    return new, EntryOutcome(entry_id, e.item, e.qty, duties, False)


def purchase_domestic(
    book: Book, item: str, code: str, qty: int, value_fen: int, tariff: TariffTable,
    on: date | None = None,
) -> tuple[Book, TransferOutcome]:
    """Book goods bought on the domestic market (ordinary goods; domestic inputs for processing).

    Args:
        on: the purchase date (None: not recorded, and not checked).

    Raises:
        Refusal: ``invalid_date`` (before the book was opened), ``invalid_quantity``,
            ``unknown_tariff_line``, ``item_mismatch``.
    """
    _positive(qty)
    _money(value_fen, "value_fen")
    if on is not None:
        not_before(on, book.opened, "the book was opened")
    tariff.line(code)
    positions = dict(book.positions)
    _put(positions, item, Position(code, Regime.ORDINARY, False, qty, 0, value_fen, on))
    return _book(book, positions), TransferOutcome(item, qty, 0, value_fen, NO_DUTIES)


# -- circulation ----------------------------------------------------------------------------------


def transfer(
    src: Book, dst: Book, item: str, qty: int, on: date
) -> tuple[Book, Book, TransferOutcome]:
    """Move units between two eligible entities' books: no tax, quantities and values move.

    The units enter the receiving book on ``on``.

    Raises:
        Refusal: ``same_book``, ``invalid_date`` (before either book was opened or before the
            goods entered the sending book), ``unknown_item``, ``invalid_quantity``,
            ``insufficient_balance``, ``relaxed_trade_no_transfer``, ``item_mismatch`` (in the
            receiving book).
    """
    if src.book_id == dst.book_id:
        raise Refusal(Reason.SAME_BOOK, "transfer to the same book", book_id=src.book_id)
    not_before(on, src.opened, "the book was opened")
    not_before(on, dst.opened, "the receiving book was opened", to_book=dst.book_id)
    left, moved = _take(src.positions, item, qty)
    _entered(moved, item, on)
    if moved.regime is Regime.RELAXED_TRADE:
        raise Refusal(Reason.RELAXED_TRADE_NO_TRANSFER,
                      "relaxed-trade goods are for the named end user only", item=item)
    out = dict(dst.positions)
    _put(out, item, moved._replace(since=on))
    positions = dict(src.positions)
    _set(positions, item, left)
    outcome = TransferOutcome(item, qty, moved.imported_fen, moved.domestic_fen, NO_DUTIES)
    return _book(src, positions), _book(dst, out), outcome


def accept_transfer(
    src: Book, dst: Book, item: str, qty: int, asked: date, on: date
) -> tuple[Book, Book, TransferOutcome]:
    """A transfer asked for on ``asked``, accepted by the receiving enterprise on ``on``.

    Between two enterprises a transfer waits for the receiver's acceptance; the goods move then
    (:func:`transfer` on the acceptance date), so the sender's balance is checked again.

    Raises:
        Refusal: ``invalid_date`` (accepted before it was asked for), or any of
            :func:`transfer`'s.
    """
    not_before(on, asked, "the transfer was asked for")
    return transfer(src, dst, item, qty, on)


def _base(lot: Position, item: str, price_fen: int | None) -> int:
    """The customs value taxed when ``lot`` leaves: sale price if processed, else booked value."""
    if not lot.processed:
        return lot.imported_fen
    if price_fen is None:
        raise Refusal(Reason.MISSING_PRICE, "processed goods need their sale price", item=item)
    _money(price_fen, "price_fen")
    return price_fen


def transfer_out(
    book: Book, item: str, qty: int, on: date, tariff: TariffTable, price_fen: int | None = None
) -> tuple[Book, TransferOutcome]:
    """Units pass to a non-eligible entity on the island: written off, taxes back-paid.

    Zero-tariff goods pay duty, VAT and consumption tax on their booked customs value; processed
    goods on their sale price (the value-added exemption is only for entry into the mainland);
    ordinary goods pay nothing.

    Raises:
        Refusal: ``invalid_date`` (before the book was opened or the goods entered it),
            ``unknown_item``, ``invalid_quantity``, ``insufficient_balance``,
            ``relaxed_trade_no_transfer``, ``missing_price``.
    """
    not_before(on, book.opened, "the book was opened")
    left, moved = _take(book.positions, item, qty)
    _entered(moved, item, on)
    line = tariff.line(moved.code)
    taxes = applicable_taxes(moved.regime, Movement.TRANSFER_NON_ELIGIBLE, line)
    duties = compute_duties(_base(moved, item, price_fen), line, taxes) if taxes.any else NO_DUTIES
    positions = dict(book.positions)
    _set(positions, item, left)
    outcome = TransferOutcome(item, qty, moved.imported_fen, moved.domestic_fen, duties)
    return _book(book, positions), outcome


# -- processing -----------------------------------------------------------------------------------


def process(
    book: Book, order_id: str, bom: BillOfMaterials, batches: int, on: date,
    tariff: TariffTable,
) -> tuple[Book, ProcessOutcome]:
    """Run ``batches`` of a bill of materials: consume inputs, produce processed outputs.

    The outputs' regime follows from what was consumed: imported inputs (unsettled taxes) made by
    an encouraged-industry enterprise give ``processing_value_added`` goods, by any other
    enterprise zero-tariff products; with no imported inputs the products are ordinary goods
    (nothing unsettled, no second-line declaration).

    Raises:
        Refusal: ``invalid_date`` (before the book was opened or an input entered it),
            ``invalid_quantity``, ``unknown_item``, ``insufficient_balance``,
            ``relaxed_trade_no_transfer`` (relaxed-trade goods are for own use, not consumption
            into goods for sale), ``unknown_tariff_line``, ``item_mismatch``.
    """
    _positive(batches, "batches")
    not_before(on, book.opened, "the book was opened", order_id=order_id)
    if not bom.inputs or not bom.outputs:
        raise Refusal(Reason.INVALID_QUANTITY, "a bill of materials needs inputs and outputs")
    positions = dict(book.positions)
    imported = domestic = 0
    consumed: dict[str, int] = {}
    for item, per_batch in bom.inputs.items():
        _positive(per_batch, "per_batch")
        left, moved = _take(positions, item, per_batch * batches)
        _entered(moved, item, on)
        if moved.regime is Regime.RELAXED_TRADE:
            raise Refusal(Reason.RELAXED_TRADE_NO_TRANSFER,
                          "relaxed-trade goods cannot be consumed into goods for sale", item=item)
        _set(positions, item, left)
        imported += moved.imported_fen
        domestic += moved.domestic_fen
        consumed[item] = moved.qty
    if imported:
        regime = Regime.PROCESSING_VALUE_ADDED if book.holder.encouraged else Regime.ZERO_TARIFF
    else:
        regime = Regime.ORDINARY
    produced: dict[str, int] = {}
    for item, (code, per_batch) in bom.outputs.items():
        _positive(per_batch, "per_batch")
        tariff.line(code)
        produced[item] = per_batch * batches
    total = sum(produced.values())
    shares_imp = {i: imported * q // total for i, q in produced.items()}
    shares_dom = {i: domestic * q // total for i, q in produced.items()}
    first = next(iter(produced))
    shares_imp[first] += imported - sum(shares_imp.values())
    shares_dom[first] += domestic - sum(shares_dom.values())
    for item, (code, _) in bom.outputs.items():
        _put(positions, item,
             Position(code, regime, True, produced[item], shares_imp[item], shares_dom[item], on))
    outcome = ProcessOutcome(order_id, consumed, produced, imported, domestic, regime)
    return _book(book, positions), outcome


# -- second line ----------------------------------------------------------------------------------


def assess_exit_line(lot: Position, line_req: ExitLine, tariff: TariffTable) -> ExitLineResult:
    """Duties on ``lot`` (already split off the book) leaving for the mainland.

    Raises:
        Refusal: ``relaxed_trade_no_exit``, ``missing_permit``, ``missing_price``.
    """
    item = line_req.item
    line = tariff.line(lot.code)
    if line.permit_required and not line_req.permit and lot.regime is not Regime.ORDINARY:
        raise Refusal(Reason.MISSING_PERMIT, f"{lot.code} needs a permit to enter the mainland",
                      item=item, code=lot.code)
    if lot.regime is Regime.RELAXED_TRADE:
        raise Refusal(Reason.RELAXED_TRADE_NO_EXIT, "relaxed-trade goods may not be sold to "
                      "the mainland", item=item)
    base = _base(lot, item, line_req.price_fen)
    ratio: Fraction | None = None
    exempt = False
    if lot.regime is Regime.PROCESSING_VALUE_ADDED:
        ratio = value_added_ratio(base, lot.imported_fen, lot.domestic_fen)
        # the regime itself records that an encouraged-industry enterprise made the goods
        exempt = duty_exempt_by_value_added(base, lot.imported_fen, lot.domestic_fen,
                                            encouraged=True)
    taxes = applicable_taxes(lot.regime, Movement.SECOND_LINE_EXIT, line, value_added_met=exempt)
    duties = compute_duties(base, line, taxes) if taxes.any else NO_DUTIES
    return ExitLineResult(item, lot.code, lot.regime, lot.qty, base, lot.imported_fen,
                          lot.domestic_fen, ratio, exempt, duties)


def declare_exit(
    book: Book, declaration_id: str, lines: Sequence[ExitLine], on: date, port: str,
    tariff: TariffTable,
) -> tuple[Book, ExitDeclaration]:
    """A second-line exit declaration: every line written off, duties due returned.

    All-or-nothing: one refused line refuses the declaration. The value-added rule is applied
    to processed goods with the line's sale price and the inputs carried by the units leaving.

    Raises:
        Refusal: ``invalid_quantity`` (no lines), ``invalid_date`` (before the second line
            opened, the book was opened or the goods entered it), ``unknown_item``,
            ``insufficient_balance``, ``relaxed_trade_no_exit``, ``missing_permit``,
            ``missing_price``.
    """
    if not lines:
        raise Refusal(Reason.INVALID_QUANTITY, "a declaration needs at least one line")
    not_before(on, SECOND_LINE_OPENED, "the second line opened")
    not_before(on, book.opened, "the book was opened")
    positions = dict(book.positions)
    results = []
    total = NO_DUTIES
    for req in lines:
        left, moved = _take(positions, req.item, req.qty)
        _entered(moved, req.item, on)
        result = assess_exit_line(moved, req, tariff)
        _set(positions, req.item, left)
        results.append(result)
        total = total.plus(result.duties)
    decl = ExitDeclaration(declaration_id, port, on, tuple(results), total)
    return _book(book, positions), decl
