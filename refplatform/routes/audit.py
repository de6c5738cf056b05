"""``GET /v1/audit``: the trail of accepted writes, for officers and the admin.

Each record is written in the transaction of the write it records
(:mod:`refplatform.request_context`), so the trail holds exactly the writes that took effect:
who (token id, role, entity), when, the method, path and operation, the idempotency key and
the status answered. Read in id order with a cursor (``after``: the ``next`` of the previous
page); ``entity`` keeps the records of one enterprise's or department's tokens.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from refplatform.deps import Db, QueryCursor, QueryLimit, Staff
from refplatform.json_route import JsonRoute
from refplatform.models import AuditEntry
from sim.api.audit import AuditPage

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["audit"], route_class=JsonRoute)


@router.get("/audit", response_model=AuditPage, summary="The audit trail of accepted writes")
def audit_trail(
    db: Db,
    _staff: Staff,
    entity: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    after: QueryCursor = 0,
    limit: QueryLimit = 100,
) -> dict[str, Any]:
    """Accepted writes in order after ``after`` (a page of ``limit``), optionally one entity's."""
    query = select(AuditEntry).where(AuditEntry.id > after)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    with db.read() as session:
        rows = session.scalars(query.order_by(AuditEntry.id).limit(limit)).all()
        records = [
            {
                "id": r.id,
                "at": r.at,
                "token_id": r.token_id,
                "role": r.role,
                "entity": r.entity,
                "method": r.method,
                "path": r.path,
                "operation": r.operation,
                "idempotency_key": r.idempotency_key,
                "status": r.status,
            }
            for r in rows
        ]
    return {"records": records, "next": records[-1]["id"] if records else after}
