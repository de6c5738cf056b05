"""Bearer tokens and who holds them: roles, principals, and hashing.

A token is 32 random bytes, URL-safe, prefixed ``rp_``; the platform keeps only its SHA-256, so
a copy of the database does not hand out credentials. Roles:

- ``admin`` — everything, including issuing tokens; its token comes from the environment;
- ``enterprise`` — bound to one registered enterprise: its own books, declarations, batch exit;
- ``officer`` — channel decisions, inspection results, travellers' departure checks, look-ups;
- ``department`` — bound to one department key (``customs``, ``tax`` ...): posts that
  department's history events and reads that department's notification feed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Principal", "Role", "hash_token", "new_token"]


class Role(StrEnum):
    """What a token may do."""

    ADMIN = "admin"
    ENTERPRISE = "enterprise"
    OFFICER = "officer"
    DEPARTMENT = "department"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request, as its token says.

    Attributes:
        role: The token's role.
        entity: The enterprise id (role ``enterprise``) or department key (``department``).
        token_hash: SHA-256 of the token; scopes idempotency keys to their caller.
    """

    role: Role
    entity: str | None
    token_hash: str


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token (what the database stores).

    Args:
        token: The bearer token.

    Returns:
        64 hex characters.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random bearer token.

    Returns:
        ``rp_`` followed by 43 URL-safe characters (256 bits).
    """
    return "rp_" + secrets.token_urlsafe(32)
