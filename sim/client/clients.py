"""The two platform clients: blocking (``httpx.Client``) and asyncio (``httpx.AsyncClient``).

Both have every typed operation (:mod:`sim.client.endpoints`), the raw call and the actor views
(:mod:`sim.client.base`); they differ only in how they walk a call's plan
(:mod:`sim.client.plan`). Use them as context managers, or close them::

    with PlatformClient("http://127.0.0.1:8000", admin_token=token) as platform:
        platform.register_entity(EntityIn(id="E1", kind="enterprise", code=uscc))
        out = platform.as_enterprise("E1").declare(declaration)

    async with AsyncPlatformClient("http://127.0.0.1:8000", admin_token=token) as platform:
        out = await platform.as_enterprise("E1").declare(declaration)

An injected ``httpx`` client (FastAPI's ``TestClient`` for the in-process app, or
``httpx.AsyncClient(transport=httpx.ASGITransport(app))``) is used as given and left open.
"""

from __future__ import annotations

import asyncio
import time
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from sim.client.endpoints import Endpoints
from sim.client.plan import Course, Pause, Plan, Reply, Send

__all__ = ["AsyncPlatformClient", "PlatformClient"]

T = TypeVar("T")


def _arguments(send: Send, timeout: float | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "method": send.method,
        "url": send.path,
        "headers": send.headers,
        "content": send.content,
        "params": send.params,
    }
    if timeout is not None:
        kwargs["timeout"] = timeout
    return kwargs


class PlatformClient(Endpoints[httpx.Client]):
    """The platform API over blocking HTTP (see :class:`~sim.client.base.PlatformBase`)."""

    def _new_http(self, base_url: str, timeout: float) -> httpx.Client:
        return httpx.Client(base_url=base_url, timeout=timeout)

    def _run_sync(self, plan: Plan[T]) -> T:
        course, reply = Course(plan), None
        while (step := course.advance(reply)) is not None:
            if isinstance(step, Pause):
                time.sleep(step.seconds)
                reply = None
            else:
                reply = self._send(step)
        return course.result

    def _send(self, send: Send) -> Reply:
        try:
            return self._http.request(**_arguments(send, self._shared.timeout))
        except httpx.TransportError as exc:
            return exc

    def close(self) -> None:
        """Close the connection pool (unless it was injected)."""
        if self._shared.owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncPlatformClient(Endpoints[httpx.AsyncClient]):
    """The platform API over asyncio (see :class:`~sim.client.base.PlatformBase`)."""

    def _new_http(self, base_url: str, timeout: float) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def _run_async(self, plan: Plan[T]) -> T:
        course, reply = Course(plan), None
        while (step := course.advance(reply)) is not None:
            if isinstance(step, Pause):
                await asyncio.sleep(step.seconds)
                reply = None
            else:
                reply = await self._send(step)
        return course.result

    async def _send(self, send: Send) -> Reply:
        try:
            return await self._http.request(**_arguments(send, self._shared.timeout))
        except httpx.TransportError as exc:
            return exc

    async def aclose(self) -> None:
        """Close the connection pool (unless it was injected)."""
        if self._shared.owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
