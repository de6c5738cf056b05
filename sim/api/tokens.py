"""Tokens: who a caller is. ``POST /v1/tokens`` (admin only) issues a bearer token for a role.

Roles:

- ``admin`` — everything, including issuing tokens; its token comes from the platform's
  environment (``REFPLATFORM_ADMIN_TOKEN``), never from this endpoint's answer alone;
- ``enterprise`` — bound to one registered enterprise (``entity``): its own books,
  declarations and batch exit;
- ``officer`` — channel decisions, inspection results, travellers' departure checks, look-ups;
- ``department`` — bound to one department key (``customs``, ``tax`` ...): posts that
  department's credit-history events and reads its notification feed.

The token is shown once, in the answer; the platform keeps only its SHA-256.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from sim.api.common import Answer, Request

__all__ = ["Role", "TokenIn", "TokenOut"]


class Role(StrEnum):
    """What a token may do."""

    ADMIN = "admin"
    ENTERPRISE = "enterprise"
    OFFICER = "officer"
    DEPARTMENT = "department"


class TokenIn(Request):
    """A token request: the role and, for enterprises and departments, whom it speaks for."""

    role: Role
    entity: str | None = Field(default=None, min_length=1, max_length=64)


class TokenOut(Answer):
    """An issued token (shown once)."""

    token: str
    role: Role
    entity: str | None
