"""The declaration hot path's transaction: four statements, prepared once per database.

``POST /v1/declarations`` runs, in one write transaction: lock and read the book with its
holder, read the holder's credit history (only when it changed), insert the declaration, store
the new book value. :class:`DeclarationStore` opens that transaction and hands out a
:class:`DeclarationTxn` with exactly those operations, in one of two implementations:

- **SQLite**: fixed SQL text sent straight to the driver (``sqlite3`` keeps each text's prepared
  statement in its cache) on the kept writer connection, between ``BEGIN IMMEDIATE`` and
  ``COMMIT`` (:meth:`refplatform.db.Database.sqlite_write`). Built as SQLAlchemy Core
  expressions, and run inside SQLAlchemy's transaction bookkeeping, the same statements cost
  more to execute than SQLite takes to run them. Values are converted by the *model's own
  column types* (``bind_processor`` / ``result_processor`` of the engine's dialect), JSON columns
  by one reused compact ``json`` encoder: the rows written are those the ORM would write.
- **PostgreSQL**: SQLAlchemy Core statements (built once) in a normal transaction; the book is
  locked with ``SELECT ... FOR UPDATE OF books``.

Decoded books are cached by version: every write of a book bumps its ``version`` in the same
transaction (:func:`refplatform.books.save` and this module), so a cached book is used only while
the row still carries its version, also across worker processes, and the book's JSON is parsed
again only after another writer changed it. A book enters the cache only once its transaction has
committed.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple, Protocol

from sqlalchemy import JSON, Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from refplatform.db import Database, sqlite_error
from refplatform.models import Book, Declaration, Entity, HistoryEvent
from refplatform.request_context import json_text
from sim.rules.account_book import Book as LedgerBook
from sim.rules.ledger_codec import book_from_dict, book_to_dict

__all__ = [
    "BookRow",
    "DeclarationStore",
    "DeclarationTxn",
    "DuplicateDeclaration",
    "HistoryRow",
    "NewDeclaration",
    "json_text",
]

_BOOK_CACHE_LIMIT = 20_000


class NewDeclaration(NamedTuple):
    """A declaration row to insert, in the table's column order (``id`` is generated)."""

    reference: str
    book_id: str
    entity_id: str
    port: str
    date: dt.date
    tier: str
    risk_score: float
    channel: str
    duties_fen: int
    body: dict[str, Any]
    created_at: dt.datetime


class BookRow(NamedTuple):
    """A locked book, decoded, with what the hot path needs of its holder."""

    book: LedgerBook
    version: int
    entity_id: str
    kind: str
    credit_version: int


class HistoryRow(NamedTuple):
    """One stored credit-history event of an entity."""

    date: dt.date
    event: str
    department: str | None
    grade: str | None


class DuplicateDeclaration(Exception):
    """A declaration with this reference exists already."""


class DeclarationTxn(Protocol):
    """The operations of one declaration transaction."""

    def lock_book(self, book_id: str) -> BookRow | None:
        """Read (and on PostgreSQL lock) a book with its holder; None if unknown."""

    def history(self, entity_id: str) -> list[HistoryRow]:
        """The entity's stored credit history, in recording order."""

    def insert(self, row: NewDeclaration) -> int:
        """Insert a declaration; returns its id. Raises :class:`DuplicateDeclaration`."""

    def update_book(self, book_id: str, book: LedgerBook, version: int) -> None:
        """Store a book's new value and version."""


# The statements, in SQLite's dialect ...
_SQLITE_BOOK = (
    "SELECT books.version, books.entity_id, entities.kind, entities.credit_version "
    "FROM books JOIN entities ON entities.id = books.entity_id WHERE books.id = ?"
)
_SQLITE_BOOK_STATE = "SELECT state FROM books WHERE id = ?"
_SQLITE_HISTORY = (
    "SELECT date, event, department, grade FROM history_events WHERE entity_id = ? ORDER BY id"
)
_SQLITE_INSERT = (
    f"INSERT INTO declarations ({', '.join(NewDeclaration._fields)}) "
    f"VALUES ({', '.join('?' for _ in NewDeclaration._fields)})"
)
_SQLITE_UPDATE_BOOK = "UPDATE books SET state = ?, version = ? WHERE id = ?"

# ... and as SQLAlchemy Core for PostgreSQL (FOR UPDATE OF books: lock the book row only).
_CORE_BOOK = (
    select(Book.state, Book.version, Book.entity_id, Entity.kind, Entity.credit_version)
    .join(Entity, Entity.id == Book.entity_id)
    .where(Book.id == bindparam("book_id"))
    .with_for_update(of=Book)
)
_CORE_HISTORY = (
    select(HistoryEvent.date, HistoryEvent.event, HistoryEvent.department, HistoryEvent.grade)
    .where(HistoryEvent.entity_id == bindparam("entity_id"))
    .order_by(HistoryEvent.id)
)
_CORE_INSERT = insert(Declaration).returning(Declaration.id)
_CORE_UPDATE_BOOK = (
    update(Book)
    .where(Book.id == bindparam("book_key"))
    .values(state=bindparam("state"), version=bindparam("version"))
)


def _identity(value: Any) -> Any:
    return value


class DeclarationStore:
    """Opens declaration transactions on one database and caches decoded books.

    Args:
        db: The database; SQLite gets the prepared-text path, anything else SQLAlchemy Core.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        dialect = db.engine.dialect

        def bind(column: Any) -> Callable[[Any], Any]:
            if isinstance(column.type, JSON):
                return json_text
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            return process or _identity

        table = Declaration.__table__
        self._bind_date = bind(table.c.date)
        self._bind_created = bind(table.c.created_at)
        date_type = HistoryEvent.__table__.c.date.type.dialect_impl(dialect)
        self._load_date: Callable[[Any], Any] = (
            date_type.result_processor(dialect, None) or _identity
        )
        self._books: dict[str, tuple[int, LedgerBook]] = {}
        self._books_lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[DeclarationTxn]:
        """A write transaction; commits at the end, rolls back on an exception."""
        fresh: dict[str, tuple[int, LedgerBook]] = {}
        if self.db.is_sqlite:
            with self.db.sqlite_write() as raw:
                yield _SqliteTxn(self, raw, fresh)
        else:
            with self.db.write_connection() as conn:
                yield _CoreTxn(self, conn, fresh)
        self._remember(fresh)  # committed: these versions are now the stored ones

    def cached(self, book_id: str, version: int) -> LedgerBook | None:
        """The decoded book at ``version``, if this process has it."""
        hit = self._books.get(book_id)
        return hit[1] if hit is not None and hit[0] == version else None

    def _remember(self, books: dict[str, tuple[int, LedgerBook]]) -> None:
        if not books:
            return
        with self._books_lock:
            if len(self._books) + len(books) > _BOOK_CACHE_LIMIT:
                self._books.clear()
            self._books.update(books)


class _SqliteTxn:
    def __init__(
        self, store: DeclarationStore, raw: sqlite3.Connection, fresh: dict[str, Any]
    ) -> None:
        self._store = store
        self._raw = raw
        self._fresh = fresh

    def _run(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return self._raw.execute(sql, params)
        except sqlite3.Error as exc:
            raise sqlite_error(sql, exc, params) from exc

    def lock_book(self, book_id: str) -> BookRow | None:
        # BEGIN IMMEDIATE holds the database's write lock already: no row lock needed.
        found = self._run(_SQLITE_BOOK, (book_id,)).fetchone()
        if found is None:
            return None
        version = found[0]
        book = self._store.cached(book_id, version)
        if book is None:
            state = self._run(_SQLITE_BOOK_STATE, (book_id,)).fetchone()[0]
            book = book_from_dict(json.loads(state))
        return BookRow(book, *found)

    def history(self, entity_id: str) -> list[HistoryRow]:
        load = self._store._load_date
        rows = self._run(_SQLITE_HISTORY, (entity_id,)).fetchall()
        return [HistoryRow(load(r[0]), r[1], r[2], r[3]) for r in rows]

    def insert(self, row: NewDeclaration) -> int:
        store = self._store
        params = (
            *row[:4],
            store._bind_date(row.date),
            *row[5:9],
            json_text(row.body),
            store._bind_created(row.created_at),
        )
        try:
            cursor = self._run(_SQLITE_INSERT, params)
        except IntegrityError as exc:
            raise DuplicateDeclaration(row.reference) from exc
        new_id = cursor.lastrowid
        assert new_id is not None  # an INSERT into a rowid table always sets it
        return new_id

    def update_book(self, book_id: str, book: LedgerBook, version: int) -> None:
        self._run(_SQLITE_UPDATE_BOOK, (json_text(book_to_dict(book)), version, book_id))
        self._fresh[book_id] = (version, book)


class _CoreTxn:
    def __init__(self, store: DeclarationStore, conn: Connection, fresh: dict[str, Any]) -> None:
        self._store = store
        self._conn = conn
        self._fresh = fresh

    def lock_book(self, book_id: str) -> BookRow | None:
        row = self._conn.execute(_CORE_BOOK, {"book_id": book_id}).first()
        if row is None:
            return None
        state, version, *holder = row
        book = self._store.cached(book_id, version) or book_from_dict(state)
        return BookRow(book, version, *holder)

    def history(self, entity_id: str) -> list[HistoryRow]:
        rows = self._conn.execute(_CORE_HISTORY, {"entity_id": entity_id}).all()
        return [HistoryRow(*r) for r in rows]

    def insert(self, row: NewDeclaration) -> int:
        try:
            return int(self._conn.execute(_CORE_INSERT, row._asdict()).scalar_one())
        except IntegrityError as exc:
            raise DuplicateDeclaration(row.reference) from exc

    def update_book(self, book_id: str, book: LedgerBook, version: int) -> None:
        self._conn.execute(
            _CORE_UPDATE_BOOK,
            {"book_key": book_id, "state": book_to_dict(book), "version": version},
        )
        self._fresh[book_id] = (version, book)
