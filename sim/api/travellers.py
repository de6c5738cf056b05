"""Travellers: the departure check of offshore duty-free purchases against the annual quota.

Each traveller may take off the island duty-free goods worth up to the annual quota (100,000
CNY per person per calendar year since 1 July 2020), and only from 18 years of age.
``POST /v1/travellers/{id}/departure-checks`` records the purchases presented at a departure
and answers the decision: ``pass`` when the year's total stays within the quota,
``over_quota`` with the excess otherwise, ``underage`` when the buyer is under 18.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, Strict

from sim.api.common import Answer, Request
from sim.api.fields import Day, Port

__all__ = ["Decision", "DepartureCheckIn", "DepartureCheckOut", "DutyFreePurchaseIn"]

Decision = Literal["pass", "over_quota", "underage"]
"""A departure check's outcome."""


class DutyFreePurchaseIn(Request):
    """One duty-free purchase presented at departure."""

    amount_fen: Annotated[int, Strict(), Field(gt=0, le=10**12)]
    category: str = Field("", max_length=60)
    shop: str = Field("", max_length=60)


class DepartureCheckIn(Request):
    """The purchases a traveller presents on leaving the island."""

    date: Day
    port: Port
    purchases: list[DutyFreePurchaseIn] = Field(min_length=1, max_length=200)


class DepartureCheckOut(Answer):
    """The decision, with the year's quota accounting (all in fen)."""

    traveller: str
    date: dt.date
    decision: Decision
    amount_fen: int = Field(description="the purchases presented now")
    quota_fen: int = Field(description="the annual quota")
    used_before_fen: int = Field(description="the year's purchases before this check")
    used_fen: int = Field(description="the year's purchases including these")
    remaining_fen: int = Field(description="quota left after these (0 when over)")
    excess_fen: int = Field(description="over the quota because of these (0 when within)")
