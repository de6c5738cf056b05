"""The relational schema, as SQLAlchemy 2 typed ORM classes.

Each table keeps one kind of fact the platform is told or decides:

- ``api_tokens`` — bearer tokens (their SHA-256, never the token) with a role, an entity, an
  expiry and, once revoked, the time of revocation;
- ``entities`` — registered enterprises (by USCC) and individuals (by resident ID number);
- ``history_events`` — the dated credit history the classification is computed from;
- ``notifications`` — tier changes pushed to each department's feed;
- ``qualifications`` — the goods qualification filing of an enterprise;
- ``books`` — electronic account books; ``state`` is the ledger rule's book value, serialised,
  and ``version`` counts the operations applied to it; ``book_operations`` is the audit trail;
- ``declarations`` — second-line declarations with the channel decision and duties due (and
  the latest inspection result); ``inspections`` — every inspection result recorded;
- ``transfers`` — intra-island transfers, those waiting for the receiving enterprise included;
- ``batch_exit_lists`` and ``consolidated_declarations`` — the batch-exit regime;
- ``duty_free_purchases`` — the offshore duty-free purchases checked at departure;
- ``idempotency_keys`` — the first answer to each ``Idempotency-Key`` of a principal, with
  the request it answered (method, path, a digest of the parameters);
- ``audit_log`` — every accepted write: who (token, role, entity), when, what, which key.

The schema itself is created by the Alembic migrations in ``refplatform/migrations``; these
classes must match them (a test compares the two).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "BatchExitList",
    "Book",
    "BookOperation",
    "ConsolidatedDeclaration",
    "Declaration",
    "DutyFreePurchase",
    "Entity",
    "HistoryEvent",
    "IdempotencyKey",
    "InspectionResult",
    "Notification",
    "Qualification",
    "TierSpan",
    "Transfer",
]

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base; ``type_annotation_map`` makes ``dict[str, Any]`` a JSON column."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class ApiToken(Base):
    """An issued bearer token: its SHA-256 hex digest, role, entity, expiry and revocation."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Entity(Base):
    """A registered enterprise (``code`` is its USCC) or individual (resident ID number)."""

    __tablename__ = "entities"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    registered_in_hainan: Mapped[bool] = mapped_column(default=False)
    credit_version: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped with every history event: lets a process cache the history it has read."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class HistoryEvent(Base):
    """One dated credit-history event of an entity (a rating, penalty, listing ...)."""

    __tablename__ = "history_events"
    __table_args__ = (Index("ix_history_entity_date", "entity_id", "date"),)
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    event: Mapped[str] = mapped_column(String(40))
    department: Mapped[str | None] = mapped_column(String(40))
    grade: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Notification(Base):
    """A tier change of an entity, pushed to one department's feed."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_department_id", "department", "id"),)
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    department: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    old_tier: Mapped[str | None] = mapped_column(String(20))
    new_tier: Mapped[str] = mapped_column(String(20))
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class TierSpan(Base):
    """A stretch of days over which an entity holds one credit tier (derived from its history).

    ``valid_to`` is the first day of the next span, NULL for the last one. Every entity has
    spans covering all days from ``0001-01-01``; they are recomputed by the rules
    (``sim.rules.credit.tier_timeline``) whenever the entity's history changes, so listing a
    tier's members on a date is one indexed query instead of classifying every entity.
    """

    __tablename__ = "tier_spans"
    __table_args__ = (Index("ix_tier_spans_tier_entity", "tier", "entity_id", "valid_from"),)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    valid_from: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    tier: Mapped[str] = mapped_column(String(20))


class Qualification(Base):
    """The goods qualification filing of an enterprise (one per enterprise, replaceable)."""

    __tablename__ = "qualifications"
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Book(Base):
    """An electronic account book; ``state`` is the ledger's book value, serialised."""

    __tablename__ = "books"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), index=True)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class BookOperation(Base):
    """One accepted operation on a book: the audit trail of its state."""

    __tablename__ = "book_operations"
    __table_args__ = (Index("ix_book_operations_book_id", "book_id", "id"),)
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id"))
    kind: Mapped[str] = mapped_column(String(32))
    date: Mapped[dt.date] = mapped_column(Date)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Declaration(Base):
    """A second-line exit declaration, its channel decision, duties and inspection result."""

    __tablename__ = "declarations"
    __table_args__ = (
        Index("ix_declarations_entity_id", "entity_id", "id"),
        Index("ix_declarations_book_id", "book_id", "id"),
    )
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id"))
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    port: Mapped[str] = mapped_column(String(40))
    date: Mapped[dt.date] = mapped_column(Date)
    tier: Mapped[str] = mapped_column(String(20))
    risk_score: Mapped[float] = mapped_column(Float)
    channel: Mapped[str] = mapped_column(String(20))
    duties_fen: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    inspection: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """The latest inspection result (every result: ``inspections``)."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class InspectionResult(Base):
    """One scan or inspection result recorded for a declaration (never overwritten)."""

    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_declaration_id", "declaration_id", "id"),)
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"))
    on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(20))
    findings: Mapped[str] = mapped_column(String(2000), default="")
    token_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Transfer(Base):
    """An intra-island transfer out of a book: done, or waiting for the receiving enterprise."""

    __tablename__ = "transfers"
    __table_args__ = (
        Index("ix_transfers_book_id", "book_id", "id"),
        Index("ix_transfers_to_book_id", "to_book_id", "id"),
    )
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id"))
    to_book_id: Mapped[str | None] = mapped_column(ForeignKey("books.id"), nullable=True)
    item: Mapped[str] = mapped_column(String(64))
    qty: Mapped[int] = mapped_column(BigInteger)
    on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    decided_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    duties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class BatchExitList(Base):
    """A batch-exit shipment: its exit list and release note, filed before it moves."""

    __tablename__ = "batch_exit_lists"
    __table_args__ = (Index("ix_batch_exit_entity_date", "entity_id", "date"),)
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id"))
    port: Mapped[str] = mapped_column(String(40))
    date: Mapped[dt.date] = mapped_column(Date)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    consolidated_id: Mapped[int | None] = mapped_column(
        ForeignKey("consolidated_declarations.id"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ConsolidatedDeclaration(Base):
    """The monthly consolidated declaration of an enterprise's batch-exit shipments."""

    __tablename__ = "consolidated_declarations"
    __table_args__ = (UniqueConstraint("book_id", "year", "month"),)
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    duties_fen: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class DutyFreePurchase(Base):
    """Offshore duty-free goods a traveller took out, accepted at a departure check."""

    __tablename__ = "duty_free_purchases"
    __table_args__ = (Index("ix_duty_free_traveller_year", "traveller_id", "year"),)
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    traveller_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    year: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class IdempotencyKey(Base):
    """The first answer to an ``Idempotency-Key`` of a principal (``scope``).

    Written in the transaction of the request's own effect (:mod:`refplatform.request_context`),
    so the effect and its answer exist together or not at all; ``request_hash`` digests the
    request (method, path and its parameters as JSON values) to refuse the key's reuse for
    another request. ``status_code`` is NULL only inside that transaction.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10), default="POST", server_default="POST")
    path: Mapped[str] = mapped_column(String(2048), default="", server_default="")
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, server_default=func.now()
    )


class AuditEntry(Base):
    """One accepted write: who made it, when, what it was, under which idempotency key."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_id", "entity", "id"),)
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    token_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str | None] = mapped_column(String(64), nullable=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(2048))
    operation: Mapped[str | None] = mapped_column(String(40), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
