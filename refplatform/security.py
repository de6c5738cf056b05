"""Bearer tokens and who holds them: roles, principals, and hashing.

A token is 32 random bytes, URL-safe, prefixed ``rp_``; the platform keeps only its SHA-256, so
a copy of the database does not hand out credentials. The roles are the contract's
(:class:`sim.api.tokens.Role`); a :class:`Principal` is who a request's token says it is.

A principal is also the owner of idempotency keys (:attr:`Principal.scope`): an enterprise or a
department whichever of its tokens it uses (a client that renews its token and retries is still
the same caller), an officer or an issued admin token each by its token, and the admin of the
environment as one. Never the raw ``Authorization`` header: ``Bearer T`` and ``bearer T`` are
one caller.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sim.api.tokens import Role

__all__ = ["ENV_ADMIN", "Principal", "hash_token", "new_token"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request, as its token says.

    Attributes:
        role: The token's role.
        entity: The enterprise id (role ``enterprise``) or department key (``department``).
        token_id: The issued token's id; None for the admin token of the environment.
    """

    role: Role
    entity: str | None
    token_id: int | None

    @property
    def scope(self) -> str:
        """Whose idempotency keys a request's key is among (see the module docstring)."""
        if self.entity is not None:
            return f"{self.role.value}:{self.entity}"
        if self.token_id is None:
            return "admin:environment"
        return f"token:{self.token_id}"


ENV_ADMIN = Principal(Role.ADMIN, None, None)
"""The holder of the admin token configured in the platform's environment."""


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
