"""How many calls a workload holds: per operation, port and simulated hour.

The terminal shows it after an export (a test engineer sees at once what the period will ask of
the platform: thousands of departure checks and a few hundred declarations at the morning peak);
a load test plans its rates from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sim.workload.calls import Call

__all__ = ["WorkloadSummary", "summarise"]


@dataclass(frozen=True)
class WorkloadSummary:
    """Counts of a workload's calls.

    Attributes:
        setup: set-up calls per operation.
        timed: timed calls per operation.
        by_port: timed calls per port ('' for calls at no port).
        by_hour: timed calls per simulated hour of the period (index = hour).
        by_operation_hour: timed calls per (operation, hour).
    """

    setup: Counter[str] = field(default_factory=Counter)
    timed: Counter[str] = field(default_factory=Counter)
    by_port: Counter[str] = field(default_factory=Counter)
    by_hour: list[int] = field(default_factory=list)
    by_operation_hour: Counter[tuple[str, int]] = field(default_factory=Counter)

    @property
    def calls(self) -> int:
        """All calls."""
        return sum(self.setup.values()) + sum(self.timed.values())


def summarise(calls: Sequence[Call], hours: float) -> WorkloadSummary:
    """Count ``calls`` of a period ``hours`` long."""
    n_hours = max(1, int(-(-hours // 1)))
    summary = WorkloadSummary(by_hour=[0] * n_hours)
    for c in calls:
        if c.phase == "setup":
            summary.setup[c.operation] += 1
            continue
        hour = min(int(c.intended_s // 3600), n_hours - 1)
        summary.timed[c.operation] += 1
        summary.by_port[c.port] += 1
        summary.by_hour[hour] += 1
        summary.by_operation_hour[c.operation, hour] += 1
    return summary
