"""The ``population`` section: who the enterprises and people are, as shares and rates.

The synthetic population (:mod:`sim.population`) is drawn from these parameters and nothing else,
so "what if AEO coverage doubles" is one ``--set population.enterprises.aeo_share=0.06``. Each
default cites its source in ``docs/sources.md`` where a figure is published (**[S]** stated, **[D]**
derived) and is marked **[A]** where it is an assumption; the marks are repeated in the field
descriptions, which ``customs-sim schema`` prints.

Rates of events in the credit history are annual hazards (expected events per entity-year), and
durations are in months; both are turned into dated events by the generator. Money is in fen.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.rules.dutyfree import ANNUAL_QUOTA_FEN
from sim.scenario.distributions import Distribution, Gamma, LogNormal, Triangular
from sim.scenario.schema_base import StrictModel

__all__ = [
    "DepartmentRatingRates",
    "EnterpriseHistoryRates",
    "EnterpriseMix",
    "IndividualMix",
    "PopulationSection",
]

def _default_industries() -> dict[str, float]:
    # [A] no published breakdown of Hainan's 70,000 foreign-trade entities by industry.
    return {
        "wholesale_trade": 0.30,
        "processing_manufacturing": 0.15,
        "logistics": 0.10,
        "electronics": 0.08,
        "pharma_medical": 0.07,
        "food_agriculture": 0.10,
        "petrochemical": 0.05,
        "retail_tourism": 0.10,
        "marine_equipment": 0.05,
    }


class DepartmentRatingRates(StrictModel):
    """How often one department rates an enterprise at its lowest grade, and for how long."""

    lowest_per_year: float = Field(
        ge=0.0, description="annual hazard of falling to the lowest grade"
    )
    months_at_lowest: float = Field(
        gt=0.0, description="mean months before the rating rises above the lowest grade again"
    )


def _default_ratings() -> dict[str, DepartmentRatingRates]:
    # [A] none of these rates is published; the tax D rate is the most common lowest rating.
    return {
        "customs": DepartmentRatingRates(lowest_per_year=0.002, months_at_lowest=24),
        "tax": DepartmentRatingRates(lowest_per_year=0.008, months_at_lowest=12),
        "market_supervision": DepartmentRatingRates(lowest_per_year=0.004, months_at_lowest=12),
        "maritime": DepartmentRatingRates(lowest_per_year=0.001, months_at_lowest=12),
        "transport": DepartmentRatingRates(lowest_per_year=0.001, months_at_lowest=12),
    }


class EnterpriseHistoryRates(StrictModel):
    """Annual hazards of the dated events in an enterprise's credit history. All **[A]**."""

    ratings: dict[str, DepartmentRatingRates] = Field(
        default_factory=_default_ratings,
        description="[A] per department key: hazard of the lowest grade and time spent there",
    )
    smuggling_penalty_per_year: float = Field(
        0.004, ge=0.0, description="[A] administrative penalties for smuggling per enterprise-year"
    )
    serious_dishonesty_per_year: float = Field(
        0.002, ge=0.0, description="[A] serious-dishonesty listings per enterprise-year"
    )
    serious_dishonesty_removed_share: float = Field(
        0.2, ge=0.0, le=1.0,
        description="[A] share of serious-dishonesty listings removed early (credit repair)",
    )
    serious_dishonesty_removal_months: float = Field(
        12.0, gt=0.0, description="[A] mean months from listing to such an early removal"
    )
    legal_ground_per_year: float = Field(
        0.001, ge=0.0, description="[A] listings on another legal ground per enterprise-year"
    )
    aeo_revocations_per_year: float = Field(
        0.05,
        ge=0.0,
        description="[A] hazard that an AEO loses its certification; new certifications are "
        "derived so that the AEO share stays at enterprises.aeo_share",
    )
    risky_rate_multiplier: float = Field(
        10.0, ge=1.0, description="[A] how much more often risky enterprises incur every ground"
    )


class EnterpriseMix(StrictModel):
    """The enterprises that declare at the second line."""

    count: int = Field(
        70_000, ge=0, description="[S] more than 70,000 foreign-trade entities credit-classified "
        "(reportify-1148248386177208320)"
    )
    hainan_share: float = Field(
        0.85, ge=0.0, le=1.0, description="[A] share registered in Hainan (USCC region 46xxxx)"
    )
    industries: dict[str, float] = Field(
        default_factory=_default_industries,
        description="[A] relative weights of industries (need not sum to 1)",
    )
    encouraged_share: float = Field(
        0.20, ge=0.0, le=1.0,
        description="[A] share of Hainan-registered enterprises in an encouraged industry",
    )
    zero_tariff_share: float = Field(
        0.17, ge=0.0, le=1.0,
        description="[D] share of Hainan-registered enterprises eligible for zero tariff: more "
        "than 10,000 eligible (helm-2026-02-06) of more than 70,000 entities "
        "(reportify-1148248386177208320) x 0.85 registered in Hainan",
    )
    aeo_share: float = Field(
        0.03,
        ge=0.0,
        le=1.0,
        description="[A] share certified AEO (advanced certified): the AEO share of every "
        "declarant in a run with policy.declarants: population (the default). With "
        "declarants: shares it is unused; goods.tier_shares and policy.tier_shares apply",
    )
    aeo_local_customs_share: float = Field(
        0.85, ge=0.0, le=1.0,
        description="[A] share of AEOs certified by the customs district where they are "
        "registered; the rest by another district (any customs in China may certify)",
    )
    shipments_per_month: Distribution = Field(
        default_factory=lambda: LogNormal(kind="lognormal", mean=12.0, sd=30.0),
        description="[A] second-line shipments per enterprise per month (rounded, at least 1)",
    )
    batch_exit_share: float = Field(
        0.30, ge=0.0, le=1.0,
        description="[A] share of AEO and whitelist enterprises using batch exit, for the "
        "population's batch_exit column only; a run uses goods.batch_exit_adoption",
    )
    risky_share: float = Field(
        0.02, ge=0.0, le=1.0, description="[A] share of enterprises prone to violations"
    )
    violation_rate_risky: float = Field(
        0.20, ge=0.0, le=1.0, description="[A] planted violations per declaration, risky"
    )
    violation_rate_other: float = Field(
        0.002, ge=0.0, le=1.0, description="[A] planted violations per declaration, others"
    )
    history: EnterpriseHistoryRates = Field(default_factory=EnterpriseHistoryRates)

    @model_validator(mode="after")
    def _consistent(self) -> EnterpriseMix:
        if not self.industries or any(w < 0 for w in self.industries.values()):
            raise ValueError("industries need at least one entry and weights >= 0")
        if sum(self.industries.values()) <= 0:
            raise ValueError("industry weights must not all be zero")
        if self.aeo_share + self.risky_share > 1.0:
            raise ValueError(
                "aeo_share + risky_share must be <= 1 (risky enterprises are never AEO)"
            )
        return self


class IndividualMix(StrictModel):
    """The people who cross the second line."""

    count: int = Field(1_000_000, ge=0, description="[A] individuals in the population")
    resident_share: float = Field(0.40, ge=0.0, le=1.0, description="[A] share resident in Hainan")
    resident_native_share: float = Field(
        0.80, ge=0.0, le=1.0,
        description="[A] share of residents whose identity number was issued in Hainan (46xxxx)",
    )
    age_years: Distribution = Field(
        default_factory=lambda: Triangular(kind="triangular", low=0.0, mode=38.0, high=90.0),
        description="[A] age in years (truncated to whole years)",
    )
    trips_per_year_resident: Distribution = Field(
        default_factory=lambda: Gamma(kind="gamma", shape=2.0, scale=3.0),
        description="[A] crossings per year for residents (rounded, at least 1)",
    )
    trips_per_year_visitor: Distribution = Field(
        default_factory=lambda: Gamma(kind="gamma", shape=1.5, scale=1.0),
        description="[A] crossings per year for visitors (rounded, at least 1)",
    )
    duty_free_buyer_share: float = Field(
        0.24, ge=0.0, le=1.0,
        description="[A] share of adults who bought duty-free in the year (5.683 M shoppers in "
        "2024 [S] concall-2607 against an assumed ~23 M departures)",
    )
    duty_free_spend_fen: Distribution = Field(
        default_factory=lambda: LogNormal(kind="lognormal", mean=835_800.0, sd=1_200_000.0),
        description="duty-free spending per buyer in a year, fen: mean 8,358 CNY per shopper "
        "(Spring Festival 2024) [S] people-2024-02-19; spread [A]",
    )
    duty_free_quota_fen: int = Field(
        ANNUAL_QUOTA_FEN,
        gt=0,
        description="[S] 100,000 CNY per person per year (people-2023-10-19)",
    )
    quota_breach_share: float = Field(
        0.002, ge=0.0, le=1.0,
        description="[A] share of buyers planted as exceeding the quota (e.g. buying for others)",
    )
    quota_breach_max_factor: float = Field(
        2.0, gt=1.05,
        description="[A] a quota breacher spends uniformly between 1.05 and this times the quota",
    )
    violations_per_year: float = Field(
        0.002, ge=0.0, description="[A] dated violations per person-year, ordinary individuals"
    )
    risky_share: float = Field(
        0.01, ge=0.0, le=1.0, description="[A] share of individuals prone to violations"
    )
    risky_rate_multiplier: float = Field(
        20.0, ge=1.0, description="[A] how much more often risky individuals violate"
    )
    male_share: float = Field(0.5, ge=0.0, le=1.0, description="[A] share of men")
    violation_rate_per_trip_risky: float = Field(
        0.10, ge=0.0, le=1.0, description="[A] planted violations per crossing, risky"
    )
    violation_rate_per_trip_other: float = Field(
        0.0005, ge=0.0, le=1.0, description="[A] planted violations per crossing, others"
    )
    resident_vehicle_share: float = Field(
        0.30, ge=0.0, le=1.0, description="[A] residents crossing with their own vehicle"
    )
    visitor_vehicle_share: float = Field(
        0.10, ge=0.0, le=1.0, description="[A] visitors crossing with their own vehicle"
    )
    new_energy_vehicle_share: float = Field(
        0.28, ge=0.0, le=1.0,
        description="new-energy vehicles, 28% of the Spring Festival 2026 forecast [S] "
        "bsxlk-19996336",
    )


class PopulationSection(StrictModel):
    """Synthetic enterprises and individuals, and the window of their dated credit history."""

    enterprises: EnterpriseMix = Field(default_factory=EnterpriseMix)
    individuals: IndividualMix = Field(default_factory=IndividualMix)
    history_years: int = Field(
        5, ge=1, le=30,
        description="[A] years of credit history before the scenario start (3 years of listing "
        "plus margin, so the list is in its steady state at the start)",
    )
    name_pool_size: int = Field(
        2_000, ge=10, le=1_000_000,
        description="size of each Faker name pool (surnames, given names, company words)",
    )
