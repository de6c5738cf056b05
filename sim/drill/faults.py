"""Fault drills: break the platform in the middle of a drill, and account for what it did.

A fault drill is a drill (the same plan, the same expectations) during which the harness
breaks something at chosen steps (:data:`FAULTS`):

- ``kill`` — the reference platform is frozen (SIGSTOP) as the step is sent, so the request
  is in flight and unanswered, then killed (SIGKILL, no graceful shutdown) and restarted on the
  same database, port and admin token. The client sees the connection drop, then refusals,
  and retries with the step's idempotency key until the platform is back;
- ``db_lock`` — the drill takes an exclusive lock on the platform's SQLite file for a while:
  the step's write waits for it, the client's request times out and is retried (the platform
  answers a repeat still in progress with ``409 idempotency_in_progress``, retried too);
- ``network_cut`` — the drill talks to the platform through a :class:`~sim.drill.proxy.TcpProxy`
  that lets the step's request through, drops the answer, refuses connections for a while and
  then lets them through again: the platform did the work once, and the retry must get the
  first answer, not a second application.

:class:`FaultInjector` is the runner's :class:`~sim.drill.runner.StepHooks`: it spreads the
faults over the drill's process steps that write, injects each just before its step, and
closes its window once the step has its outcome and the fault is over (the platform restarted,
the lock released, the network restored), recording a :class:`~sim.results.drill.FaultReport`
with the client's retries by cause and the timeouts in the window. The injected steps are then
repeated by the audit (:mod:`sim.drill.audit`) to show the key made them safe.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sim.client import LocalPlatform, PlatformClient
from sim.drill.plan import PlannedStep
from sim.drill.proxy import TcpProxy
from sim.results.drill import FaultReport, StepResult

__all__ = ["FAULTS", "FaultError", "FaultInjector", "FaultSettings", "check_faults"]

FAULTS: dict[str, str] = {
    "kill": "the platform frozen with the request in flight, killed (SIGKILL) and restarted on "
    "the same database",
    "db_lock": "the platform's SQLite database locked exclusively by the drill for a while",
    "network_cut": "the network to the platform cut after the request got through (its answer "
    "dropped), then restored",
}
"""The faults a drill can inject, and what each does."""

NEEDS_PLATFORM = frozenset({"kill", "db_lock"})
"""Faults that need the reference platform the drill started itself (not a ``--target``)."""


class FaultError(ValueError):
    """Faults that cannot be injected as asked; one line naming the option."""


@dataclass(frozen=True)
class FaultSettings:
    """How long each fault lasts.

    Attributes:
        freeze_s: how long the platform stays frozen with the request in flight before the kill.
        lock_s: how long the database stays locked.
        cut_s: how long the network stays cut after the dropped answer.
    """

    freeze_s: float = 0.3
    lock_s: float = 3.0
    cut_s: float = 1.5


def check_faults(faults: Sequence[str], *, own_platform: bool) -> tuple[str, ...]:
    """The faults, checked: known, not repeated, and injectable on this platform.

    Raises:
        FaultError: naming ``--faults`` and the value.
    """
    seen: list[str] = []
    for name in faults:
        if name not in FAULTS:
            raise FaultError(f"--faults: unknown fault {name!r} (one of {', '.join(FAULTS)})")
        if name in seen:
            raise FaultError(f"--faults: {name} is given twice")
        if name in NEEDS_PLATFORM and not own_platform:
            raise FaultError(f"--faults: {name} needs the reference platform the drill starts "
                             "itself (leave out --target)")
        seen.append(name)
    return tuple(seen)


@dataclass
class _Window:
    name: str
    step: PlannedStep
    started: float
    causes: Counter[str]
    worker: threading.Thread | None
    errors: list[str] = field(default_factory=list)
    steps_retried: int = 0
    unreachable_timeouts: int = 0


class FaultInjector:
    """Injects faults at chosen steps (see the module docstring).

    Args:
        faults: the faults to inject, each once, in this order over the drill.
        steps: the drill's steps, in order.
        client: the client the drill sends with (its retry counters are read).
        platform: the reference platform (for ``kill`` and ``db_lock``).
        proxy: the proxy the client goes through (for ``network_cut``).
        settings: how long each fault lasts.
        clock: seconds since the drill started.

    Raises:
        FaultError: more faults than the drill has process steps that write.
    """

    def __init__(
        self,
        faults: Sequence[str],
        steps: Sequence[PlannedStep],
        client: PlatformClient,
        *,
        platform: LocalPlatform | None = None,
        proxy: TcpProxy | None = None,
        settings: FaultSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client, self._platform, self._proxy = client, platform, proxy
        self._settings = settings or FaultSettings()
        self._clock = clock
        writes = [i for i, s in enumerate(steps) if s.phase == "step" and s.writes]
        if len(writes) < len(faults):
            raise FaultError(f"--faults: {len(faults)} faults need as many process steps that "
                             f"write; the drill has {len(writes)}")
        self.schedule: dict[int, str] = {}
        for n, name in enumerate(faults):
            wanted = (n + 1) * len(steps) // (len(faults) + 1)
            position = next((i for i in writes if i >= wanted and i not in self.schedule),
                            next(i for i in reversed(writes) if i not in self.schedule))
            self.schedule[position] = name
        self._open: list[_Window] = []
        self.reports: list[FaultReport] = []

    @property
    def positions(self) -> tuple[int, ...]:
        """The positions of the steps a fault was injected at."""
        return tuple(sorted(self.schedule))

    # -- the runner's hooks ----------------------------------------------------------------------

    def before(self, position: int, step: PlannedStep) -> None:
        """Inject the fault scheduled for this step, if any."""
        name = self.schedule.get(position)
        if name is None:
            return
        window = _Window(name, step, self._clock(), Counter(self._client.stats.retry_causes),
                         None)
        if name == "kill":
            window.worker = self._kill(window)
        elif name == "db_lock":
            window.worker = self._lock_database(window)
        else:
            assert self._proxy is not None
            self._proxy.cut_after_next_answer(self._settings.cut_s)
        self._open.append(window)

    def after(self, position: int, step: PlannedStep, result: StepResult) -> None:
        """Count the step in every open window; close the windows whose fault is over."""
        for window in list(self._open):
            window.steps_retried += result.retries > 0
            if result.status == "unreachable" and "no answer in time" in result.note:
                window.unreachable_timeouts += 1
            if self._over(window):
                self._close(window)

    def finish(self) -> list[FaultReport]:
        """Wait for every fault to end and report them all, in the order injected."""
        for window in list(self._open):
            if window.worker is not None:
                window.worker.join()
            self._close(window)
        return sorted(self.reports, key=lambda r: r.injected_s)

    # -- the faults ------------------------------------------------------------------------------

    def _over(self, window: _Window) -> bool:
        if window.worker is not None:
            return not window.worker.is_alive()
        return self._proxy is None or not self._proxy.cut_active

    def _close(self, window: _Window) -> None:
        self._open.remove(window)
        causes = Counter(self._client.stats.retry_causes) - window.causes
        s = window.step
        description = FAULTS[window.name]
        if window.errors:
            description += "; " + "; ".join(window.errors)
        self.reports.append(FaultReport(
            window.name, description, s.process, s.port, s.name, window.started,
            self._clock() - window.started, dict(causes),
            causes.get("timeout", 0) + window.unreachable_timeouts, window.steps_retried))

    def _kill(self, window: _Window) -> threading.Thread:
        platform = self._platform
        assert platform is not None
        platform.pause()
        freeze = self._settings.freeze_s

        def kill_and_restart() -> None:
            time.sleep(freeze)  # the step's request is sent meanwhile and left unanswered
            try:
                platform.kill()
                platform.start()
            except Exception as exc:  # reported; the steps after it show the consequence
                window.errors.append(f"the restart failed: {exc}")

        return _started(kill_and_restart, "drill-fault-kill")

    def _lock_database(self, window: _Window) -> threading.Thread:
        platform = self._platform
        assert platform is not None
        url = platform.db_url
        if not url.startswith("sqlite:///"):
            raise FaultError(f"--faults: db_lock locks a SQLite database, not {url}")
        locked = threading.Event()
        hold = self._settings.lock_s

        def hold_lock() -> None:
            try:
                db = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30.0,
                                     isolation_level=None)
            except sqlite3.Error as exc:
                window.errors.append(f"could not open the database: {exc}")
                locked.set()
                return
            try:
                db.execute("BEGIN EXCLUSIVE")
                locked.set()
                time.sleep(hold)
                db.execute("ROLLBACK")
            except sqlite3.Error as exc:
                window.errors.append(f"could not lock the database: {exc}")
            finally:
                locked.set()
                db.close()

        worker = _started(hold_lock, "drill-fault-db-lock")
        locked.wait(timeout=30.0)  # the step must meet the lock, not race it
        return worker


def _started(target: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
