"""Entities: the enterprises and individuals the platform knows, by a key the client chooses.

``POST /v1/entities`` registers an enterprise by its unified social credit code (GB 32100) or an
individual by resident identity number (GB 11643); the platform verifies the check character
and stores the code upper-case. ``GET /v1/entities/{id}`` reads the registration back.
"""

from __future__ import annotations

from pydantic import Field

from sim.api.common import Answer, Request
from sim.api.fields import EntityId
from sim.rules.credit import EntityKind

__all__ = ["EntityIn", "EntityKind", "EntityOut"]


class EntityIn(Request):
    """An entity to register."""

    id: EntityId
    kind: EntityKind
    code: str = Field(description="USCC (enterprise) or resident identity number (individual)")
    name: str = Field(default="", max_length=200)
    registered_in_hainan: bool = False


class EntityOut(Answer):
    """A registered entity."""

    id: str
    kind: EntityKind
    code: str = Field(description="as registered, upper-case")
    name: str
    registered_in_hainan: bool
