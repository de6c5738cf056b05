"""Entities: the enterprises and individuals the platform knows, by a key the client chooses.

``POST /v1/entities`` registers an enterprise by its unified social credit code (GB 32100) or an
individual by resident identity number (GB 11643); the platform verifies the check character
and stores the code upper-case. ``GET /v1/entities/{id}`` reads the registration back.
"""

from __future__ import annotations

from pydantic import Field

from sim.api.common import Answer, Request
from sim.api.fields import EntityId, Flag
from sim.rules.credit import EntityKind

__all__ = ["EntityIn", "EntityKind", "EntityOut"]


class EntityIn(Request):
    """An entity to register."""

    id: EntityId
    kind: EntityKind
    code: str = Field(
        min_length=1,
        max_length=64,
        description="USCC (enterprise) or resident identity number (individual), 18 characters",
    )
    name: str = Field(default="", max_length=200)
    registered_in_hainan: Flag = False


class EntityOut(Answer):
    """A registered entity."""

    id: str
    kind: EntityKind
    code: str = Field(description="as registered, upper-case")
    name: str
    registered_in_hainan: bool
