"""The audit trail: who changed what, when, under which idempotency key (``GET /v1/audit``).

Every write the platform accepts records, in the transaction of the write itself, one audit
record: the token that made it (its id, role and entity), the time, the request's method and
path, the operation it is a call of, its ``Idempotency-Key`` and the status answered. A write
that was refused, or never got past authentication or validation, changed nothing and records
nothing. Officers and the admin read the trail a page at a time (``after``: the ``next`` of the
previous page), optionally only one entity's tokens.
"""

from __future__ import annotations

from pydantic import Field

from sim.api.common import Answer
from sim.api.fields import Instant
from sim.api.tokens import Role

__all__ = ["AuditPage", "AuditRecord"]


class AuditRecord(Answer):
    """One accepted write."""

    id: int = Field(description="position in the trail (the cursor)")
    at: Instant = Field(description="when it was committed (UTC)")
    token_id: int | None = Field(description="the token's id; null for the admin token")
    role: Role
    entity: str | None = Field(description="the enterprise or department the token speaks for")
    method: str
    path: str
    operation: str | None = Field(description="the operation's name (sim.api.operations)")
    idempotency_key: str | None
    status: int | None = Field(description="the status answered")


class AuditPage(Answer):
    """A page of the audit trail, in id order."""

    records: list[AuditRecord]
    next: int = Field(ge=0, description="``after`` for the next page (unchanged when empty)")
