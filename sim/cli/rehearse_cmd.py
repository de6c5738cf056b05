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
5. the period's traffic replayed against the platform. This build has no open-model load test
   (``customs-sim load``) yet, so the stage is the functional replay of the workload (one call
   at a time, every answer checked, no SLO), and says so (``DIR/load/mismatches.jsonl``);
6. the HTML report of it all (``DIR/report.html``: the stages, the model's tables and plots,
   the drill's matrix, failures, faults and audit, the replay);

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
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from reports import REPORT_FILE
from sim.cli.common import SetOption, console, fail, load_or_exit
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
from sim.client import PlatformClient, PlatformUnreachable, TargetError
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
from sim.workload.replay import replay, write_mismatches
from sim.world import build_world, run_scenario

__all__ = ["register", "rehearse"]

_OUTPUTS = ("model", "workload.parquet", "drill", "load", "rehearsal.json", REPORT_FILE)
_LOAD_NOTE = ("functional replay in place of the load test: every call sent one at a time and "
              "its answer checked, no timing and no SLO (customs-sim load is not in this build)")


@contextmanager
def _timed() -> Iterator[list[float]]:
    took = [0.0]
    started = time.monotonic()
    try:
        yield took
    finally:
        took[0] = time.monotonic() - started


def _parse_from(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        fail(f"--from: not a date-time like 2026-03-10T09:00 (got {text!r})")


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


def _load_stage(connection: Connection, calls: list[Call], directory: Path) -> Stage:
    """The period's traffic against the platform: the functional replay (see the docstring)."""
    directory.mkdir()
    with _timed() as took, PlatformClient(connection.base_url,
                                          admin_token=connection.admin_token) as client, \
            progress_bar("replaying the period") as progress:
        report = replay(client, calls, progress=lambda n: progress(n, len(calls)))
    write_mismatches(directory / "mismatches.jsonl", report.mismatches)
    figures = {"calls": sum(report.sent.values()), "mismatches": len(report.mismatches),
               "retries": report.retries}
    for m in report.mismatches[:3]:
        console.print(f"load mismatch at call {m.call.seq} ({m.call.operation}): "
                      f"{'; '.join(m.differences)}", highlight=False, soft_wrap=True,
                      markup=False)
    return Stage("load", "fail" if report.mismatches else "pass", took[0], figures,
                 ("load/mismatches.jsonl",), _LOAD_NOTE)


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
) -> None:
    """The rehearsal in one command: model, workload, platform, drills, load, one summary."""
    scenario = load_or_exit(scenario_file, set_)
    try:
        period = resolve_period(scenario, _parse_from(from_), hours,
                                check_ports(split_list(ports)))
        chosen = load_catalogue([default_catalogue()]).select(split_list(processes))
        fault_list = check_faults(split_list(faults) or [], own_platform=True)
    except (WorkloadError, CatalogueError, FaultError) as exc:
        fail(str(exc))
    check_out(out)
    staged = stage_directory(out)
    try:
        summary = _rehearse(scenario, period, chosen, fault_list, staged)
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
              fault_list: tuple[str, ...], staged: Path) -> RehearsalSummary:
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
            stages.append(_load_stage(connection, calls, staged / "load"))
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
