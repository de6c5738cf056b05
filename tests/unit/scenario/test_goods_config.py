"""The goods section of a scenario: defaults as documented, bad values refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sim.scenario.goods import GoodsConfig


def test_defaults() -> None:
    cfg = GoodsConfig()
    assert cfg.port_shares["xinhai"] + cfg.port_shares["nangang"] == pytest.approx(0.80)
    assert sum(cfg.port_shares.values()) == pytest.approx(1.0)
    assert cfg.batch_exit_adoption == 0.10
    assert any(line.product_code for line in cfg.lines)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"port_shares": {"xinhai": 0.5}}, "sum to 1"),
        ({"batch_exit_adoption": 1.5}, "batch_exit_adoption"),
        ({"tier_shares": {"aeo": 0.5}}, "tier shares must sum to 1"),
        ({"lines": [{"code": "0000.00", "weight": 1, "unit_value_fen": 5}]}, "tariff table"),
        ({"lines": [{"code": "0202.30", "weight": 1, "unit_value_fen": 5, "qty_min": 5,
                     "qty_max": 2}]}, "qty_max"),
        ({"lines": []}, "lines"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_sections_are_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        GoodsConfig.model_validate(data)
    assert message in str(exc.value)


def test_tariff_changes_apply_and_can_add_lines() -> None:
    from fractions import Fraction

    cfg = GoodsConfig.model_validate({
        "tariff": {"1602.50": {"duty": 0.2}, "9999.99": {"duty": 0.1, "vat": 0.13}},
        "lines": [{"code": "9999.99", "weight": 1, "unit_value_fen": 5,
                   "product_code": "1602.50"}],
    })  # fmt: skip
    table = cfg.tariff_table()
    assert table.line("1602.50").duty == Fraction(1, 5)
    assert table.line("1602.50").vat == Fraction(13, 100)
    assert table.line("9999.99").vat == Fraction(13, 100)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tariff": {"9999.99": {"duty": 0.1}}}, "a new tariff line needs duty and vat"),
        ({"tariff": {"1602.50": {"consumption": 1.0}}}, "consumption"),
        ({"port_shares": {"xinhai": 0.8, "atlantis": 0.2}}, "unknown port id"),
    ],
)
def test_bad_tariff_and_ports(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        GoodsConfig.model_validate(data)
    assert message in str(exc.value)
