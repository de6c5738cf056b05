"""Bearer tokens: the admin issues them; the admin or the token itself revokes them.

- ``POST /v1/tokens`` (admin) — an ``enterprise`` token names a registered enterprise, a
  ``department`` token the department it speaks for; ``officer`` and ``admin`` tokens name no
  entity. The token is shown once, in the answer (the platform keeps its SHA-256), with its id
  and its expiry: ``expires_in_s`` from now, or the platform's default lifetime.
- ``POST /v1/tokens/{id}/revocation`` — the admin revokes any issued token, any other caller
  only its own. From the commit on, the token is refused (401) by every worker, since every
  request reads its token's row (:mod:`refplatform.lookups`). Revoking twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from refplatform.deps import Caller, Db, PathDbId, Rules, require
from refplatform.errors import Problem
from refplatform.json_route import JsonRoute
from refplatform.models import ApiToken, Entity
from refplatform.request_context import respond
from refplatform.security import Principal, hash_token, new_token
from refplatform.settings import Settings
from sim.api.tokens import RevocationIn, Role, TokenIn, TokenInfo, TokenOut

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["tokens"], route_class=JsonRoute)


@router.post("/tokens", status_code=201, response_model=TokenOut, summary="Issue a token")
def issue_token(
    body: TokenIn,
    db: Db,
    request: Request,
    _admin: Annotated[Principal, Depends(require(Role.ADMIN))],
    rules: Rules,
) -> Response:
    """Issue a bearer token (admin only)."""
    if body.role in (Role.ENTERPRISE, Role.DEPARTMENT) and body.entity is None:
        raise Problem(
            422, "invalid_input", f"a {body.role.value} token needs an entity", field="body.entity"
        )
    if body.role in (Role.ADMIN, Role.OFFICER) and body.entity is not None:
        raise Problem(
            422, "invalid_input", f"a {body.role.value} token names no entity", field="body.entity"
        )
    if body.role is Role.DEPARTMENT and body.entity not in rules.credit.departments:
        known = ", ".join(sorted(rules.credit.departments))
        raise Problem(
            422,
            "invalid_input",
            f"unknown department {body.entity!r} (one of {known})",
            field="body.entity",
        )
    settings: Settings = request.app.state.settings
    lifetime = body.expires_in_s or settings.token_ttl_s
    token = new_token()
    with db.write() as session:
        if body.role is Role.ENTERPRISE:
            entity = session.get(Entity, body.entity)
            if entity is None:
                raise Problem(
                    404, "unknown_entity", f"no entity {body.entity!r}", field="body.entity"
                )
            if entity.kind != "enterprise":
                raise Problem(
                    422,
                    "invalid_input",
                    f"{body.entity!r} is not an enterprise",
                    field="body.entity",
                )
        now = dt.datetime.now(dt.UTC)
        row = ApiToken(
            token_hash=hash_token(token),
            role=body.role.value,
            entity=body.entity,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=lifetime),
        )
        session.add(row)
        session.flush()
        issued = TokenOut(
            id=row.id, token=token, role=body.role, entity=body.entity, expires_at=row.expires_at
        )
        return respond(issued, 201)


@router.post(
    "/tokens/{token_id}/revocation", response_model=TokenInfo, summary="Revoke a token"
)
def revoke_token(token_id: PathDbId, body: RevocationIn, db: Db, caller: Caller) -> Response:
    """Revoke an issued token (the admin any; any other token itself only)."""
    if caller.role is not Role.ADMIN and caller.token_id != token_id:
        raise Problem(403, "forbidden", "a token may revoke only itself", field="path.token_id")
    with db.write() as session:
        row = session.get(ApiToken, token_id, with_for_update=True)
        if row is None:
            raise Problem(404, "unknown_token", f"no token {token_id}", field="path.token_id")
        if row.revoked_at is None:
            row.revoked_at = dt.datetime.now(dt.UTC)
        info = TokenInfo(
            id=row.id,
            role=Role(row.role),
            entity=row.entity,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )
        return respond(info, 200)
