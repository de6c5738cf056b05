"""Credit: dated history events in; an entity's tier, a tier's members and the grounds out.

- ``POST /v1/entities/{id}/events`` records a department's rating, a penalty, a listing, an AEO
  certification ... (admin, or a department token for its own department). The rules check the
  event against the rating scales; the answer carries the tier before and after it on its date.
- ``GET /v1/entities/{id}/tier?as_of=DATE`` is the tier on a date with its grounds and the day
  each lapses if nothing recurs.
- ``GET /v1/tiers/{tier}/members?as_of=DATE`` lists the entities holding a tier on a date, a
  page at a time (``after`` is the ``next`` of the previous page).

Tiers are :data:`sim.rules.tiers.Tier`; the classification is :mod:`sim.rules.credit`'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from sim.api.common import Answer, Request
from sim.api.fields import Day
from sim.rules.credit import EntityKind, EventKind
from sim.rules.tiers import Tier

__all__ = ["EventIn", "EventOut", "Ground", "TierMembers", "TierOut"]


class EventIn(Request):
    """A credit-history event.

    A department's token posts only its own department's events, and only the kinds that
    department records (a smuggling penalty is customs' or the anti-smuggling police's, an AEO
    certification customs' ...: the rules' scale table, ``issuers``).
    """

    date: Day
    event: str = Field(
        min_length=1, max_length=40, description="rating, aeo_certified, smuggling_penalty, ..."
    )
    department: str | None = Field(None, min_length=1, max_length=40)
    grade: str | None = Field(None, min_length=1, max_length=40)


class EventOut(Answer):
    """A recorded event with the tier on its date before and after it."""

    id: int
    entity: str
    date: dt.date
    event: EventKind
    department: str | None
    grade: str | None
    tier_before: Tier
    tier_after: Tier
    notifications_added: int = Field(ge=0, description="rows added to departments' feeds")


class Ground(Answer):
    """One active reason for the key-attention list."""

    category: Literal[1, 2] = Field(
        description="1: a department's lowest grade; 2: a penalty, a listing, a violation"
    )
    source: str = Field(description="the department (category 1) or the listing event (2)")
    since: dt.date = Field(description="first day of this uninterrupted run of the ground")
    lapses: dt.date | None = Field(
        description="the day it lapses if nothing recurs; null: when the rating rises"
    )


class TierOut(Answer):
    """An entity's classification on one date."""

    entity: str
    tier: Tier
    grounds: list[Ground]
    as_of: dt.date
    kind: EntityKind
    aeo_certified: bool = Field(description="holds AEO certification that day (even if listed)")


class TierMembers(Answer):
    """A page of the entities holding a tier on a date, by entity id."""

    tier: Tier
    as_of: dt.date
    members: list[str]
    next: str | None = Field(description="``after`` for the next page; null on the last one")
