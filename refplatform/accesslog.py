"""The structured access log: one JSON object a line per request, on the ``refplatform.access``
logger.

Each line carries the time (UTC, ISO 8601), client address, method, path, status, response
size and duration in milliseconds, so a load test's server side can be read with ``jq`` or
loaded into a data frame. Query strings are not logged (they can carry identifiers).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLogMiddleware", "configure_access_log"]

_log = logging.getLogger("refplatform.access")


class AccessLogMiddleware:
    """ASGI middleware writing one JSON line per HTTP request.

    Args:
        app: The wrapped application.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        size = 0

        async def _send(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            if _log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                _log.info(
                    json.dumps(
                        {
                            "ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                            "client": f"{client[0]}:{client[1]}" if client else None,
                            "method": scope["method"],
                            "path": scope["path"],
                            "status": status,
                            "bytes": size,
                            "ms": round((time.perf_counter() - start) * 1000, 3),
                        },
                        separators=(",", ":"),
                    )
                )


def configure_access_log(enabled: bool = True) -> None:
    """Send the access log to stderr as bare JSON lines (or silence it).

    Args:
        enabled: False to drop access lines.
    """
    if _log.handlers:
        _log.setLevel(logging.INFO if enabled else logging.WARNING)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    _log.addHandler(handler)
    _log.propagate = False
    _log.setLevel(logging.INFO if enabled else logging.WARNING)
