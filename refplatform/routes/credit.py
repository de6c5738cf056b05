"""The credit feed and look-ups: history events in; tiers, members and notifications out.

- ``POST /v1/entities/{id}/events`` — a department's rating, a penalty, a listing, an AEO
  certification ... (admin, or a department token for its own department and only the kinds
  of event that department records: the scale table's ``issuers``, so the tax department posts
  no smuggling penalty). The event is checked by ``sim.rules.credit.parse_record`` against the
  rating scales; the answer carries the tier before and after it on its date.
- ``GET /v1/entities/{id}/tier?as_of=DATE`` — the tier on a date with its grounds and the day
  each will lapse if nothing recurs.
- ``GET /v1/tiers/{tier}/members?as_of=DATE`` — the entities holding a tier on a date.

Each department's feed of the resulting tier changes is :mod:`refplatform.routes.notifications`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import TypeAdapter
from sqlalchemy import or_, select

from refplatform.credit import (
    classification,
    classification_record,
    events_of,
    refresh_feed,
    refresh_spans,
)
from refplatform.deps import (
    Caller,
    Db,
    PathId,
    QueryLimit,
    Rules,
    require,
    require_entity_access,
)
from refplatform.errors import Problem
from refplatform.json_route import JsonRoute
from refplatform.models import Entity, HistoryEvent, TierSpan
from refplatform.request_context import respond
from refplatform.security import Principal
from sim.api.credit import EventIn, EventOut, TierMembers, TierOut
from sim.api.entities import EntityKind
from sim.api.fields import Day
from sim.api.tokens import Role
from sim.rules.credit import HistoryError, classify, parse_record
from sim.rules.tiers import Tier

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["credit"], route_class=JsonRoute)

_Poster = Annotated[Principal, Depends(require(Role.ADMIN, Role.DEPARTMENT))]
_Reader = Annotated[Principal, Depends(require(Role.ADMIN, Role.OFFICER, Role.DEPARTMENT))]
_EVENT = TypeAdapter(EventOut)


def _entity(session: Any, entity_id: str) -> Entity:
    row: Entity | None = session.get(Entity, entity_id)
    if row is None:
        raise Problem(404, "unknown_entity", f"no entity {entity_id!r}", field="path.entity_id")
    return row


@router.post(
    "/entities/{entity_id}/events",
    status_code=201,
    response_model=EventOut,
    summary="Post a history event",
)
def post_event(
    entity_id: PathId, body: EventIn, db: Db, caller: _Poster, rules: Rules
) -> Response:
    """Record a dated credit event; answers the tier before and after it."""
    department = body.department
    if caller.role is Role.DEPARTMENT:
        if department is None:
            department = caller.entity
        elif department != caller.entity:
            raise Problem(
                403,
                "forbidden",
                f"this token speaks for {caller.entity!r} only",
                field="body.department",
            )
        table = rules.credit
        if department is not None and not table.may_record(department, body.event):
            issuers = ", ".join(table.issuers[body.event])
            raise Problem(
                403,
                "forbidden",
                f"{department!r} does not record {body.event} (recorded by {issuers})",
                field="body.event",
            )
    with db.write() as session:
        entity = _entity(session, entity_id)
        raw = {
            "entity": entity.id,
            "kind": entity.kind,
            "date": body.date.isoformat(),
            "event": body.event,
        }
        if department is not None:
            raw["department"] = department
        if body.grade is not None:
            raw["grade"] = body.grade
        try:
            event = parse_record(raw, 1, rules.credit)
        except HistoryError as exc:
            field = getattr(exc, "field", None) or "event"
            raise Problem(
                422, "invalid_event", str(exc).removeprefix("line 1: "), field=f"body.{field}"
            ) from exc
        before = classification(session, entity, body.date, rules.credit)
        row = HistoryEvent(
            entity_id=entity.id,
            date=event.date,
            event=event.event,
            department=event.department,
            grade=event.grade,
        )
        session.add(row)
        entity.credit_version += 1
        session.flush()
        # Read once for the tier after the event, the feed and the spans (classify ignores
        # events after its date).
        history = events_of(session, entity)
        after = classify(history, body.date, rules.credit)
        added = refresh_feed(session, entity, history, rules.credit)
        refresh_spans(session, entity, history, rules.credit)
        answer = {
            "id": row.id,
            "entity": entity.id,
            "date": body.date.isoformat(),
            "event": event.event,
            "department": event.department,
            "grade": event.grade,
            "tier_before": before.tier,
            "tier_after": after.tier,
            "notifications_added": added,
        }
        return respond(answer, 201, _EVENT)


@router.get(
    "/entities/{entity_id}/tier", response_model=TierOut, summary="An entity's tier on a date"
)
def get_tier(
    entity_id: PathId, db: Db, caller: Caller, as_of: Annotated[Day, Query()], rules: Rules
) -> dict[str, Any]:
    """The tier on ``as_of``, its grounds and when each lapses."""
    if caller.role is Role.ENTERPRISE:
        require_entity_access(caller, entity_id)
    with db.read() as session:
        entity = _entity(session, entity_id)
        found = classification(session, entity, as_of, rules.credit)
        return classification_record(found)


@router.get(
    "/tiers/{tier}/members", response_model=TierMembers, summary="Entities holding a tier on a date"
)
def tier_members(
    tier: Tier,
    db: Db,
    _reader: _Reader,
    as_of: Annotated[Day, Query()],
    kind: Annotated[EntityKind | None, Query()] = None,
    after: Annotated[str, Query(max_length=64)] = "",
    limit: QueryLimit = 100,
) -> dict[str, Any]:
    """Members of ``tier`` on ``as_of``, by entity id after ``after`` (a page of ``limit``)."""
    # One indexed query over the stored tier spans (refplatform.credit.refresh_spans), which
    # the rules recompute whenever an entity's history changes.
    query = (
        select(TierSpan.entity_id)
        .where(
            TierSpan.tier == tier,
            TierSpan.entity_id > after,
            TierSpan.valid_from <= as_of,
            or_(TierSpan.valid_to.is_(None), TierSpan.valid_to > as_of),
        )
        .order_by(TierSpan.entity_id)
        .limit(limit)
    )
    if kind is not None:
        query = query.join(Entity, Entity.id == TierSpan.entity_id).where(Entity.kind == kind)
    with db.read() as session:
        members = list(session.scalars(query))
    return {
        "tier": tier,
        "as_of": as_of.isoformat(),
        "members": members,
        "next": members[-1] if len(members) == limit else None,
    }
