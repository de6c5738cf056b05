"""The base every scenario section shares, and the local time zone of scenarios.

Kept apart from :mod:`sim.scenario.schema` so the section modules (ports, calendar, policy,
events) can import it without importing the top-level scenario that assembles them.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from pydantic import BaseModel, ConfigDict

__all__ = ["SHANGHAI", "StrictModel"]

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
"""Asia/Shanghai has had no daylight saving since 1991: a fixed UTC+8 offset is exact."""


class StrictModel(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)
