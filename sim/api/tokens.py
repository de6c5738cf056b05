"""Tokens: who a caller is. ``POST /v1/tokens`` (admin only) issues a bearer token for a role.

Roles:

- ``admin`` — everything, including issuing tokens; its token comes from the platform's
  environment (``REFPLATFORM_ADMIN_TOKEN``), never from this endpoint's answer alone;
- ``enterprise`` — bound to one registered enterprise (``entity``): its own books,
  declarations and batch exit;
- ``officer`` — channel decisions, inspection results, travellers' departure checks, look-ups;
- ``department`` — bound to one department key (``customs``, ``tax`` ...): posts that
  department's credit-history events and reads its notification feed.

The token is shown once, in the answer; the platform keeps only its SHA-256. Every issued
token expires (``expires_in_s``, by default the platform's setting) and can be revoked before
(``POST /v1/tokens/{id}/revocation``, by the admin or by the token itself); an expired or
revoked token is refused (401) at once by every worker of the platform. The admin token is not
issued: it comes from the platform's environment and needs :data:`ADMIN_TOKEN_MIN_LENGTH`
characters.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, Strict

from sim.api.common import Answer, Request
from sim.api.fields import Id, Instant

__all__ = [
    "ADMIN_TOKEN_MIN_LENGTH",
    "MAX_TOKEN_LIFETIME_S",
    "RevocationIn",
    "Role",
    "TokenIn",
    "TokenInfo",
    "TokenOut",
]

ADMIN_TOKEN_MIN_LENGTH = 32
"""The shortest admin token a platform accepts from its environment (256 bits as URL-safe
base64 are 43 characters)."""

MAX_TOKEN_LIFETIME_S = 90 * 86_400
"""The longest lifetime a token can be issued with (90 days)."""


class Role(StrEnum):
    """What a token may do."""

    ADMIN = "admin"
    ENTERPRISE = "enterprise"
    OFFICER = "officer"
    DEPARTMENT = "department"


class TokenIn(Request):
    """A token request: the role and, for enterprises and departments, whom it speaks for."""

    role: Role
    entity: Id | None = None
    expires_in_s: Annotated[int, Strict(), Field(ge=60, le=MAX_TOKEN_LIFETIME_S)] | None = Field(
        None, description="lifetime in seconds; the platform's default when absent"
    )


class TokenOut(Answer):
    """An issued token (shown once)."""

    id: int = Field(description="the token's id (to revoke it; recorded in the audit trail)")
    token: str
    role: Role
    entity: str | None
    expires_at: Instant = Field(description="when it stops being accepted (UTC)")


class RevocationIn(Request):
    """Revoking a token: why (kept in the audit trail's record of the revocation)."""

    reason: str = Field("", max_length=200)


class TokenInfo(Answer):
    """An issued token as the platform keeps it (never the token itself)."""

    id: int
    role: Role
    entity: str | None
    created_at: Instant
    expires_at: Instant
    revoked_at: Instant | None = Field(description="null while it is not revoked")
