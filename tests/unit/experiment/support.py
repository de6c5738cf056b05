"""Tiny scenarios for experiment tests: a few hours, a small population, quick to replicate."""

from __future__ import annotations

from typing import Any

from sim.scenario import Scenario


def tiny(hours: float = 6.0, **changes: Any) -> Scenario:
    """The default scenario, shortened, with a small population; ``changes`` by dotted path."""
    base = Scenario().model_dump(by_alias=True)
    base["horizon_hours"] = hours
    base["population"]["enterprises"]["count"] = 3_000
    base["population"]["individuals"]["count"] = 20_000
    for path, value in changes.items():
        node = base
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    return Scenario.model_validate(base)


def busy(hours: float = 8.0, **changes: Any) -> Scenario:
    """Poisson trucks at their default daily volumes, tiers drawn from shares (no population):
    many trucks per hour, each replication a fraction of a second."""
    return tiny(
        hours,
        policy__declarants="shares",
        goods__enabled=False,
        **changes,
    )
