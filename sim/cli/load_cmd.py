"""``customs-sim load``: replay a workload open-model with Locust, check the SLO, find the headroom.

``customs-sim load --workload FILE [--target URL] [--speed X] [--processes N] [--slo FILE]
--out DIR`` sends the workload's set-up (untimed), then its timed calls at their intended
moments compressed ``X`` times, from ``N`` Locust worker processes, checks every answer and the
SLO, and writes ``DIR/summary.json``, ``junit.xml``, ``latency_over_time.csv``,
``mismatches.jsonl`` and Locust's CSV and HTML. Without ``--target`` the reference platform is
started on a free loopback port with a fresh database and the workload's rules, and stopped
afterwards. Exit 0 when every objective holds, 1 when one breaks, 2 for a usage error or a
run that could not be done (an unreachable or silent target, a run past its time bound).

``--find-max`` runs whole load tests at rising speed-ups (then bisects) until the SLO breaks
and reports the highest speed-up held, each step against a freshly started reference platform
(``DIR/steps/``); exit 0 when some speed-up held, 1 when none did.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from loadtests.headroom import SearchLimits, find_max
from loadtests.launch import START_ALLOWANCE_S, ReplayRun, run_bound_s, run_replay
from loadtests.options import DEFAULTS, ReplayOptions
from loadtests.slo import SloError, load_slo
from reports import REPORT_FILE, ReportError, render_directory
from sim.cli.common import console, fail
from sim.cli.load_view import print_headroom, print_result, progress_printer
from sim.client import PlatformError, TargetError, open_target
from sim.results.load import HeadroomStep, LoadResult, write_load_result
from sim.workload import WorkloadError, WorkloadInfo, read_workload

__all__ = ["load", "register"]

def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        fail(f"--out: is a file, not a directory (got {out})")
    parent = out if out.exists() else out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        fail(f"--out: cannot write there ({parent} is not writable; got {out})")


def _timed_span(path: Path) -> tuple[WorkloadInfo, float, int]:
    try:
        info, calls = read_workload(path)
    except WorkloadError as exc:
        fail(f"--workload: {exc}")
    timed = [c.intended_s for c in calls if c.phase == "timed"]
    if not timed:
        fail(f"--workload: {path} has no timed call to replay")
    return info, max(timed), info.setup


def _bound_s(span_s: float, speed: float, setup: int, options: ReplayOptions) -> float:
    return run_bound_s(span_s, speed, setup, options.timeout_s)


def load(
    workload: Annotated[Path, typer.Option("--workload", help="Workload file (Parquet), made by "
                                           "the workload export command.", metavar="FILE")],
    out: Annotated[Path, typer.Option("--out", help="Output directory.", metavar="DIR")],
    target: Annotated[str | None, typer.Option(
        "--target", help="Platform base URL (default: start the reference platform on "
        "loopback); its admin token from REFPLATFORM_ADMIN_TOKEN.", metavar="URL")] = None,
    speed: Annotated[float, typer.Option(
        "--speed", help="Speed-up: intended seconds per wall second (with --find-max: the "
        "first step).")] = DEFAULTS.speed,
    processes: Annotated[int, typer.Option(
        "--processes", min=1, max=64, help="Locust worker processes.")] = 1,
    slo: Annotated[Path | None, typer.Option(
        "--slo", help="SLO file (YAML; default: loadtests/default_slo.yaml).",
        metavar="FILE")] = None,
    connections: Annotated[int, typer.Option(
        "--connections", min=1, max=10_000,
        help="Requests out at once, per process.")] = DEFAULTS.connections,
    late_ms: Annotated[float, typer.Option(
        "--late-ms", help="A start later than this counts as dropped.")] = DEFAULTS.late_ms,
    silence_s: Annotated[float, typer.Option(
        "--silence-s", help="End the run when the target answers nothing for this long."
    )] = DEFAULTS.silence_s,
    max_minutes: Annotated[float, typer.Option(
        "--max-minutes", help="Bound on the run (or the whole search), in minutes.")] = 60.0,
    allow_remote: Annotated[bool, typer.Option(
        "--allow-remote", help="Allow a target outside loopback.")] = False,
    find_max_: Annotated[bool, typer.Option(
        "--find-max", help="Search the highest speed-up that holds the SLO.")] = False,
    max_speed: Annotated[float, typer.Option(
        "--max-speed", help="With --find-max: the highest speed-up tried.")] = 1024.0,
    precision: Annotated[float, typer.Option(
        "--precision", help="With --find-max: stop when held and broken speed-ups are within "
        "this ratio.")] = 0.1,
    attempts: Annotated[int, typer.Option(
        "--attempts", min=1, max=5, help="With --find-max: tries per step; a step holds when "
        "one does.")] = 1,
) -> None:
    """Replay a workload open-model with Locust, check every answer and the SLO."""
    options = ReplayOptions(
        workload=str(workload), speed=speed, connections=connections, late_ms=late_ms,
        silence_s=silence_s, slo=str(slo) if slo else "", reference_platform=target is None)
    try:
        options.check()
    except ValueError as exc:
        fail(str(exc))
    if not max_minutes > 0:
        fail(f"--max-minutes: must be greater than 0 (got {max_minutes:g})")
    try:
        load_slo(slo)
    except SloError as exc:
        fail(str(exc))
    info, span_s, setup = _timed_span(workload)
    _check_out(out)
    budget_s = max_minutes * 60.0
    if find_max_:
        if target is not None:
            fail("--find-max: every step needs the platform in the workload's starting state; "
                 "it starts the reference platform per step and cannot reset a --target "
                 f"(got {target})")
        limits = SearchLimits(start=speed, limit=max_speed, floor=speed / 8,
                              precision=precision, budget_s=budget_s)
        try:
            limits.check()
        except ValueError as exc:
            fail(str(exc))
        _headroom(options, info, limits, out, span_s, setup, attempts)
        return
    need_s = _bound_s(span_s, speed, setup, options)
    if need_s > budget_s:
        fail(f"--speed: the run would take about {need_s / 60:.1f} min at {speed:g}x, more "
             f"than --max-minutes {max_minutes:g}; raise one of them (got {speed:g})")
    run = _one_run(options, target, info, out, processes, budget_s, allow_remote)
    _report(run, out)


def _one_run(options: ReplayOptions, target: str | None, info: WorkloadInfo, out: Path,
             processes: int, deadline_s: float, allow_remote: bool) -> ReplayRun:
    try:
        with open_target(target, info.rules, allow_remote=allow_remote) as client:
            return run_replay(options, client.base_url, client.token(), out,
                              processes=processes, deadline_s=deadline_s,
                              progress=progress_printer(options.speed))
    except TargetError as exc:
        fail(str(exc))
    except PlatformError as exc:  # the admin token could not be had from the target
        fail(f"--target: {exc}")


def _write_report(out: Path) -> None:
    """Render ``report.html`` beside the summary just written (atomically)."""
    try:
        html = render_directory(out)
    except ReportError as exc:  # the files were just written: not a user's mistake
        raise RuntimeError(f"cannot render the report of {out}: {exc}") from exc
    staged = out / f".{REPORT_FILE}.tmp"
    staged.write_text(html, encoding="utf-8")
    os.replace(staged, out / REPORT_FILE)


def _report(run: ReplayRun, out: Path) -> None:
    if run.result is not None:
        _write_report(out)
        print_result(run.result, out)
    if run.code == 2:
        fail(run.message)
    console.print(run.message, highlight=False, soft_wrap=True)
    if run.code:
        raise typer.Exit(run.code)


def _headroom(options: ReplayOptions, info: WorkloadInfo, limits: SearchLimits, out: Path,
              span_s: float, setup: int, attempts: int) -> None:
    steps_dir = out / "steps"
    results: dict[str, LoadResult] = {}

    def step(speed: float, number: int) -> HeadroomStep:
        last: ReplayRun | None = None
        name = ""
        for attempt in range(1, attempts + 1):
            name = f"{number:02d}-x{speed:g}" + (f"-try{attempt}" if attempt > 1 else "")
            console.print(f"step {number}: {speed:g}x" + (f" (try {attempt})" if attempt > 1
                                                          else ""), highlight=False)
            run_options = replace(options, speed=speed)
            last = _one_run(run_options, None, info, steps_dir / name, 1,
                            _bound_s(span_s, speed, setup, options), False)
            if last.result is not None:
                results[name] = last.result
            console.print(f"  {last.message}", highlight=False, soft_wrap=True)
            if last.code == 0:
                break
        assert last is not None
        r = last.result
        broken = tuple(c.name for c in r.slo if not c.holds) if r is not None else ()
        return HeadroomStep(
            speed=speed, holds=last.code == 0, broken=broken,
            p99_ms=r.run.response_ms.p99 if r is not None else 0.0,
            achieved_rate=round(r.achieved_ratio, 6) if r is not None else 0.0,
            attempts=attempt, directory=f"steps/{name}",
            aborted=(r.aborted if r is not None else last.message) if last.code == 2 else None)

    headroom = find_max(step, limits,
                        expected_s=lambda s: (_bound_s(span_s, s, setup, options)
                                              - START_ALLOWANCE_S))
    chosen = _chosen_step(headroom.steps, headroom.held)
    best = results.get(Path(chosen.directory).name) if chosen is not None else None
    if best is not None:
        assert chosen is not None
        for name in ("junit.xml", "latency_over_time.csv", "mismatches.jsonl"):
            source = out / chosen.directory / name
            if source.exists():
                shutil.copyfile(source, out / name)
        write_load_result(out / "summary.json", replace(best, headroom=headroom))
        _write_report(out)
    period = f"{info.scenario}, {info.hours:g} h from {info.start}"
    print_headroom(headroom, period, out)
    if headroom.held is None:
        raise typer.Exit(1)


def _chosen_step(steps: tuple[HeadroomStep, ...], held: float | None) -> HeadroomStep | None:
    """The step whose result stands for the search: the highest held, else the lowest tried."""
    if held is not None:
        return next(s for s in reversed(steps) if s.holds and s.speed == held)
    return min(steps, key=lambda s: s.speed) if steps else None


def register(app: typer.Typer) -> None:
    """Add the ``load`` command to ``app``."""
    app.command("load")(load)

