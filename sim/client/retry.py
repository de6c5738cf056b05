"""Retrying transient failures, boundedly, and counting every retry.

A request may fail for reasons that pass: the platform is restarting (connection refused), its
database is busy (503 ``database_busy``), or a first request with the same idempotency key is
still running (409 ``idempotency_in_progress``). :class:`RetryPolicy` says how many times to try
again and how long to wait between tries (exponential backoff, capped, honouring
``Retry-After``); it is off by default, so a test or a replay sees every failure as it happened.
A timeout, or a connection dropped after the request was sent, is retried only when a repeat is
safe: a read, or a write with an ``Idempotency-Key`` (the platform answers a repeat with the
first answer). Waits are deterministic (no jitter): a run's timing is reproducible.

:class:`ClientStats` counts requests sent and retries by cause; it is shared by a client and
all its actor views, so a fault drill reads one figure for the whole run.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ClientStats", "RetryPolicy"]


class RetryPolicy(BaseModel):
    """How transient failures are retried.

    Attributes:
        max_retries: Retries after the first try (0: never retry, the default).
        backoff_s: The wait before the first retry; doubled before each next one.
        max_backoff_s: The longest wait, also for a ``Retry-After`` the platform asks for.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    max_retries: int = Field(0, ge=0, le=20)
    backoff_s: float = Field(0.05, ge=0)
    max_backoff_s: float = Field(2.0, ge=0)

    @classmethod
    def transient(cls, max_retries: int = 3) -> RetryPolicy:
        """A conservative policy for fault drills: a few retries, 50 ms doubling to 2 s."""
        return cls(max_retries=max_retries)

    def delay(self, retry: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first).

        Args:
            retry: Which retry this is (1-based).
            retry_after_s: The platform's ``Retry-After``, if it sent one.

        Returns:
            The wait, never more than :attr:`max_backoff_s`.
        """
        wanted = self.backoff_s * 2 ** (retry - 1) if retry_after_s is None else retry_after_s
        return min(max(wanted, 0.0), self.max_backoff_s)


@dataclass
class ClientStats:
    """Requests sent and retries made by a client (and its actor views).

    Attributes:
        requests: Requests sent, retries included.
        retries: Retries made.
        retry_causes: Retries by cause: ``connect``, ``timeout``, ``disconnect``,
            ``status_503``, ``idempotency_in_progress``.
    """

    requests: int = 0
    retries: int = 0
    retry_causes: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def sent(self) -> None:
        """Count one request sent."""
        with self._lock:
            self.requests += 1

    def retried(self, cause: str) -> None:
        """Count one retry and its cause."""
        with self._lock:
            self.retries += 1
            self.retry_causes[cause] += 1
