"""Field types of the platform API: identifiers, quantities, money, dates, tariff lines, ports.

Each is an ``Annotated`` type carrying its constraints, so the same declaration serves three
readers: the reference platform refuses a bad value during request validation (a 422 naming the
field, before any handler runs), the typed client refuses it before anything is sent, and
``/openapi.json`` documents it.

- Identifiers chosen by the client (:data:`Id`) travel in URL paths, so they never hold ``/``
  and never a dot segment (``.``, ``..``, or ``..`` anywhere): such an id could be created and
  then never reached again.
- Ids the platform generates (:data:`DbId`) and cursors (:data:`Cursor`) are bounded by the
  database's 64-bit integers: ``2**63`` is invalid input, not a crash.
- Quantities, money and flags are *strict*: ``"qty": true``, ``"qty": "1"`` and ``"qty": 1.0``
  are refused rather than read as 1.
- Dates (:data:`Day`) are ``YYYY-MM-DD`` text (or a ``date``), inside the rules' plausible
  window (:mod:`sim.rules.dates`): ``0`` is not 1970-01-01 and year 9999 is no date for a
  shipment.
- Ports are the ten second-line ports of :mod:`sim.rules.ports`, an enum.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, Strict

from sim.rules.dates import FIRST_PLAUSIBLE, LAST_PLAUSIBLE, is_plausible
from sim.rules.ports import PortId

__all__ = [
    "ID_PATTERN",
    "MAX_DB_ID",
    "Code",
    "Cursor",
    "Day",
    "DbId",
    "EntityId",
    "Fen",
    "Flag",
    "Id",
    "Instant",
    "Port",
    "Qty",
    "Year",
]

MAX_DB_ID = 2**63 - 1
"""The largest id the platform's database can hold (a signed 64-bit integer)."""

ID_PATTERN = r"^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$"
"""What a client-chosen id looks like (no ``/``, no empty or dot-only segment, no ``..``)."""

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=ID_PATTERN)]
"""An identifier chosen by the client (book, entity, entry, shipment, item, reference):
letters, digits, ``_``, ``:``, ``-``, and single dots between them."""

EntityId = Id
"""A registered entity's key (the same rule as every client-chosen id)."""

DbId = Annotated[int, Field(ge=1, le=MAX_DB_ID)]
"""An id the platform generated (declaration, transfer, token, audit record)."""

Cursor = Annotated[int, Field(ge=0, le=MAX_DB_ID)]
"""A position in an id-ordered list: the ``next`` of the previous page (0: from the start)."""

Qty = Annotated[int, Strict(), Field(gt=0, le=10**12)]
"""A positive whole number of units (a JSON integer, not a string or a boolean)."""

Fen = Annotated[int, Strict(), Field(ge=0, le=10**15)]
"""Money in integer fen (1 CNY = 100 fen), never negative."""

Year = Annotated[int, Strict(), Field(ge=FIRST_PLAUSIBLE.year, le=LAST_PLAUSIBLE.year)]
"""A calendar year inside the plausible window."""

Flag = Annotated[bool, Strict()]
"""``true`` or ``false`` (not ``"yes"``, not ``1``)."""

Code = Annotated[str, Field(min_length=1, max_length=20)]
"""A tariff line, e.g. ``0202.30``."""


def _date_text(value: Any) -> Any:
    # JSON carries dates as text; a number or a date-time is a mistake, not a day.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise ValueError("a date is text YYYY-MM-DD")
    if isinstance(value, str) and (len(value) != 10 or value[4] != "-" or value[7] != "-"):
        raise ValueError("a date is text YYYY-MM-DD")
    return value


def _plausible(value: dt.date) -> dt.date:
    if not is_plausible(value):
        raise ValueError(f"a date from {FIRST_PLAUSIBLE} to {LAST_PLAUSIBLE}")
    return value


Day = Annotated[dt.date, BeforeValidator(_date_text), AfterValidator(_plausible)]
"""A calendar day, ``YYYY-MM-DD``, from :data:`~sim.rules.dates.FIRST_PLAUSIBLE` to
:data:`~sim.rules.dates.LAST_PLAUSIBLE`."""

Port = PortId
"""One of the ten second-line ports (``xinhai``, ``nangang`` ...)."""


def _utc(value: dt.datetime) -> dt.datetime:
    # Databases hand back naive UTC times (SQLite); an answer always says it is UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


Instant = Annotated[dt.datetime, AfterValidator(_utc)]
"""A moment, in UTC with its offset (RFC 3339 ``date-time``)."""
