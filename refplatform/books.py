"""Account books in the database: lock, load, let :mod:`sim.rules.ledger` decide, save.

A book row keeps the ledger's book value as JSON (``sim.rules.ledger_codec``) and a version.
Every change follows one pattern inside one write transaction::

    row = lock_book(session, book_id)          # serialises writers of this book
    book = load(row)                           # the rules' immutable Book
    new_book, outcome = ledger.some_op(book, ...)   # may raise Refusal: nothing is saved
    save(session, row, new_book, "kind", on, outcome_record)

Every accepted operation also leaves a ``book_operations`` row (the audit trail), except the
second-line write-off, whose record is the declaration row itself (see
:mod:`refplatform.routes.declarations`, which takes the same lock through SQLAlchemy Core).

Locking: on PostgreSQL ``SELECT ... FOR UPDATE`` on the book row makes concurrent writers of
one book queue while writers of other books proceed; on SQLite every write transaction already
holds the database's write lock (see :mod:`refplatform.db`). Two books (a transfer) are locked
in id order, so two opposite transfers cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from refplatform.deps import require_entity_access
from refplatform.errors import Problem
from refplatform.models import Book, BookOperation
from refplatform.security import Principal
from sim.rules.account_book import Book as LedgerBook
from sim.rules.ledger_codec import book_from_dict, book_to_dict

__all__ = ["load", "lock_book", "lock_books", "save"]


def lock_book(
    session: Session, book_id: str, caller: Principal | None = None, field: str = "path.book_id"
) -> Book:
    """Fetch a book row for update, checking the caller may act on it.

    Args:
        session: A write session.
        book_id: The book.
        caller: The caller; an enterprise may only touch its own books.
        field: Where the id came from, for the 404.

    Returns:
        The locked row.

    Raises:
        Problem: 404 ``unknown_book``; 403 when it is another enterprise's book.
    """
    row = session.execute(
        select(Book).where(Book.id == book_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise Problem(404, "unknown_book", f"no account book {book_id!r}", field=field)
    if caller is not None:
        require_entity_access(caller, row.entity_id)
    return row


def lock_books(session: Session, first: str, second: str) -> tuple[Book, Book]:
    """Lock two books in id order (no deadlock between opposite transfers)."""
    a, b = sorted((first, second))
    row_a = lock_book(session, a, field="body.to_book" if a == second else "path.book_id")
    row_b = lock_book(session, b, field="body.to_book" if b == second else "path.book_id")
    return (row_a, row_b) if a == first else (row_b, row_a)


def load(row: Book) -> LedgerBook:
    """The ledger's book value stored in ``row``."""
    return book_from_dict(row.state)


def save(
    session: Session,
    row: Book,
    book: LedgerBook,
    kind: str,
    on: dt.date,
    record: dict[str, Any],
) -> None:
    """Store the new book value and one audit-trail operation.

    Args:
        session: The write session holding the lock.
        row: The book row.
        book: The new book value.
        kind: Operation name (``entry``, ``transfer_out`` ...).
        on: The operation's date.
        record: What the operation did (JSON-safe).
    """
    row.state = book_to_dict(book)
    row.version += 1
    session.add(BookOperation(book_id=row.id, kind=kind, date=on, body=record))
