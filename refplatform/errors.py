"""Errors as ``application/problem+json`` (RFC 9457): raising them and answering them.

The body every error answer has is the contract's :class:`sim.api.problems.ProblemBody`; its
codes are :class:`sim.api.problems.ProblemCode` and, for a rule's refusal
(``sim.rules.refusals.Refusal``), the rule's reason code with the status the rules assign to it
(409 for a state conflict, 422 for a request that can never succeed) and the rule's facts under
``context``. Route code raises :class:`Problem`; the handlers installed here turn it, request
validation errors, HTTP errors, refusals and database conflicts into problem+json. A client's
mistake is always a 4xx; a 500 means a bug and carries no internals.

The same mistake gets the same answer on every route: a body that is not JSON, or not UTF-8,
is 422 ``invalid_json`` whichever route parses it; a method a path does not have is 405 with an
``Allow`` header listing every method of the path (whichever route Starlette matched first).
Every status a route can answer is in its OpenAPI entry (:data:`PROBLEM_RESPONSES`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from refplatform.request_context import UNEXECUTED
from sim.api.problems import PROBLEM_JSON, ProblemBody
from sim.rules.refusals import Refusal

__all__ = [
    "HEALTH_RESPONSES",
    "PROBLEM_RESPONSES",
    "Problem",
    "install_handlers",
    "problem_response",
]

_log = logging.getLogger("refplatform.errors")

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}


def _documented(description: str) -> dict[str, Any]:
    return {
        "model": ProblemBody,
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemBody"}}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented("No bearer token, or an unknown, expired or revoked one"),
    403: _documented("The token's role or entity may not do this"),
    404: _documented("Unknown entity, book, declaration, transfer or token"),
    409: _documented(
        "Refused by a rule: the state forbids it (reason code in `code`); a concurrent change"
    ),
    413: _documented("The request body is larger than the platform accepts"),
    422: _documented(
        "Invalid input (the field in `field`), a body that is not JSON, or a rule's refusal"
    ),
    500: _documented("A bug of the platform (the body carries no internals)"),
    503: _documented("The database is busy or does not answer: retry shortly"),
}
"""Error answers for the OpenAPI document of every ``/v1`` route."""

HEALTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: _documented("The database does not answer"),
    500: PROBLEM_RESPONSES[500],
}
"""Error answers of ``/healthz``."""


class Problem(Exception):
    """An error answer: raise it anywhere in a request to send problem+json.

    Args:
        status: HTTP status (4xx for the client's mistakes).
        code: Stable machine-readable code (a rule's reason code for refusals).
        detail: One human sentence: what is wrong (with the value).
        field: Dotted location of the faulty input, e.g. ``body.quantity``.
        headers: Extra response headers (e.g. ``WWW-Authenticate``).
        extra: More members for the body.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.headers = headers
        self.extra = extra or {}


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """Build a problem+json response.

    Args:
        status: HTTP status.
        code: Stable machine-readable code.
        detail: Human explanation.
        field: Dotted location of the faulty input, if any.
        headers: Extra headers.
        extra: Extra body members.

    Returns:
        The response.
    """
    body: dict[str, Any] = {
        "type": f"urn:refplatform:problem:{code}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field is not None:
        body["field"] = field
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _loc(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    if exc.status == 401:
        request.scope[UNEXECUTED] = True
    return problem_response(
        exc.status, exc.code, exc.detail, field=exc.field, headers=exc.headers, extra=exc.extra
    )


def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    request.scope[UNEXECUTED] = True
    errors = []
    for err in exc.errors():
        field = _loc(err.get("loc", ()))
        errors.append(
            {"field": field, "message": str(err.get("msg", "invalid")), "type": err.get("type")}
        )
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    code = "invalid_json" if first.get("type") == "json_invalid" else "invalid_input"
    detail = f"{first['field']}: {first['message']}"
    return problem_response(422, code, detail, field=str(first["field"]), extra={"errors": errors})


def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI could not parse the body (not UTF-8): the same answer as any JSON error.
        request.scope[UNEXECUTED] = True
        return problem_response(
            422, "invalid_json", "body: the body is not JSON text (UTF-8)", field="body"
        )
    code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
        exc.status_code, "http_error"
    )
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 413:
        request.scope[UNEXECUTED] = True
        close = {"Connection": "close"}  # the rest of the body is never read
        return problem_response(413, code, str(exc.detail), field="body", headers=close)
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed(request))
    return problem_response(exc.status_code, code, str(exc.detail), headers=headers or None)


def _routes(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    # Included routers are flattened (older FastAPI) or nodes holding their router (newer).
    for route in routes:
        methods = getattr(route, "methods", None)
        if methods and hasattr(route, "path"):
            yield prefix + route.path, set(methods)
        elif hasattr(route, "original_router"):
            context = getattr(route, "include_context", None)
            inner = prefix + (getattr(context, "prefix", "") or "")
            yield from _routes(route.original_router.routes, inner)


def _allowed(request: Request) -> list[str]:
    """Every method some route of the application has for the request's path."""
    state = request.app.state
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(state, "allow_table", None)
    if table is None:
        table = [(compile_path(path)[0], methods) for path, methods in _routes(request.app.routes)]
        state.allow_table = table
    path = request.url.path
    allowed: set[str] = set()
    for regex, methods in table:
        if regex.match(path):
            allowed |= methods
    if "GET" in allowed:
        allowed.add("HEAD")
    return sorted(allowed)


def _on_refusal(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refusal)
    extra = {"reason": exc.reason.value, "context": exc.context}
    return problem_response(exc.http_status, exc.reason.value, exc.detail, extra=extra)


def _on_integrity(_request: Request, exc: Exception) -> JSONResponse:
    # Two requests raced to create the same thing (a book id, a qualification ...): the
    # database's unique constraint let one win; the other is the client's conflict, not a bug.
    assert isinstance(exc, IntegrityError)
    return problem_response(
        409, "conflict", "a concurrent request already created or changed this; read it again"
    )


def _on_busy(_request: Request, exc: Exception) -> JSONResponse:
    # SQLite: another process held the write lock past the busy timeout. Transient.
    assert isinstance(exc, OperationalError)
    if "locked" not in str(exc.orig).lower():
        raise exc
    return problem_response(
        503, "database_busy", "the database is busy; retry shortly", headers={"Retry-After": "1"}
    )


def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "internal_error", "the platform failed to answer this request")


def install_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` answer problem+json.

    Args:
        app: The application.
    """
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(Refusal, _on_refusal)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(OperationalError, _on_busy)
    app.add_exception_handler(Exception, _on_unexpected)
