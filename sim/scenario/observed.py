"""Figures reported for a real episode, to set beside the model's (validation scenarios).

A validation scenario (``scenarios/validation/``) rebuilds a real episode from its published
*inputs*: the traffic, the timetable and capacity in service, the weather. What was reported
*happening* (vehicles stranded at a given hour, vehicles shipped, how long people had waited)
is an outcome: it is never fed to the model, but listed here, each with its source, so that
every run of the scenario reports the model's value beside it and the gap
(:mod:`sim.results.observed`).

Measures, at the strait ports named (summed over them):

- ``waiting``: vehicles waiting to board at that moment, in the holding area and outside it
  (the "stranded vehicles" of news reports);
- ``holding`` / ``outside``: the same, split at the holding area's capacity;
- ``boarded``: vehicles that boarded from ``since`` (default: the run's start) until just
  before ``at``;
- ``longest_wait_hours``: of the vehicles waiting at ``at``, the longest time one had waited.

A figure reported as "more than 10,000" has ``bound: at_least``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from sim.scenario.schema_base import SHANGHAI, StrictModel

__all__ = ["MEASURES", "Observation"]

Measure = Literal["waiting", "holding", "outside", "boarded", "longest_wait_hours"]
MEASURES: tuple[str, ...] = ("waiting", "holding", "outside", "boarded", "longest_wait_hours")


def _local(value: datetime) -> datetime:
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value.astimezone(SHANGHAI)


class Observation(StrictModel):
    """One reported figure of the episode."""

    at: datetime = Field(description="local time the figure refers to")
    measure: Measure = Field(description="what was counted (see the module docstring)")
    ports: list[str] = Field(min_length=1, description="strait ports the figure covers (summed)")
    value: float = Field(ge=0, description="the reported figure")
    bound: Literal["about", "at_least", "at_most"] = Field(
        "about", description="'at_least' for 'more than N', 'at_most' for 'fewer than N'"
    )
    since: datetime | None = Field(
        None, description="for 'boarded': start of the count (default: the run's start)"
    )
    source: str = Field(min_length=1, description="where it was reported (docs/sources.md id)")

    @field_validator("at", "since")
    @classmethod
    def _local_time(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _local(value)
