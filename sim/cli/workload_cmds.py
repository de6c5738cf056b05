"""``customs-sim workload``: export a simulated period as platform calls, and replay them.

``customs-sim workload SCENARIO [--set ...] [--from DATETIME] [--hours H] [--ports P,...]
--out FILE.parquet`` (the same as ``workload export ...``) runs the scenario and writes every
platform call of the period with its expected answer; a summary of the calls per operation,
port and hour follows on the terminal.

``customs-sim workload replay FILE [--target URL] [--out DIR]`` sends the calls one at a time
and checks every answer; without ``--target`` it starts the reference platform (on a free
loopback port, a fresh database, the workload's rules) and stops it afterwards. Exit 0 when
every answer is the expected one, 1 when some are not (``mismatches.jsonl`` lists them), 2 for
a usage error or an unreachable platform.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from sim.cli.common import SetOption, console, fail, load_or_exit, parse_from
from sim.workload import (
    WorkloadError,
    export_workload,
    read_workload,
    resolve_period,
    write_workload,
)
from sim.workload.summary import WorkloadSummary, summarise

__all__ = ["register", "workload_app"]


class _ExportByDefault(TyperGroup):
    """``workload SCENARIO ...`` means ``workload export SCENARIO ...``."""

    default_command = "export"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = [self.default_command, *args]
        result: list[str] = super().parse_args(ctx, args)
        return result


workload_app = typer.Typer(
    name="workload",
    cls=_ExportByDefault,
    help="Export a simulated period as platform calls with expected answers; replay them.",
    no_args_is_help=True,
)


def _ports(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [p.strip() for v in values for p in v.split(",") if p.strip()]


def _check_out(out: Path) -> None:
    if out.exists() and out.is_dir():
        fail(f"--out: is a directory; give a file name like {out / 'workload.parquet'}")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        fail(f"--out: cannot write there ({parent} is not a writable directory; got {out})")


@workload_app.command("export")
def export(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    out: Annotated[Path, typer.Option("--out", help="Workload file to write (Parquet).")],
    set_: SetOption = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", help="Period start, local time (default: the scenario's start).",
                     metavar="DATETIME"),
    ] = None,
    hours: Annotated[
        float | None,
        typer.Option("--hours", help="Period length (default: to the scenario's end)."),
    ] = None,
    ports: Annotated[
        list[str] | None,
        typer.Option("--ports", help="Only these ports' traffic (comma-separated, repeatable)."),
    ] = None,
    replication: Annotated[
        int, typer.Option("--replication", min=0, help="Replication index of the run.")
    ] = 0,
) -> None:
    """Run a scenario and write every platform call of a period, with the expected answers."""
    scenario = load_or_exit(scenario_file, set_)
    try:
        period = resolve_period(scenario, parse_from(from_), hours, _ports(ports))
    except WorkloadError as exc:
        fail(str(exc))
    _check_out(out)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        bar.add_task(f"simulating {scenario.name} and exporting its calls", total=None)
        try:
            info, calls = export_workload(scenario, period, replication=replication)
        except WorkloadError as exc:
            fail(str(exc))
    try:
        write_workload(out, info, calls)
    except OSError as exc:
        fail(f"--out: cannot write {out}: {exc.strerror or exc}")
    summary = summarise(calls, period.hours)
    _print_summary(summary, period.ports)
    console.print(
        f"{summary.calls} calls ({sum(summary.setup.values())} set-up, "
        f"{sum(summary.timed.values())} timed over {period.hours:g} h from "
        f"{period.start.isoformat()}) -> {out}",
        highlight=False, soft_wrap=True,
    )


def _print_summary(summary: WorkloadSummary, ports: tuple[str, ...]) -> None:
    ops = Table(title="calls per operation", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("operation", "set-up", "timed"):
        ops.add_column(col, justify="left" if col == "operation" else "right")
    for op in sorted(set(summary.setup) | set(summary.timed)):
        ops.add_row(op, str(summary.setup.get(op, 0)), str(summary.timed.get(op, 0)))
    console.print(ops)
    by_port = Table(title="timed calls per port", box=box.SIMPLE_HEAD, pad_edge=False)
    by_port.add_column("port")
    by_port.add_column("calls", justify="right")
    names = [*ports, ""] if summary.by_port.get("") else list(ports)
    for name in names:
        by_port.add_row(name or "(no port)", str(summary.by_port.get(name, 0)))
    console.print(by_port)
    by_hour = Table(title="timed calls per hour of the period", box=box.SIMPLE_HEAD,
                    pad_edge=False)
    by_hour.add_column("hour", justify="right")
    by_hour.add_column("calls", justify="right")
    by_hour.add_column("main operations")
    for h, n in enumerate(summary.by_hour):
        top = sorted(((c, op) for (op, hh), c in summary.by_operation_hour.items() if hh == h),
                     reverse=True)[:3]
        by_hour.add_row(str(h), str(n), ", ".join(f"{op} {c}" for c, op in top))
    console.print(by_hour)


@workload_app.command("replay")
def replay_cmd(
    workload_file: Annotated[
        Path, typer.Argument(help="Workload file (Parquet).", metavar="FILE")
    ],
    target: Annotated[
        str | None,
        typer.Option("--target", help="Platform base URL (default: start the reference "
                     "platform on loopback).", metavar="URL"),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Directory for mismatches.jsonl (default: the file's)."),
    ] = None,
    show: Annotated[int, typer.Option("--show", min=0, help="Mismatches to print.")] = 5,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a target outside loopback.")
    ] = False,
) -> None:
    """Send a workload's calls one at a time and check every answer."""
    from sim.client import PlatformUnreachable, TargetError, open_target
    from sim.workload.replay import replay, write_mismatches

    try:
        info, calls = read_workload(workload_file)
    except WorkloadError as exc:
        fail(str(exc))
    directory = out if out is not None else workload_file.parent
    if not directory.is_dir():
        fail(f"--out: not a directory (got {directory})")
    try:
        with open_target(target, info.rules, allow_remote=allow_remote) as client, Progress(
            TextColumn("[bold]replaying"), BarColumn(),
            TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
            console=console, transient=True,
        ) as bar:
            task = bar.add_task("replay", total=len(calls))
            report = replay(client, calls, progress=lambda n: bar.update(task, completed=n))
    except TargetError as exc:
        fail(str(exc))
    except PlatformUnreachable as exc:
        fail(f"--target: the platform stopped answering: {exc}")
    write_mismatches(directory / "mismatches.jsonl", report.mismatches)
    table = Table(title=f"replay of {workload_file.name}", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("operation", "sent", "mismatched"):
        table.add_column(col, justify="left" if col == "operation" else "right")
    for op in sorted(report.sent):
        table.add_row(op, str(report.sent[op]), str(report.mismatched.get(op, 0)))
    console.print(table)
    for m in report.mismatches[:show]:
        record = m.to_record()
        console.print(f"mismatch at call {m.call.seq} ({m.call.operation}): "
                      f"{'; '.join(m.differences)}", highlight=False, soft_wrap=True)
        console.print("  request:  " + json.dumps(record["request"], ensure_ascii=False),
                      highlight=False, soft_wrap=True, markup=False)
        console.print("  answer:   " + json.dumps(record["answer"], ensure_ascii=False),
                      highlight=False, soft_wrap=True, markup=False)
        console.print("  expected: " + json.dumps(record["expected"], ensure_ascii=False),
                      highlight=False, soft_wrap=True, markup=False)
    total = sum(report.sent.values())
    console.print(f"{total} calls, {len(report.mismatches)} mismatches -> "
                  f"{directory / 'mismatches.jsonl'}", highlight=False, soft_wrap=True)
    if report.mismatches:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``workload`` group to ``app``."""
    app.add_typer(workload_app)
