"""``customs-sim rehearse``: the pre-closure rehearsal in one command.

``customs-sim rehearse SCENARIO [--set ...] [--from DATETIME] [--hours H] [--ports P,...]
[--processes P,...] [--faults F,...] --out DIR`` runs, in order:

1. the model of the scenario (``DIR/model/kpis.json``, ``records.parquet``);
2. the workload of the period (``--from``, ``--hours``, ``--ports``): every platform call it
   implies with the answer the rules expect (``DIR/workload.parquet``);
3. the reference platform, started on loopback with the scenario's rules;
4. the drills: every process of the catalogue at every port of the period, with ``--faults``
   injected if asked (``DIR/drill/summary.json``, ``junit.xml``); their entities are chosen
   apart from the workload's, so both run on the one platform;
5. the load test: the period's traffic replayed open-model with Locust against the same
   platform (``customs-sim load``'s replay, one worker process) at ``--speed`` times its
   predicted rhythm (default 60: an hour in a minute), every answer checked and held against
   the SLO (``--slo``, default ``loadtests/default_slo.yaml``; ``DIR/load/summary.json``,
   ``junit.xml``, ``mismatches.jsonl``, Locust's CSV and HTML);
6. the HTML report of it all (``DIR/report.html``: the stages, the model's tables and plots,
   the drill's matrix, failures, faults and audit, the load test's latency and objectives);

and writes one summary, ``DIR/rehearsal.json`` (:mod:`sim.results.rehearsal`). Everything is
written into a directory beside DIR and moved into place at the end, so a mistake found on the
way (exit 2) leaves DIR as it was. Exit status as ``customs-sim drill``'s: 0 every check
passed, 3 only steps the platform has no operation for, 1 otherwise, 2 a usage error.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from loadtests.launch import run_bound_s, run_replay
from loadtests.options import ReplayOptions
from loadtests.slo import SloError, load_slo
from reports import REPORT_FILE
from sim.cli.common import SetOption, console, fail, load_or_exit, parse_from
from sim.cli.drill_cmd import (
    EXIT_CODES,
    check_out,
    check_ports,
    plan_for,
    print_drill,
    progress_bar,
    split_list,
    write_drill_outputs,
    write_report,
)
from sim.cli.load_view import print_result, progress_printer
from sim.client import PlatformUnreachable, TargetError
from sim.drill import (
    FAULTS,
    CatalogueError,
    Connection,
    FaultError,
    Process,
    check_faults,
    connect,
    default_catalogue,
    load_catalogue,
    run_drill,
)
from sim.results import compute_kpis, write_outputs
from sim.results.io import publish_directory, stage_directory
from sim.results.rehearsal import RehearsalSummary, Stage, write_rehearsal
from sim.scenario import Scenario
from sim.workload import (
    Call,
    Period,
    WorkloadError,
    export_workload,
    resolve_period,
    write_workload,
)
from sim.world import build_world, run_scenario

__all__ = ["register", "rehearse"]

_OUTPUTS = ("model", "workload.parquet", "drill", "load", "rehearsal.json", REPORT_FILE)
_SPEED = 60.0
"""The rehearsal's default speed-up of the period's traffic: an hour in a minute."""


@contextmanager
def _timed() -> Iterator[list[float]]:
    took = [0.0]
    started = time.monotonic()
    try:
        yield took
    finally:
        took[0] = time.monotonic() - started


def _model_figures(kpis: dict[str, Any]) -> dict[str, Any]:
    ports = kpis["ports"].values()
    p95, seamless = kpis["clearance_time_s"]["p95"], kpis["seamless_clearance_share"]
    return {
        "trucks_arrived": sum(p["arrivals"] for p in ports),
        "trucks_released": sum(p["released"] for p in ports),
        "clearance_p95_min": None if p95 is None else round(p95 / 60, 1),
        "seamless_share": None if seamless is None else round(seamless, 3),
    }


def _registered(calls: list[Call]) -> list[str]:
    """The entities a workload registers (the drill casts others)."""
    return [c.body_json()["id"] for c in calls if c.operation == "register_entity"]


def _load_stage(connection: Connection, calls: list[Call], directory: Path,
                options: ReplayOptions) -> Stage:
    """The period's traffic against the platform: the open-model load test, SLO checked."""
    timed = [c.intended_s for c in calls if c.phase == "timed"]
    if not timed:  # nothing happens at these ports in the period: nothing to time
        return Stage("load", "skipped", 0.0, {"calls": 0}, (),
                     "the period has no timed call at these ports")
    setup = len(calls) - len(timed)
    deadline_s = run_bound_s(max(timed), options.speed, setup, options.timeout_s)
    with _timed() as took:
        run = run_replay(options, connection.base_url, connection.admin_token, directory,
                         deadline_s=deadline_s, progress=progress_printer(options.speed))
    outputs = tuple(f"load/{name}" for name in run.files)
    result = run.result
    if result is None:  # the run could not be done: a stage that failed, and why
        return Stage("load", "fail", took[0], {"calls": 0}, outputs, run.message)
    print_result(result, None)  # the rehearsal's own report shows the load test
    console.print(run.message, highlight=False, soft_wrap=True)
    held = sum(1 for c in result.slo if c.holds)
    figures = {"speed": f"{result.speed:g}x", "calls": result.setup.calls + result.run.sent,
               "mismatches": result.setup.mismatched + result.run.mismatched,
               "p99 ms": round(result.run.response_ms.p99, 1),
               "achieved": f"{100 * result.achieved_ratio:.1f}%",
               "slo held": f"{held}/{len(result.slo)}"}
    return Stage("load", "pass" if run.code == 0 else "fail", took[0], figures, outputs,
                 "" if run.code != 2 else run.message)


def _print_stages(summary: RehearsalSummary) -> None:
    table = Table(title=f"rehearsal of {summary.scenario}: {summary.start[:16]} + "
                  f"{summary.hours:g} h at {len(summary.ports)} ports", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    for col in ("stage", "result", "figures", "s"):
        table.add_column(col, justify="right" if col == "s" else "left")
    for s in summary.stages:
        figures = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s.figures.items()
                            if not isinstance(v, dict))
        table.add_row(s.name, s.status, figures, f"{s.seconds:.1f}")
    console.print(table)
    for s in summary.stages:
        if s.note:
            console.print(f"{s.name}: {s.note}", highlight=False, soft_wrap=True)


def rehearse(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    out: Annotated[Path, typer.Option("--out", help="Directory for every output.")],
    set_: SetOption = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", metavar="DATETIME", help="Start of the period whose traffic is "
                     "replayed, local time (default: the scenario's start)."),
    ] = None,
    hours: Annotated[
        float | None, typer.Option("--hours", help="Length of the period (default: to the "
                                   "scenario's end).")
    ] = None,
    ports: Annotated[
        list[str] | None,
        typer.Option("--ports", metavar="PORT,...", help="Only these ports, for the traffic "
                     "and the drills (comma-separated, repeatable)."),
    ] = None,
    processes: Annotated[
        list[str] | None,
        typer.Option("--processes", metavar="P,...", help="Only these drill processes."),
    ] = None,
    faults: Annotated[
        list[str] | None,
        typer.Option("--faults", metavar="F,...",
                     help=f"Faults to inject during the drills: {', '.join(FAULTS)}."),
    ] = None,
    speed: Annotated[float, typer.Option(
        "--speed", help="Speed-up of the period's traffic in the load test (intended seconds "
        "per wall second).")] = _SPEED,
    slo: Annotated[Path | None, typer.Option(
        "--slo", help="SLO file of the load test (YAML; default: loadtests/default_slo.yaml).",
        metavar="FILE")] = None,
) -> None:
    """The rehearsal in one command: model, workload, platform, drills, load test, one summary."""
    scenario = load_or_exit(scenario_file, set_)
    try:
        period = resolve_period(scenario, parse_from(from_), hours,
                                check_ports(split_list(ports)))
        chosen = load_catalogue([default_catalogue()]).select(split_list(processes))
        fault_list = check_faults(split_list(faults) or [], own_platform=True)
        load_slo(slo)
    except (WorkloadError, CatalogueError, FaultError, SloError) as exc:
        fail(str(exc))
    options = ReplayOptions(workload="", speed=speed, slo=str(slo) if slo else "",
                            reference_platform=True)
    if not speed > 0:
        fail(f"--speed: must be greater than 0 (got {speed:g})")
    check_out(out)
    staged = stage_directory(out)
    try:
        summary = _rehearse(scenario, period, chosen, fault_list, options, staged)
        for name in _OUTPUTS:
            if (out / name).is_dir() and (staged / name).exists():
                shutil.rmtree(out / name)
        publish_directory(staged, out, [n for n in _OUTPUTS if (staged / n).exists()])
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    _print_stages(summary)
    console.print(f"{summary.verdict} -> {out / 'rehearsal.json'}", highlight=False)
    raise typer.Exit(EXIT_CODES[summary.verdict])


def _rehearse(scenario: Scenario, period: Period, chosen: list[Process],
              fault_list: tuple[str, ...], options: ReplayOptions,
              staged: Path) -> RehearsalSummary:
    stages: list[Stage] = []
    with _timed() as took:
        with progress_bar(f"simulating {scenario.name}"):
            world = build_world(scenario)
            result = run_scenario(scenario, world=world)
        kpis = compute_kpis(result)
        write_outputs(staged / "model", kpis, result.records)
    stages.append(Stage("model", "done", took[0], _model_figures(kpis),
                        ("model/kpis.json", "model/records.parquet")))
    with _timed() as took:
        try:
            info, calls = export_workload(scenario, period, world=world, result=result)
        except WorkloadError as exc:
            fail(str(exc))
        write_workload(staged / "workload.parquet", info, calls)
    setup = sum(1 for c in calls if c.phase == "setup")
    stages.append(Stage("workload", "done", took[0],
                        {"calls": len(calls), "setup": setup, "timed": len(calls) - setup},
                        ("workload.parquet",)))
    plan = plan_for(scenario, chosen, list(period.ports), scenario.seed, _registered(calls))
    starting = time.monotonic()
    try:
        with connect(None, info.rules) as connection:
            stages.append(Stage("platform", "done", time.monotonic() - starting,
                                {"url": connection.base_url}))
            with _timed() as took, progress_bar("drilling") as progress:
                drilled = run_drill(plan, connection, faults=fault_list, progress=progress)
            write_drill_outputs(staged / "drill", drilled)
            print_drill(drilled)
            audit = drilled.audit
            counts = {k: n for k, n in drilled.counts().items() if n}
            figures = {"steps": len(drilled.steps), **counts,
                       "audit": "clean" if audit is not None and audit.ok else "problems"}
            if drilled.faults:
                figures["faults"] = len(drilled.faults)
            stages.append(Stage("drill", drilled.verdict, took[0], figures,
                                ("drill/summary.json", "drill/junit.xml")))
            workload = staged / "workload.parquet"
            stages.append(_load_stage(connection, calls, staged / "load",
                                      replace(options, workload=str(workload))))
    except TargetError as exc:
        fail(str(exc))
    except PlatformUnreachable as exc:
        fail(f"the reference platform stopped answering: {exc}")
    summary = RehearsalSummary(scenario.name, scenario.seed, period.start.isoformat(),
                               period.hours, period.ports,
                               (*stages, Stage("report", "done", 0.0, {}, (REPORT_FILE,))))
    write_rehearsal(staged / "rehearsal.json", summary)
    with _timed() as took:
        write_report(staged)
    # The report shows every stage but itself; the summary keeps its time too.
    summary = replace(summary, stages=(*stages, Stage("report", "done", took[0], {},
                                                      (REPORT_FILE,))))
    write_rehearsal(staged / "rehearsal.json", summary)
    return summary


def register(app: typer.Typer) -> None:
    """Add the ``rehearse`` command to ``app``."""
    app.command("rehearse")(rehearse)
