"""Dated disruptions: weather suspensions of sailings and scanner outages.

A *weather suspension* stops every sailing at the named strait ports for a window (fog in the
Qiongzhou Strait: seven days in Feb 2018, [S] ecns-2018-02-23), or, with ``sailing_share``,
only part of them (on 22 Feb 2018 fog and a fault at Hai'an cut the capacity in service
[S] xinhua-2018-02-22); arrivals keep coming, clear customs and fill the holding area, and what
does not fit waits outside. A *scanner outage* takes
some of a port's H986 scanners out of service for a window; trucks flagged for a scan queue for
the remaining ones. Times are local (Asia/Shanghai); both must fall inside the simulated horizon
(checked with the scenario).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from sim.scenario.schema_base import SHANGHAI, StrictModel

__all__ = ["Events", "ScannerOutage", "WeatherSuspension"]


def _local(value: datetime) -> datetime:
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value.astimezone(SHANGHAI)


class WeatherSuspension(StrictModel):
    """No sailings (or only ``sailing_share`` of them) at ``ports`` for ``duration_hours``."""

    label: str = Field("", description="what happened, e.g. 'sea fog'")
    ports: list[str] = Field(min_length=1, description="strait port ids whose sailings stop")
    start: datetime = Field(description="local time the suspension begins")
    duration_hours: float = Field(gt=0)
    sailing_share: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="share of the timetabled sailings that still run in the window: 0 stops "
        "them all (a suspension), 0.5 runs every second one (fog at the far berth, fewer "
        "berths, slower crossings)",
    )

    @field_validator("start")
    @classmethod
    def _local_time(cls, value: datetime) -> datetime:
        return _local(value)


class ScannerOutage(StrictModel):
    """``scanners`` of ``port``'s H986 scanners out of service from ``start``."""

    label: str = ""
    port: str = Field(description="port id")
    start: datetime = Field(description="local time the outage begins")
    duration_hours: float = Field(gt=0)
    scanners: int = Field(1, ge=1, description="how many scanners are down")

    @field_validator("start")
    @classmethod
    def _local_time(cls, value: datetime) -> datetime:
        return _local(value)


class Events(StrictModel):
    """Every dated disruption of the scenario (none in the baseline)."""

    weather: list[WeatherSuspension] = Field(default_factory=list)
    scanner_outages: list[ScannerOutage] = Field(default_factory=list)
