"""Goods regimes and the duties they owe, in integer fen.

Hainan's special customs area knows four regimes for goods on the island (DESIGN §4):

- **zero_tariff** — imported by an eligible entity (registered in Hainan, not an individual):
  import duty, import VAT and consumption tax are waived, except for goods on the *taxed list*
  (the 进口征税商品目录, a negative list kept as data in the tariff table). Tax falls due when the
  goods pass to a non-eligible entity or cross the second line to the mainland.
- **processing_value_added** — goods made in Hainan by an encouraged-industry enterprise. They
  enter the mainland free of *import duty* when they contain no imported inputs or when the value
  added in Hainan reaches 30% (inclusive); import VAT and consumption tax are still due.
- **relaxed_trade** — e.g. used machinery imported without a licence for a named end user's own
  production: it may be neither transferred on the island nor sold to the mainland.
- **ordinary** — goods whose taxes are settled (or that never owed any): no second-line duty.

Duties are ad valorem, composed the standard Chinese way, each rounded half-up to the fen and
the rounded amount carried into the next base::

    duty        = value * duty_rate
    consumption = (value + duty) / (1 - ct_rate) * ct_rate     (the composite-price base)
    VAT         = (value + duty + consumption) * vat_rate

Rates are exact fractions read from decimal strings (``0.13`` is 13/100), money is ``int`` fen,
so no float ever touches an amount. When import duty is waived its term is simply zero in the
later bases.

The value-added ratio is exactly GAC 2025 interim measures art. 4::

    (sale price - Σ imported inputs - Σ domestic inputs) / (Σ imported inputs + Σ domestic inputs)

compared with 30% by integer cross-multiplication, so 29.9% fails and 30.0% passes exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.rules.refusals import Reason, Refusal

__all__ = [
    "NO_DUTIES",
    "VALUE_ADDED_THRESHOLD",
    "Duties",
    "Movement",
    "Regime",
    "TariffLine",
    "TariffTable",
    "TaxSet",
    "applicable_taxes",
    "compute_duties",
    "default_tariff",
    "duty_exempt_by_value_added",
    "load_tariff",
    "round_half_up",
    "value_added_ratio",
]

VALUE_ADDED_THRESHOLD = Fraction(3, 10)
"""30%: the value added in Hainan at or above which processed goods enter the mainland duty-free
(the published rule [S]; callers may pass another threshold for what-if studies)."""


class Regime(StrEnum):
    """The customs regime of a lot of goods on the island."""

    ZERO_TARIFF = "zero_tariff"
    PROCESSING_VALUE_ADDED = "processing_value_added"
    RELAXED_TRADE = "relaxed_trade"
    ORDINARY = "ordinary"


class Movement(StrEnum):
    """Where goods go; which taxes fall due depends on it."""

    FIRST_LINE_ENTRY = "first_line_entry"
    """From abroad onto the island through the first line."""
    TRANSFER_ELIGIBLE = "transfer_eligible"
    """To another zero-tariff-eligible entity on the island."""
    TRANSFER_NON_ELIGIBLE = "transfer_non_eligible"
    """To an entity on the island that does not qualify for zero tariff."""
    SECOND_LINE_EXIT = "second_line_exit"
    """Across the second line to the mainland."""


@dataclass(frozen=True, slots=True)
class TariffLine:
    """One line of the tariff table: exact rates and the line's flags.

    Attributes:
        code: HS-like code, e.g. ``"1602.50"``.
        description: what the line covers.
        duty: import-duty rate (ad valorem).
        vat: import-VAT rate.
        consumption: consumption-tax rate (0 when the goods are not taxable), below 1.
        taxed_list: on the taxed list: zero-tariff treatment does not waive its taxes.
        permit_required: a permit must be held before the goods enter the mainland.
    """

    code: str
    description: str
    duty: Fraction
    vat: Fraction
    consumption: Fraction
    taxed_list: bool = False
    permit_required: bool = False


class Duties(NamedTuple):
    """Taxes assessed on one movement, in fen (a NamedTuple: cheap to build on the hot path)."""

    duty_fen: int = 0
    vat_fen: int = 0
    consumption_fen: int = 0

    @property
    def total_fen(self) -> int:
        """The three taxes together."""
        return self.duty_fen + self.vat_fen + self.consumption_fen

    def plus(self, other: Duties) -> Duties:
        """The sum of two assessments."""
        return Duties(
            self.duty_fen + other.duty_fen,
            self.vat_fen + other.vat_fen,
            self.consumption_fen + other.consumption_fen,
        )

    def to_dict(self) -> dict[str, int]:
        """A plain dict (with the total) for storage and HTTP answers."""
        return {
            "duty_fen": self.duty_fen,
            "vat_fen": self.vat_fen,
            "consumption_fen": self.consumption_fen,
            "total_fen": self.total_fen,
        }


NO_DUTIES = Duties()


@dataclass(frozen=True, slots=True)
class TaxSet:
    """Which of the three import taxes fall due on a movement."""

    duty: bool
    vat: bool
    consumption: bool

    @property
    def any(self) -> bool:
        """True when at least one tax is due."""
        return self.duty or self.vat or self.consumption


_NONE = TaxSet(False, False, False)
_ALL = TaxSet(True, True, True)
_NO_DUTY = TaxSet(False, True, True)


def round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up to an integer (both non-negative).

    Args:
        numerator: a non-negative integer.
        denominator: a positive integer.

    Returns:
        The nearest integer, halves rounded up (0.5 fen -> 1 fen).
    """
    return (2 * numerator + denominator) // (2 * denominator)


def _times(value: int, rate: Fraction) -> int:
    return round_half_up(value * rate.numerator, rate.denominator)


def compute_duties(value_fen: int, line: TariffLine, taxes: TaxSet = _ALL) -> Duties:
    """The taxes on goods of customs value ``value_fen`` under ``line``.

    Each tax is rounded half-up to the fen and the rounded amount enters the next base: consumption
    tax on ``(value + duty) / (1 - rate)``, VAT on ``value + duty + consumption tax``. A tax not in
    ``taxes`` is zero and contributes nothing to the later bases.

    Args:
        value_fen: customs value (non-negative integer fen).
        line: the tariff line giving the rates.
        taxes: which taxes are due (default: all three).

    Returns:
        The assessment.
    """
    if value_fen < 0:
        raise Refusal(Reason.INVALID_QUANTITY, "customs value must be >= 0", value_fen=value_fen)
    duty = _times(value_fen, line.duty) if taxes.duty else 0
    consumption = 0
    if taxes.consumption and line.consumption:
        c = line.consumption
        # (value + duty) * c / (1 - c) with c = p/q  ->  (value + duty) * p / (q - p)
        consumption = round_half_up((value_fen + duty) * c.numerator, c.denominator - c.numerator)
    vat = _times(value_fen + duty + consumption, line.vat) if taxes.vat else 0
    return Duties(duty, vat, consumption)


def applicable_taxes(
    regime: Regime, movement: Movement, line: TariffLine, *, value_added_met: bool = False
) -> TaxSet:
    """Which taxes fall due when goods of ``regime`` make ``movement``.

    Args:
        regime: the goods' regime.
        movement: where they go.
        line: their tariff line (its taxed-list flag matters at the first line).
        value_added_met: for processed goods leaving to the mainland, whether the value-added rule
            (:func:`duty_exempt_by_value_added`) is met.

    Returns:
        The taxes due.

    Raises:
        Refusal: relaxed-trade goods moving anywhere but in (``relaxed_trade_no_transfer`` /
            ``relaxed_trade_no_exit``); processed goods "entering" through the first line
            (``invalid_regime``).
    """
    if movement is Movement.FIRST_LINE_ENTRY:
        if regime is Regime.ORDINARY:
            return _ALL  # an ordinary import settles its taxes at the border
        if regime is Regime.PROCESSING_VALUE_ADDED:
            raise Refusal(Reason.INVALID_REGIME, "processed goods are made on the island")
        # zero-tariff and relaxed-trade imports: waived unless the line is on the taxed list
        return _ALL if line.taxed_list else _NONE
    if regime is Regime.RELAXED_TRADE:
        if movement is Movement.SECOND_LINE_EXIT:
            raise Refusal(Reason.RELAXED_TRADE_NO_EXIT, "relaxed-trade goods may not leave")
        raise Refusal(Reason.RELAXED_TRADE_NO_TRANSFER, "relaxed-trade goods stay with end user")
    if regime is Regime.ORDINARY or movement is Movement.TRANSFER_ELIGIBLE:
        return _NONE
    if regime is Regime.PROCESSING_VALUE_ADDED and movement is Movement.SECOND_LINE_EXIT:
        return _NO_DUTY if value_added_met else _ALL
    return _ALL  # zero-tariff goods (or products) to a non-eligible entity or to the mainland


def value_added_ratio(sale_fen: int, imported_fen: int, domestic_fen: int) -> Fraction | None:
    """The value added in Hainan, exactly as GAC 2025 interim measures art. 4 define it.

    Args:
        sale_fen: the domestic sale price of the goods.
        imported_fen: the sum of imported inputs (goods from abroad with taxes unsettled).
        domestic_fen: the sum of domestically purchased inputs.

    Returns:
        ``(sale - imported - domestic) / (imported + domestic)`` as an exact fraction, or None
        when there are no inputs at all (the ratio is undefined).
    """
    inputs = imported_fen + domestic_fen
    if inputs == 0:
        return None
    return Fraction(sale_fen - inputs, inputs)


def duty_exempt_by_value_added(
    sale_fen: int,
    imported_fen: int,
    domestic_fen: int,
    *,
    encouraged: bool,
    threshold: Fraction = VALUE_ADDED_THRESHOLD,
) -> bool:
    """Whether processed goods enter the mainland free of import duty.

    The goods must be made by an encouraged-industry enterprise, and either contain no imported
    inputs or reach the value-added ``threshold`` (inclusive). The comparison is done by integer
    cross-multiplication: ``(sale - inputs) * q >= p * inputs`` for ``threshold = p/q``.

    Args:
        sale_fen: domestic sale price.
        imported_fen: sum of imported inputs.
        domestic_fen: sum of domestically purchased inputs.
        encouraged: the maker is a registered encouraged-industry enterprise.
        threshold: the ratio to reach (default 30%).

    Returns:
        True when import duty is waived.
    """
    if not encouraged:
        return False
    if imported_fen == 0:
        return True
    inputs = imported_fen + domestic_fen
    return (sale_fen - inputs) * threshold.denominator >= threshold.numerator * inputs


class TariffTable(Mapping[str, TariffLine]):
    """A read-only mapping from tariff code to :class:`TariffLine`."""

    __slots__ = ("_lines",)

    def __init__(self, lines: Mapping[str, TariffLine]) -> None:
        self._lines = dict(lines)

    def __getitem__(self, code: str) -> TariffLine:
        return self._lines[code]

    def __iter__(self) -> Any:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def line(self, code: str) -> TariffLine:
        """The line for ``code``.

        Raises:
            Refusal: ``unknown_tariff_line`` when the code is not in the table.
        """
        try:
            return self._lines[code]
        except KeyError:
            raise Refusal(
                Reason.UNKNOWN_TARIFF_LINE, f"no tariff line {code!r}", code=code
            ) from None


class _LineModel(BaseModel):
    """Validation of one YAML line (rates as decimal numbers or strings)."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    duty: Fraction = Field(ge=0)
    vat: Fraction = Field(ge=0)
    consumption: Fraction = Field(default=Fraction(0), ge=0, lt=1)
    taxed_list: bool = False
    permit_required: bool = False

    @field_validator("duty", "vat", "consumption", mode="before")
    @classmethod
    def _exact(cls, value: Any) -> Fraction:
        # str() of a YAML float is its shortest decimal spelling: 0.13 -> "0.13" -> 13/100.
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("a rate must be a decimal number")
        try:
            return Fraction(str(value))
        except ValueError:
            raise ValueError("a rate must be a decimal number") from None


def _parse_lines(raw: Any, source: str) -> dict[str, TariffLine]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{source}: lines: expected a mapping of code -> line (got {raw!r})")
    lines: dict[str, TariffLine] = {}
    for code, body in raw.items():
        try:
            m = _LineModel.model_validate(body)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in ("lines", code, *err["loc"]))
            got = err.get("input")
            raise ValueError(f"{source}: {where}: {err['msg']} (got {got!r})") from None
        lines[str(code)] = TariffLine(
            str(code), m.description, m.duty, m.vat, m.consumption, m.taxed_list, m.permit_required
        )
    return lines


def load_tariff(
    path: str | Path | None = None, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> TariffTable:
    """Load a tariff table from YAML (``lines: {code: {duty, vat, consumption, ...}}``).

    Args:
        path: a YAML file; None reads the packaged table ``sim/rules/data/tariff.yaml``.
        overrides: per-code fields to replace or whole lines to add, e.g.
            ``{"1602.50": {"duty": 0.10}}``; merged onto the loaded line before validation.

    Returns:
        The table.

    Raises:
        ValueError: one line ``FILE: lines.CODE.field: what is wrong (got VALUE)``.
    """
    if path is None:
        source = "sim/rules/data/tariff.yaml"
        text = resources.files("sim.rules").joinpath("data/tariff.yaml").read_text("utf-8")
    else:
        source = str(path)
        text = Path(path).read_text(encoding="utf-8")
    doc = yaml.safe_load(text) or {}
    if not isinstance(doc, Mapping) or set(doc) - {"lines"}:
        raise ValueError(f"{source}: expected a mapping with the single key 'lines'")
    lines = doc.get("lines") or {}
    if not isinstance(lines, Mapping):
        raise ValueError(f"{source}: lines: expected a mapping of code -> line (got {lines!r})")
    raw = {str(k): dict(v) if isinstance(v, Mapping) else v for k, v in lines.items()}
    for code, fields in (overrides or {}).items():
        base = raw.get(code, {})
        raw[code] = {**(base if isinstance(base, Mapping) else {}), **fields}
    return TariffTable(_parse_lines(raw, source))


@lru_cache(maxsize=1)
def default_tariff() -> TariffTable:
    """The packaged tariff table (loaded once)."""
    return load_tariff()
