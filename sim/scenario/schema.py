"""The scenario schema: a whole simulated system declared as data.

``Scenario()`` with no arguments is the documented baseline: an ordinary post-closure day at the
ten second-line ports, with every figure from ``shared/domain.md`` and every assumption marked
as such in the field's description. A scenario file states only what differs. Unknown keys are
rejected everywhere, and every cross-field rule is checked when the scenario is loaded, so the
model never starts on an inconsistent system.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.scenario.credit import CreditSection, default_credit

__all__ = ["SHANGHAI", "Scenario", "StrictModel"]

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
"""Asia/Shanghai has had no daylight saving since 1991: a fixed UTC+8 offset is exact."""


class StrictModel(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)


class Scenario(StrictModel):
    """A complete scenario."""

    name: str = Field("baseline", min_length=1, description="name; outputs go to out/<name>/")
    description: str = ""
    seed: int = Field(
        20251218, ge=0, description="the run's seed; every random stream derives from it"
    )
    start: datetime = Field(
        datetime(2026, 3, 10, 0, 0, tzinfo=SHANGHAI),
        description="simulated start, local time in Asia/Shanghai (an ordinary Tuesday by default)",
    )
    horizon_hours: float = Field(24.0, gt=0, description="length of the simulated period")
    warmup_hours: float = Field(
        0.0, ge=0, description="initial period excluded from the KPIs (records are kept)"
    )
    credit: CreditSection = Field(
        default_factory=default_credit,
        description="credit scale table: department grades, mutual recognition, AEO grades, "
        "removal periods, notified departments (default: the packaged table)",
    )

    @field_validator("start")
    @classmethod
    def _local_time(cls, value: datetime) -> datetime:
        # A naive time is read as Asia/Shanghai local time; an aware one is converted to it.
        if value.tzinfo is None:
            return value.replace(tzinfo=SHANGHAI)
        return value.astimezone(SHANGHAI)
