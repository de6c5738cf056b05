"""A whole drill: the platform to drill, the faults to inject, the steps, the audit, the summary.

:func:`connect` opens the platform a drill (or a rehearsal) drives: the reference platform
started for it on loopback with the plan's rules (kept at hand, so a fault drill can kill and
restart it or lock its database), or a ``--target`` URL checked as every command checks it
(:func:`sim.client.open_target`: loopback unless allowed, admin token from the environment,
answering ``/healthz``).

:func:`run_drill` then sends the plan (:func:`~sim.drill.runner.execute`), with a
:class:`~sim.drill.faults.FaultInjector` when faults are asked for and, for a network cut, a
:class:`~sim.drill.proxy.TcpProxy` between the client and the platform; audits what the
platform stored (:func:`~sim.drill.audit.audit`); and returns the
:class:`~sim.results.drill.DrillSummary`. With faults the client retries transient failures
generously and times out sooner, so a frozen or locked platform shows as timeouts and retries.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sim.client import (
    LocalPlatform,
    PlatformClient,
    RetryPolicy,
    open_target,
    start_reference_platform,
)
from sim.drill.audit import audit
from sim.drill.faults import FaultInjector, FaultSettings, check_faults
from sim.drill.plan import DrillPlan
from sim.drill.proxy import TcpProxy
from sim.drill.runner import execute
from sim.results.drill import DrillSummary

__all__ = ["FAULT_RETRY", "Connection", "connect", "run_drill"]

FAULT_RETRY = RetryPolicy(max_retries=20, backoff_s=0.05, max_backoff_s=1.0)
"""Retries during a fault drill: up to about 16 s of waiting, enough for a restart."""
_FAULT_TIMEOUT_S = 2.0
_PLAIN_RETRY = RetryPolicy(max_retries=3)


@dataclass(frozen=True)
class Connection:
    """The platform a drill drives.

    Attributes:
        base_url: its URL.
        admin_token: its admin token.
        platform: the reference platform when the drill started it (None for a target).
    """

    base_url: str
    admin_token: str
    platform: LocalPlatform | None = None

    @property
    def label(self) -> str:
        """How reports name it."""
        return f"reference platform at {self.base_url}" if self.platform else self.base_url


@contextmanager
def connect(
    target: str | None,
    rules: Mapping[str, Any] | None,
    *,
    allow_remote: bool = False,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Connection]:
    """Open the platform to drill (see the module docstring); stopped on leaving if started.

    Args:
        target: the platform's URL, or None to start the reference platform.
        rules: the rules to start the reference platform with (JSON data).
        allow_remote: allow a target outside loopback.
        extra_env: more ``REFPLATFORM_*`` variables for a started platform (test-only faults).

    Raises:
        TargetError: one line: a bad or unreachable target, or a platform that did not start.
    """
    if target is None:
        with start_reference_platform(rules, extra_env=dict(extra_env or {})) as platform:
            yield Connection(platform.base_url, platform.admin_token, platform)
        return
    with open_target(target, rules, allow_remote=allow_remote) as checked:
        yield Connection(checked.base_url, checked.as_admin().token())


def run_drill(
    plan: DrillPlan,
    connection: Connection,
    *,
    faults: Sequence[str] = (),
    settings: FaultSettings | None = None,
    timeout_s: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DrillSummary:
    """Drill ``plan`` against the connected platform, with ``faults`` injected.

    Args:
        plan: the planned drill.
        connection: the platform (see :func:`connect`).
        faults: names of :data:`~sim.drill.faults.FAULTS` to inject, each once.
        settings: how long the faults last.
        timeout_s: the client's timeout (default 10 s; 2 s during a fault drill).
        progress: called with ``(steps done, steps in all)``.

    Raises:
        FaultError: faults that cannot be injected here (one line).
    """
    names = check_faults(faults, own_platform=connection.platform is not None)
    started = time.monotonic()
    with ExitStack() as stack:
        url = connection.base_url
        proxy = None
        if "network_cut" in names:
            parts = urlsplit(connection.base_url)
            proxy = stack.enter_context(TcpProxy(parts.hostname or "127.0.0.1",
                                                 parts.port or 80))
            url = proxy.url
        client = stack.enter_context(PlatformClient(
            url, admin_token=connection.admin_token,
            timeout=timeout_s or (_FAULT_TIMEOUT_S if names else None),
            retry=FAULT_RETRY if names else _PLAIN_RETRY,
        ))
        injector = None
        if names:
            injector = FaultInjector(names, list(plan.steps()), client,
                                     platform=connection.platform, proxy=proxy,
                                     settings=settings,
                                     clock=lambda: time.monotonic() - started)
        execution = execute(plan, client, hooks=injector, progress=progress)
        reports = injector.finish() if injector is not None else []
        repeat = {p for p, r in enumerate(execution.results) if r.retries}
        if injector is not None:
            repeat.update(injector.positions)
        report = None if execution.platform_lost else audit(plan, execution, client, repeat)
        stats = client.stats
        totals = {"requests": stats.requests, "retries": stats.retries,
                  "retry_causes": dict(sorted(stats.retry_causes.items()))}
    return DrillSummary(
        target=connection.label, seed=plan.seed, processes=plan.processes, ports=plan.ports,
        steps=tuple(execution.results), faults=tuple(reports), audit=report, client=totals,
        duration_s=time.monotonic() - started,
    )
