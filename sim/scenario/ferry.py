"""The strait ports' ferry block: timetables by date, capacity in lane units, backlog, drivers.

Every vehicle leaving Hainan by road crosses the Qiongzhou Strait on a ro-ro ferry. A strait
port's ``ferry`` block says, as data:

- **when sailings leave**: an ordinary daily timetable (departures per local hour), timetables
  for dated periods that replace it (a festival timetable, ``timetables``), and extra sailings
  added in a window (``extra_sailings``: a resumption surge, a chosen day);
- **what a sailing takes**: ``lane_units_per_sailing``, in lane units where a car is one and a
  truck takes ``lane_units.cargo_truck`` (vehicles board first come, first served, and a
  vehicle that does not fit in the room left waits for the next sailing);
- **where vehicles wait**: a holding area of ``holding_capacity`` vehicles; beyond it they wait
  outside the port (the queues on the roads of Feb 2018, the emergency lots of Feb 2024);
- **who is already waiting** when the run starts (``initial_backlog``);
- **how drivers answer a closure** (``closure_response``): while weather stops or thins the
  sailings, a share of the ordinary vehicles postpones the trip until after it, and a share
  waits in a city staging area, called to the port as the holding area frees up, instead of
  queueing at the port.

Weather itself is an event (``events.weather``, :mod:`sim.scenario.events`): it cancels all the
sailings of its window, or only part of them (``sailing_share``).

Figures: see ``docs/sources.md`` for every [S] and [D] cited by id.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime

from pydantic import Field, field_validator, model_validator

from sim.scenario.schema_base import SHANGHAI, StrictModel
from sim.scenario.validation import field_error

__all__ = [
    "Backlog",
    "ClosureResponse",
    "DatedTimetable",
    "ExtraSailings",
    "Ferry",
    "LaneUnits",
]


def _check_hours(value: list[int]) -> list[int]:
    if len(value) != 24:
        raise ValueError(f"the timetable needs 24 entries, one per hour, not {len(value)}")
    if any(n < 0 for n in value) or sum(value) == 0:
        raise ValueError("sailings per hour must be >= 0 and not all zero")
    return value


def _local(value: datetime) -> datetime:
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value.astimezone(SHANGHAI)


class DatedTimetable(StrictModel):
    """A timetable that replaces the ordinary one on every day from ``start`` to ``end``."""

    label: str = Field("", description="what the period is, e.g. 'Spring Festival timetable'")
    start: date = Field(description="first day (local) it applies")
    end: date = Field(description="last day (local) it applies, inclusive")
    sailings_per_hour: list[int] = Field(
        description="departures in each local hour 0-23 on those days, evenly spaced in the hour"
    )

    @field_validator("sailings_per_hour")
    @classmethod
    def _timetable(cls, value: list[int]) -> list[int]:
        return _check_hours(value)

    @model_validator(mode="after")
    def _ordered(self) -> DatedTimetable:
        if self.end < self.start:
            raise field_error(("end",), "must not be before start", self.end.isoformat())
        return self


class ExtraSailings(StrictModel):
    """``sailings`` departures added to the timetable, evenly spread over [start, end)."""

    label: str = Field("", description="why, e.g. 'resumption surge'")
    start: datetime = Field(description="local time the window opens")
    end: datetime = Field(description="local time it closes")
    sailings: int = Field(ge=1, description="departures added in the window")

    @field_validator("start", "end")
    @classmethod
    def _local_time(cls, value: datetime) -> datetime:
        return _local(value)

    @model_validator(mode="after")
    def _ordered(self) -> ExtraSailings:
        if self.end <= self.start:
            raise field_error(("end",), "must be later than start", self.end.isoformat())
        return self


class LaneUnits(StrictModel):
    """Deck space one vehicle takes, in lane units (a car is one)."""

    vehicle: float = Field(
        1.0, gt=0, description="an ordinary vehicle, mostly cars: the unit [A]"
    )
    cargo_truck: float = Field(
        3.0,
        gt=0,
        description="a supervised goods truck [A]: about three cars, from ~47 vehicle spaces per "
        "ship (2,500 spaces on 53 ships [S] xinhua-2018-02-21) against ~148 cars per sailing "
        "[D] xinhua-2018-02-22",
    )


class Backlog(StrictModel):
    """Vehicles already waiting to board when the run starts (none by default)."""

    vehicles: int = Field(0, ge=0, description="ordinary vehicles waiting at the port [A]")
    cargo_trucks: int = Field(
        0, ge=0, description="supervised trucks already cleared, waiting to board [A]"
    )
    accumulated_hours: float = Field(
        6.0,
        gt=0,
        description="they arrived evenly over this many hours before the start (their places "
        "in the queue and their waits count from then) [A]",
    )


class ClosureResponse(StrictModel):
    """What drivers of ordinary vehicles do when weather stops or thins the sailings.

    A vehicle that would arrive while a weather event holds at the port postpones its trip with
    probability ``postpone_share`` x (1 - the event's ``sailing_share``), and waits in a city
    staging area with probability ``staging_share`` x (1 - ``sailing_share``); the others come
    to the port as planned. Authorities ask drivers not to come to the port during a suspension
    and give vehicles already inside priority on resumption [S] duobeib-notice; how many
    comply is not published, so both shares default to none [A]. Supervised trucks keep their
    declared schedule.
    """

    postpone_share: float = Field(
        0.0, ge=0, le=1, description="share that postpones the trip until after the weather [A]"
    )
    postpone_hours: float = Field(
        24.0,
        gt=0,
        description="postponed trips arrive evenly over this many hours after the weather ends [A]",
    )
    staging_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share that waits in a city staging area, called to the port whenever its "
        "holding area has room, in the order they came [A]",
    )

    @model_validator(mode="after")
    def _shares(self) -> ClosureResponse:
        if self.postpone_share + self.staging_share > 1 + 1e-9:
            raise field_error(
                ("staging_share",),
                f"postpone_share + staging_share must be <= 1 (postpone_share is "
                f"{self.postpone_share:g})",
                self.staging_share,
            )
        return self


class Ferry(StrictModel):
    """Ro-ro sailings across the strait and the holding area where vehicles wait to board."""

    sailings_per_hour: list[int] = Field(
        description="ordinary timetable: departures in each local hour 0-23, evenly spaced in "
        "the hour [A]; the strait's departures from Hainan run ~122 a day [D] myidagent-2024-01"
    )
    timetables: list[DatedTimetable] = Field(
        default_factory=list,
        description="timetables replacing the ordinary one on dated periods (festival) [A]",
    )
    extra_sailings: list[ExtraSailings] = Field(
        default_factory=list, description="departures added in a window (a chosen day) [A]"
    )
    lane_units_per_sailing: float = Field(
        148.0,
        gt=0,
        description="capacity of one sailing in lane units (a car is one): ~148 vehicles per "
        "sailing, almost all cars, when a backlog filled every ship [D] xinhua-2018-02-22",
    )
    lane_units: LaneUnits = Field(
        default_factory=LaneUnits, description="deck space per vehicle, by flow [A]"
    )
    holding_capacity: int = Field(
        gt=0,
        description="vehicles the holding area takes; more wait outside the port [A]",
    )
    initial_backlog: Backlog = Field(
        default_factory=Backlog, description="vehicles already waiting at the start [A]"
    )
    closure_response: ClosureResponse = Field(
        default_factory=ClosureResponse,
        description="drivers' answer to a weather suspension [A] (default: none)",
    )

    @field_validator("sailings_per_hour")
    @classmethod
    def _timetable(cls, value: list[int]) -> list[int]:
        return _check_hours(value)

    @model_validator(mode="after")
    def _consistent(self) -> Ferry:
        units = self.lane_units
        for name in ("vehicle", "cargo_truck"):
            if getattr(units, name) > self.lane_units_per_sailing:
                raise field_error(
                    ("lane_units", name),
                    f"a vehicle larger than a whole sailing ({self.lane_units_per_sailing:g} "
                    "lane units) would never board",
                    getattr(units, name),
                )
        spans = sorted(enumerate(self.timetables), key=lambda it: it[1].start)
        for (_, a), (j, b) in itertools.pairwise(spans):
            if b.start <= a.end:
                raise field_error(
                    ("timetables", j, "start"),
                    f"overlaps the timetable {a.label or a.start.isoformat()!r} "
                    f"({a.start.isoformat()} to {a.end.isoformat()})",
                    b.start.isoformat(),
                )
        return self

    def hours_on(self, day: date) -> list[int]:
        """Departures per local hour on ``day``: a dated timetable's, or the ordinary one."""
        for dated in self.timetables:
            if dated.start <= day <= dated.end:
                return dated.sailings_per_hour
        return self.sailings_per_hour
