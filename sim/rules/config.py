"""The rules' configuration: everything a decision depends on besides the facts it is about.

A decision on a declaration, a departure or a tier depends on *facts* (the account book, the
credit history, the purchases presented) and on *configuration*: the risk model (indicators,
weights, thresholds, treatment by tier, the random-selection seed), the credit scale table, the
tariff table and the duty-free quota. :class:`RulesConfig` is that configuration as one value.

Its defaults are the packaged data of this package (``data/risk_model.yaml``,
``data/credit_scales.yaml``, ``data/tariff.yaml``) and :data:`~sim.rules.dutyfree.ANNUAL_QUOTA_FEN`:
the one home of every default. A scenario builds its own (``Scenario.rules_config()``) from its
``policy:``, ``credit:``, ``goods.tariff`` and duty-free quota, and the reference platform is
configured with it as JSON, so a what-if policy decides on the platform exactly as in the model.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.rules.credit_table import CreditTable, default_table
from sim.rules.dutyfree import ANNUAL_QUOTA_FEN
from sim.rules.goods import TariffTable, load_tariff
from sim.rules.risk import RiskModel, packaged_risk_model, unknown_ground

__all__ = ["RulesConfig", "default_rules"]


class RulesConfig(BaseModel):
    """The configuration every decision of the rules takes (see the module docstring).

    Attributes:
        risk: the risk model routing declarations.
        credit: the credit scale table classifying entities.
        tariff: changes to the packaged tariff table, by code (the fields of a line:
            ``duty``, ``vat``, ``consumption``, ``taxed_list``, ``permit_required``,
            ``description``), as ``sim.rules.goods.load_tariff`` takes them.
        duty_free_quota_fen: the offshore duty-free quota per traveller and calendar year.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    risk: RiskModel = Field(default_factory=packaged_risk_model)
    credit: CreditTable = Field(default_factory=default_table)
    tariff: dict[str, dict[str, Any]] = Field(default_factory=dict)
    duty_free_quota_fen: int = Field(ANNUAL_QUOTA_FEN, gt=0)

    @model_validator(mode="after")
    def _grounds_known(self) -> RulesConfig:
        unknown = unknown_ground(self.risk.grounds, self.credit.departments)
        if unknown is not None:
            raise ValueError(
                f"risk.grounds: {unknown!r} is no listing ground (a department of the credit "
                "table or a listing event)"
            )
        return self

    @functools.cached_property
    def tariff_table(self) -> TariffTable:
        """The packaged tariff table with :attr:`tariff`'s changes (built once)."""
        return load_tariff(overrides=self.tariff)


@functools.cache
def default_rules() -> RulesConfig:
    """The packaged configuration (built once)."""
    return RulesConfig()
