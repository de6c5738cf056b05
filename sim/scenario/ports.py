"""What each of the ten ports has and receives: hours, resources, flows, service times, ferries.

A port is declared as data. Its *resources* are customs channels (lanes where supervised trucks
are checked and released), H986 scanners, manual-inspection bays, duty-free check desks, and
officers on shifts whose number changes over the day. Its *flows* are streams of arrivals, each
with a volume per day and a 24-entry hourly profile (relative weights, normalised by the model):

* ``cargo_truck``: trucks carrying customs-supervised goods; they declare and use customs channels;
* ``vehicle``: ordinary vehicles (non-customs channels; at strait ports they still need a ferry);
* ``passenger``: people leaving the island (non-customs; only counted);
* ``duty_free_traveller``: travellers with offshore duty-free goods, checked at departure.

Strait ro-ro ports also have a *ferry* block: sailings per hour, vehicles per sailing and a
holding area of finite size where cleared vehicles wait to board.

The defaults are the documented baseline (an ordinary post-closure day). Figures marked [S] or [D]
cite their source by id in ``docs/sources.md``; [A] marks an assumption, kept here as a
parameter so an analyst can change it.
"""

from __future__ import annotations

import itertools

from pydantic import Field, field_validator, model_validator

from sim.rules.ports import PORT_IDS, PortKind, port_fact
from sim.scenario.distributions import Distribution, Triangular, Uniform
from sim.scenario.ferry import Ferry
from sim.scenario.schema_base import StrictModel
from sim.scenario.validation import field_error

__all__ = [
    "FLOWS",
    "NANGANG_SAILINGS",
    "XINHAI_SAILINGS",
    "Ferry",
    "FlowSpec",
    "Flows",
    "HourWindow",
    "PortConfig",
    "Ports",
    "Resources",
    "ServiceTimes",
    "Shift",
    "default_ports",
]

FLOWS = ("cargo_truck", "vehicle", "passenger", "duty_free_traveller")
"""The flow names, as used in records and KPIs."""

# Relative hourly weights [A]: no hourly counts are published. Trucks peak in working hours;
# vehicles and passengers crossing the strait peak in the morning and afternoon; airports run
# from early morning to midnight.
_TRUCK = [0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 0.8, 1.2, 1.6, 1.8, 1.8, 1.6,
          1.3, 1.4, 1.6, 1.7, 1.6, 1.4, 1.2, 1.0, 0.9, 0.7, 0.5, 0.4]  # fmt: skip
_STRAIT = [0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.3, 1.6, 1.7, 1.6, 1.5,
           1.4, 1.4, 1.5, 1.6, 1.6, 1.5, 1.3, 1.1, 0.9, 0.7, 0.5, 0.3]  # fmt: skip
_AIR = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.8, 1.2, 1.4, 1.4, 1.3, 1.2,
        1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.1, 1.0, 0.9, 0.7, 0.5]  # fmt: skip


XINHAI_SAILINGS = (2,) * 6 + (4,) * 16 + (3,) * 2
"""Xinhai's ordinary departures per local hour [A] (82 a day; see :func:`_port`)."""
NANGANG_SAILINGS = (1,) * 6 + (2,) * 18
"""South Port's ordinary departures per local hour [A] (42 a day)."""


def _within(profile: list[float], open_hour: int, close_hour: int) -> list[float]:
    """The profile with zero weight outside [open_hour, close_hour)."""
    return [w if open_hour <= h < close_hour else 0.0 for h, w in enumerate(profile)]


class HourWindow(StrictModel):
    """A daily window [open, close) in local hours (0-24); use two windows to span midnight."""

    open: float = Field(ge=0, lt=24, description="opening hour, local time (e.g. 6.5 = 06:30)")
    close: float = Field(gt=0, le=24, description="closing hour, local time (24 = midnight)")

    @model_validator(mode="after")
    def _ordered(self) -> HourWindow:
        if self.close <= self.open:
            raise field_error(
                ("close",), "must be later than open (split a window at 24)", self.close
            )
        return self


class Shift(StrictModel):
    """Officers on duty every day from ``start`` to ``end`` (local hours, 0-24)."""

    start: float = Field(ge=0, lt=24, description="start hour, local time")
    end: float = Field(gt=0, le=24, description="end hour, local time (24 = midnight)")
    officers: int = Field(ge=0, description="officers on duty during the shift")

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if self.end <= self.start:
            raise field_error(("end",), "must be later than start (split a shift at 24)", self.end)
        return self


class Resources(StrictModel):
    """Lanes, machines and people at one port. Counts per port are not published [A]."""

    customs_channels: int = Field(
        ge=0, description="customs supervision channels; 27 across the ten ports [S] "
        "worldports-smart-supervision"
    )
    scanners: int = Field(
        ge=0, description="H986 scanners: every customs channel has one [S] "
        "worldports-smart-supervision, so default = channels"
    )
    inspection_bays: int = Field(ge=0, description="manual-inspection bays [A]")
    duty_free_desks: int = Field(
        0, ge=0, description="desks checking duty-free goods at departure [A] (not published)"
    )
    officer_shifts: list[Shift] = Field(
        description="officer shifts, repeated daily; officers review scan images and inspect [A]"
    )

    def officers_at(self, hour: float) -> int:
        """Officers on duty at local ``hour`` of any day."""
        return sum(s.officers for s in self.officer_shifts if s.start <= hour < s.end)


class FlowSpec(StrictModel):
    """One stream of arrivals: a daily volume shaped by an hourly profile."""

    per_day: float = Field(gt=0, description="expected arrivals on an ordinary day")
    source: str = Field(
        "", description="where per_day comes from: a source, a derivation or an assumption"
    )
    hourly_profile: list[float] = Field(
        description="24 relative weights, hour 0 to 23 local time; normalised by the model"
    )

    @field_validator("hourly_profile")
    @classmethod
    def _profile(cls, value: list[float]) -> list[float]:
        if len(value) != 24:
            raise ValueError(f"an hourly profile needs 24 entries, one per hour, not {len(value)}")
        if any(w < 0 for w in value) or sum(value) <= 0:
            raise ValueError("hourly weights must be >= 0 and not all zero")
        return value


class Flows(StrictModel):
    """The flows that arrive at a port; ``null`` means the port has no such flow."""

    cargo_truck: FlowSpec | None = Field(
        None, description="supervised cargo trucks: declare, use customs channels"
    )
    vehicle: FlowSpec | None = Field(None, description="ordinary vehicles: non-customs channels")
    passenger: FlowSpec | None = Field(None, description="departing passengers: counted only")
    duty_free_traveller: FlowSpec | None = Field(
        None, description="travellers with offshore duty-free goods: checked at departure"
    )


class ServiceTimes(StrictModel):
    """Durations in seconds, as distributions."""

    channel: Distribution = Field(
        default_factory=lambda: Triangular(kind="triangular", low=20, mode=40, high=60),
        description="pass through a customs channel; whole pass <= 1 min [S] bastillepost-5459727",
    )
    scan: Distribution = Field(
        default_factory=lambda: Triangular(kind="triangular", low=90, mode=120, high=150),
        description="H986 scan, about 2 min per truck [S] bastillepost-5436443",
    )
    image_review: Distribution = Field(
        default_factory=lambda: Uniform(kind="uniform", low=120, high=300),
        description="officer reviewing a scan image, 2-5 min [A] (a starting value: not published)",
    )
    inspection: Distribution = Field(
        default_factory=lambda: Triangular(kind="triangular", low=1800, mode=3000, high=5400),
        description="manual unload-and-inspect, 30-90 min [A] (a starting value: not published)",
    )
    duty_free_check: Distribution = Field(
        default_factory=lambda: Triangular(kind="triangular", low=20, mode=40, high=75),
        description="departure check of duty-free goods, ID and ticket [A] (not published)",
    )


class PortConfig(StrictModel):
    """One second-line port."""

    kind: PortKind = Field(description="strait_roro, seaport or airport [S] topsdn-2025-08-01")
    name: str = Field(min_length=1, description="display name")
    opening_hours: list[HourWindow] = Field(
        min_length=1, description="daily windows; the port's operating hours [S] "
        "topsdn-2025-08-01, which are not published [A]"
    )
    resources: Resources
    flows: Flows
    service: ServiceTimes = Field(default_factory=ServiceTimes)
    ferry: Ferry | None = Field(None, description="strait ports only: sailings and holding area")

    def is_open(self, hour: float) -> bool:
        """Whether the port is open at local ``hour`` of any day."""
        return any(w.open <= hour < w.close for w in self.opening_hours)

    @model_validator(mode="after")
    def _consistent(self) -> PortConfig:
        windows = sorted(self.opening_hours, key=lambda w: w.open)
        for a, b in itertools.pairwise(windows):
            if b.open < a.close:
                raise field_error(
                    ("opening_hours",),
                    "opening windows overlap",
                    [w.model_dump() for w in self.opening_hours],
                )
        res = self.resources
        if self.flows.cargo_truck is not None and res.customs_channels == 0:
            raise field_error(
                ("resources", "customs_channels"),
                "a port with cargo trucks needs at least one channel",
                0,
            )
        if self.flows.cargo_truck is not None:
            for name in ("scanners", "inspection_bays"):
                if getattr(res, name) == 0:
                    raise field_error(
                        ("resources", name),
                        "a port with cargo trucks needs at least one (flagged trucks go there)",
                        0,
                    )
        if self.flows.duty_free_traveller is not None and res.duty_free_desks == 0:
            raise field_error(
                ("resources", "duty_free_desks"),
                "a port with duty-free travellers needs at least one desk",
                0,
            )
        if res.customs_channels > 0:
            self._check_staffed()
        if self.kind == "strait_roro" and self.ferry is None:
            raise field_error(("ferry",), "a strait ro-ro port needs a ferry timetable", None)
        if self.kind != "strait_roro" and self.ferry is not None:
            raise field_error(
                ("ferry",),
                f"only strait_roro ports have ferries, not {self.kind}",
                self.ferry.model_dump(),
            )
        return self

    def _check_staffed(self) -> None:
        """Every open moment with customs channels must have at least one officer on duty."""
        cuts = {0.0, 24.0}
        for w in self.opening_hours:
            cuts |= {w.open, w.close}
        for s in self.resources.officer_shifts:
            cuts |= {s.start, s.end}
        edges = sorted(cuts)
        for a, b in itertools.pairwise(edges):
            mid = (a + b) / 2
            if self.is_open(mid) and self.resources.officers_at(mid) == 0:
                shifts = [s.model_dump() for s in self.resources.officer_shifts]
                raise field_error(
                    ("resources", "officer_shifts"),
                    f"no officer on duty from {_hhmm(a)} to {_hhmm(b)} while the port is open "
                    f"with {self.resources.customs_channels} customs channels",
                    shifts,
                )


def _hhmm(hour: float) -> str:
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _shifts(*spec: tuple[float, float, int]) -> list[Shift]:
    return [Shift(start=a, end=b, officers=n) for a, b, n in spec]


def _hours(open_hour: float, close_hour: float) -> list[HourWindow]:
    return [HourWindow(open=open_hour, close=close_hour)]


_Volumes = tuple[int | None, int | None, int | None, int | None]

_SOURCES = {
    ("cargo_truck", "strait_roro"): "[A] supervised share of the ~2.1k trucks leaving by the "
    "strait a day (764k truck-trips out in 2019 [S] rqppqr-119380); split between the two "
    "ports [A]",
    ("cargo_truck", "seaport"): "[A] no per-port cargo figures for 2024; the strait ports carry "
    "about 80% of cargo to the mainland [S] bastillepost-5459727",
    ("cargo_truck", "airport"): "[A] air cargo with supervised goods; not published",
    ("vehicle", "strait_roro"): "[D] 475k vehicles both ways in the first month after closure "
    "[S] gmt8press-1169254 -> ~7.7k out a day, less supervised trucks; split between ports [A]",
    ("passenger", "strait_roro"): "[D] 1.608 M passengers both ways in the first month after "
    "closure [S] gmt8press-1169254 -> ~26k out a day; split between ports [A]",
    ("passenger", "airport"): "[D] half of the airport's 2023 passengers / 365 (Meilan 24.33 M, "
    "Phoenix 21.78 M, Boao 0.95 M [S] xtsnhl-8341)",
    **{
        ("duty_free_traveller", kind): "[D]/[A] 5.683 M duty-free shoppers in 2024 [S] "
        "concall-2607 -> 15.6k a day; ~70% checked at a port, split between ports [A]"
        for kind in ("strait_roro", "airport")
    },
}


def _flow(per_day: float, profile: list[float], flow: str, kind: str) -> FlowSpec:
    return FlowSpec(per_day=per_day, hourly_profile=list(profile), source=_SOURCES[(flow, kind)])


def _port(port_id: str) -> PortConfig:
    """The baseline configuration of one port (see the module docstring for the marks)."""
    fact = port_fact(port_id)
    k = fact.kind
    # Channels per port [A] summing to the published 27 [S], each with its H986 scanner [S];
    # bays, desks, officers [A].
    # Volumes, outbound per ordinary day: strait vehicles 475k both ways in the first month after
    # closure -> ~7.7k out per day [D], of which ~1.15k supervised trucks [A]; strait passengers
    # 1.608 M both ways in that month -> ~26k out per day [D]; airport departures = half of 2023
    # passengers / 365 [D]; duty-free shoppers 5.683 M in 2024 -> 15.6k/day, ~70% checked at a
    # port [A]. Splits between ports [A].
    truck_at = {"meilan": _within(_TRUCK, 6, 24), "phoenix": _within(_TRUCK, 6, 24),
                "boao": _within(_TRUCK, 7, 22)}  # fmt: skip
    air = _within(_AIR, 7, 22) if port_id == "boao" else _AIR
    # id: (channels, scanners, bays, desks, shifts, hours,
    #      per-day trucks, vehicles, passengers, duty-free travellers; None = no such flow)
    table: dict[str, tuple[int, int, int, int, list[Shift], list[HourWindow], _Volumes]] = {
        "xinhai": (8, 8, 4, 3, _shifts((0, 8, 4), (8, 16, 8), (16, 24, 6)), _hours(0, 24),
                   (700, 4300, 17500, 1000)),
        "nangang": (6, 6, 3, 2, _shifts((0, 8, 3), (8, 16, 6), (16, 24, 5)), _hours(0, 24),
                    (450, 2200, 8500, 350)),
        "haikou": (3, 3, 2, 0, _shifts((0, 8, 2), (8, 16, 4), (16, 24, 3)), _hours(0, 24),
                   (120, None, None, None)),
        "yangpu": (3, 3, 2, 0, _shifts((0, 8, 2), (8, 16, 4), (16, 24, 3)), _hours(0, 24),
                   (160, None, None, None)),
        "basuo": (1, 1, 1, 0, _shifts((8, 14, 2), (14, 20, 2)), _hours(8, 20),
                  (25, None, None, None)),
        "sanya_port": (1, 1, 1, 0, _shifts((8, 14, 2), (14, 20, 2)), _hours(8, 20),
                       (15, None, None, None)),
        "qinglan": (1, 1, 1, 0, _shifts((8, 14, 2), (14, 20, 2)), _hours(8, 20),
                    (12, None, None, None)),
        "meilan": (2, 2, 1, 8, _shifts((6, 14, 3), (14, 24, 3)), _hours(6, 24),
                   (50, None, 33300, 4800)),
        "phoenix": (1, 1, 1, 8, _shifts((6, 14, 3), (14, 24, 3)), _hours(6, 24),
                    (30, None, 29800, 4600)),
        "boao": (1, 1, 1, 1, _shifts((7, 15, 1), (15, 22, 1)), _hours(7, 22),
                 (4, None, 1300, 150)),
    }  # fmt: skip
    channels, scanners, bays, desks, shifts, hours, volumes = table[port_id]
    seaport_day = _within(_TRUCK, 8, 20) if hours[0].open == 8 else _TRUCK
    profiles = {
        "cargo_truck": truck_at.get(port_id, seaport_day),
        "vehicle": _STRAIT,
        "passenger": air if k == "airport" else _STRAIT,
        "duty_free_traveller": air if k == "airport" else _STRAIT,
    }
    flows = Flows(
        **{
            flow: None if n is None else _flow(n, profiles[flow], flow, k)
            for flow, n in zip(FLOWS, volumes, strict=True)
        }
    )
    ferry = None
    if fact.kind == "strait_roro":
        # ~122 departures a day from Hainan [D] (7,591 sailings both ways in Jan 2024), split
        # about 2:1 like the ports' traffic [A]: Xinhai 2 an hour at night, 4 by day, 3 late in
        # the evening (82); South Port 1 an hour at night, 2 by day (42).
        per_hour = XINHAI_SAILINGS if port_id == "xinhai" else NANGANG_SAILINGS
        ferry = Ferry(
            sailings_per_hour=list(per_hour),
            holding_capacity=1500 if port_id == "xinhai" else 800,
        )
    return PortConfig(
        kind=fact.kind,
        name=fact.name,
        opening_hours=hours,
        resources=Resources(
            customs_channels=channels,
            scanners=scanners,
            inspection_bays=bays,
            duty_free_desks=desks,
            officer_shifts=shifts,
        ),
        flows=flows,
        ferry=ferry,
    )


def default_ports() -> dict[str, PortConfig]:
    """The ten ports as in the baseline, keyed by id in the official order."""
    return {port_id: _port(port_id) for port_id in PORT_IDS}


class Ports(StrictModel):
    """The ten second-line ports, one field each (an unknown port id is an unknown key)."""

    xinhai: PortConfig = Field(default_factory=lambda: _port("xinhai"))
    nangang: PortConfig = Field(default_factory=lambda: _port("nangang"))
    haikou: PortConfig = Field(default_factory=lambda: _port("haikou"))
    yangpu: PortConfig = Field(default_factory=lambda: _port("yangpu"))
    basuo: PortConfig = Field(default_factory=lambda: _port("basuo"))
    sanya_port: PortConfig = Field(default_factory=lambda: _port("sanya_port"))
    qinglan: PortConfig = Field(default_factory=lambda: _port("qinglan"))
    meilan: PortConfig = Field(default_factory=lambda: _port("meilan"))
    phoenix: PortConfig = Field(default_factory=lambda: _port("phoenix"))
    boao: PortConfig = Field(default_factory=lambda: _port("boao"))

    def get(self, port_id: str) -> PortConfig:
        """The configuration of ``port_id`` (one of :data:`sim.rules.ports.PORT_IDS`)."""
        config: PortConfig = getattr(self, port_id)
        return config

    def items(self) -> list[tuple[str, PortConfig]]:
        """(id, configuration) for the ten ports, in the official order."""
        return [(port_id, self.get(port_id)) for port_id in PORT_IDS]
