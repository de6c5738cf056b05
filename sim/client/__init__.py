"""The typed client of the platform API (httpx, sync and async), and starting the reference
platform for a run.

- :class:`PlatformClient` / :class:`AsyncPlatformClient` — every operation of :mod:`sim.api`
  as a typed method, per-actor tokens (``client.as_enterprise("E1")``), an idempotency key on
  every write, problem+json errors as typed exceptions (:mod:`sim.client.errors`), timeouts
  and a bounded retry policy (:class:`RetryPolicy`), and a raw call for replaying recorded
  requests (:meth:`~sim.client.base.PlatformBase.raw`);
- :func:`start_platform` / :class:`LocalPlatform` — the reference platform on a free loopback
  port with a fresh database, stopped with its whole process group; ``kill``, ``restart``,
  ``pause`` and ``resume`` for fault drills;
- :func:`open_target` — the platform a command drives: ``--target URL`` (loopback unless
  allowed, admin token from the environment, checked to answer) or the reference platform
  started for the run.

Example::

    import datetime as dt

    from sim.client import start_platform

    with start_platform() as platform, platform.client() as api:
        api.health()                                   # Health(status='ok')
        members = api.as_officer().tier_members("aeo", dt.date(2026, 2, 1)).members
"""

from __future__ import annotations

from sim.client.base import Actor, RawAnswer
from sim.client.clients import AsyncPlatformClient, PlatformClient
from sim.client.errors import (
    ApiError,
    Conflict,
    ContractViolation,
    Forbidden,
    NotFound,
    NoToken,
    OtherClientError,
    PlatformError,
    PlatformUnreachable,
    ServerError,
    Unauthorized,
    Unprocessable,
)
from sim.client.local import LocalPlatform, PlatformStartError, start_platform
from sim.client.retry import ClientStats, RetryPolicy
from sim.client.target import (
    TargetError,
    check_target,
    is_loopback,
    open_target,
    start_reference_platform,
)

__all__ = [
    "Actor",
    "ApiError",
    "AsyncPlatformClient",
    "ClientStats",
    "Conflict",
    "ContractViolation",
    "Forbidden",
    "LocalPlatform",
    "NoToken",
    "NotFound",
    "OtherClientError",
    "PlatformClient",
    "PlatformError",
    "PlatformStartError",
    "PlatformUnreachable",
    "RawAnswer",
    "RetryPolicy",
    "ServerError",
    "TargetError",
    "Unauthorized",
    "Unprocessable",
    "check_target",
    "is_loopback",
    "open_target",
    "start_platform",
    "start_reference_platform",
]
