"""Goods: qualification filing, account books and the operations on them before exit.

- ``POST /v1/qualifications`` — an enterprise's zero-tariff qualification filing;
- ``POST /v1/books`` — account book filing; ``GET /v1/books/{id}`` — its balances;
- ``POST /v1/books/{id}/entries`` — a first-line entry (direct release or taxed at the border),
  ``.../entries/{entry}/booking`` — book it within 14 days,
  ``.../entries/{entry}/settlement`` — back-pay the taxes of one booked too late;
- ``POST /v1/books/{id}/purchases`` — domestically bought goods (inputs for processing);
- ``POST /v1/books/{id}/processing`` — a processing order: a bill of materials run in batches.

Transfers are :mod:`refplatform.routes.transfers`. Every decision is :mod:`sim.rules.ledger`'s
(dates included: nothing before the book was opened, nothing used before it entered the book); a
refusal answers 409/422 with its reason code. An enterprise acts on its own books only, the
admin on any; officers read them but never act for an enterprise. Each answer is built inside
the transaction of its effect (:func:`refplatform.request_context.respond`), so an idempotent
retry gets it even after a crash.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from refplatform.books import load, lock_book, save
from refplatform.credit import tier_of
from refplatform.deps import Caller, Db, PathId, Rules, Writer, require_entity_access
from refplatform.errors import Problem
from refplatform.json_route import JsonRoute
from refplatform.models import Book, Entity, Qualification
from refplatform.request_context import respond
from sim.api.books import (
    BookIn,
    BookOut,
    EntryIn,
    EntryOut,
    ProcessingIn,
    ProcessingOut,
    PurchaseIn,
    PurchaseOut,
    QualificationIn,
    QualificationOut,
)
from sim.api.common import OnIn
from sim.rules import ledger
from sim.rules.goods import Duties

__all__ = ["duties_record", "router"]

_ENTRY = TypeAdapter(EntryOut)
_BOOK = TypeAdapter(BookOut)
_QUALIFICATION = TypeAdapter(QualificationOut)
_PURCHASE = TypeAdapter(PurchaseOut)
_PROCESSING = TypeAdapter(ProcessingOut)

router = APIRouter(prefix="/v1", tags=["goods"], route_class=JsonRoute)


def duties_record(duties: Duties) -> dict[str, int]:
    """Duties as JSON: the three taxes and their total, in fen."""
    return {**duties.to_dict(), "total_fen": duties.total_fen}


def _entity(session: Session, entity_id: str, field: str) -> Entity:
    row = session.get(Entity, entity_id)
    if row is None:
        raise Problem(404, "unknown_entity", f"no entity {entity_id!r}", field=field)
    return row


def _book_view(row: Book) -> dict[str, Any]:
    return {"id": row.id, "entity": row.entity_id, "version": row.version, "state": row.state}


def _entry_record(out: ledger.EntryOutcome) -> dict[str, Any]:
    return {
        "entry_id": out.entry_id,
        "item": out.item,
        "qty": out.qty,
        "pending": out.pending,
        "duties": duties_record(out.duties),
    }


@router.post(
    "/qualifications",
    status_code=201,
    response_model=QualificationOut,
    summary="File a qualification",
)
def file_qualification(
    body: QualificationIn, db: Db, caller: Writer, rules: Rules
) -> Response:
    """File (or re-file) an enterprise's zero-tariff qualification."""
    require_entity_access(caller, body.entity)
    with db.write() as session:
        entity = _entity(session, body.entity, "body.entity")
        tier = tier_of(session, entity, body.on, rules.credit)
        q = ledger.file_qualification(
            entity.id,
            hainan_registered=entity.registered_in_hainan,
            individual=entity.kind == "individual",
            encouraged=body.encouraged,
            tier=tier,
            on=body.on,
        )
        record = {
            "entity": q.entity_id,
            "encouraged": q.encouraged,
            "tier": q.tier,
            "filed": q.filed.isoformat(),
        }
        session.merge(Qualification(entity_id=entity.id, filed_on=body.on, body=record))
        return respond(record, 201, _QUALIFICATION)


@router.post("/books", status_code=201, response_model=BookOut, summary="File an account book")
def file_book(body: BookIn, db: Db, caller: Writer) -> Response:
    """Open an account book for a qualified enterprise."""
    require_entity_access(caller, body.entity)
    with db.write() as session:
        _entity(session, body.entity, "body.entity")
        qual = session.get(Qualification, body.entity)
        if qual is None:
            raise Problem(
                409,
                "not_qualified",
                f"{body.entity!r} has no qualification filing",
                field="body.entity",
            )
        if session.get(Book, body.id) is not None:
            raise Problem(409, "duplicate_id", f"book {body.id!r} already exists", field="body.id")
        holder = ledger.Qualification(
            body.entity, bool(qual.body["encouraged"]), str(qual.body["tier"]), qual.filed_on
        )
        book = ledger.file_book(body.id, holder, body.on)
        row = Book(id=body.id, entity_id=body.entity, filed_on=body.on, state={}, version=0)
        session.add(row)
        save(session, row, book, "filed", body.on, {"book": body.id})
        return respond(_book_view(row), 201, _BOOK)


@router.get("/books/{book_id}", response_model=BookOut, summary="An account book's state")
def get_book(book_id: PathId, db: Db, caller: Caller) -> dict[str, Any]:
    """The book's balances, pending entries, batch-exit shipments and version."""
    with db.read() as session:
        row = session.get(Book, book_id)
        if row is None:
            raise Problem(404, "unknown_book", f"no account book {book_id!r}", field="path.book_id")
        require_entity_access(caller, row.entity_id)
        return _book_view(row)


@router.post(
    "/books/{book_id}/entries",
    status_code=201,
    response_model=EntryOut,
    summary="First-line entry",
)
def first_line_entry(
    book_id: PathId, body: EntryIn, db: Db, caller: Writer, rules: Rules
) -> Response:
    """Goods released at the first line: pending booking, or taxed at the border."""
    with db.write() as session:
        row = lock_book(session, book_id, caller)
        book, out = ledger.release_first_line(
            load(row),
            body.entry_id,
            body.item,
            body.code,
            body.qty,
            body.value_fen,
            body.released,
            rules.tariff_table,
            body.regime,
        )
        record = _entry_record(out)
        save(session, row, book, "entry", body.released, record)
        return respond(record, 201, _ENTRY)


@router.post(
    "/books/{book_id}/entries/{entry_id}/booking",
    status_code=201,
    response_model=EntryOut,
    summary="Book a pending entry",
)
def book_entry(
    book_id: PathId, entry_id: PathId, body: OnIn, db: Db, caller: Writer
) -> Response:
    """Book a direct-release entry into the balance (within 14 days of release)."""
    with db.write() as session:
        row = lock_book(session, book_id, caller)
        book, out = ledger.book_entry(load(row), entry_id, body.on)
        record = _entry_record(out)
        save(session, row, book, "booking", body.on, record)
        return respond(record, 201, _ENTRY)


@router.post(
    "/books/{book_id}/entries/{entry_id}/settlement",
    status_code=201,
    response_model=EntryOut,
    summary="Settle an overdue entry",
)
def settle_entry(
    book_id: PathId, entry_id: PathId, body: OnIn, db: Db, caller: Writer, rules: Rules
) -> Response:
    """Back-pay the taxes of an entry not booked in time; the goods become ordinary."""
    with db.write() as session:
        row = lock_book(session, book_id, caller)
        book, out = ledger.settle_overdue_entry(load(row), entry_id, body.on, rules.tariff_table)
        record = _entry_record(out)
        save(session, row, book, "settlement", body.on, record)
        return respond(record, 201, _ENTRY)


@router.post(
    "/books/{book_id}/purchases",
    status_code=201,
    response_model=PurchaseOut,
    summary="Domestic purchase",
)
def purchase(
    book_id: PathId, body: PurchaseIn, db: Db, caller: Writer, rules: Rules
) -> Response:
    """Book goods bought on the domestic market."""
    with db.write() as session:
        row = lock_book(session, book_id, caller)
        book, out = ledger.purchase_domestic(
            load(row), body.item, body.code, body.qty, body.value_fen, rules.tariff_table,
            on=body.on,
        )
        record = {
            "item": out.item,
            "qty": out.qty,
            "domestic_fen": out.domestic_fen,
            "duties": duties_record(out.duties),
        }
        save(session, row, book, "purchase", body.on, record)
        return respond(record, 201, _PURCHASE)


@router.post(
    "/books/{book_id}/processing",
    status_code=201,
    response_model=ProcessingOut,
    summary="Processing order",
)
def processing(
    book_id: PathId, body: ProcessingIn, db: Db, caller: Writer, rules: Rules
) -> Response:
    """Run a bill of materials: inputs consumed, processed outputs produced."""
    bom = ledger.BillOfMaterials(
        inputs=dict(body.inputs),
        outputs={item: (o.code, o.qty) for item, o in body.outputs.items()},
    )
    with db.write() as session:
        row = lock_book(session, book_id, caller)
        book, out = ledger.process(
            load(row), body.order_id, bom, body.batches, body.on, rules.tariff_table
        )
        record = {
            "order_id": out.order_id,
            "consumed": dict(out.consumed),
            "produced": dict(out.produced),
            "imported_fen": out.imported_fen,
            "domestic_fen": out.domestic_fen,
            "regime": out.regime.value,
        }
        save(session, row, book, "processing", body.on, record)
        return respond(record, 201, _PROCESSING)
