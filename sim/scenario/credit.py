"""The scenario's ``credit`` section: the credit scale table a run classifies with.

By default it is the table packaged with the rules (``sim/rules/data/credit_scales.yaml``):
departments, their grades best to lowest, the mutual-recognition mapping onto the unified scale,
the customs grades that count as AEO, the removal periods and the departments notified of tier
changes. A scenario states only what differs, merged key by key like every other section::

    credit:
      notify: [customs, tax]
      departments:
        maritime: {grades: [A, B, C], unified: {A: good, B: ordinary, C: lowest}}

The section *is* a :class:`sim.rules.credit_table.CreditTable`, so it can be passed to every
credit rule as the ``table`` argument.
"""

from __future__ import annotations

from sim.rules.credit_table import CreditTable, packaged_table_data

__all__ = ["CreditSection", "default_credit"]


class CreditSection(CreditTable):
    """The credit scale table of a scenario (see the module docstring)."""


def default_credit() -> CreditSection:
    """The packaged table as a scenario section."""
    return CreditSection.model_validate(packaged_table_data())
