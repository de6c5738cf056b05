"""Errors as ``application/problem+json`` (RFC 9457): the body of every 4xx and 5xx answer.

::

    {"type": "urn:refplatform:problem:insufficient_balance", "title": "Conflict", "status": 409,
     "detail": "...", "code": "insufficient_balance", "reason": "insufficient_balance",
     "context": {"item": "beef", "balance": 3, "requested": 4}}

``code`` is stable and machine-readable: a rule's refusal carries the rule's reason code
(:class:`sim.rules.refusals.Reason`, with the status the rules assign: 409 for a state
conflict, 422 for a request that can never succeed) and the rule's facts under ``context``;
every other error carries one of :class:`ProblemCode`. ``field`` (dotted, starting with
``body``, ``query``, ``path`` or ``header``) names the input at fault when there is one, and
``errors`` lists every invalid field of a rejected request. Together the two enums are the
closed set of codes a client can meet.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sim.rules.refusals import Reason

__all__ = ["PROBLEM_JSON", "FieldError", "ProblemBody", "ProblemCode"]

PROBLEM_JSON = "application/problem+json"
"""The media type of every error answer."""


class ProblemCode(StrEnum):
    """The platform's own error codes (a rule's refusal uses its :class:`Reason` instead)."""

    # -- the request ------------------------------------------------------------------------
    INVALID_INPUT = "invalid_input"
    """A field is missing, of the wrong type or out of range (``field`` names it)."""
    INVALID_JSON = "invalid_json"
    """The body is not JSON."""
    INVALID_CODE = "invalid_code"
    """A credit code or identity number fails its check (GB 32100 / GB 11643)."""
    INVALID_EVENT = "invalid_event"
    """A credit-history event the rules do not accept (unknown event, department or grade)."""
    UNKNOWN_RISK_INDICATOR = "unknown_risk_indicator"
    """A declaration names a risk indicator the platform's risk model does not have."""
    NOT_AN_INDIVIDUAL = "not_an_individual"
    """A traveller's departure check for an entity that is an enterprise."""
    SAME_BOOK = "same_book"
    """A transfer from a book to itself."""
    PAYLOAD_TOO_LARGE = "payload_too_large"
    """The request body is larger than the platform accepts (413); sent before it is read."""
    # -- who is asking ------------------------------------------------------------------------
    UNAUTHORIZED = "unauthorized"
    """No bearer token, or one the platform does not know (401)."""
    FORBIDDEN = "forbidden"
    """The token's role or entity may not do this (403)."""
    # -- what is asked for --------------------------------------------------------------------
    NOT_FOUND = "not_found"
    """No such path (404)."""
    METHOD_NOT_ALLOWED = "method_not_allowed"
    """The path exists, the method does not (405)."""
    HTTP_ERROR = "http_error"
    """Any other HTTP-level refusal (400, 413, 415 ...)."""
    UNKNOWN_ENTITY = "unknown_entity"
    """No entity with that id (404)."""
    UNKNOWN_BOOK = "unknown_book"
    """No account book with that id (404)."""
    UNKNOWN_DECLARATION = "unknown_declaration"
    """No declaration with that id (404)."""
    UNKNOWN_TRANSFER = "unknown_transfer"
    """No transfer with that id (404)."""
    UNKNOWN_TOKEN = "unknown_token"
    """No issued token with that id (404)."""
    TRANSFER_NOT_PENDING = "transfer_not_pending"
    """The transfer was already accepted, rejected or withdrawn (409)."""
    DUPLICATE_ENTITY = "duplicate_entity"
    """An entity with that id or code is registered already (409)."""
    CONFLICT = "conflict"
    """A concurrent request created or changed the same thing first (409); read it again."""
    # -- idempotency keys ---------------------------------------------------------------------
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    """An ``Idempotency-Key`` that is empty or too long (422)."""
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    """The caller used the key before for another request: another route or other parameters
    (422)."""
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    """The first request with this key is still running (409): transient, retry. (The
    reference platform makes a repeat wait for the first instead.)"""
    IDEMPOTENCY_ANSWER_LOST = "idempotency_answer_lost"
    """The first request was carried out but its answer was lost (409): read, do not retry.
    (The reference platform stores the answer with the effect, so it never answers this.)"""
    # -- the platform -------------------------------------------------------------------------
    DATABASE_BUSY = "database_busy"
    """The database's write lock was held too long (503): transient, retry."""
    DATABASE_UNAVAILABLE = "database_unavailable"
    """The database does not answer (503, ``/healthz``)."""
    INTERNAL_ERROR = "internal_error"
    """A bug (500); the body carries no internals."""


class FieldError(BaseModel):
    """One invalid field of a rejected request."""

    model_config = ConfigDict(extra="forbid")
    field: str = Field(description="dotted location, e.g. body.lines.0.qty")
    message: str
    type: str | None = Field(None, description="pydantic's error type, e.g. missing")


class ProblemBody(BaseModel):
    """The body of every error answer (RFC 9457 problem details, plus ``code`` and ``field``).

    Members that do not apply are absent (``field`` when no single input is at fault,
    ``errors`` outside request validation, ``reason`` and ``context`` outside refusals).
    """

    model_config = ConfigDict(extra="forbid")
    type: str = Field(examples=["urn:refplatform:problem:insufficient_balance"])
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    code: str = Field(description="stable machine-readable code: a ProblemCode or a rule's reason")
    field: str | None = Field(None, description="dotted location of the faulty input")
    errors: list[FieldError] | None = Field(None, description="every invalid field")
    reason: Reason | None = Field(None, description="the rule's reason code (refusals)")
    context: dict[str, Any] | None = Field(None, description="the rule's facts (refusals)")
