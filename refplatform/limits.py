"""Bounded request bodies (OWASP API4): too large is 413 before the body is read.

Every body the platform reads is held in memory whole (a JSON document is parsed at once), so
an unbounded body is an unbounded allocation, and one sent before any authentication costs the
sender nothing. :class:`BodyLimitMiddleware` sits in front of everything else:

- a ``Content-Length`` over the limit is answered 413 ``payload_too_large`` at once, before a
  byte of the body is read, whoever sends it (no token is looked at: that is a database read);
- a body without a length (chunked) is counted as it arrives and refused the moment it passes
  the limit, with the rest never read.

The limit is the platform's setting ``max_body_bytes`` (1 MiB by default: the largest valid
request, a consolidated declaration listing ten thousand shipments, is well under it).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from refplatform.errors import problem_response

__all__ = ["BodyLimitMiddleware"]


class _TooLarge(HTTPException):
    """The body grew past the limit while it was read.

    An HTTP exception, so that a route reading the body (FastAPI turns any other error of a
    body read into a 400) lets it through to the error handlers: 413 ``payload_too_large``.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimitMiddleware:
    """ASGI middleware answering 413 for bodies over ``max_bytes``.

    Args:
        app: The wrapped application.
        max_bytes: The largest body accepted.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send, f"{declared} bytes declared")
            return
        seen = 0
        started = False

        async def _receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, _receive, _send)
        except _TooLarge:
            if started:  # an answer is under way: nothing sensible can be added to it
                raise
            await self._refuse(scope, receive, send, f"more than {self.max_bytes} bytes sent")

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, what: str) -> None:
        response = problem_response(
            413,
            "payload_too_large",
            f"the request body is larger than {self.max_bytes} bytes ({what})",
            field="body",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
