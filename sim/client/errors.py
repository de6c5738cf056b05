"""What can go wrong talking to a platform, as exceptions a caller can catch by kind.

- :class:`ApiError` — the platform answered with an error (problem+json, RFC 9457). One class
  per status family, so ``except Conflict`` reads as what it means: :class:`Unauthorized`
  (401), :class:`Forbidden` (403), :class:`NotFound` (404), :class:`Conflict` (409),
  :class:`Unprocessable` (422), :class:`ServerError` (5xx), :class:`OtherClientError` (any other
  4xx). Each carries the status, the stable ``code``, the ``field`` at fault, the ``detail``
  and, for a rule's refusal, its :class:`~sim.rules.refusals.Reason`.
- :class:`PlatformUnreachable` — no answer at all: the connection was refused or dropped, or
  the answer did not come in time. It names the URL.
- :class:`ContractViolation` — a success answer that is not what the contract
  (:mod:`sim.api`) says: another status, or a body its model refuses.
- :class:`NoToken` — the client was asked to act as someone it cannot get a token for.

Every message is one line, so a command can print ``error: {exc}`` and stop.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from sim.api.problems import ProblemBody
from sim.rules.refusals import Reason

__all__ = [
    "ApiError",
    "Conflict",
    "ContractViolation",
    "Forbidden",
    "NoToken",
    "NotFound",
    "OtherClientError",
    "PlatformError",
    "PlatformUnreachable",
    "ServerError",
    "Unauthorized",
    "Unprocessable",
    "api_error",
]


class PlatformError(Exception):
    """Base of every error of the platform client."""


class NoToken(PlatformError):
    """The client has no token for the actor asked for (and no admin token to issue one)."""


class PlatformUnreachable(PlatformError):
    """No answer from the platform: connection refused or dropped, or a timeout.

    Attributes:
        url: The URL the request was for.
        reason: What happened, in a few words (``connection refused``, ``read timeout`` ...).
        timed_out: Whether it was a timeout (the request may have been carried out).
    """

    def __init__(self, url: str, reason: str, *, timed_out: bool = False) -> None:
        super().__init__(f"cannot reach the platform at {url}: {reason}")
        self.url = url
        self.reason = reason
        self.timed_out = timed_out


class ContractViolation(PlatformError):
    """A success answer that the contract does not allow.

    Attributes:
        operation: The operation's name.
        status: The status answered.
        problem: What is wrong with it, in one line.
    """

    def __init__(self, operation: str, status: int, problem: str) -> None:
        super().__init__(f"{operation}: the answer breaks the contract: {problem}")
        self.operation = operation
        self.status = status
        self.problem = problem


class ApiError(PlatformError):
    """The platform answered an error.

    Attributes:
        status: The HTTP status.
        code: The stable code (:class:`sim.api.problems.ProblemCode` or a refusal reason);
            ``http_<status>`` when the body is not problem+json.
        detail: The platform's sentence.
        field: The dotted location of the faulty input, if any.
        reason: The rule's refusal reason, for a refusal.
        problem: The whole problem body, when it is one the contract knows.
        body: The body as parsed JSON (or text when it is not JSON).
        method: The request's method.
        path: The request's path.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        reason: Reason | None = None,
        problem: ProblemBody | None = None,
        body: Any = None,
        method: str = "",
        path: str = "",
    ) -> None:
        where = f" ({field})" if field else ""
        super().__init__(f"{method} {path}: {status} {code}{where}: {detail}".lstrip())
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.reason = reason
        self.problem = problem
        self.body = body
        self.method = method
        self.path = path


class Unauthorized(ApiError):
    """401: no bearer token, or one the platform does not know."""


class Forbidden(ApiError):
    """403: the token's role or entity may not do this."""


class NotFound(ApiError):
    """404: no such entity, book, declaration or path."""


class Conflict(ApiError):
    """409: the state forbids it (a rule's refusal, a duplicate, an idempotency conflict)."""


class Unprocessable(ApiError):
    """422: the request is invalid, or a rule refuses it whatever the state."""


class OtherClientError(ApiError):
    """Any other 4xx (400, 405, 413, 415 ...)."""


class ServerError(ApiError):
    """5xx: the platform failed (or is unavailable: 503)."""


_BY_STATUS: dict[int, type[ApiError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: Unprocessable,
}


def _parse(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return content.decode("utf-8", "replace")


def api_error(status: int, content: bytes, *, method: str = "", path: str = "") -> ApiError:
    """The exception for an error answer.

    A body the contract knows (:class:`~sim.api.problems.ProblemBody`) gives every attribute;
    any other body still gives the status class, with what can be read of it.

    Args:
        status: The answer's status (>= 400).
        content: The answer's body.
        method: The request's method.
        path: The request's path.

    Returns:
        The exception, of the class of its status.
    """
    body = _parse(content)
    cls = ServerError if status >= 500 else _BY_STATUS.get(status, OtherClientError)
    try:
        problem = ProblemBody.model_validate(body)
    except ValidationError:
        loose = body if isinstance(body, dict) else {}
        code = loose.get("code")
        detail = loose.get("detail") or (body if isinstance(body, str) else "") or "(no detail)"
        return cls(
            status,
            code if isinstance(code, str) else f"http_{status}",
            " ".join(str(detail).split())[:300],
            field=loose.get("field") if isinstance(loose.get("field"), str) else None,
            body=body,
            method=method,
            path=path,
        )
    return cls(
        status,
        problem.code,
        problem.detail,
        field=problem.field,
        reason=problem.reason,
        problem=problem,
        body=body,
        method=method,
        path=path,
    )
