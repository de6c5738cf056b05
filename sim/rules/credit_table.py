"""The credit scale table: each department's grades and their mutual recognition.

Hainan's second-line credit classification draws on ratings from many departments (customs, tax,
market supervision, maritime, transport, postal, agriculture, forestry, anti-smuggling), each on
its own scale. A *mutual-recognition table* maps every grade of every department onto one
unified scale, so that "the lowest grade of some department's rating" (a category-1 listing
ground) means the same thing whichever department issued it.

The table is data, not code: ``data/credit_scales.yaml`` ships in this package and documents
where each scale comes from and which parts are assumptions. :func:`load_table` deep-merges a
mapping of overrides onto it (a scenario's ``credit:`` section does exactly that) and validates
the result, so a scenario can add a department, replace a scale or change who is notified.

Rules the table must satisfy (checked when it is built):

- every department lists at least two distinct grades, best to lowest;
- every grade maps to a level of ``unified_levels``, and the mapping never improves as the
  grade worsens;
- each department's lowest grade maps to the unified scale's last level, the *listing level*
  (a rating there is a category-1 ground); other grades may map there too;
- ``customs`` exists (AEO certification is a customs act), ``aeo_grades`` are customs grades,
  and everyone in ``notify`` and ``issuers`` is a known department.

``issuers`` says which departments may record each kind of event besides a rating (an AEO
certification is customs', a smuggling penalty customs' or the anti-smuggling police's ...): the
reference platform lets a department post only those, and a history file naming another
department for such an event is refused.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "CreditTable",
    "CreditTableError",
    "DepartmentScale",
    "default_table",
    "is_valid_grade",
    "load_table",
    "lowest_grade",
    "packaged_table_data",
]

_PACKAGED = "data/credit_scales.yaml"


class CreditTableError(ValueError):
    """An invalid scale table or override, located by the dotted path of the offending field."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class DepartmentScale(BaseModel):
    """One department's rating scale.

    Attributes:
        name: a human-readable name.
        source: where the scale comes from (or ``[A]`` when assumed).
        grades: the grades, best first, lowest last.
        unified: each grade's level on the unified scale, in the order of ``grades``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    source: str = ""
    grades: tuple[str, ...] = Field(min_length=2, description="grades, best first, lowest last")
    unified: tuple[str, ...] = Field(
        description="the unified level of each grade, in the order of `grades`"
    )

    @model_validator(mode="after")
    def _consistent(self) -> DepartmentScale:
        if len(set(self.grades)) != len(self.grades):
            dup = next(g for g in self.grades if self.grades.count(g) > 1)
            raise ValueError(f"grades: grade {dup!r} listed twice")
        if len(self.unified) != len(self.grades):
            raise ValueError(
                f"unified: needs one level per grade ({len(self.grades)}), got {len(self.unified)}"
            )
        return self

    def level(self, grade: str) -> str:
        """The unified level ``grade`` is recognised as (ValueError if not a grade)."""
        return self.unified[self.grades.index(grade)]

    @property
    def lowest(self) -> str:
        """The lowest grade of this scale."""
        return self.grades[-1]


class CreditTable(BaseModel):
    """The whole mutual-recognition table (see the module docstring for its rules).

    Attributes:
        unified_levels: the unified scale, best first; the last level is the listing level.
        departments: each department's scale, by key (``customs``, ``tax`` ...).
        aeo_grades: customs grades that count as AEO certification.
        removal_years: years after the latest listing event at which a category-2 ground lapses.
        individual_removal_years: the same for an individual's listing.
        notify: departments told of every tier change.
        issuers: event kind -> the departments that may record it (kinds not listed: any).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    unified_levels: tuple[str, ...] = Field(min_length=2)
    departments: dict[str, DepartmentScale] = Field(min_length=1)
    aeo_grades: tuple[str, ...] = ("advanced_certified",)
    removal_years: int = Field(3, ge=1, le=100)
    individual_removal_years: int = Field(3, ge=1, le=100)
    notify: tuple[str, ...] = ()
    issuers: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="[A] event kind -> the departments that may record it (a rating is every "
        "department's own; kinds not listed: any department)",
    )

    _listing: frozenset[tuple[str, str]] = PrivateAttr(default=frozenset())
    _order: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> CreditTable:
        levels = self.unified_levels
        if len(set(levels)) != len(levels):
            raise ValueError(f"unified_levels: levels must be distinct (got {list(levels)})")
        rank = {level: i for i, level in enumerate(levels)}
        for key, scale in self.departments.items():
            where = f"departments.{key}.unified"
            previous = -1
            for index, (grade, level) in enumerate(zip(scale.grades, scale.unified, strict=True)):
                if level not in rank:
                    raise ValueError(
                        f"{where}.{index}: {level!r} is not a unified level {list(levels)}"
                    )
                if rank[level] < previous:
                    raise ValueError(
                        f"{where}.{index}: grade {grade!r} is recognised as a better level "
                        f"({level!r}) than the grade above it"
                    )
                previous = rank[level]
            if scale.unified[-1] != levels[-1]:
                raise ValueError(
                    f"{where}: the lowest grade {scale.lowest!r} must map to the listing level "
                    f"{levels[-1]!r} (got {scale.unified[-1]!r})"
                )
        if "customs" not in self.departments:
            raise ValueError("departments: 'customs' is required (AEO is a customs certification)")
        for event, departments in self.issuers.items():
            if event == "rating":
                raise ValueError("issuers.rating: every department rates on its own scale")
            for dept in departments:
                if dept not in self.departments:
                    raise ValueError(
                        f"issuers.{event}: {dept!r} is not a department {list(self.departments)}"
                    )
        return self

    @field_validator("aeo_grades")
    @classmethod
    def _customs_grades(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        customs = info.data.get("departments", {}).get("customs")
        for grade in value:
            if customs is not None and grade not in customs.grades:
                raise ValueError(f"{grade!r} is not a customs grade {list(customs.grades)}")
        return value

    @field_validator("notify")
    @classmethod
    def _known_departments(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        known = info.data.get("departments")
        for dept in value:
            if known is not None and dept not in known:
                raise ValueError(f"{dept!r} is not a department {list(known)}")
        return value

    def model_post_init(self, context: Any, /) -> None:
        """Precompute the lookups classification uses for every event."""
        last = self.unified_levels[-1]
        self._listing = frozenset(
            (key, grade)
            for key, scale in self.departments.items()
            for grade, level in zip(scale.grades, scale.unified, strict=True)
            if level == last
        )
        self._order = {key: i for i, key in enumerate(self.departments)}

    def is_valid_grade(self, department: str, grade: str) -> bool:
        """Whether ``grade`` is on ``department``'s scale (False for an unknown department)."""
        scale = self.departments.get(department)
        return scale is not None and grade in scale.grades

    def lowest_grade(self, department: str) -> str:
        """The lowest grade of ``department``'s scale.

        Raises:
            KeyError: the department is not in the table.
        """
        return self.departments[department].lowest

    def unified_level(self, department: str, grade: str) -> str:
        """The unified level a department's grade is recognised as.

        Raises:
            KeyError: unknown department. ValueError: unknown grade.
        """
        return self.departments[department].level(grade)

    def is_listing_grade(self, department: str, grade: str) -> bool:
        """Whether a rating of ``grade`` by ``department`` is a category-1 listing ground."""
        return (department, grade) in self._listing

    def may_record(self, department: str, event: str) -> bool:
        """Whether ``department`` may record an ``event`` (see ``issuers``; a rating: yes)."""
        allowed = self.issuers.get(event)
        return allowed is None or department in allowed

    def is_aeo_grade(self, grade: str) -> bool:
        """Whether a customs rating of ``grade`` counts as AEO certification."""
        return grade in self.aeo_grades

    def department_order(self, department: str) -> int:
        """A department's position in the table (to list departments in a stable order)."""
        return self._order.get(department, len(self._order))


def packaged_table_data() -> dict[str, Any]:
    """The packaged table as plain data (a fresh copy the caller may change)."""
    return copy.deepcopy(_packaged_raw())


@functools.lru_cache(maxsize=1)
def _packaged_raw() -> dict[str, Any]:
    text = resources.files("sim.rules").joinpath(_PACKAGED).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict), "the packaged credit table must be a mapping"
    return data


@functools.lru_cache(maxsize=1)
def default_table() -> CreditTable:
    """The packaged table, validated once and shared (it is immutable)."""
    return CreditTable.model_validate(_packaged_raw())


def _merge(base: Any, update: Any) -> Any:
    # Mappings merge key by key; lists and scalars replace, as scenario overrides do.
    if isinstance(base, Mapping) and isinstance(update, Mapping):
        merged = dict(base)
        for key, value in update.items():
            merged[key] = _merge(merged[key], value) if key in merged else copy.deepcopy(value)
        return merged
    return copy.deepcopy(update)


def load_table(overrides: Mapping[str, Any] | None = None) -> CreditTable:
    """Build a table: the packaged one with ``overrides`` deep-merged onto it, validated.

    Args:
        overrides: plain data shaped like the YAML file, e.g. ``{"notify": ["customs"],
            "departments": {"tax": {"grades": [...], "unified": {...}}}}``.
            Mappings merge key by key; lists and scalars replace.

    Returns:
        The validated table (the shared default when there are no overrides).

    Raises:
        CreditTableError: the merged table breaks a rule; names the dotted path.
    """
    if not overrides:
        return default_table()
    data = _merge(_packaged_raw(), overrides)
    try:
        return CreditTable.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        path = ".".join(str(part) for part in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        raise CreditTableError(path, message) from None


def lowest_grade(department: str, table: CreditTable | None = None) -> str:
    """The lowest grade of ``department`` in ``table`` (default: the packaged table).

    Raises:
        KeyError: unknown department.
    """
    return (table or default_table()).lowest_grade(department)


def is_valid_grade(department: str, grade: str, table: CreditTable | None = None) -> bool:
    """Whether ``grade`` belongs to ``department``'s scale in ``table`` (default: packaged)."""
    return (table or default_table()).is_valid_grade(department, grade)
