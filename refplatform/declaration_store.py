"""The declaration hot path's three statements, prepared once per database.

``POST /v1/declarations`` runs three statements in its write transaction: lock and read the book
with its holder, insert the declaration, store the new book value. Built as SQLAlchemy Core
expressions they cost more to execute (cache-key generation, parameter coercion, the execution
context) than SQLite takes to run them, so on SQLite :class:`DeclarationStore` sends fixed SQL
text straight to the driver (``sqlite3`` keeps each text's prepared statement in its cache) with
the values converted by the *model's own column types* (``bind_processor`` /
``result_processor`` of the engine's dialect), except JSON columns, written by one reused
compact ``json`` encoder (the same JSON values, without the optional blanks) and read by
``json.loads``: the rows written are those the ORM would write. On PostgreSQL the statements stay
SQLAlchemy Core (built once), where the book is locked with ``SELECT ... FOR UPDATE OF books``.

Every method runs on the connection of an open write transaction
(:meth:`refplatform.db.Database.write_connection`); nothing here commits.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import JSON, Connection, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from refplatform.db import Database
from refplatform.models import Book, Declaration, Entity

__all__ = ["BookRow", "DeclarationStore", "DuplicateDeclaration", "json_text"]

_DECLARATION_COLUMNS = (
    "reference",
    "book_id",
    "entity_id",
    "port",
    "date",
    "tier",
    "risk_score",
    "channel",
    "duties_fen",
    "body",
    "created_at",
)

# The same statements as the Core versions below, in SQLite's dialect.
_SQLITE_BOOK = (
    "SELECT books.state, books.version, books.entity_id, entities.kind, entities.credit_version "
    "FROM books JOIN entities ON entities.id = books.entity_id WHERE books.id = ?"
)
_SQLITE_INSERT = (
    f"INSERT INTO declarations ({', '.join(_DECLARATION_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _DECLARATION_COLUMNS)})"
)
_SQLITE_UPDATE_BOOK = "UPDATE books SET state = ?, version = ? WHERE books.id = ?"

# PostgreSQL: lock the book row (FOR UPDATE OF books) and read its holder's kind with it.
_CORE_BOOK = (
    select(Book.state, Book.version, Book.entity_id, Entity.kind, Entity.credit_version)
    .join(Entity, Entity.id == Book.entity_id)
    .where(Book.id == bindparam("book_id"))
    .with_for_update(of=Book)
)
_CORE_INSERT = insert(Declaration).returning(Declaration.id)
_CORE_UPDATE_BOOK = (
    update(Book)
    .where(Book.id == bindparam("book_key"))
    .values(state=bindparam("state"), version=bindparam("version"))
)


class BookRow(NamedTuple):
    """A locked book with what the hot path needs of its holder."""

    state: dict[str, Any]
    version: int
    entity_id: str
    kind: str
    credit_version: int


class DuplicateDeclaration(Exception):
    """A declaration with this reference exists already."""


def _identity(value: Any) -> Any:
    return value


_ENCODER = json.JSONEncoder(separators=(",", ":"))


def json_text(value: Any) -> str:
    """``value`` as compact JSON text (one encoder, built once, for every call)."""
    return _ENCODER.encode(value)


class DeclarationStore:
    """The hot path's statements for one database.

    Args:
        db: The database; SQLite gets the prepared-text path, anything else SQLAlchemy Core.
    """

    def __init__(self, db: Database) -> None:
        self.raw = db.is_sqlite
        dialect = db.engine.dialect
        table = Declaration.__table__

        def bind(column: Any) -> Callable[[Any], Any]:
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            return process or _identity

        self._bind = tuple(
            json_text if isinstance(table.c[name].type, JSON) else bind(table.c[name])
            for name in _DECLARATION_COLUMNS
        )
        self._bind_state = json_text
        self._load_state: Callable[[Any], Any] = json.loads

    def lock_book(self, conn: Connection, book_id: str) -> BookRow | None:
        """Read (and on PostgreSQL lock) a book row with its holder; None if unknown."""
        if self.raw:
            found = _run(conn, _SQLITE_BOOK, (book_id,)).fetchone()
            if found is None:
                return None
            return BookRow(self._load_state(found[0]), *found[1:])
        row = conn.execute(_CORE_BOOK, {"book_id": book_id}).first()
        return None if row is None else BookRow(*row)

    def insert(self, conn: Connection, values: dict[str, Any]) -> int:
        """Insert a declaration (``values`` keyed by column name); returns its id.

        Raises:
            DuplicateDeclaration: the reference is taken.
        """
        if self.raw:
            params = tuple(
                process(values[name])
                for name, process in zip(_DECLARATION_COLUMNS, self._bind, strict=True)
            )
            try:
                cursor = _run(conn, _SQLITE_INSERT, params)
            except IntegrityError as exc:
                raise DuplicateDeclaration(values["reference"]) from exc
            new_id = cursor.lastrowid
            assert new_id is not None  # an INSERT into a rowid table always sets it
            return new_id
        try:
            return int(conn.execute(_CORE_INSERT, values).scalar_one())
        except IntegrityError as exc:
            raise DuplicateDeclaration(values["reference"]) from exc

    def update_book(
        self, conn: Connection, book_id: str, state: dict[str, Any], version: int
    ) -> None:
        """Store a book's new value and version."""
        if self.raw:
            _run(conn, _SQLITE_UPDATE_BOOK, (self._bind_state(state), version, book_id))
        else:
            conn.execute(
                _CORE_UPDATE_BOOK, {"book_key": book_id, "state": state, "version": version}
            )


def _run(conn: Connection, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
    # On the DB-API connection under the SQLAlchemy one: same transaction, no SQLAlchemy layer.
    # The driver's errors are wrapped as SQLAlchemy would (IntegrityError, OperationalError
    # ...), so the error handlers treat them exactly as before.
    raw: sqlite3.Connection = conn.connection.dbapi_connection  # type: ignore[assignment]
    try:
        return raw.execute(sql, params)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc

