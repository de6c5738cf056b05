"""Reports: self-contained HTML, plain-language verdicts, and kinds added without touching
the existing ones."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reports import ReportError, ReportKind, render_directory, report_kind
from reports.render import _REGISTRY, kinds
from sim.cli import app
from sim.results.experiment import Difference, Interval
from sim.results.rows import KpiKey

ROOT = Path(__file__).resolve().parents[3]
QUICK = ["--set", "horizon_hours=3", "--set", "policy.declarants=shares",
         "--set", "goods.enabled=false"]  # fmt: skip
# What makes a browser fetch something: a src/href, a CSS url() or @import, a script.
# References inside the document (url(#clip), xlink:href="#marker") fetch nothing.
EXTERNAL = re.compile(
    r"""(<script|<link|<iframe|<img|\bsrc=|href="(?!#)|url\((?!#)|@import)""", re.I
)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "baseline"
    result = CliRunner().invoke(
        app, ["run", str(ROOT / "scenarios/baseline.yaml"), *QUICK, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def test_a_run_report_is_self_contained(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    # the only URLs are XML namespace names inside the inline SVG, never fetched
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert html.count("<svg") >= 3
    assert "supervised trucks per port" in html and "@media print" in html


def test_the_same_results_render_the_same_bytes(run_dir: Path) -> None:
    assert render_directory(run_dir) == render_directory(run_dir)


def test_the_run_report_shows_the_terminal_table(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text()
    for heading in ("arr", "rel", "mean", "p95", "no-stop", "chan", "offic", "bottleneck"):
        assert f"<th>{heading}</th>" in html


def _difference(mean: float, half: float) -> Difference:
    i = Interval(20, 600.0, 30.0, 10.0)
    key = KpiKey("xinhai", "", "", "clearance_time_s.p95")
    paired, unpaired = Interval(20, mean, 60.0, half), Interval(20, mean, 300.0, 5 * half)
    return Difference(key, i, i, paired, unpaired)


def test_verdicts_in_plain_words() -> None:
    assert _difference(-186.0, 42.0).verdict() == (
        "B lowers p95 clearance time at Haikou Xinhai Port by 3.1 min [2.4, 3.8]"
    )
    assert _difference(30.0, 12.0).verdict() == (
        "B raises p95 clearance time at Haikou Xinhai Port by 0.5 min [0.3, 0.7]"
    )
    assert _difference(12.0, 30.0).verdict() == (
        "no significant difference in p95 clearance time at Haikou Xinhai Port "
        "(B - A = +0.2 min, the 95% interval spans zero)"
    )
    assert not _difference(12.0, 30.0).significant()
    nan = Interval(0, math.nan, math.nan, math.nan)
    missing = Difference(KpiKey("", "", "", "queue_peak"), nan, nan, nan, nan)
    assert missing.verdict() == "peak channel queue island-wide: not measured in both"


def test_a_new_kind_plugs_in_by_registering(tmp_path: Path) -> None:
    (tmp_path / "drill.json").write_text("{}")
    try:

        @report_kind
        def drill() -> ReportKind:
            return ReportKind(
                name="drill_test",
                priority=1,
                detect=lambda d: (d / "drill.json").is_file(),
                context=lambda d: {"title": f"Drill report: {d.name}"},
                template="base.html",
            )

        assert kinds()[0].name == "drill_test"
        html = render_directory(tmp_path)
        assert f"<h1>Drill report: {tmp_path.name}</h1>" in html
    finally:
        _REGISTRY.pop("drill_test", None)
    with pytest.raises(ReportError, match="no results a report can show here"):
        render_directory(tmp_path)
