"""``customs-sim rehearse``: model, workload, platform, drills, the load test, one summary."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.results.drill import read_summary
from sim.results.load import read_load_result
from sim.results.rehearsal import read_rehearsal
from sim.workload import read_workload

ROOT = Path(__file__).resolve().parents[3]
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
SMALL = ["--set", "population.enterprises.count=6000", "--set",
         "population.individuals.count=60000", "--set", "goods.enterprises=400"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rehearse") / "rehearsal"
    result = CliRunner().invoke(app, [
        "rehearse", BASELINE, *SMALL, "--from", "2026-03-10T09:00", "--hours", "0.5",
        "--ports", "yangpu,phoenix", "--processes", "full_process,vehicle_exit,duty_free_quota",
        "--speed", "120", "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert "not_supported -> " in result.output
    return out


def test_the_rehearsal_in_one_command(rehearsed: Path) -> None:
    out = rehearsed
    summary = read_rehearsal(out / "rehearsal.json")
    assert summary.verdict == "not_supported"
    assert [s.name for s in summary.stages] == [
        "model", "workload", "platform", "drill", "load", "report"]
    assert (summary.ports, summary.hours, summary.start) == (
        ("yangpu", "phoenix"), 0.5, "2026-03-10T09:00:00+08:00")
    model, workload, _, drill, load, report = summary.stages
    assert model.status == "done" and model.figures["trucks_released"] > 0
    kpis = json.loads((out / "model" / "kpis.json").read_text())
    assert kpis["scenario"] == "baseline" and (out / "model" / "records.parquet").exists()
    info, calls = read_workload(out / "workload.parquet")
    assert (info.hours, info.ports) == (0.5, ("yangpu", "phoenix"))
    assert workload.figures["calls"] == len(calls) > 0
    drilled = read_summary(out / "drill" / "summary.json")
    assert drill.status == "not_supported" == drilled.verdict
    assert set(drilled.ports) == {"yangpu", "phoenix"}
    assert drilled.matrix()["full_process"]["yangpu"]["status"] == "pass"
    assert drilled.matrix()["duty_free_quota"]["phoenix"]["status"] == "pass"
    registered = {c.body_json()["id"] for c in calls if c.operation == "register_entity"}
    assert registered, "the period registers entities"
    drill_entities = {s.request["body"]["id"] for s in drilled.steps  # type: ignore[index]
                      if s.operation == "register_entity" and s.request}
    assert not drill_entities & registered, "the drill casts entities apart from the workload's"
    # The load test: every call of the period sent open-model at 120x, every answer as the
    # rules expect, every objective of the default SLO held.
    assert load.status == "pass", load
    assert (load.figures["speed"], load.figures["calls"], load.figures["mismatches"]) == (
        "120x", len(calls), 0)
    held, total = load.figures["slo held"].split("/")
    assert held == total and int(total) > 5
    loaded = read_load_result(out / "load" / "summary.json")
    assert (loaded.speed, loaded.setup.calls + loaded.run.sent) == (120.0, len(calls))
    assert loaded.reference_platform and loaded.holds
    assert (out / "load" / "mismatches.jsonl").read_text() == ""
    assert "load/junit.xml" in load.outputs and (out / "load" / "junit.xml").is_file()
    assert report.status == "done" and report.outputs == ("report.html",)
    assert not list(out.parent.glob(".rehearsal.*")), "the staging directory is gone"


def test_the_rehearsal_report_opens_in_chromium_with_every_part(rehearsed: Path) -> None:
    html = (rehearsed / "report.html").read_text(encoding="utf-8")
    for part in ("<h2>Stages</h2>", "<h2>The model: baseline</h2>",
                 "<h2>Steps passed per process and port</h2>",
                 "<h2>The load test: the period against the platform</h2>",
                 "<h3>Latency per operation</h3>", "<h3>Objectives</h3>",
                 "every objective of the SLO held", "<h3>Credit lists over time</h3>"):
        assert part in html
    full = re.search(r'<td>full_process</td><td class="num"><span class="badge ok">(\d+)/(\d+)'
                     r'</span></td>', html)
    assert full is not None and full.group(1) == full.group(2), "full_process passed at yangpu"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium binary (Debian package chromium; .ci/run installs it)")
    from playwright.sync_api import Route, sync_playwright

    url = (rehearsed / "report.html").resolve().as_uri()
    problems: list[str] = []
    requests: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("request", lambda r: requests.append(r.url))
            page.route("**/*", guard)
            page.goto(url, wait_until="load")
            title = page.title()
            cells = page.locator("td .badge.ok").count()
        finally:
            browser.close()
    assert problems == [] and requests == [url]
    assert title == "Rehearsal: baseline"
    assert cells >= 2  # full_process at yangpu, duty_free_quota at phoenix


def test_a_mistake_found_after_the_model_ran_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "rehearsal"
    result = CliRunner().invoke(app, [
        "rehearse", BASELINE, *SMALL, "--set", "goods.drives_trucks=false", "--hours", "1",
        "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1].startswith(
        "error: goods.drives_trucks: a workload needs the goods flow to drive the trucks")
    assert not out.exists() and not list(tmp_path.iterdir())
