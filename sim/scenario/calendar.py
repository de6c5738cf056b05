"""The calendar: how volumes swing by day of week and on dated periods (Spring Festival rush).

The arrival rate of a flow in a given hour is its ``per_day`` volume, times the hourly profile's
share for that hour, times every multiplier that applies to the day: day-of-week rules and dated
rules. Each rule may be restricted to some flows and some ports (``null`` = all), so a scenario
can say "passengers and vehicles at the strait ports run at 2.6x from 26 Jan to 5 Mar" without
touching cargo trucks or airports.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator, model_validator

from sim.rules.ports import PORT_IDS
from sim.scenario.ports import FLOWS
from sim.scenario.schema_base import StrictModel
from sim.scenario.validation import field_error

__all__ = ["Calendar", "DatedMultiplier", "WeekdayRule"]


class _Scope(StrictModel):
    flows: list[str] | None = Field(None, description="flows the rule applies to (null = all)")
    ports: list[str] | None = Field(None, description="port ids the rule applies to (null = all)")

    @field_validator("flows")
    @classmethod
    def _known_flows(cls, value: list[str] | None) -> list[str] | None:
        for flow in value or []:
            if flow not in FLOWS:
                raise ValueError(f"unknown flow {flow!r}; known: {', '.join(FLOWS)}")
        return value

    @field_validator("ports")
    @classmethod
    def _known_ports(cls, value: list[str] | None) -> list[str] | None:
        for port in value or []:
            if port not in PORT_IDS:
                raise ValueError(f"unknown port id {port!r}; known: {', '.join(PORT_IDS)}")
        return value

    def applies(self, flow: str, port: str) -> bool:
        """Whether the rule covers ``flow`` at ``port``."""
        return (self.flows is None or flow in self.flows) and (
            self.ports is None or port in self.ports
        )


class WeekdayRule(_Scope):
    """Multipliers for Monday..Sunday."""

    label: str = ""
    multipliers: list[float] = Field(description="seven factors, Monday first")

    @field_validator("multipliers")
    @classmethod
    def _seven(cls, value: list[float]) -> list[float]:
        if len(value) != 7:
            raise ValueError(f"needs 7 entries, Monday to Sunday, not {len(value)}")
        if any(m <= 0 for m in value):
            raise ValueError("multipliers must be > 0")
        return value


class DatedMultiplier(_Scope):
    """A factor on every day from ``start`` to ``end`` (inclusive)."""

    label: str = Field("", description="what the period is, e.g. 'Spring Festival rush'")
    start: date
    end: date
    multiplier: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> DatedMultiplier:
        if self.end < self.start:
            raise field_error(("end",), "must not be before start", self.end.isoformat())
        return self


class Calendar(StrictModel):
    """Day-of-week and dated multipliers; both default to none (no pattern is published [A])."""

    day_of_week: list[WeekdayRule] = Field(
        default_factory=list,
        description="weekly patterns [A]: none published, so the baseline has none",
    )
    dated: list[DatedMultiplier] = Field(
        default_factory=list, description="dated factors, e.g. the Spring Festival rush"
    )

    def factor(self, day: date, flow: str, port: str) -> float:
        """The product of every multiplier that applies to ``flow`` at ``port`` on ``day``."""
        result = 1.0
        for rule in self.day_of_week:
            if rule.applies(flow, port):
                result *= rule.multipliers[day.weekday()]
        for dated in self.dated:
            if dated.start <= day <= dated.end and dated.applies(flow, port):
                result *= dated.multiplier
        return result
