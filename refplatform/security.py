"""Bearer tokens and who holds them: roles, principals, and hashing.

A token is 32 random bytes, URL-safe, prefixed ``rp_``; the platform keeps only its SHA-256, so
a copy of the database does not hand out credentials. The roles are the contract's
(:class:`sim.api.tokens.Role`); a :class:`Principal` is who a request's token says it is.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sim.api.tokens import Role

__all__ = ["Principal", "hash_token", "new_token"]


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
