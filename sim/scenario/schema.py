"""The scenario schema: a whole simulated system declared as data.

``Scenario()`` with no arguments is the documented baseline: an ordinary post-closure day at the
ten second-line ports, with every figure sourced in ``docs/sources.md`` and every assumption marked
as such in the field's description. A scenario file states only what differs (it is deep-merged
onto these defaults). Unknown keys are rejected everywhere, and every cross-field rule is checked
when the scenario is loaded, so the model never starts on an inconsistent system.

Sections: ``ports`` (:mod:`sim.scenario.ports`), ``calendar`` (:mod:`sim.scenario.calendar`),
``policy`` (:mod:`sim.scenario.policy`), ``events`` (:mod:`sim.scenario.events`), ``credit``
(:mod:`sim.scenario.credit`), ``population`` (:mod:`sim.scenario.population`) and ``goods``
(:mod:`sim.scenario.goods`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pydantic import Field, field_validator, model_validator

from sim.rules.config import RulesConfig
from sim.rules.credit_table import CreditTable
from sim.rules.ports import PORT_IDS
from sim.rules.risk import unknown_ground
from sim.scenario.calendar import Calendar
from sim.scenario.credit import CreditSection, default_credit
from sim.scenario.events import Events
from sim.scenario.goods import GoodsConfig
from sim.scenario.observed import Observation
from sim.scenario.policy import Policy
from sim.scenario.population import PopulationSection
from sim.scenario.ports import Ports
from sim.scenario.schema_base import SHANGHAI, StrictModel
from sim.scenario.validation import field_error

__all__ = ["SHANGHAI", "Scenario", "StrictModel"]

_NAME = re.compile(r"[A-Za-z0-9_.\-]+")


class Scenario(StrictModel):
    """A complete scenario. Every figure's description says whether it is sourced (S), derived (D)
    or assumed (A), and the sourced and derived ones cite a source id listed, with its value, date
    and address, in docs/sources.md of the customs-sim repository."""

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
    active_ports: list[str] = Field(
        default_factory=lambda: list(PORT_IDS),
        min_length=1,
        description="ports simulated (default all ten; a theory scenario uses one)",
    )
    ports: Ports = Field(default_factory=Ports, description="the ten ports")
    calendar: Calendar = Field(default_factory=Calendar)
    policy: Policy = Field(default_factory=Policy)
    events: Events = Field(default_factory=Events)
    credit: CreditSection = Field(
        default_factory=default_credit,
        description="credit scale table: department grades, mutual recognition, AEO grades, "
        "removal periods, notified departments (default: the packaged table)",
    )
    population: PopulationSection = Field(
        default_factory=PopulationSection,
        description="synthetic enterprises and individuals and their credit history",
    )
    goods: GoodsConfig = Field(
        default_factory=GoodsConfig,
        description="enterprises moving supervised goods through account books and batch exit",
    )
    observed: list[Observation] = Field(
        default_factory=list,
        description="figures reported for a real episode, set beside the model's in the KPIs "
        "(validation scenarios; never an input of the model)",
    )

    @field_validator("start")
    @classmethod
    def _local_time(cls, value: datetime) -> datetime:
        # A naive time is read as Asia/Shanghai local time; an aware one is converted to it.
        if value.tzinfo is None:
            return value.replace(tzinfo=SHANGHAI)
        return value.astimezone(SHANGHAI)

    @field_validator("name")
    @classmethod
    def _directory_name(cls, value: str) -> str:
        # The name becomes a directory under out/: no separators, no "..", nothing hidden.
        if not _NAME.fullmatch(value) or value.startswith("."):
            raise ValueError(
                "a name is used as a directory name: letters, digits, '.', '_' and '-' only, "
                "not starting with '.'"
            )
        return value

    @property
    def end(self) -> datetime:
        """The end of the simulated period (local time)."""
        return self.start + timedelta(hours=self.horizon_hours)

    def rules_config(self) -> RulesConfig:
        """The rules' configuration this scenario declares, for the model and the platform.

        The risk model and treatment by tier from ``policy``, the credit scale table from
        ``credit``, the tariff changes from ``goods.tariff`` and the duty-free quota from
        ``population.individuals``: what ``customs-sim serve --scenario`` hands the platform.
        """
        return RulesConfig(
            risk=self.policy.risk_model(),
            credit=CreditTable.model_validate(self.credit.model_dump()),
            tariff={
                code: o.model_dump(exclude_none=True) for code, o in self.goods.tariff.items()
            },
            duty_free_quota_fen=self.population.individuals.duty_free_quota_fen,
        )

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.warmup_hours >= self.horizon_hours:
            raise field_error(
                ("warmup_hours",), "the warm-up must be shorter than the horizon", self.warmup_hours
            )
        for i, port in enumerate(self.active_ports):
            if port not in PORT_IDS:
                raise field_error(
                    ("active_ports", i), f"unknown port id; known: {', '.join(PORT_IDS)}", port
                )
            if port in self.active_ports[:i]:
                raise field_error(("active_ports", i), "port listed twice", port)
        self._check_events()
        self._check_sailings()
        self._check_grounds()
        self._check_observed()
        return self

    def _check_grounds(self) -> None:
        unknown = unknown_ground(self.policy.grounds, self.credit.departments)
        if unknown is not None:
            raise field_error(
                ("policy", "grounds", unknown),
                "no such listing ground: a department of credit.departments ("
                f"{', '.join(self.credit.departments)}) or smuggling_penalty, "
                "serious_dishonesty_listed, legal_ground_listed",
                unknown,
            )

    def _check_observed(self) -> None:
        for i, seen in enumerate(self.observed):
            loc = ("observed", i)
            self._check_window(loc, seen.at, name="at")
            if seen.since is not None and not self.start <= seen.since <= seen.at:
                raise field_error((*loc, "since"), "must be between the start and 'at'",
                                  seen.since.isoformat())  # fmt: skip
            for j, port in enumerate(seen.ports):
                if port not in self.active_ports or self.ports.get(port).ferry is None:
                    raise field_error((*loc, "ports", j),
                                      "must be a simulated port with ferries", port)  # fmt: skip

    def _check_events(self) -> None:
        for i, w in enumerate(self.events.weather):
            self._check_window(("events", "weather", i), w.start)
            for j, port in enumerate(w.ports):
                wloc = ("events", "weather", i, "ports", j)
                if port not in PORT_IDS:
                    raise field_error(wloc, f"unknown port id; known: {', '.join(PORT_IDS)}", port)
                if self.ports.get(port).ferry is None:
                    raise field_error(
                        wloc, "only a port with ferries can have sailings suspended", port
                    )
        for i, o in enumerate(self.events.scanner_outages):
            loc = ("events", "scanner_outages", i)
            self._check_window(loc, o.start)
            if o.port not in PORT_IDS:
                raise field_error(
                    (*loc, "port"), f"unknown port id; known: {', '.join(PORT_IDS)}", o.port
                )
            have = self.ports.get(o.port).resources.scanners
            if o.scanners > have:
                raise field_error(
                    (*loc, "scanners"), f"the port has only {have} scanners", o.scanners
                )

    def _check_sailings(self) -> None:
        """Extra sailings must fall (at least partly) inside the run, or they do nothing."""
        for port_id, port in self.ports.items():
            for i, extra in enumerate(port.ferry.extra_sailings if port.ferry else []):
                if extra.end <= self.start or extra.start >= self.end:
                    raise field_error(
                        ("ports", port_id, "ferry", "extra_sailings", i, "start"),
                        f"the window {extra.start.isoformat()} to {extra.end.isoformat()} is "
                        f"outside the simulated period {self.start.isoformat()} to "
                        f"{self.end.isoformat()}",
                        extra.start.isoformat(),
                    )

    def _check_window(
        self, loc: tuple[str | int, ...], start: datetime, name: str = "start"
    ) -> None:
        if not self.start <= start < self.end:
            raise field_error(
                (*loc, name),
                f"outside the simulated period {self.start.isoformat()} to {self.end.isoformat()}",
                start.isoformat(),
            )
