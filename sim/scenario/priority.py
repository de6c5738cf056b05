"""Priority by tier: which waiting truck a busy resource serves first.

When a customs channel, an H986 scanner, an inspection bay or an officer frees up and several
supervised trucks are waiting for it, the resource takes the one of the highest *priority
class*, first come first served within a class. Priority is non-preemptive: a truck being
scanned or inspected is never interrupted for a higher class, it only overtakes in the queue.

The classes come from the declarant's credit tier: the tiers of ``served_first`` in that order
(class 0, 1, ...), then every other tier together. ``served_first: [aeo]`` (the default) gives
two classes, AEO and the rest, the case Cobham's formula describes (``tests/theory/``).

What is sourced: the national rules give AEO enterprises "priority arrangement of port
inspection" (优先安排口岸检查作业, GAC 署企发〔2022〕73号 [S] gac-2022-73) and priority handling
of clearance formalities (GAC Order 251 [S] gac-order-251). Port inspection is the scan, the
image review and the manual inspection, so priority is on by default at scanners, bays and
officers. No source says AEO trucks overtake in the lane queue before a customs channel (a
single-file approach; the formalities are pre-filed on the Single Window before arrival), so the
channel keeps first come first served by default [A]: a parameter for what-ifs.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from sim.rules.tiers import AEO, TIERS, Tier
from sim.scenario.schema_base import StrictModel

__all__ = ["PRIORITY_RESOURCES", "Priority"]

PRIORITY_RESOURCES: tuple[str, ...] = (
    "customs_channels", "scanners", "inspection_bays", "officers"
)
"""The port resources a supervised truck queues for, each of which may serve by priority."""


class Priority(StrictModel):
    """Which waiting trucks a busy resource serves first (non-preemptive priority by tier)."""

    served_first: list[Tier] = Field(
        default_factory=lambda: [AEO],
        description="tiers served before the others, in this order (class 0, 1, ...); every "
        "other tier shares the last class, first come first served within a class. AEO first "
        "[S] gac-2022-73, gac-order-251",
    )
    customs_channels: bool = Field(
        False,
        description="the lane queue before a customs channel serves by priority [A]: no source "
        "gives AEO trucks a place ahead in the approach lane (formalities are pre-filed), so "
        "first come first served by default",
    )
    scanners: bool = Field(
        True,
        description="the H986 scanner queue serves by priority: AEO port inspection is arranged "
        "first [S] gac-2022-73",
    )
    inspection_bays: bool = Field(
        True,
        description="the manual-inspection bay queue serves by priority [S] gac-2022-73",
    )
    officers: bool = Field(
        True,
        description="officers (image review, manual inspection) take the highest class first "
        "[S] gac-2022-73",
    )

    @field_validator("served_first")
    @classmethod
    def _once_each(cls, value: list[Tier]) -> list[Tier]:
        for i, tier in enumerate(value):
            if tier in value[:i]:
                raise ValueError(f"tier {tier!r} listed twice")
        return value

    def classes(self) -> tuple[int, ...]:
        """The priority class of each tier, in :data:`~sim.rules.tiers.TIERS` code order."""
        last = len(self.served_first)
        return tuple(
            self.served_first.index(t) if t in self.served_first else last for t in TIERS
        )

    def applies_to(self, resource: str) -> bool:
        """Whether ``resource`` (one of :data:`PRIORITY_RESOURCES`) serves by priority.

        Raises:
            KeyError: for a resource not in :data:`PRIORITY_RESOURCES`.
        """
        if resource not in PRIORITY_RESOURCES:
            raise KeyError(f"no priority setting for resource {resource!r}")
        on: bool = getattr(self, resource)
        return on and len(self.served_first) > 0
