"""Intra-island transfers: out to a non-eligible buyer, between one enterprise's books, or into
another enterprise's book once that enterprise accepts.

- ``POST /v1/books/{id}/transfers`` — without ``to_book`` the goods are sold out of the regime
  (taxes due) at once; into another book of the same enterprise they move at once; into
  another enterprise's book the transfer is *pending*: the rules check it now (the sender's
  balance, the dates, the receiving book's item) but nothing moves until the receiver accepts.
  No enterprise can push goods into a book it does not own.
- ``POST /v1/transfers/{id}/acceptance`` (the receiving enterprise) — the goods move, on the
  acceptance date, checked again by the rules (:func:`sim.rules.ledger.accept_transfer`);
  ``.../rejection`` (the receiver) and ``.../withdrawal`` (the sender) end it, nothing moved.
- ``GET /v1/transfers/{id}`` and ``GET /v1/transfers?book=...`` — for the two enterprises and
  staff.

The admin may act for either side; officers read but never act for an enterprise.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from refplatform.books import load, lock_book, lock_books, save
from refplatform.deps import (
    Caller,
    Db,
    PathDbId,
    PathId,
    QueryCursor,
    QueryLimit,
    Rules,
    Writer,
    require_entity_access,
)
from refplatform.errors import Problem
from refplatform.json_route import JsonRoute
from refplatform.models import Book, Transfer
from refplatform.request_context import respond
from refplatform.routes.books import duties_record
from refplatform.security import Principal
from sim.api.books import TransferDecisionIn, TransferIn, TransferOut, TransferStatus
from sim.api.tokens import Role
from sim.rules import ledger
from sim.rules.dates import not_before
from sim.rules.goods import NO_DUTIES

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["goods"], route_class=JsonRoute)

_TRANSFER = TypeAdapter(TransferOut)
_PENDING: TransferStatus = "pending"


def _view(t: Transfer) -> dict[str, Any]:
    return {
        "id": t.id,
        "book": t.book_id,
        "item": t.item,
        "qty": t.qty,
        "to_book": t.to_book_id,
        "on": t.on.isoformat(),
        "status": t.status,
        "decided_on": t.decided_on.isoformat() if t.decided_on else None,
        "duties": t.duties,
    }


def _record(t: Transfer, duties: dict[str, int]) -> dict[str, Any]:
    """What a book's audit trail keeps of a transfer's movement."""
    return {"transfer": t.id, "item": t.item, "qty": t.qty, "to_book": t.to_book_id,
            "duties": duties}


@router.post(
    "/books/{book_id}/transfers",
    status_code=201,
    response_model=TransferOut,
    summary="Intra-island transfer",
)
def transfer(book_id: PathId, body: TransferIn, db: Db, caller: Writer, rules: Rules) -> Response:
    """Sell goods out of the regime, move them between own books, or offer them to another
    enterprise (pending until it accepts)."""
    with db.write() as session:
        if body.to_book is None:
            row = lock_book(session, book_id, caller)
            book, out = ledger.transfer_out(
                load(row), body.item, body.qty, body.on, rules.tariff_table, body.price_fen
            )
            duties = duties_record(out.duties)
            t = _new(session, book_id, None, body, "done", body.on, duties)
            save(session, row, book, "transfer_out", body.on, _record(t, duties))
            return respond(_view(t), 201, _TRANSFER)
        if body.to_book == book_id:
            raise Problem(
                422, "same_book", "a transfer needs two different books", field="body.to_book"
            )
        src_row, dst_row = lock_books(session, book_id, body.to_book)
        require_entity_access(caller, src_row.entity_id)
        # Checked now, whether or not it moves now: a transfer the rules refuse is never pending.
        src, dst, _ = ledger.transfer(
            load(src_row), load(dst_row), body.item, body.qty, body.on
        )
        none = duties_record(NO_DUTIES)
        if src_row.entity_id != dst_row.entity_id:
            t = _new(session, book_id, body.to_book, body, _PENDING, None, none)
            return respond(_view(t), 201, _TRANSFER)
        t = _new(session, book_id, body.to_book, body, "done", body.on, none)
        _move(session, t, src_row, dst_row, src, dst, body.on)
        return respond(_view(t), 201, _TRANSFER)


def _new(
    session: Session,
    book_id: str,
    to_book: str | None,
    body: TransferIn,
    status: TransferStatus,
    decided_on: dt.date | None,
    duties: dict[str, int],
) -> Transfer:
    t = Transfer(
        book_id=book_id,
        to_book_id=to_book,
        item=body.item,
        qty=body.qty,
        on=body.on,
        status=status,
        decided_on=decided_on,
        duties=duties,
    )
    session.add(t)
    session.flush()  # its id, for the answer and the books' audit trail
    return t


def _move(
    session: Session,
    t: Transfer,
    src_row: Book,
    dst_row: Book,
    src: ledger.Book,
    dst: ledger.Book,
    on: dt.date,
) -> None:
    record = _record(t, t.duties)
    save(session, src_row, src, "transfer_out", on, record)
    save(session, dst_row, dst, "transfer_in", on, {**record, "from_book": t.book_id})


def _pending(session: Session, transfer_id: int) -> Transfer:
    t = session.execute(
        select(Transfer).where(Transfer.id == transfer_id).with_for_update()
    ).scalar_one_or_none()
    if t is None:
        raise Problem(
            404, "unknown_transfer", f"no transfer {transfer_id}", field="path.transfer_id"
        )
    return t


def _owner(session: Session, book_id: str | None) -> str | None:
    return None if book_id is None else session.scalar(
        select(Book.entity_id).where(Book.id == book_id)
    )


def _decide(
    session: Session, t: Transfer, caller: Principal, side: str, on: dt.date
) -> None:
    """Check ``caller`` may decide for ``side`` (``receiver`` or ``sender``) and it is open."""
    owner = _owner(session, t.to_book_id if side == "receiver" else t.book_id)
    if caller.role is not Role.ADMIN and caller.entity != owner:
        raise Problem(403, "forbidden", f"only the {side} of this transfer may do this")
    if t.status != _PENDING:
        raise Problem(
            409,
            "transfer_not_pending",
            f"transfer {t.id} is {t.status} since {t.decided_on}",
            field="path.transfer_id",
        )
    not_before(on, t.on, "the transfer was asked for", transfer=t.id)


@router.post(
    "/transfers/{transfer_id}/acceptance",
    response_model=TransferOut,
    summary="Accept a transfer into one's book",
)
def accept(transfer_id: PathDbId, body: TransferDecisionIn, db: Db, caller: Writer) -> Response:
    """The receiving enterprise accepts: the goods move now, if the rules still allow it."""
    with db.write() as session:
        t = _pending(session, transfer_id)
        if t.to_book_id is None:  # a sale out of the regime is never pending
            raise Problem(409, "transfer_not_pending", f"transfer {t.id} is {t.status}")
        _decide(session, t, caller, "receiver", body.on)
        src_row, dst_row = lock_books(session, t.book_id, t.to_book_id)
        src, dst, _ = ledger.accept_transfer(
            load(src_row), load(dst_row), t.item, t.qty, t.on, body.on
        )
        t.status, t.decided_on = "done", body.on
        _move(session, t, src_row, dst_row, src, dst, body.on)
        return respond(_view(t), 200, _TRANSFER)


@router.post(
    "/transfers/{transfer_id}/rejection",
    response_model=TransferOut,
    summary="Reject a transfer",
)
def reject(transfer_id: PathDbId, body: TransferDecisionIn, db: Db, caller: Writer) -> Response:
    """The receiving enterprise declines: nothing moves."""
    with db.write() as session:
        t = _pending(session, transfer_id)
        _decide(session, t, caller, "receiver", body.on)
        t.status, t.decided_on = "rejected", body.on
        return respond(_view(t), 200, _TRANSFER)


@router.post(
    "/transfers/{transfer_id}/withdrawal",
    response_model=TransferOut,
    summary="Withdraw a transfer",
)
def withdraw(transfer_id: PathDbId, body: TransferDecisionIn, db: Db, caller: Writer) -> Response:
    """The sending enterprise takes it back before it is accepted: nothing moves."""
    with db.write() as session:
        t = _pending(session, transfer_id)
        _decide(session, t, caller, "sender", body.on)
        t.status, t.decided_on = "withdrawn", body.on
        return respond(_view(t), 200, _TRANSFER)


def _may_see(caller: Principal, owners: tuple[str | None, ...]) -> None:
    if caller.role in (Role.ADMIN, Role.OFFICER):
        return
    if caller.role is Role.ENTERPRISE and caller.entity in owners:
        return
    raise Problem(403, "forbidden", "this token may not read another entity's transfers")


@router.get("/transfers/{transfer_id}", response_model=TransferOut, summary="A transfer")
def get_transfer(transfer_id: PathDbId, db: Db, caller: Caller) -> dict[str, Any]:
    """A transfer and where it stands (its two enterprises, admin or officers)."""
    with db.read() as session:
        t = session.get(Transfer, transfer_id)
        if t is None:
            raise Problem(
                404, "unknown_transfer", f"no transfer {transfer_id}", field="path.transfer_id"
            )
        _may_see(caller, (_owner(session, t.book_id), _owner(session, t.to_book_id)))
        return _view(t)


@router.get("/transfers", response_model=list[TransferOut], summary="A book's transfers")
def list_transfers(
    db: Db,
    caller: Caller,
    book: Annotated[str, Query(min_length=1, max_length=64)],
    status: Annotated[TransferStatus | None, Query()] = None,
    after: QueryCursor = 0,
    limit: QueryLimit = 100,
) -> list[dict[str, Any]]:
    """Transfers out of or into ``book``, in id order after ``after`` (a page of ``limit``)."""
    with db.read() as session:
        owner = _owner(session, book)
        if owner is None:
            raise Problem(404, "unknown_book", f"no account book {book!r}", field="query.book")
        _may_see(caller, (owner,))
        query = select(Transfer).where(
            or_(Transfer.book_id == book, Transfer.to_book_id == book), Transfer.id > after
        )
        if status is not None:
            query = query.where(Transfer.status == status)
        rows = session.scalars(query.order_by(Transfer.id).limit(limit)).all()
        return [_view(t) for t in rows]
