"""A comparison report opened in a real browser: headless Chromium (Debian's ``chromium``)
driven by Playwright for Python. Any console error, page error or network request other than
the file itself fails the test; a screenshot is saved and must not be blank.

Why Playwright pointed at the system Chromium rather than a hand-written DevTools client: it
reports console messages, page errors and every request (``data:`` and ``file:`` included) as
events, and can abort requests, with no browser download (``executable_path``); the DevTools
protocol underneath is the same.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no chromium binary (Debian package chromium; .ci/run installs it)"
    ),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "cmp"
    result = CliRunner().invoke(
        app,
        ["compare", str(ROOT / "scenarios/baseline.yaml"),
         str(ROOT / "scenarios/strict_key_attention.yaml"), "--set", "horizon_hours=6",
         "--set", "policy.declarants=shares", "--set", "goods.enabled=false", "-n", "3",
         "--workers", "1", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out / "report.html"


def test_report_renders_in_chromium_without_errors_or_requests(report: Path) -> None:
    from playwright.sync_api import ConsoleMessage, Request, Route, sync_playwright

    url = report.resolve().as_uri()
    problems: list[str] = []
    requests: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"console {message.type}: {message.text}")

    def on_request(request: Request) -> None:
        requests.append(request.url)

    def guard(route: Route) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()  # nothing leaves the machine, whatever the page asks for

    shot = report.parent / "report.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", on_console)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("request", on_request)
            page.route("**/*", guard)
            page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle")
            title = page.title()
            svgs = page.locator("svg").count()
            verdict = page.locator("h2", has_text="Verdict").count()
            page.screenshot(path=str(shot), full_page=True)
            page.emulate_media(media="print")
            printed = page.pdf() if hasattr(page, "pdf") else b""
        finally:
            browser.close()
    assert problems == []
    assert requests == [url], f"requests other than the file: {requests[1:]}"
    assert title == "Comparison: baseline vs strict_key_attention"
    assert svgs >= 4 and verdict == 1
    assert printed[:4] == b"%PDF"  # it prints
    pixels = image.imread(str(shot))
    assert pixels.shape[0] > 900 and pixels.shape[1] == 1100  # the full page, not the viewport
    rgb = pixels[..., :3]
    not_white = np.any(rgb < 0.9, axis=-1).mean()
    colours = len(np.unique((rgb * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert not_white > 0.02, f"screenshot is nearly blank ({not_white:.1%} non-white)"
    assert colours > 50
