"""The drill catalogue's schema: what a catalogue file may say, checked field by field.

The models of a catalogue file (:class:`FileDoc`: ``processes`` and ``fragments``), a process
(:class:`ProcessDoc`), a role's profile (:class:`RoleSpec`) and a step (:class:`StepSpec`, or
:class:`IncludeSpec` for a fragment), all closed (an unknown field is an error). What a step
means against its process and the API contract is checked by :mod:`sim.drill.catalogue`;
errors from either are :class:`CatalogueError` lines built with :func:`error_line`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.drill.operations import DRILL_OPERATIONS, NOT_SUPPORTED
from sim.rules.ports import PORTS
from sim.rules.tiers import Tier
from sim.scenario.errors import format_value

__all__ = [
    "CatalogueError",
    "FileDoc",
    "IncludeSpec",
    "ProcessDoc",
    "RoleSpec",
    "StepSpec",
    "error_line",
    "first_error",
]


class CatalogueError(ValueError):
    """A mistake in a drill catalogue, as one line naming the file, the step and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleSpec(_Strict):
    """The profile of a synthetic entity a process needs (checked on the process's start)."""

    kind: Literal["enterprise", "individual"]
    tier: Tier = Field("whitelist", description="its tier on the start date, with no ground "
                       "active unless key_attention")
    hainan: bool | None = Field(None, description="enterprise registered in Hainan")
    zero_tariff: bool | None = Field(None, description="enterprise eligible for zero tariff")
    encouraged: bool | None = Field(None, description="encouraged-industry enterprise")
    age: Literal["adult", "minor"] | None = Field(None, description="individual 18+ or under")

    @model_validator(mode="after")
    def _fits_kind(self) -> RoleSpec:
        if self.kind == "individual":
            for name in ("hainan", "zero_tariff", "encouraged"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name}: only for enterprises")
            if self.tier == "aeo":
                raise ValueError("tier: individuals are whitelist or key_attention")
        elif self.age is not None:
            raise ValueError("age: only for individuals")
        return self


class StepSpec(_Strict):
    """One step as the catalogue states it."""

    name: str = Field(min_length=1, max_length=80)
    op: str
    entity: str = Field(min_length=1)
    day: int | None = Field(None, ge=0, le=36_600)
    date: dt.date | None = None
    entry: str | None = Field(None, min_length=1, max_length=64)
    to: str | None = None
    of: str | None = None
    body: dict[str, Any] = Field(default_factory=dict)

    @field_validator("op")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in DRILL_OPERATIONS and value not in NOT_SUPPORTED:
            known = ", ".join([*DRILL_OPERATIONS, *NOT_SUPPORTED])
            raise ValueError(f"unknown operation (one of {known})")
        return value


class IncludeSpec(_Strict):
    """A step that includes a fragment's steps, each about ``entity``."""

    include: str
    entity: str


class ProcessDoc(_Strict):
    """A process as the file states it (its steps checked one by one afterwards)."""

    title: str = Field(min_length=1)
    description: str = ""
    ports: Literal["seaports", "airports"] | list[str]
    start: dt.date
    roles: dict[str, RoleSpec] = Field(min_length=1)
    steps: list[dict[str, Any]] = Field(min_length=1)

    @field_validator("ports")
    @classmethod
    def _ports(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list):
            known = [p.id for p in PORTS]
            for port in value:
                if port not in known:
                    raise ValueError(f"unknown port id {port!r}; known: {', '.join(known)}")
        return value


class FileDoc(_Strict):
    """A catalogue file."""

    fragments: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    processes: dict[str, ProcessDoc] = Field(default_factory=dict)


def first_error(exc: ValidationError) -> tuple[str, str, Any]:
    """The first error of a validation: (dotted field, message, offending value or None)."""
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
    message = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input") if err["type"] not in ("missing", "extra_forbidden") else None
    if err["type"] == "extra_forbidden":
        message = "unknown field"
    return where, message, value


def error_line(source: str, where: str, field: str, message: str, value: Any = None) -> str:
    """``SOURCE: WHERE: FIELD: MESSAGE (got VALUE)`` on one line."""
    got = "" if value is None else f" (got {format_value(value)})"
    at = f"{field}: " if field else ""
    return f"{source}: {where}: {at}{message}{got}"

