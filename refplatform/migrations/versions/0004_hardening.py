"""Hardening: expiring and revocable tokens, idempotency per principal, the audit trail, the
history of inspection results, and transfers that wait for the receiving enterprise.

- ``api_tokens`` gains ``expires_at`` and ``revoked_at``; tokens issued before this revision
  get an expiry in the past (they had none: issue new ones).
- ``idempotency_keys`` gains the ``method`` and ``path`` of the request a key answered and
  drops ``executed``: the answer is now written with the effect, in one transaction. Keys
  stored before (scoped by the raw ``Authorization`` header) are dropped: they can no longer
  be matched to a principal.
- ``audit_log``, ``inspections`` (filled with the results recorded so far) and ``transfers``
  are new.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add the columns and tables; backfill the inspection history."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column(
                "expires_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.text("'1970-01-01 00:00:00'"),
            )
        )
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("DELETE FROM idempotency_keys")
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(
            sa.Column("method", sa.String(length=10), nullable=False, server_default="POST")
        )
        batch.add_column(
            sa.Column("path", sa.String(length=2048), nullable=False, server_default="")
        )
        batch.drop_column("executed")
    op.create_table(
        "audit_log",
        sa.Column("id", _BigId, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_id", sa.BigInteger(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=2048), nullable=False),
        sa.Column("operation", sa.String(length=40), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_entity_id", "audit_log", ["entity", "id"])
    inspections = op.create_table(
        "inspections",
        sa.Column("id", _BigId, autoincrement=True, nullable=False),
        sa.Column("declaration_id", _BigId, nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("findings", sa.String(length=2000), nullable=False),
        sa.Column("token_id", sa.BigInteger(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["declaration_id"], ["declarations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_inspections_declaration_id", "inspections", ["declaration_id", "id"]
    )
    op.create_table(
        "transfers",
        sa.Column("id", _BigId, autoincrement=True, nullable=False),
        sa.Column("book_id", sa.String(length=64), nullable=False),
        sa.Column("to_book_id", sa.String(length=64), nullable=True),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("duties", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["book_id"], ["books.id"]),
        sa.ForeignKeyConstraint(["to_book_id"], ["books.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transfers_book_id", "transfers", ["book_id", "id"])
    op.create_index("ix_transfers_to_book_id", "transfers", ["to_book_id", "id"])
    _backfill_inspections(inspections)


def _backfill_inspections(inspections: sa.Table) -> None:
    # The result each declaration kept so far becomes the first entry of its history; who
    # recorded it was not kept.
    conn = op.get_bind()
    declarations = sa.table(
        "declarations",
        sa.column("id", sa.BigInteger()),
        sa.column("inspection", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    rows = conn.execute(
        sa.select(declarations.c.id, declarations.c.inspection, declarations.c.created_at)
        .where(declarations.c.inspection.is_not(None))
        .order_by(declarations.c.id)
    ).all()
    history = [
        {
            "declaration_id": row.id,
            "on": dt.date.fromisoformat(row.inspection["on"]),
            "channel": row.inspection["channel"],
            "result": row.inspection["result"],
            "findings": row.inspection.get("findings", ""),
            "token_id": None,
            "role": None,
            "recorded_at": row.created_at,
        }
        for row in rows
        if isinstance(row.inspection, dict)
    ]
    if history:
        op.bulk_insert(inspections, history)


def downgrade() -> None:
    """Drop the new tables and columns (the inspection history and audit trail are lost)."""
    op.drop_index("ix_transfers_to_book_id", table_name="transfers")
    op.drop_index("ix_transfers_book_id", table_name="transfers")
    op.drop_table("transfers")
    op.drop_index("ix_inspections_declaration_id", table_name="inspections")
    op.drop_table("inspections")
    op.drop_index("ix_audit_log_entity_id", table_name="audit_log")
    op.drop_table("audit_log")
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(
            sa.Column("executed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.drop_column("path")
        batch.drop_column("method")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
