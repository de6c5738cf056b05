"""Entities and their credit: registration, history events, tier look-ups, lists by tier.

- ``POST /v1/entities`` registers an enterprise (by its unified social credit code) or an
  individual (by resident identity number); the code's check character is verified.
- ``POST /v1/entities/{id}/events`` records a dated credit-history event (a department's
  rating, a smuggling penalty, a serious-dishonesty listing ...).
- ``GET /v1/entities/{id}/tier?as_of=DATE`` classifies the entity from its history as of a date.
- ``GET /v1/tiers/{tier}/members?as_of=DATE`` lists the entities holding a tier on a date.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.exc import IntegrityError

from refplatform.credit import refresh_spans
from refplatform.deps import Caller, Db, PathId, Rules, Staff, require_entity_access
from refplatform.errors import Problem
from refplatform.identifiers import check_code
from refplatform.json_route import JsonRoute
from refplatform.models import Entity
from refplatform.request_context import respond
from sim.api.entities import EntityIn, EntityOut
from sim.api.tokens import Role

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["entities"], route_class=JsonRoute)


def _entity_out(row: Entity) -> EntityOut:
    return EntityOut(
        id=row.id,
        kind=row.kind,
        code=row.code,
        name=row.name,
        registered_in_hainan=row.registered_in_hainan,
    )


@router.post("/entities", status_code=201, response_model=EntityOut, summary="Register an entity")
def register_entity(
    body: EntityIn,
    db: Db,
    _staff: Staff,
    rules: Rules,
) -> Response:
    """Register an enterprise or individual after checking its code."""
    problem = check_code(body.kind, body.code)
    if problem is not None:
        raise Problem(422, "invalid_code", f"{problem} (got {body.code!r})", field="body.code")
    row = Entity(
        id=body.id,
        kind=body.kind,
        code=body.code.upper(),
        name=body.name,
        registered_in_hainan=body.registered_in_hainan,
    )
    try:
        with db.write() as session:
            if session.get(Entity, body.id) is not None:
                raise Problem(
                    409, "duplicate_entity", f"entity {body.id!r} already exists", field="body.id"
                )
            session.add(row)
            session.flush()  # the entity row first: its tier span refers to it
            # no history yet: whitelist from the first day
            refresh_spans(session, row, [], rules.credit)
            answer = respond(_entity_out(row), 201)
    except IntegrityError as exc:
        raise Problem(
            409, "duplicate_entity", f"code {body.code!r} is already registered", field="body.code"
        ) from exc
    return answer


@router.get("/entities/{entity_id}", response_model=EntityOut, summary="Look up an entity")
def get_entity(entity_id: PathId, db: Db, caller: Caller) -> EntityOut:
    """An entity's registration (staff, departments, or the enterprise itself)."""
    if caller.role is Role.ENTERPRISE:
        require_entity_access(caller, entity_id)
    with db.read() as session:
        row = session.get(Entity, entity_id)
        if row is None:
            raise Problem(404, "unknown_entity", f"no entity {entity_id!r}", field="path.entity_id")
        return _entity_out(row)


def entity_or_404(row: Entity | None, entity_id: str, field: str = "path.entity_id") -> Entity:
    """Return the row or raise the 404 problem for an unknown entity."""
    if row is None:
        raise Problem(404, "unknown_entity", f"no entity {entity_id!r}", field=field)
    return row
