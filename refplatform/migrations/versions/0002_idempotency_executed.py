"""Idempotency keys record whether the request's writes committed (``executed``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``idempotency_keys.executed`` (false for every existing row)."""
    op.add_column(
        "idempotency_keys",
        sa.Column("executed", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    """Drop ``idempotency_keys.executed``."""
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_column("executed")
