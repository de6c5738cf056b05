"""Batch exit (分出集报): admission, exit lists and release notes, monthly consolidation.

AEO and whitelist enterprises may let shipments leave on a batch exit list and release note
filed before each moves, from any second-line port, and declare them once a month (due by the
25th of the next month, tax paid, never two years in one). The facility is suspended when the
tier is lost, a declaration is late or a permit is missing, and reinstated on application once
fixed. Every decision is :mod:`sim.rules.batch_exit`'s; before each operation the book's holder
is re-classified on the operation date (``sim.rules.credit``), so a lost tier counts at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter
from sqlalchemy import update
from sqlalchemy.orm import Session

from refplatform.books import load, lock_book, save
from refplatform.credit import tier_of
from refplatform.deps import Caller, Db, PathId, Rules, Staff, Writer, require_entity_access
from refplatform.errors import Problem
from refplatform.json_route import JsonRoute
from refplatform.models import BatchExitList, Book, ConsolidatedDeclaration, Entity
from refplatform.request_context import respond
from refplatform.routes.books import duties_record
from sim.api.batch_exit import (
    BatchExitStatus,
    ConsolidatedIn,
    ConsolidatedOut,
    ReinstateIn,
    ShipmentIn,
    ShipmentOut,
    SuspendIn,
)
from sim.api.common import OnIn
from sim.api.fields import Day
from sim.rules import batch_exit, ledger
from sim.rules.account_book import Book as LedgerBook
from sim.rules.config import RulesConfig
from sim.rules.refusals import Reason

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["batch exit"], route_class=JsonRoute)

_STATUS = TypeAdapter(BatchExitStatus)
_SHIPMENT = TypeAdapter(ShipmentOut)
_CONSOLIDATED = TypeAdapter(ConsolidatedOut)


def _current(session: Session, row: Book, on: dt.date, rules: RulesConfig) -> LedgerBook:
    """The book with its holder's tier as of ``on``."""
    book = load(row)
    entity = session.get(Entity, row.entity_id)
    assert entity is not None  # a foreign key
    tier = tier_of(session, entity, on, rules.credit)
    return book if book.holder.tier == tier else ledger.with_tier(book, tier)


def _next_month(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1)


@router.post(
    "/books/{book_id}/batch-exit/admission",
    status_code=201,
    response_model=BatchExitStatus,
    summary="Admit to batch exit",
)
def admit(book_id: PathId, body: OnIn, db: Db, caller: Writer, rules: Rules) -> Response:
    """Admit the book's enterprise to batch exit (AEO and whitelist only)."""
    with db.write() as session:
        row = lock_book(session, book_id, caller)
        book = batch_exit.admit_batch_exit(_current(session, row, body.on, rules), body.on)
        status = batch_exit.batch_exit_status(book, body.on)
        save(session, row, book, "batch_admission", body.on, status)
        return respond(status, 201, _STATUS)


@router.post(
    "/books/{book_id}/batch-exit/suspension",
    status_code=201,
    response_model=BatchExitStatus,
    summary="Suspend batch exit",
)
def suspend(
    book_id: PathId, body: SuspendIn, db: Db, _officer: Staff, rules: Rules
) -> Response:
    """Record a suspension cause (customs)."""
    with db.write() as session:
        row = lock_book(session, book_id)
        current = _current(session, row, body.on, rules)
        book = batch_exit.suspend_batch_exit(current, Reason(body.cause), body.on)
        status = batch_exit.batch_exit_status(book, body.on)
        save(session, row, book, "batch_suspension", body.on, status)
        return respond(status, 201, _STATUS)


@router.post(
    "/books/{book_id}/batch-exit/reinstatement",
    status_code=201,
    response_model=BatchExitStatus,
    summary="Apply for reinstatement",
)
def reinstate(
    book_id: PathId, body: ReinstateIn, db: Db, caller: Writer, rules: Rules
) -> Response:
    """Lift a suspension once every cause is fixed."""
    with db.write() as session:
        row = lock_book(session, book_id, caller)
        book = batch_exit.reinstate_batch_exit(
            _current(session, row, body.on, rules), body.on, permits_in_order=body.permits_in_order
        )
        status = batch_exit.batch_exit_status(book, body.on)
        save(session, row, book, "batch_reinstatement", body.on, status)
        return respond(status, 201, _STATUS)


@router.get(
    "/books/{book_id}/batch-exit",
    response_model=BatchExitStatus,
    summary="Batch-exit status on a date",
)
def status(
    book_id: PathId, db: Db, caller: Caller, on: Annotated[Day, Query()], rules: Rules
) -> dict[str, Any]:
    """Whether the facility is enabled or suspended (and why), and the months still open."""
    with db.read() as session:
        row = session.get(Book, book_id)
        if row is None:
            raise Problem(404, "unknown_book", f"no account book {book_id!r}", field="path.book_id")
        require_entity_access(caller, row.entity_id)
        return batch_exit.batch_exit_status(_current(session, row, on, rules), on)


@router.post(
    "/batch-exit/lists",
    status_code=201,
    response_model=ShipmentOut,
    summary="File a batch exit list",
)
def file_list(body: ShipmentIn, db: Db, caller: Writer, rules: Rules) -> Response:
    """File a shipment's exit list and release note; its goods leave the book."""
    with db.write() as session:
        row = lock_book(session, body.book, caller, field="body.book")
        book, shipment = batch_exit.file_batch_shipment(
            _current(session, row, body.on, rules),
            body.shipment_id,
            body.item,
            body.qty,
            body.on,
            body.port,
            rules.tariff_table,
            price_fen=body.price_fen,
            permit=body.permit,
        )
        record = {
            "shipment_id": body.shipment_id,
            "book": row.id,
            "item": shipment.item,
            "code": shipment.code,
            "regime": shipment.regime.value,
            "qty": shipment.qty,
            "base_fen": shipment.base_fen,
            "duties": duties_record(shipment.duties),
            "port": shipment.port,
            "filed": shipment.filed.isoformat(),
            "release_note": f"RN-{row.id}-{body.shipment_id}",
            "period": batch_exit.period_of(shipment.filed),
        }
        session.add(
            BatchExitList(
                entity_id=row.entity_id, book_id=row.id, port=body.port, date=body.on, body=record
            )
        )
        save(session, row, book, "batch_shipment", body.on, record)
        return respond(record, 201, _SHIPMENT)


@router.post(
    "/books/{book_id}/consolidated-declarations",
    status_code=201,
    response_model=ConsolidatedOut,
    summary="Monthly consolidated declaration",
)
def consolidate(
    book_id: PathId, body: ConsolidatedIn, db: Db, caller: Writer, rules: Rules
) -> Response:
    """Declare one month's batch-exit shipments and pay their tax."""
    with db.write() as session:
        row = lock_book(session, book_id, caller)
        book, decl = batch_exit.declare_consolidated(
            _current(session, row, body.on, rules),
            body.year,
            body.month,
            body.on,
            shipment_ids=body.shipment_ids,
        )
        record: dict[str, Any] = {
            "book": row.id,
            "period": decl.period,
            "shipment_ids": list(decl.shipment_ids),
            "qty": decl.qty,
            "duties": duties_record(decl.duties),
            "due": decl.due.isoformat(),
            "filed": decl.on.isoformat(),
            "late": decl.late,
        }
        cd = ConsolidatedDeclaration(
            entity_id=row.entity_id,
            book_id=row.id,
            year=body.year,
            month=body.month,
            filed_on=body.on,
            duties_fen=decl.duties.total_fen,
            body=record,
        )
        session.add(cd)
        session.flush()
        # The month's exit lists now belong to this declaration.
        session.execute(
            update(BatchExitList)
            .where(BatchExitList.book_id == row.id, BatchExitList.consolidated_id.is_(None))
            .where(BatchExitList.date >= dt.date(body.year, body.month, 1))
            .where(BatchExitList.date < _next_month(body.year, body.month))
            .values(consolidated_id=cd.id)
        )
        save(session, row, book, "consolidated", body.on, record)
        record["id"] = cd.id
        return respond(record, 201, _CONSOLIDATED)
