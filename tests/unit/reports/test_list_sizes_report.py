"""Credit-list sizes from a run to its report: kpis.json's ``list_sizes``, the table and plot of
the run report, and the daily series of an experiment and its report."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from reports import render_directory
from reports.list_sizes import monthly_flows
from sim.cli import app
from sim.experiment import ArmSpec, SerialExecutor, run_experiment
from sim.population import generate_population
from sim.population.timeline import TierTimeline, day_number
from sim.results import canonical_json
from sim.results.experiment_io import write_experiment
from sim.results.lists import ListSizes, count_lists
from sim.results.rehearsal import RehearsalSummary, Stage, write_rehearsal
from sim.scenario import Scenario
from sim.scenario.loading import load_scenario
from sim.world import build_world, run_list_sizes
from tests.unit.experiment.support import tiny
from tests.unit.population.test_list_sizes import FIRST, HISTORY
from tests.unit.population.test_timeline import table

ROOT = Path(__file__).resolve().parents[3]
BASELINE = ROOT / "scenarios/baseline.yaml"
SMALL = ["horizon_hours=3", "population.enterprises.count=3000",
         "population.individuals.count=20000", "goods.enabled=false"]  # fmt: skip


def _row(html: str, kind: str, name: str) -> list[str]:
    """The numeric cells of the lists table's row for (kind, name)."""
    found = re.search(
        rf"<tr><td>{kind}</td><td>{name}</td>((?:<td class=\"num\">[^<]*</td>)+)</tr>", html
    )
    assert found is not None, (kind, name)
    return re.findall(r'<td class="num">([^<]*)</td>', found.group(1))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lists") / "baseline"
    overrides = [arg for s in SMALL for arg in ("--set", s)]
    result = CliRunner().invoke(app, ["run", str(BASELINE), *overrides, "--out", str(out)])
    assert result.exit_code == 0, result.output
    (out.parent / "terminal.txt").write_text(result.output)
    return out


def test_a_population_run_counts_its_lists_on_its_day(run_dir: Path) -> None:
    kpis = json.loads((run_dir / "kpis.json").read_text())
    section = kpis["list_sizes"]
    assert section["first_day"] == "2026-03-10" and section["days"] == 1
    scenario: Scenario = load_scenario(BASELINE, SMALL)
    population = generate_population(
        scenario.population, scenario.credit, scenario.seed, scenario.start.date(),
        history_until=scenario.end.date() + timedelta(days=1),
    )
    tiers = population.enterprise_timeline.tiers_at(date(2026, 3, 10))
    for code, name in enumerate(("aeo", "whitelist", "key_attention")):
        assert section["enterprise"][name]["count_daily"] == [int((tiers == code).sum())]
    people = population.individual_timeline.tiers_at(date(2026, 3, 10))
    assert section["individual"]["key_attention"]["first"] == int((people == 2).sum()) > 0
    assert "aeo" not in section["individual"]
    terminal = (run_dir.parent / "terminal.txt").read_text()
    ent = section["enterprise"]
    assert (f"credit lists, 2026-03-10: enterprises on the key-attention list "
            f"{ent['key_attention']['first']:,} -> {ent['key_attention']['last']:,} "
            f"(0 listed, 0 removed), AEO {ent['aeo']['first']:,}") in " ".join(terminal.split())
    html = (run_dir / "report.html").read_text()
    assert "<h2>Credit lists over time</h2>" in html
    listed = section["enterprise"]["key_attention"]["first"]
    assert _row(html, "enterprises", "key attention") == [str(listed)] * 3 + ["0", "0"]


def test_the_run_report_shows_dated_listings_and_removals(
    run_dir: Path, tmp_path: Path
) -> None:
    directory = tmp_path / "run"
    shutil.copytree(run_dir, directory)
    kpis = json.loads((directory / "kpis.json").read_text())
    sizes = TierTimeline(5, table(HISTORY)).list_sizes(FIRST, 7)
    kpis["list_sizes"] = ListSizes(FIRST, 7, {"enterprise": sizes}).as_kpis()
    (directory / "kpis.json").write_text(canonical_json(kpis))
    html = render_directory(directory)
    # first day, last day, peak, listed, removed: the hand-worked week of the population test
    assert _row(html, "enterprises", "key attention") == ["2", "2", "3", "2", "2"]
    assert _row(html, "enterprises", "aeo") == ["1", "0", "1", "", ""]
    assert _row(html, "enterprises", "key attention: smuggling penalty") == ["1", "1", "2", "", ""]
    assert "2026-05-08, 7 days" in html
    plot = html[html.index("<h2>Credit lists over time</h2>"):]
    assert plot.count("<svg") == 1
    for text in ("enterprises on the key-attention list", "enterprises: advanced certified (AEO)",
                 "smuggling penalty", "serious dishonesty listed", "all grounds"):
        assert text in plot, text
    assert "individuals on the key-attention list" not in plot  # no individuals in this section


def test_the_rehearsal_report_shows_its_models_lists(run_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(run_dir, tmp_path / "model")
    stages = (Stage("model", "done", 1.0, {"trucks_released": 1}, ("model/kpis.json",)),)
    write_rehearsal(tmp_path / "rehearsal.json", RehearsalSummary(
        "baseline", 5, "2026-03-10T00:00:00+08:00", 3.0, ("xinhai",), stages))
    html = render_directory(tmp_path)
    kpis = json.loads((run_dir / "kpis.json").read_text())
    listed = kpis["list_sizes"]["individual"]["key_attention"]["first"]
    assert "<h3>Credit lists over time</h3>" in html
    assert _row(html, "individuals", "key attention") == [str(listed)] * 3 + ["0", "0"]


def test_an_experiment_carries_the_lists_and_plots_them(tmp_path: Path) -> None:
    scenario = tiny(hours=1.0)
    run = run_experiment("replications", [ArmSpec("base", scenario)], 2, SerialExecutor())
    (arm,) = run.experiment.arms
    population = build_world(scenario).population
    assert population is not None
    expected = run_list_sizes(population, scenario).kinds["enterprise"]
    series = {s.key.metric: s for s in arm.series}
    listed = series["list_sizes.enterprise.key_attention.count_daily"]
    assert listed.mean == (float(expected.tiers["key_attention"][0]),)
    assert listed.half_width == (0.0,)  # one world: the same lists in every replication
    assert "list_sizes.individual.by_ground.violation.count_daily" in series
    write_experiment(tmp_path, run.experiment, run.rows)
    html = render_directory(tmp_path)
    assert "<h2>Credit lists over time</h2>" in html
    assert "enterprises on the key-attention list" in html


def test_listings_and_removals_per_month() -> None:
    # 2026-01-30 .. 2026-03-01: one listing on 31 Jan, one on 2 Feb; one lapses on 1 March
    start = day_number(date(2026, 1, 30))
    listed = (np.array([start + 1, start + 3, start - 500]),
              np.array([start + 30, np.iinfo(np.int64).max, start + 2]),
              np.array([0, 1, 2]))  # fmt: skip
    kind = count_lists(4, listed, np.zeros(3, np.int64), ("violation",), None, start, 31)
    section = ListSizes(date(2026, 1, 30), 31, {"individual": kind}).as_kpis()
    months, groups = monthly_flows(section)
    assert months == ["2026-01", "2026-02", "2026-03"]
    assert [(g.label, list(g.values)) for g in groups] == [
        ("individuals listed", [1.0, 1.0, 0.0]),
        ("individuals removed", [0.0, 1.0, 1.0]),  # entity 2 on 1 Feb, entity 0 on 1 March
    ]
    one_month = ListSizes(date(2026, 2, 1), 28, {"individual": kind}).as_kpis()
    assert monthly_flows(one_month) == ([], [])
