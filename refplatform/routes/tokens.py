"""``POST /v1/tokens``: the admin issues bearer tokens for the other roles.

The token is shown once, in the answer; the platform keeps its SHA-256 only. An ``enterprise``
token names a registered enterprise; a ``department`` token names the department it speaks
for; ``officer`` and ``admin`` tokens name no entity.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from refplatform.deps import Db, Rules, require
from refplatform.errors import Problem
from refplatform.models import ApiToken, Entity
from refplatform.security import Principal, hash_token, new_token
from sim.api.tokens import Role, TokenIn, TokenOut

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["tokens"])


@router.post("/tokens", status_code=201, response_model=TokenOut, summary="Issue a token")
def issue_token(
    body: TokenIn,
    db: Db,
    _admin: Annotated[Principal, Depends(require(Role.ADMIN))],
    rules: Rules,
) -> TokenOut:
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
        session.add(
            ApiToken(token_hash=hash_token(token), role=body.role.value, entity=body.entity)
        )
    return TokenOut(token=token, role=body.role, entity=body.entity)
