"""List dynamics: conservation, agreement with ``classify`` month by month, and the CLI."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.population import TIERS, TierTimeline, write_population
from sim.population.dynamics import (
    dynamics_table,
    events_from_history,
    month_ends,
    simulate_dynamics,
)
from sim.population.enterprises import enterprise_events
from sim.population.history_lines import history_records
from sim.population.scales import Scales
from sim.population.timeline import from_day_number
from sim.rng import RandomStreams
from sim.rules.credit import classify, default_table, group_by_entity, parse_record, read_history
from sim.scenario import Scenario

runner = CliRunner()
TABLE = default_table()
SCALES = Scales.from_table(TABLE)


def busy() -> Scenario:
    scenario = Scenario()
    history = scenario.population.enterprises.history
    history.smuggling_penalty_per_year = 0.05
    history.serious_dishonesty_per_year = 0.03
    history.serious_dishonesty_removed_share = 0.5
    scenario.population.individuals.violations_per_year = 0.05
    return scenario


def test_month_ends_start_with_the_baseline() -> None:
    ends = [from_day_number(int(d)) for d in month_ends(date(2024, 1, 17), 3)]
    assert ends == [date(2023, 12, 31), date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]


def test_list_sizes_are_conserved_month_to_month() -> None:
    table = simulate_dynamics(
        busy().population, SCALES, 3, date(2026, 3, 1), 4, enterprises=20_000,
        individuals=10_000,
    )
    for kind in ("enterprise", "individual"):
        rows = [r for r in table.to_pylist() if r["kind"] == kind]
        assert len(rows) == 4 * 12 + 1
        assert rows[0]["listings"] == rows[0]["removals"] == 0
        for before, now in itertools.pairwise(rows):
            assert now["key_attention"] == (
                before["key_attention"] + now["listings"] - now["removals"])
            assert now["key_attention"] + now["aeo"] + now["whitelist"] == (
                20_000 if kind == "enterprise" else 10_000)
            assert now["listing_events"] >= now["listings"]  # every joiner has a listing event
        assert sum(r["removals"] for r in rows) > 0 and rows[-1]["key_attention"] > 0


def test_planted_monthly_tiers_equal_classify_on_a_sample() -> None:
    section = busy().population
    ends = month_ends(date(2026, 3, 1), 24)
    window = (int(ends[0]) - 3 * 365, int(ends[-1]) + 1)
    n = 3_000
    events = enterprise_events(section.enterprises, RandomStreams(9), n, window, SCALES)
    keys = pa.array([f"E{i}" for i in range(n)])
    history = group_by_entity(
        parse_record(r, i + 1, TABLE)
        for i, r in enumerate(history_records([("enterprise", events, keys)]))
    )
    timeline = TierTimeline(n, events, SCALES.removal_years)
    tiers = np.stack([timeline.tiers_at(int(d)) for d in ends])
    sample = np.random.default_rng(1).choice(
        [i for i in range(n) if f"E{i}" in history], size=150, replace=False
    )
    seen = set()
    for i in sample:
        for m, day in enumerate(ends):
            expected = classify(history[f"E{i}"], from_day_number(int(day)), TABLE).tier
            assert TIERS[tiers[m, i]] == expected, (i, from_day_number(int(day)))
            seen.add(expected)
    assert seen == {"aeo", "whitelist", "key_attention"}
    # The monthly counts are those of the per-day tiers.
    table = dynamics_table("enterprise", n, events, ends, SCALES.removal_years)
    listed = tiers == TIERS.index("key_attention")
    assert table["key_attention"].to_pylist() == listed.sum(axis=1).tolist()
    assert table["listings"].to_pylist()[1:] == (listed[1:] & ~listed[:-1]).sum(axis=1).tolist()
    assert table["aeo"].to_pylist() == (tiers == TIERS.index("aeo")).sum(axis=1).tolist()


def test_dynamics_of_a_history_file_equal_classify_of_every_entity(tmp_path: Path) -> None:
    reference = date(2026, 3, 10)
    write_population(tmp_path / "p", busy().population, TABLE, 4, reference,
                     enterprises=800, individuals=800)
    grouped = read_history(tmp_path / "p" / "history.jsonl", TABLE)
    ends = month_ends(date(2022, 1, 1), 12)
    for kind in ("enterprise", "individual"):
        events, keys = events_from_history(grouped, kind, SCALES)
        table = dynamics_table(kind, len(keys), events, ends, 3)
        for m, day in enumerate(ends):
            as_of = from_day_number(int(day))
            listed = sum(classify(grouped[k], as_of, TABLE).tier == "key_attention" for k in keys)
            assert table["key_attention"][m].as_py() == listed


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text("name: dyn\n", encoding="utf-8")
    return path


def test_cli_writes_json_and_parquet(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "dyn"
    result = runner.invoke(app, [
        "credit", "dynamics", str(scenario), "--years", "2", "--enterprises", "3000",
        "--individuals", "1000", "--out", str(out), "--seed", "1",
    ])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "dynamics.json").read_text(encoding="utf-8"))
    assert (document["years"], document["enterprises"], document["individuals"]) == (2, 3000, 1000)
    assert len(document["months"]) == 2 * (2 * 12 + 1)
    table = pq.read_table(out / "dynamics.parquet")
    assert table["key_attention"].to_pylist() == [r["key_attention"] for r in document["months"]]


def test_cli_reads_a_history_file(scenario: Path, tmp_path: Path) -> None:
    write_population(tmp_path / "p", busy().population, TABLE, 4, date(2026, 3, 10),
                     enterprises=300, individuals=300)
    out = tmp_path / "dyn"
    result = runner.invoke(app, [
        "credit", "dynamics", str(scenario), "--years", "1", "--start", "2025-01-01",
        "--history", str(tmp_path / "p" / "history.jsonl"), "--enterprises", "300",
        "--individuals", "300", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "dynamics.json").read_text(encoding="utf-8"))
    assert document["months"][0]["month"] == "2024-12"
    assert document["enterprises"] == 300


@pytest.mark.parametrize(
    ("args", "history", "message"),
    [
        (["--years", "0"], None, "--years: must be between 1 and 50 (got 0)"),
        (["--enterprises", "-3"], None, "--enterprises: must be between"),
        (["--start", "2025-02-30"], None, "--start: not a calendar date"),
        ([], '{"entity": "E", "kind": "enterprise", "date": "2024-01-01", "event": "rating", '
             '"department": "tax", "grade": "Z"}\n', "line 1: grade: not a tax grade"),
        ([], '{"entity": "E", "kind": "enterprise", "date": "2024-01-01", "event": "rating", '
             '"department": "police", "grade": "A"}\n', "line 1: department: unknown"),
        ([], '\n{"entity": "E", "kind": "enterprise", "date": "2024-1-01", '
             '"event": "smuggling_penalty"}\n', "line 2: date: must be a date YYYY-MM-DD"),
        ([], '{"entity": "E", "kind": "enterprise", "date": "2024-01-01", "event": "fine"}\n',
         "line 1: event: unknown event"),
        (["--enterprises", "0"], '{"entity": "E", "kind": "enterprise", "date": "2024-01-01", '
         '"event": "smuggling_penalty"}\n', "--enterprises: "),
    ],
)
def test_cli_bad_input_exits_2_and_writes_nothing(
    scenario: Path, tmp_path: Path, args: list[str], history: str | None, message: str
) -> None:
    extra = []
    if history is not None:
        path = tmp_path / "h.jsonl"
        path.write_text(history, encoding="utf-8")
        extra = ["--history", str(path)]
    out = tmp_path / "dyn"
    result = runner.invoke(app, [
        "credit", "dynamics", str(scenario), "--enterprises", "100", "--out", str(out),
        *extra, *args,
    ])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    if history is not None and "line" in message:
        assert str(tmp_path / "h.jsonl") in result.output
