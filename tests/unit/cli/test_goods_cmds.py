"""``customs-sim goods tariff | duties | value-added``: answers and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()


def test_duties_of_whisky_leaving_for_the_mainland() -> None:
    result = runner.invoke(app, ["goods", "duties", "2208.30", "100000"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["duty_fen"], out["vat_fen"], out["consumption_fen"]) == (5_000, 17_063, 26_250)


def test_value_added_goods_pay_no_duty() -> None:
    result = runner.invoke(app, ["goods", "duties", "1602.50", "15600000", "--regime",
                                 "processing_value_added", "--value-added-met"])
    out = json.loads(result.stdout)
    assert out["taxes"] == {"duty": False, "vat": True, "consumption": True}
    assert out["total_fen"] == 2_028_000


def test_relaxed_trade_exit_is_an_error_line() -> None:
    result = runner.invoke(app, ["goods", "duties", "8462.29", "1", "--regime", "relaxed_trade"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: 8462.29: relaxed-trade goods may not leave (relaxed_trade_no_exit)")


def test_value_added_ratio() -> None:
    result = runner.invoke(app, ["goods", "value-added", "--sale", "12990", "--imported", "6000",
                                 "--domestic", "4000"])
    out = json.loads(result.stdout)
    assert out["ratio"]["num"] == 299 and out["ratio"]["den"] == 1000
    assert out["duty_exempt"] is False


def test_bad_tariff_file(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text('lines:\n  "1.1": {duty: -1, vat: 0.1}\n')
    result = runner.invoke(app, ["goods", "tariff", "--tariff", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}: lines.1.1.duty:")
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["goods", "tariff", "--tariff", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_tariff_lists_lines() -> None:
    result = runner.invoke(app, ["goods", "tariff"])
    assert result.exit_code == 0 and "1602.50" in result.stdout
