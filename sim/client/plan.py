"""One implementation of every call for the sync and the async client: calls as *plans*.

A call to the platform (get a token for the actor, send the request, wait and retry a transient
failure, check the answer) is written once, as a generator that does no I/O itself. It *yields*
what it needs done, a :class:`Send` (an HTTP request) or a :class:`Pause` (a wait), and is
resumed with the outcome: an ``httpx.Response``, or the ``httpx.TransportError`` the request
failed with. Its return value is the call's result. A driver walks the plan with real I/O:
:class:`~sim.client.clients.PlatformClient` with a blocking ``httpx.Client`` and
``time.sleep``, :class:`~sim.client.clients.AsyncPlatformClient` with an ``httpx.AsyncClient``
and ``asyncio.sleep``. The drivers are a few lines each; everything else exists once.

Methods that build plans are decorated with :class:`runs`: on a sync client the method returns
the result, on an async client an awaitable of it, and both are typed precisely.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, Self, TypeVar, cast, overload

import httpx

from sim.api.problems import ProblemCode
from sim.client.errors import PlatformUnreachable
from sim.client.retry import ClientStats, RetryPolicy

__all__ = [
    "AsyncRunner",
    "Course",
    "Pause",
    "Plan",
    "Reply",
    "Send",
    "Step",
    "SyncRunner",
    "exchange",
    "runs",
]

T = TypeVar("T")
P = ParamSpec("P")

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Send:
    """An HTTP request to send.

    Attributes:
        method: ``GET``, ``POST`` ...
        path: The path (with its query string, or with ``params``), relative to the base URL.
        headers: The request headers.
        content: The body, or None.
        params: Query parameters, or None.
        url: The full URL, for messages.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    content: bytes | None = None
    params: Mapping[str, str] | None = None
    url: str = ""

    @property
    def repeat_safe(self) -> bool:
        """Whether sending it twice does what sending it once does (a read, or a keyed write)."""
        return self.method in _SAFE_METHODS or any(
            name.lower() == "idempotency-key" for name in self.headers
        )


@dataclass(frozen=True, slots=True)
class Pause:
    """A wait before the next try."""

    seconds: float


Step = Send | Pause
Reply = httpx.Response | httpx.TransportError | None
Plan = Generator[Step, Any, T]
"""A call: yields steps, receives their replies, returns its result."""


class Course(Generic[T]):
    """Walks a plan one step at a time for a driver, keeping its result when it ends."""

    def __init__(self, plan: Plan[T]) -> None:
        self._plan = plan
        self._ended = False
        self._result: Any = None

    def advance(self, reply: Reply) -> Step | None:
        """Resume the plan with the last step's reply; the next step, or None at its end."""
        try:
            return self._plan.send(reply)
        except StopIteration as stop:
            self._ended, self._result = True, stop.value
            return None

    @property
    def result(self) -> T:
        """What the plan returned (once :meth:`advance` has answered None)."""
        if not self._ended:
            raise RuntimeError("the plan has not ended")
        return cast(T, self._result)


class SyncRunner(Protocol):
    """A client that walks plans with blocking I/O."""

    def _run_sync(self, plan: Plan[T]) -> T: ...


class AsyncRunner(Protocol):
    """A client that walks plans with asyncio."""

    def _run_async(self, plan: Plan[T]) -> Coroutine[Any, Any, T]: ...


class runs(Generic[P, T]):
    """Turn a method that builds a plan into one that runs it on the client it is called on.

    On a :class:`SyncRunner` the decorated method returns the plan's result; on an
    :class:`AsyncRunner` a coroutine of it. The plan-building function stays reachable as
    :attr:`plan` (for plans that call other plans).
    """

    def __init__(self, build: Callable[Concatenate[Any, P], Plan[T]]) -> None:
        self.plan = build
        self.__doc__ = build.__doc__
        self.__name__ = build.__name__

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: SyncRunner, owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, obj: AsyncRunner, owner: type
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        build = self.plan
        run = obj._run_sync if hasattr(obj, "_run_sync") else obj._run_async

        def call(*args: P.args, **kwargs: P.kwargs) -> Any:
            return run(build(obj, *args, **kwargs))

        call.__doc__ = build.__doc__
        call.__name__ = build.__name__
        return call


def _transient(reply: httpx.Response | httpx.TransportError, send: Send) -> str | None:
    """The retry cause when ``reply`` is a transient failure, None when it is final."""
    if isinstance(reply, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return "connect"  # nothing reached the platform: always safe to try again
    if not send.repeat_safe:
        return None
    if isinstance(reply, httpx.TimeoutException):
        return "timeout"
    if isinstance(reply, httpx.NetworkError | httpx.RemoteProtocolError):
        return "disconnect"
    if isinstance(reply, httpx.Response):
        if reply.status_code == 503:
            return "status_503"
        if reply.status_code == 409 and _code(reply) == ProblemCode.IDEMPOTENCY_IN_PROGRESS:
            return "idempotency_in_progress"
    return None


def _code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _retry_after(reply: httpx.Response | httpx.TransportError) -> float | None:
    if not isinstance(reply, httpx.Response):
        return None
    try:
        return float(reply.headers.get("retry-after", ""))
    except ValueError:
        return None  # absent, or an HTTP date: use the policy's backoff


def _unreachable(send: Send, exc: httpx.TransportError) -> PlatformUnreachable:
    timed_out = isinstance(exc, httpx.TimeoutException)
    if isinstance(exc, httpx.ConnectError):
        what = "cannot connect"
    elif timed_out:
        what = "no answer in time"
    else:
        what = "the connection failed"
    said = " ".join(str(exc).split())
    reason = f"{what} ({type(exc).__name__}{': ' + said if said else ''})"
    return PlatformUnreachable(send.url or send.path, reason, timed_out=timed_out)


def exchange(
    send: Send, policy: RetryPolicy, stats: ClientStats
) -> Plan[tuple[httpx.Response, int]]:
    """Send a request, retrying transient failures as ``policy`` allows.

    Args:
        send: The request.
        policy: How many retries, how long between them.
        stats: Where requests and retries are counted.

    Returns:
        The plan of ``(answer, retries made)``; the answer may be any status.

    Raises:
        PlatformUnreachable: when no answer came (after the retries allowed).
    """
    retries = 0
    while True:
        stats.sent()
        reply = yield send
        cause = _transient(reply, send)
        if cause is None or retries >= policy.max_retries:
            if isinstance(reply, httpx.TransportError):
                raise _unreachable(send, reply) from reply
            return reply, retries
        retries += 1
        stats.retried(cause)
        yield Pause(policy.delay(retries, _retry_after(reply)))
