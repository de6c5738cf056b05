"""Tier spans: each entity's credit tier over time, for listing a tier's members on a date.

The spans of entities already registered are computed from their stored histories by the
rules (``refplatform.credit.tier_spans``, i.e. ``sim.rules.credit.tier_timeline``); from then
on the platform keeps them current on every registration and history event.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``tier_spans`` and fill it for the entities already registered."""
    spans = op.create_table(
        "tier_spans",
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"]),
        sa.PrimaryKeyConstraint("entity_id", "valid_from"),
    )
    op.create_index("ix_tier_spans_tier_entity", "tier_spans", ["tier", "entity_id", "valid_from"])
    _backfill(spans)


def _backfill(spans: sa.Table) -> None:
    # Imported here: only an upgrade of a database with entities needs the rules.
    from refplatform.credit import tier_spans
    from sim.rules.credit import CreditEvent

    bind = op.get_bind()
    history = sa.table(
        "history_events",
        sa.column("id", sa.Integer),
        sa.column("entity_id", sa.String),
        sa.column("date", sa.Date),
        sa.column("event", sa.String),
        sa.column("department", sa.String),
        sa.column("grade", sa.String),
    )
    entities = sa.table("entities", sa.column("id", sa.String), sa.column("kind", sa.String))
    rows = []
    for entity_id, kind in bind.execute(sa.select(entities.c.id, entities.c.kind)).all():
        events = [
            CreditEvent(entity_id, kind, r.date, r.event, r.department, r.grade)
            for r in bind.execute(
                sa.select(history).where(history.c.entity_id == entity_id).order_by(history.c.id)
            )
        ]
        rows += [
            {"entity_id": entity_id, "valid_from": start, "valid_to": end, "tier": tier}
            for start, end, tier in tier_spans(events)
        ]
    if rows:
        op.bulk_insert(spans, rows)


def downgrade() -> None:
    """Drop ``tier_spans``."""
    op.drop_index("ix_tier_spans_tier_entity", table_name="tier_spans")
    op.drop_table("tier_spans")
