"""``GET /v1/notifications``: each department's feed of credit-tier changes.

Every change of an entity's tier (computed by ``sim.rules.credit`` from its history, see
:mod:`refplatform.credit`) is pushed to the departments concerned: one row per department in
the ``notifications`` table. A department token reads its own feed in id order with a cursor
(``after``: the ``next`` of the previous page), so it sees each change once; ``until`` hides
changes dated later (automatic removals are known, and stored, before their date comes).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from refplatform.deps import Db, QueryCursor, QueryLimit, require
from refplatform.errors import Problem
from refplatform.json_route import JsonRoute
from refplatform.models import Notification
from refplatform.security import Principal
from sim.api.fields import Day
from sim.api.notifications import NotificationFeed
from sim.api.tokens import Role

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["credit"], route_class=JsonRoute)


@router.get(
    "/notifications", response_model=NotificationFeed, summary="A department's notification feed"
)
def feed(
    db: Db,
    caller: Annotated[Principal, Depends(require(Role.ADMIN, Role.DEPARTMENT))],
    after: QueryCursor = 0,
    until: Annotated[Day | None, Query()] = None,
    department: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    limit: QueryLimit = 100,
) -> dict[str, Any]:
    """Tier changes for the caller's department (admin: any, via ``department``), in id order.

    ``until`` hides changes dated later (automatic removals are known in advance).
    """
    if caller.role is Role.DEPARTMENT:
        if department not in (None, caller.entity):
            raise Problem(
                403, "forbidden", "a department reads its own feed only", field="query.department"
            )
        department = caller.entity
    elif department is None:
        raise Problem(
            422, "invalid_input", "admin must name the department", field="query.department"
        )
    with db.read() as session:
        query = select(Notification).where(
            Notification.department == department, Notification.id > after
        )
        if until is not None:
            query = query.where(Notification.date <= until)
        rows = session.scalars(query.order_by(Notification.id).limit(limit)).all()
        items = [
            {
                "id": r.id,
                "entity": r.entity_id,
                "date": r.date.isoformat(),
                "from": r.old_tier,
                "to": r.new_tier,
                "grounds": r.body.get("grounds", []),
                "ended": r.body.get("ended", []),
            }
            for r in rows
        ]
    return {
        "department": department,
        "notifications": items,
        "next": items[-1]["id"] if items else after,
    }
