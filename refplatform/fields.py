"""Input field types shared by the routes: identifiers, quantities, money, ports.

Each is an ``Annotated`` type carrying its constraints, so a bad value is refused by request
validation with a 422 naming the field, before any handler runs. Ports are the ten second-line
ports of :mod:`sim.rules.ports`, by their stable ids (``xinhai``, ``nangang`` ...).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from sim.rules.ports import PORT_IDS

__all__ = ["Code", "Fen", "Id", "Port", "Qty"]


def _port(value: str) -> str:
    if value not in PORT_IDS:
        raise ValueError(f"unknown second-line port {value!r} (one of {', '.join(PORT_IDS)})")
    return value


Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:/-]+$")]
"""An identifier chosen by the client (book, entry, shipment, item, reference)."""

Qty = Annotated[int, Field(gt=0, le=10**12)]
"""A positive whole number of units."""

Fen = Annotated[int, Field(ge=0, le=10**15)]
"""Money in integer fen (1 CNY = 100 fen), never negative."""

Code = Annotated[str, Field(min_length=1, max_length=20)]
"""A tariff line, e.g. ``0202.30``."""

Port = Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_port)]
"""One of the ten second-line ports."""
