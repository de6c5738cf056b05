"""What every message of the platform API shares: strict models, dated actions, duties.

Requests and answers are both *closed*: an unknown member is an error. For a request that is
the platform refusing ``{"qty": 1, "colour": "red"}`` with a 422 naming ``body.colour``; for an
answer it is the contract itself, so an answer that grows a member the contract does not name
fails the platform's own tests (and the typed client's validation) instead of drifting silently.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sim.api.fields import Day

__all__ = ["Answer", "Duties", "OnIn", "Request"]


class Request(BaseModel):
    """Base of every request body: unknown members are refused."""

    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    """Base of every answer body: exactly the members the contract names."""

    model_config = ConfigDict(extra="forbid")


class OnIn(Request):
    """A dated action (booking an entry, settling one, applying for batch exit ...)."""

    on: Day


class Duties(Answer):
    """Taxes assessed on one movement, in integer fen."""

    duty_fen: int = Field(ge=0, description="import duty")
    vat_fen: int = Field(ge=0, description="import value-added tax")
    consumption_fen: int = Field(ge=0, description="consumption tax")
    total_fen: int = Field(ge=0, description="the three together")
