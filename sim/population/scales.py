"""What the generator needs to know of the credit rules' scale table.

The department scales, which grades list an enterprise (category 1), which customs grades count
as AEO and how many years a listing lasts are the credit rules' data (``sim.rules``'s packaged
table, overridable in the scenario's ``credit`` section). The generator reads them through this
small view, built from that table (:meth:`Scales.from_table`), so that
ratings it plants are valid grades and the tiers it computes agree with the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.rules.credit import CreditTable

__all__ = ["RatingScale", "Scales"]


@dataclass(frozen=True)
class RatingScale:
    """One department's grades.

    Attributes:
        grades: best first, lowest last.
        listing: the grades recognised as the unified scale's lowest level (category 1).
    """

    grades: tuple[str, ...]
    listing: frozenset[str]

    @property
    def lowest(self) -> str:
        """The department's lowest grade."""
        return self.grades[-1]

    @property
    def recovered(self) -> str:
        """The lowest grade that does not list: where a rating rising from the bottom lands."""
        above = [g for g in self.grades if g not in self.listing]
        if not above:
            raise ValueError(f"every grade of {self.grades} lists; none to recover to")
        return above[-1]


@dataclass(frozen=True)
class Scales:
    """The departments' scales, the AEO grades and the removal periods."""

    departments: dict[str, RatingScale]
    aeo_grades: frozenset[str]
    removal_years: int = 3
    individual_removal_years: int = 3

    @staticmethod
    def from_table(table: CreditTable) -> Scales:
        """The view of a credit table (the packaged one or a scenario's ``credit`` section)."""
        departments = {
            key: RatingScale(
                tuple(scale.grades),
                frozenset(g for g in scale.grades if table.is_listing_grade(key, g)),
            )
            for key, scale in table.departments.items()
        }
        return Scales(
            departments,
            frozenset(table.aeo_grades),
            int(table.removal_years),
            int(table.individual_removal_years),
        )

    def index(self, department: str) -> int:
        """Position of ``department`` in :attr:`departments` (the events' department code)."""
        return list(self.departments).index(department)

