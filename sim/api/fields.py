"""Field types of the platform API: identifiers, quantities, money, tariff lines, ports.

Each is an ``Annotated`` type carrying its constraints, so the same declaration serves three
readers: the reference platform refuses a bad value during request validation (a 422 naming the
field, before any handler runs), the typed client refuses it before anything is sent, and
``/openapi.json`` documents it. Ports are the ten second-line ports of :mod:`sim.rules.ports`,
by their stable ids (``xinhai``, ``nangang`` ...): the schema lists them as an enum, while a
wrong one is still answered with the sentence naming the ten.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from sim.rules.ports import PORT_IDS

__all__ = ["Code", "EntityId", "Fen", "Id", "Port", "Qty"]


def _port(value: str) -> str:
    if value not in PORT_IDS:
        raise ValueError(f"unknown second-line port {value!r} (one of {', '.join(PORT_IDS)})")
    return value


Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:/-]+$")]
"""An identifier chosen by the client (book, entry, shipment, item, reference)."""

EntityId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
"""A registered entity's key (an :data:`Id` without ``/``: it appears in URL paths)."""

Qty = Annotated[int, Field(gt=0, le=10**12)]
"""A positive whole number of units."""

Fen = Annotated[int, Field(ge=0, le=10**15)]
"""Money in integer fen (1 CNY = 100 fen), never negative."""

Code = Annotated[str, Field(min_length=1, max_length=20)]
"""A tariff line, e.g. ``0202.30``."""

Port = Annotated[
    str,
    Field(min_length=1, max_length=20, json_schema_extra={"enum": list(PORT_IDS)}),
    AfterValidator(_port),
]
"""One of the ten second-line ports (validated by a function, so a wrong id is answered with
the list of the ten rather than pydantic's enum message)."""
