"""The scenario's ``goods`` section: enterprises moving supervised goods through their books.

The model runs a sample of zero-tariff-eligible enterprises, each with an account book, through the
full process (:mod:`sim.model.goods_flow`): first-line imports booked within 14 days, processing,
transfers, sales on the island and shipments to the mainland. A shipment of supervised goods
becomes a second-line declaration at a port drawn from ``port_shares`` (about 80% through Xinhai
and South Port [S] bastillepost-5459727); an enterprise using batch exit files an exit list instead
and consolidates the month by the 25th of the next. Late filings are planted at known rates, so
suspensions and reinstatements can be counted. With ``drives_trucks`` (the default) every such
shipment, declared or batch, is a supervised truck at its port: the goods flow, not
``ports.*.flows.cargo_truck.per_day``, sets the truck traffic (see :mod:`sim.model.shipments`).

Almost nothing here is published, so almost every figure is an assumption [A] with its default
documented on the field. The what-if "batch-exit adoption from 10% to 80%" sets
``batch_exit_adoption`` (see ``scenarios/batch_exit_adoption.yaml``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.rules.goods import TariffTable, default_tariff, load_tariff
from sim.rules.ports import PORT_IDS
from sim.scenario.distributions import Distribution, Uniform
from sim.scenario.schema_base import StrictModel
from sim.scenario.validation import field_error

__all__ = [
    "PORT_SHARE_DEFAULTS",
    "GoodsConfig",
    "GoodsLine",
    "GoodsTierShares",
    "TariffOverride",
]


PORT_SHARE_DEFAULTS: dict[str, float] = {
    "xinhai": 0.487,
    "nangang": 0.313,
    "haikou": 0.058,
    "yangpu": 0.077,
    "basuo": 0.012,
    "sanya_port": 0.007,
    "qinglan": 0.006,
    "meilan": 0.024,
    "phoenix": 0.014,
    "boao": 0.002,
}
"""Share of second-line shipments by port: Xinhai + South Port 80% [S] bastillepost-5459727;
the split between the two and among the other eight in proportion to their baseline
``cargo_truck.per_day`` (700:450; 120:160:25:15:12:50:30:4), which sized their channels [A]."""


class GoodsLine(StrictModel):
    """One kind of goods the enterprises import, and what processing makes of it."""

    code: str = Field(min_length=1, description="tariff code (a line of the tariff table)")
    weight: float = Field(gt=0, description="relative frequency among imports [A]")
    regime: Literal["zero_tariff", "relaxed_trade"] = Field(
        "zero_tariff", description="import regime; relaxed-trade goods never leave their user"
    )
    unit_value_fen: int = Field(gt=0, description="customs value per unit, fen [A]")
    qty_min: int = Field(1, ge=1, description="smallest import, units [A]")
    qty_max: int = Field(100, ge=1, description="largest import, units [A]")
    product_code: str | None = Field(
        None, description="tariff code of what processing makes of it (None: not processed)"
    )
    input_per_unit: int = Field(1, ge=1, description="units consumed per unit of product")

    @model_validator(mode="after")
    def _range(self) -> GoodsLine:
        if self.qty_max < self.qty_min:
            raise field_error(("qty_max",), "must be >= qty_min", self.qty_max)
        return self


class TariffOverride(StrictModel):
    """Fields of a tariff line to replace; a new code needs at least ``duty`` and ``vat``."""

    description: str | None = None
    duty: float | None = Field(None, ge=0, description="import-duty rate")
    vat: float | None = Field(None, ge=0, description="import-VAT rate")
    consumption: float | None = Field(None, ge=0, lt=1, description="consumption-tax rate")
    taxed_list: bool | None = Field(None, description="on the taxed list (not waived)")
    permit_required: bool | None = Field(None, description="permit needed for the mainland")


def _lines() -> list[GoodsLine]:
    # An illustrative import mix [A]: frozen beef processed into jerky, polyethylene moulded into
    # plastic articles, and goods resold as they are; used machinery under relaxed trade.
    return [
        GoodsLine(code="0202.30", weight=3, unit_value_fen=6_000, qty_min=500, qty_max=5_000,
                  product_code="1602.50", input_per_unit=2),
        GoodsLine(code="3901.10", weight=3, unit_value_fen=1_000, qty_min=1_000,
                  qty_max=20_000, product_code="3926.90", input_per_unit=1),
        GoodsLine(code="2204.21", weight=2, unit_value_fen=8_000, qty_min=100, qty_max=2_000),
        GoodsLine(code="3304.99", weight=2, unit_value_fen=20_000, qty_min=50, qty_max=1_000),
        GoodsLine(code="8517.13", weight=2, unit_value_fen=300_000, qty_min=10, qty_max=500),
        GoodsLine(code="8408.20", weight=1, unit_value_fen=2_000_000, qty_min=1, qty_max=20),
        GoodsLine(code="8462.29", weight=0.5, regime="relaxed_trade",
                  unit_value_fen=50_000_000, qty_min=1, qty_max=2),
    ]  # fmt: skip


class GoodsTierShares(StrictModel):
    """Credit tiers of the goods enterprises the model draws itself [A] (must sum to 1).

    Read only with ``policy.declarants: shares``; in the default world the enterprises are
    sampled from the population with their own tiers (``population.enterprises.aeo_share``).
    The tiers of Poisson trucks are ``policy.tier_shares``.
    """

    aeo: float = Field(0.10, ge=0, le=1, description="AEO share [A]")
    whitelist: float = Field(0.85, ge=0, le=1, description="whitelist share [A]")
    key_attention: float = Field(0.05, ge=0, le=1, description="key-attention share [A]")

    @model_validator(mode="after")
    def _sum(self) -> GoodsTierShares:
        total = self.aeo + self.whitelist + self.key_attention
        if abs(total - 1.0) > 1e-6:
            raise field_error(
                ("whitelist",), f"tier shares must sum to 1, they sum to {total:g}", self.whitelist
            )
        return self


def _margin() -> Distribution:
    return Uniform(kind="uniform", low=0.10, high=0.60)


class GoodsConfig(StrictModel):
    """Goods activity of the run (see the module docstring)."""

    enabled: bool = Field(True, description="simulate goods activity and report a goods block")
    drives_trucks: bool = Field(
        True,
        description="the supervised trucks at the ports are the goods flow's second-line "
        "shipments (declarations and batch-exit shipments), timed by each port's cargo_truck "
        "hourly profile; false: trucks arrive as the Poisson process of "
        "ports.*.flows.cargo_truck.per_day, independent of the goods flow (textbook queues)",
    )
    enterprises: int = Field(
        3_900,
        ge=1,
        description="eligible enterprises shipping supervised goods [A]: 3,900 x "
        "shipments_per_day 0.4 = ~1,560 shipments, i.e. supervised trucks, on an ordinary day, "
        "the ~1,570 a day the ports were sized for (sum of ports.*.flows.cargo_truck.per_day); "
        "of more than 10,000 eligible in 2026 [S] helm-2026-02-06",
    )
    encouraged_share: float = Field(
        0.2,
        ge=0,
        le=1,
        description="share in an encouraged industry (value-added policy) [A]; only with "
        "policy.declarants: shares (else population.enterprises.encouraged_share)",
    )
    tier_shares: GoodsTierShares = Field(
        default_factory=GoodsTierShares,
        description="tiers of the goods enterprises (and so of goods-driven trucks) with "
        "policy.declarants: shares; with declarants: population they come from the population",
    )
    batch_exit_adoption: float = Field(
        0.10, ge=0, le=1, description="share of AEO/whitelist enterprises using batch exit [A]"
    )
    opening_imports: int = Field(
        3, ge=0, description="import lots each enterprise holds, booked, at the start [A]"
    )
    imports_per_month: float = Field(
        2.0, ge=0, description="first-line imports per enterprise per month [A]"
    )
    shipments_per_day: float = Field(
        0.4,
        ge=0,
        description="second-line shipments per enterprise per ordinary day [A]: ~12 a month, "
        "the mean of population.enterprises.shipments_per_month; scaled by the calendar's "
        "cargo_truck multipliers",
    )
    ship_fraction: float = Field(
        0.3, gt=0, le=1, description="share of a holding one shipment takes [A]"
    )
    process_per_day: float = Field(
        0.2, ge=0, le=1, description="chance an enterprise with processable inputs processes [A]"
    )
    transfer_per_day: float = Field(
        0.05, ge=0, le=1, description="chance of a transfer to another eligible enterprise [A]"
    )
    island_sale_per_day: float = Field(
        0.03, ge=0, le=1, description="chance of a sale to a non-eligible buyer on the island [A]"
    )
    domestic_input_ratio: float = Field(
        0.25, ge=0, description="domestic inputs bought per fen of imported inputs processed [A]"
    )
    margin: Distribution = Field(
        default_factory=_margin,
        description="sale price over input value, minus 1: the value added [A]",
    )
    late_booking_rate: float = Field(
        0.02, ge=0, le=1, description="imports not booked within 14 days (planted) [A]"
    )
    late_declaration_rate: float = Field(
        0.05, ge=0, le=1, description="consolidated declarations filed after the 25th [A]"
    )
    missing_permit_rate: float = Field(
        0.01, ge=0, le=1, description="batch shipments without a needed permit (planted) [A]"
    )
    reinstatement_days: int = Field(
        7, ge=0, description="days from suspension to an accepted reinstatement application [A]"
    )
    port_shares: dict[str, float] = Field(
        default_factory=lambda: dict(PORT_SHARE_DEFAULTS),
        description="second-line shipments (declarations and batch-exit shipments, i.e. "
        "supervised trucks) by port; Xinhai + South Port ~80% [S] bastillepost-5459727",
    )
    lines: list[GoodsLine] = Field(default_factory=_lines, min_length=1)
    tariff: dict[str, TariffOverride] = Field(
        default_factory=dict,
        description="changes to the packaged tariff table (sim/rules/data/tariff.yaml), by code",
    )

    def tariff_table(self) -> TariffTable:
        """The packaged tariff table with this section's ``tariff`` changes applied."""
        return load_tariff(overrides={
            code: {k: v for k, v in o.model_dump().items() if v is not None}
            for code, o in self.tariff.items()
        })  # fmt: skip

    @model_validator(mode="after")
    def _shares(self) -> GoodsConfig:
        for port, share in self.port_shares.items():
            if port not in PORT_IDS:
                raise field_error(("port_shares", port),
                                  f"unknown port id; known: {', '.join(PORT_IDS)}", port)
            if share < 0:
                raise field_error(("port_shares", port), "must be >= 0", share)
        total = sum(self.port_shares.values())
        if abs(total - 1.0) > 1e-6:
            raise field_error(
                ("port_shares",), f"shares must sum to 1, they sum to {total:g}", self.port_shares
            )
        packaged = default_tariff()
        for code, o in self.tariff.items():
            if code not in packaged and (o.duty is None or o.vat is None):
                raise field_error(("tariff", code), "a new tariff line needs duty and vat",
                                  o.model_dump(exclude_none=True))
        table = self.tariff_table()
        for i, line in enumerate(self.lines):
            for name in ("code", "product_code"):
                code = getattr(line, name)
                if code is not None and code not in table:
                    raise field_error(("lines", i, name), "not a line of the tariff table", code)
        return self
