"""The base class of every scenario section.

Sections live in their own modules (``sim.scenario.population`` ...) and the top-level
:class:`~sim.scenario.schema.Scenario` gathers them; they share this base so that every level of a
scenario rejects unknown keys and re-validates on assignment.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["StrictModel"]


class StrictModel(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)
