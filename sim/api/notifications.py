"""Notifications: each department's feed of credit-tier changes (``GET /v1/notifications``).

Every change of an entity's tier is pushed to the departments concerned. A department token
reads its own feed in id order with a cursor (``after``: the ``next`` of the previous page), so
it sees each change once; ``until`` hides changes dated later (automatic removals are known, and
stored, before their date comes).
"""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from sim.api.common import Answer
from sim.api.credit import Ground
from sim.rules.tiers import Tier

__all__ = ["NotificationFeed", "NotificationOut"]


class NotificationOut(Answer):
    """One tier change of one entity (``from`` and ``to`` are JSON members; ``from_tier``
    and ``to_tier`` in Python, ``from`` being a keyword)."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    id: int = Field(description="position in the feed (the cursor)")
    entity: str
    date: dt.date = Field(description="the first day of the new tier")
    from_tier: Tier = Field(alias="from")
    to_tier: Tier = Field(alias="to")
    grounds: list[Ground] = Field(description="the grounds active from that day")
    ended: list[Ground] = Field(description="the grounds that ended that day")


class NotificationFeed(Answer):
    """A page of one department's feed."""

    department: str
    notifications: list[NotificationOut]
    next: int = Field(ge=0, description="``after`` for the next page (unchanged when empty)")
