"""Second-line declarations: lines written off a book, duties due, and the channel decided.

``POST /v1/declarations`` is the platform's hot path: in one transaction it classifies the
declarant on the declaration date, writes the lines off the book and assesses the duties (all
lines or none), scores the risk indicators and routes the goods to ``release``, ``scan`` or
``inspection``. ``POST /v1/declarations/{id}/inspection`` (officers) records what a scan or an
inspection found; ``GET`` reads one declaration, or a book's in id order.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from sim.api.common import Answer, Duties, Request
from sim.api.fields import Day, Fen, Flag, Id, Instant, Port, Qty
from sim.rules.goods import Regime
from sim.rules.risk import Route
from sim.rules.tiers import Tier

__all__ = [
    "MAX_LINES",
    "Channel",
    "DeclarationIn",
    "DeclarationOut",
    "Inspection",
    "InspectionIn",
    "InspectionRecord",
    "LineIn",
    "LineOut",
]

MAX_LINES = 200
"""The most lines one declaration may have."""

Channel = Route
"""Where a declaration is sent: ``release``, ``scan`` or ``inspection`` (:mod:`sim.rules.risk`)."""


class LineIn(Request):
    """One declared line."""

    item: Id
    qty: Qty
    price_fen: Fen | None = Field(None, description="domestic sale price (processed goods)")
    permit: Flag = True


class DeclarationIn(Request):
    """A second-line exit declaration."""

    reference: Id | None = Field(None, description="the declarant's reference; generated if absent")
    book: Id
    port: Port
    date: Day
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)
    risk_indicators: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=50
    )


class LineOut(Answer):
    """One written-off line and its assessment."""

    item: str
    code: str
    regime: Regime
    qty: int
    base_fen: int = Field(description="the customs value taxed")
    value_added: float | None = Field(
        description="the value-added ratio (processed goods; null otherwise)"
    )
    duty_exempt: bool = Field(description="import duty waived (value added >= 30%)")
    duties: Duties


class Inspection(Answer):
    """What a scan or inspection found, as recorded."""

    on: dt.date
    channel: Literal["scan", "inspection"]
    result: Literal["clear", "anomaly", "violation"]
    findings: str


class InspectionRecord(Answer):
    """One recorded inspection result, with who recorded it and when (the history keeps all)."""

    id: int
    declaration: int
    on: dt.date
    channel: Literal["scan", "inspection"]
    result: Literal["clear", "anomaly", "violation"]
    findings: str
    recorded_at: Instant = Field(description="when the platform recorded it (UTC)")
    token_id: int | None = Field(description="the recording token (null: the admin token)")
    role: str | None = Field(description="the recording token's role (null: not recorded)")


class DeclarationOut(Answer):
    """A declaration as decided."""

    id: int
    reference: str
    book: str
    entity: str
    port: Port
    date: dt.date
    tier: Tier = Field(description="the declarant's tier on the declaration date")
    risk_score: float
    channel: Channel
    duties: Duties
    lines: list[LineOut]
    inspection: Inspection | None = Field(
        None, description="the latest result recorded (every one: GET .../inspections)"
    )


class InspectionIn(Request):
    """The result of a scan or inspection (on or after the declaration's date)."""

    on: Day
    channel: Literal["scan", "inspection"]
    result: Literal["clear", "anomaly", "violation"]
    findings: str = Field("", max_length=2000)
