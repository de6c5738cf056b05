"""``customs-sim population``: three files on success, exit 2 and nothing written on bad input."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text("name: small\n", encoding="utf-8")
    return path


def test_writes_the_three_files(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "pop"
    result = runner.invoke(app, [
        "population", str(scenario), "--enterprises", "500", "--individuals", "800",
        "--seed", "5", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "enterprises.parquet", "history.jsonl", "individuals.parquet"]
    assert pq.read_table(out / "enterprises.parquet").num_rows == 500
    assert pq.read_table(out / "individuals.parquet").column("id_number").length() == 800
    assert "key_attention" in result.output  # the summary table
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_zero_individuals_still_writes_an_empty_table(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "pop"
    result = runner.invoke(app, [
        "population", str(scenario), "--enterprises", "50", "--individuals", "0", "--out",
        str(out)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out / "individuals.parquet")
    assert table.num_rows == 0 and "id_number" in table.column_names


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--enterprises", "-1"], "--enterprises: must be >= 0 (got -1)"),
        (["--individuals", "-5"], "--individuals: must be >= 0 (got -5)"),
        (["--individuals", "50000000"], "--individuals: at most"),
        (["--seed", "-2"], "--seed: must be >= 0"),
        (["--set", "population.enterprises.hainan_share=2"], "population.enterprises.hainan_share"),
        (["--set", "population.enterprises.history.ratings.police.lowest_per_year=0.1",
          "--set", "population.enterprises.history.ratings.police.months_at_lowest=3"],
         "population.enterprises.history.ratings.police: not a department of credit"),
        (["--set", "credit.departments.tax.unified=[lowest, lowest, lowest, lowest, lowest]"],
         "population.enterprises.history.ratings.tax: every grade"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    scenario: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "pop"
    result = runner.invoke(app, [
        "population", str(scenario), "--enterprises", "10", "--individuals", "10",
        "--out", str(out), *args,
    ])
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.count("error:") == 1
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [scenario]


def test_an_out_path_that_is_a_file_is_refused(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "file"
    out.write_text("keep me")
    result = runner.invoke(app, ["population", str(scenario), "--out", str(out),
                                 "--enterprises", "1", "--individuals", "1"])
    assert result.exit_code == 2 and "not a directory" in result.output
    assert out.read_text() == "keep me"
