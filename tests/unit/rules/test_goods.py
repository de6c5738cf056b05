"""Goods regimes and duties: the composition, rounding, regime table and value-added rule."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from sim.rules.goods import (
    Duties,
    Movement,
    Regime,
    TariffLine,
    TaxSet,
    applicable_taxes,
    compute_duties,
    default_tariff,
    duty_exempt_by_value_added,
    load_tariff,
    round_half_up,
    value_added_ratio,
)
from sim.rules.refusals import HTTP_STATUS, Reason, Refusal

ALL = TaxSet(True, True, True)
NONE = TaxSet(False, False, False)
NO_DUTY = TaxSet(False, True, True)


def _line(duty: str = "0", vat: str = "0", ct: str = "0", taxed: bool = False) -> TariffLine:
    return TariffLine("9999.99", "test", Fraction(duty), Fraction(vat), Fraction(ct), taxed)


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [(0, 7, 0), (4, 10, 0), (5, 10, 1), (14, 10, 1), (15, 10, 2), (25, 10, 3), (99, 100, 1)],
)
def test_round_half_up(num: int, den: int, expected: int) -> None:
    assert round_half_up(num, den) == expected


def test_whisky_composition_by_hand() -> None:
    # 1,000 CNY of whisky: duty 5%, consumption tax 20% on the composite price, VAT 13%.
    d = compute_duties(100_000, default_tariff().line("2208.30"))
    assert d.duty_fen == 5_000
    assert d.consumption_fen == 26_250  # (100000 + 5000) / 0.8 * 0.2
    assert d.vat_fen == 17_063  # (100000 + 5000 + 26250) * 0.13 = 17062.5 -> half up
    assert d.total_fen == 48_313


def test_wine_consumption_tax_rounds_then_feeds_vat() -> None:
    d = compute_duties(1_000_000, default_tariff().line("2204.21"))
    assert d == Duties(140_000, 164_667, 126_667)  # CT 126666.67 -> 126667; VAT on rounded CT


@pytest.mark.parametrize(("value", "duty"), [(4, 0), (5, 1), (14, 1), (15, 2), (0, 0)])
def test_each_tax_rounded_half_up_to_the_fen(value: int, duty: int) -> None:
    assert compute_duties(value, _line(duty="0.1")).duty_fen == duty


def test_waived_duty_drops_out_of_later_bases() -> None:
    line = default_tariff().line("2208.30")
    d = compute_duties(100_000, line, NO_DUTY)
    assert d.duty_fen == 0
    assert d.consumption_fen == 25_000  # 100000 / 0.8 * 0.2
    assert d.vat_fen == 16_250  # 125000 * 0.13


def test_negative_value_refused() -> None:
    with pytest.raises(Refusal) as exc:
        compute_duties(-1, _line())
    assert exc.value.reason is Reason.INVALID_QUANTITY
    assert exc.value.http_status == 422


@pytest.mark.parametrize(
    ("regime", "movement", "taxed", "met", "expected"),
    [
        (Regime.ZERO_TARIFF, Movement.FIRST_LINE_ENTRY, False, False, NONE),
        (Regime.ZERO_TARIFF, Movement.FIRST_LINE_ENTRY, True, False, ALL),  # taxed list
        (Regime.ZERO_TARIFF, Movement.TRANSFER_ELIGIBLE, False, False, NONE),
        (Regime.ZERO_TARIFF, Movement.TRANSFER_NON_ELIGIBLE, False, False, ALL),
        (Regime.ZERO_TARIFF, Movement.SECOND_LINE_EXIT, False, False, ALL),
        (Regime.ZERO_TARIFF, Movement.SECOND_LINE_EXIT, False, True, ALL),  # not processed goods
        (Regime.PROCESSING_VALUE_ADDED, Movement.SECOND_LINE_EXIT, False, True, NO_DUTY),
        (Regime.PROCESSING_VALUE_ADDED, Movement.SECOND_LINE_EXIT, False, False, ALL),
        (Regime.PROCESSING_VALUE_ADDED, Movement.TRANSFER_NON_ELIGIBLE, False, True, ALL),
        (Regime.PROCESSING_VALUE_ADDED, Movement.TRANSFER_ELIGIBLE, False, True, NONE),
        (Regime.RELAXED_TRADE, Movement.FIRST_LINE_ENTRY, False, False, NONE),
        (Regime.ORDINARY, Movement.FIRST_LINE_ENTRY, False, False, ALL),
        (Regime.ORDINARY, Movement.SECOND_LINE_EXIT, False, False, NONE),
        (Regime.ORDINARY, Movement.TRANSFER_NON_ELIGIBLE, True, False, NONE),
    ],
)
def test_which_taxes_apply(
    regime: Regime, movement: Movement, taxed: bool, met: bool, expected: TaxSet
) -> None:
    assert applicable_taxes(regime, movement, _line(taxed=taxed), value_added_met=met) == expected


@pytest.mark.parametrize(
    ("movement", "reason"),
    [
        (Movement.SECOND_LINE_EXIT, Reason.RELAXED_TRADE_NO_EXIT),
        (Movement.TRANSFER_ELIGIBLE, Reason.RELAXED_TRADE_NO_TRANSFER),
        (Movement.TRANSFER_NON_ELIGIBLE, Reason.RELAXED_TRADE_NO_TRANSFER),
    ],
)
def test_relaxed_trade_goods_never_move_on(movement: Movement, reason: Reason) -> None:
    with pytest.raises(Refusal) as exc:
        applicable_taxes(Regime.RELAXED_TRADE, movement, _line())
    assert exc.value.reason is reason
    assert exc.value.http_status == 409


def test_processed_goods_cannot_enter_through_first_line() -> None:
    with pytest.raises(Refusal) as exc:
        applicable_taxes(Regime.PROCESSING_VALUE_ADDED, Movement.FIRST_LINE_ENTRY, _line())
    assert exc.value.reason is Reason.INVALID_REGIME


@pytest.mark.parametrize(
    ("sale", "imported", "domestic", "exempt"),
    [
        (1_300, 1_000, 0, True),  # exactly 30.0%
        (1_299, 1_000, 0, False),  # 29.9%
        (1_301, 1_000, 0, True),
        (13_000, 6_000, 4_000, True),  # 30.0% with domestic inputs in the denominator
        (12_990, 6_000, 4_000, False),  # 29.9%
        (1_000_000_000_000_300, 1_000_000_000_000_000, 0, False),  # 29.99999...%: exact, no float
        (500, 0, 1_000, True),  # no imported inputs: qualifies whatever the margin
        (900, 1_000, 0, False),  # sold below cost
    ],
)
def test_value_added_threshold_is_exact(
    sale: int, imported: int, domestic: int, exempt: bool
) -> None:
    assert duty_exempt_by_value_added(sale, imported, domestic, encouraged=True) is exempt


def test_value_added_needs_an_encouraged_industry_maker() -> None:
    assert duty_exempt_by_value_added(10_000, 1_000, 0, encouraged=False) is False
    assert duty_exempt_by_value_added(10_000, 0, 1_000, encouraged=False) is False


def test_value_added_threshold_is_a_parameter() -> None:
    assert duty_exempt_by_value_added(1_250, 1_000, 0, encouraged=True) is False
    assert duty_exempt_by_value_added(
        1_250, 1_000, 0, encouraged=True, threshold=Fraction(1, 4)
    ) is True


def test_value_added_ratio_is_the_published_formula() -> None:
    assert value_added_ratio(13_000, 6_000, 4_000) == Fraction(3, 10)
    assert value_added_ratio(12_990, 6_000, 4_000) == Fraction(299, 1000)
    assert value_added_ratio(100, 0, 0) is None


def test_packaged_table_rates_are_exact_fractions() -> None:
    t = default_tariff()
    assert t.line("1602.50").vat == Fraction(13, 100)
    assert t.line("3901.10").duty == Fraction(65, 1000)
    assert any(line.taxed_list for line in t.values())
    assert not t.line("0202.30").taxed_list
    assert len(t) >= 20


def test_unknown_tariff_line_is_a_422_refusal() -> None:
    with pytest.raises(Refusal) as exc:
        default_tariff().line("0000.00")
    assert exc.value.reason is Reason.UNKNOWN_TARIFF_LINE
    assert HTTP_STATUS[exc.value.reason] == 422
    assert exc.value.to_dict()["code"] == "0000.00"


def test_overrides_change_a_line_and_add_another() -> None:
    t = load_tariff(overrides={"1602.50": {"duty": 0.1}, "0101.21": {"duty": "0", "vat": 0.09}})
    assert t.line("1602.50").duty == Fraction(1, 10)
    assert t.line("1602.50").vat == Fraction(13, 100)  # untouched fields stay
    assert t.line("0101.21").vat == Fraction(9, 100)
    assert default_tariff().line("1602.50").duty == Fraction(12, 100)


def test_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        'lines:\n  "1234.56": {duty: 0.2, vat: 0.13, consumption: 0.3, taxed_list: true}\n'
    )
    line = load_tariff(path).line("1234.56")
    assert (line.duty, line.consumption, line.taxed_list) == (Fraction(1, 5), Fraction(3, 10), True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('lines:\n  "1.1": {duty: -0.1, vat: 0.13}\n', "lines.1.1.duty"),
        ('lines:\n  "1.1": {duty: 0.1, vat: 0.13, consumption: 1}\n', "lines.1.1.consumption"),
        ('lines:\n  "1.1": {duty: 0.1, vat: 0.13, colour: red}\n', "lines.1.1.colour"),
        ('lines:\n  "1.1": {duty: abc, vat: 0.13}\n', "lines.1.1.duty"),
        ('lines:\n  "1.1": {vat: 0.13}\n', "lines.1.1.duty"),
        ("rates: {}\n", "single key 'lines'"),
        ("lines: [1, 2]\n", "lines: expected a mapping"),
    ],
)
def test_bad_tables_fail_with_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ValueError) as exc:
        load_tariff(path)
    assert message in str(exc.value)
    assert str(exc.value).startswith(str(path))
    assert "\n" not in str(exc.value)


def test_every_reason_has_a_status() -> None:
    assert set(HTTP_STATUS) == set(Reason)
    assert {HTTP_STATUS[r] for r in Reason} == {409, 422}
    assert len({r.value for r in Reason}) == len(Reason)


def test_refusals_survive_pickling() -> None:
    import pickle

    r = Refusal(Reason.INSUFFICIENT_BALANCE, "short", item="beef", balance=3)
    back = pickle.loads(pickle.dumps(r))
    assert (back.reason, back.detail, back.context) == (r.reason, r.detail, r.context)
