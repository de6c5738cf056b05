"""``customs-sim drill``: walk every business process at every port against a platform.

``customs-sim drill [--target URL] [--processes P,...] [--ports P,...] [--faults F,...]
[--catalogue PATH] [--scenario FILE] [--set ...] [--seed N] --out DIR`` plans the drill
catalogue's processes (``scenarios/drills`` by default) at their ports with entities of the
synthetic population, sends every step (starting the reference platform on loopback with the
scenario's rules when no ``--target`` is given), checks each answer against the rules' oracle,
audits what the platform stored, and writes ``summary.json`` (``sim.results.drill``),
``junit.xml`` and ``report.html`` (the self-contained HTML report) into DIR. The terminal shows
the matrix process x port, each failure with its request, answer and expectation, the faults
and the audit.

Exit status: 0 when every step passed and the audit is clean; 3 when the only steps that did
not pass are ones the platform API has no operation for ("not supported"); 1 otherwise; 2 for a
usage error (an unknown process, port or fault, a wrong catalogue step, an unreachable target).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reports import REPORT_FILE, ReportError, render_directory
from sim.cli.common import SetOption, console, fail, load_or_exit
from sim.drill import (
    FAULTS,
    CastError,
    CatalogueError,
    DrillPlan,
    FaultError,
    Process,
    check_faults,
    connect,
    default_catalogue,
    drill_population,
    load_catalogue,
    plan_drill,
    run_drill,
)
from sim.results.drill import DrillSummary, write_summary
from sim.results.drill_junit import write_junit
from sim.rules.ports import PORT_IDS
from sim.scenario import Scenario

__all__ = [
    "EXIT_CODES",
    "drill",
    "plan_for",
    "print_drill",
    "register",
    "write_drill_outputs",
    "write_report",
]

EXIT_CODES = {"pass": 0, "fail": 1, "not_supported": 3}
"""Exit status by verdict (2 is a usage error)."""


def split_list(values: Sequence[str] | None) -> list[str] | None:
    """``--opt a,b --opt c`` as ``[a, b, c]`` (None when the option is not given)."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def check_ports(ports: list[str] | None) -> list[str] | None:
    """The ``--ports`` given, checked against the ten (exit 2 naming a wrong one)."""
    for port in ports or ():
        if port not in PORT_IDS:
            fail(f"--ports: unknown port id; known: {', '.join(PORT_IDS)} (got {port!r})")
    return ports


def check_out(out: Path) -> None:
    """Exit 2 unless ``--out`` is a directory that can be made or written into (it is made
    only when there is something to write)."""
    if out.exists() and not out.is_dir():
        fail(f"--out: not a directory (got {out})")
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        fail(f"--out: cannot write into {existing} (got {out})")


def plan_for(
    scenario: Scenario,
    processes: list[Process],
    ports: list[str] | None,
    seed: int,
    exclude: Sequence[str] = (),
) -> DrillPlan:
    """Plan ``processes`` with a population of ``scenario``'s mix, or exit 2 saying why not."""
    reference = min(p.start for p in processes)
    population = drill_population(scenario.population, scenario.credit, seed, reference)
    try:
        plan = plan_drill(processes, population, scenario.rules_config(), ports=ports,
                          seed=seed, exclude=exclude)
    except (CastError, CatalogueError) as exc:
        fail(str(exc))
    if not plan.runs:
        where = ", ".join(f"{p.id} at {'/'.join(p.ports)}" for p in processes)
        fail(f"--ports: none of the processes runs at {', '.join(ports or ())} ({where})")
    return plan


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar; yields the ``progress(done, total)`` callback to feed it."""
    with Progress(TextColumn(f"[bold]{label}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} steps"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _matrix_tables(summary: DrillSummary) -> Iterator[Table]:
    """The matrix: ports running the same processes together (seaports, airports), in tables
    as wide as the terminal allows."""
    matrix = summary.matrix()
    groups: dict[tuple[str, ...], list[str]] = {}
    for port in summary.ports:
        ran = tuple(p for p in summary.processes if port in matrix.get(p, {}))
        groups.setdefault(ran, []).append(port)
    for processes, ports in groups.items():
        name_width = max(len(p) for p in processes) + 2
        per_table = max(1, (console.width - name_width) // 13)
        for first in range(0, len(ports), per_table):
            chunk = ports[first:first + per_table]
            table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
            table.add_column("process", no_wrap=True)
            for port in chunk:
                table.add_column(port, justify="right", no_wrap=True)
            for process in processes:
                table.add_row(process, *(_cell(matrix[process].get(port)) for port in chunk))
            yield table


def _cell(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return ""
    mark = {"pass": "", "fail": "FAIL ", "not_supported": "n/s "}[cell["status"]]
    return f"{mark}{cell['passed']}/{cell['total']}"


def print_drill(summary: DrillSummary, *, show: int = 5) -> None:
    """The matrix, the first failures, the faults and the audit, on the terminal."""
    console.print("steps passed per process and port (FAIL: a step did not pass; n/s: a step "
                  "the platform API has no operation for, not a pass)", highlight=False)
    for table in _matrix_tables(summary):
        console.print(table)
    bad = [s for s in summary.steps if s.status not in ("pass", "not_supported")]
    for s in bad[:show]:
        console.print(f"{s.status}: {s.process}@{s.port} step {s.index} ({s.step}, "
                      f"{s.operation}): {'; '.join(s.differences) or s.note}",
                      highlight=False, soft_wrap=True, markup=False)
        for label, value in (("request", s.request), ("answer", s.answer),
                             ("expected", s.expected)):
            if value is not None:
                console.print(f"  {label + ':':9} " + json.dumps(value, ensure_ascii=False),
                              highlight=False, soft_wrap=True, markup=False)
    if len(bad) > show:
        console.print(f"... and {len(bad) - show} more (summary.json has them all)")
    unsupported = {s.operation: s.note for s in summary.steps if s.status == "not_supported"}
    for operation, why in unsupported.items():
        console.print(f"not supported: {operation}: {why}", highlight=False, soft_wrap=True)
    for f in summary.faults:
        causes = ", ".join(f"{k} {v}" for k, v in f.retries.items()) or "none"
        console.print(f"fault {f.name} at {f.process}@{f.port} ({f.step}) after "
                      f"{f.injected_s:.1f} s: over in {f.duration_s:.1f} s; retries: {causes}; "
                      f"timeouts: {f.timeouts}", highlight=False, soft_wrap=True)
    a = summary.audit
    if a is None:
        console.print("audit: not run (the platform stopped answering)")
    else:
        console.print(
            f"audit: {a.acknowledged_writes} acknowledged writes; books {a.books_matching}/"
            f"{a.books_checked} as the oracle's; declarations {a.declarations_found}/"
            f"{a.declarations_acknowledged} stored, {a.declarations_lost} lost, "
            f"{a.declarations_unexpected} applied without acknowledgement; transfers "
            f"{a.transfers_matching}/{a.transfers_acknowledged} as the oracle's; repeats "
            f"{a.replays_identical}/{a.replays} answered as the first time"
            + ("" if a.ok else f"; {len(a.problems)} problems: {a.problems[0]}"),
            highlight=False, soft_wrap=True)
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in summary.counts().items() if n)
    retries = summary.client.get("retries", 0)
    console.print(f"{len(summary.steps)} steps ({counts}) in {summary.duration_s:.1f} s, "
                  f"{retries} retries: {summary.verdict}", highlight=False)


def write_report(directory: Path) -> None:
    """Render ``directory``'s results as ``report.html``, atomically.

    Raises:
        RuntimeError: the harness's own files did not render (a bug, not a user's mistake).
    """
    try:
        html = render_directory(directory)
    except ReportError as exc:
        raise RuntimeError(f"cannot render the report of {directory}: {exc}") from exc
    staged = directory / f".{REPORT_FILE}.tmp"
    staged.write_text(html, encoding="utf-8")
    os.replace(staged, directory / REPORT_FILE)


def write_drill_outputs(out: Path, summary: DrillSummary) -> None:
    """``summary.json``, ``junit.xml`` and ``report.html`` in ``out`` (made if missing)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--out: cannot create {out}: {exc.strerror or exc}")
    write_summary(out / "summary.json", summary)
    write_junit(out / "junit.xml", summary)
    write_report(out)


def drill(
    out: Annotated[Path, typer.Option("--out", help="Directory for summary.json, junit.xml and "
                                      "report.html.")],
    target: Annotated[
        str | None,
        typer.Option("--target", metavar="URL", help="Platform base URL (default: start the "
                     "reference platform on loopback with the scenario's rules)."),
    ] = None,
    processes: Annotated[
        list[str] | None,
        typer.Option("--processes", help="Only these processes (comma-separated, repeatable).",
                     metavar="P,..."),
    ] = None,
    ports: Annotated[
        list[str] | None,
        typer.Option("--ports", help="Only these ports (comma-separated, repeatable).",
                     metavar="PORT,..."),
    ] = None,
    faults: Annotated[
        list[str] | None,
        typer.Option("--faults", metavar="F,...",
                     help=f"Faults to inject mid-drill: {', '.join(FAULTS)}."),
    ] = None,
    catalogue: Annotated[
        list[Path] | None,
        typer.Option("--catalogue", metavar="PATH", help="Drill catalogue file or directory "
                     "(repeatable; default: scenarios/drills)."),
    ] = None,
    scenario_file: Annotated[
        Path | None,
        typer.Option("--scenario", help="Scenario whose rules and population mix to drill with "
                     "(default: the embedded defaults)."),
    ] = None,
    set_: SetOption = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed casting the entities and fixing the "
                                 "idempotency keys (default: the scenario's); a target that "
                                 "keeps its data needs a new one for each drill.")
    ] = None,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a target outside loopback.")
    ] = False,
    show: Annotated[int, typer.Option("--show", min=0, help="Failures to print.")] = 5,
) -> None:
    """Walk every process at every port against a platform; check each answer, audit, report."""
    from sim.client import TargetError

    if set_ and scenario_file is None:
        fail("--set: needs --scenario (the embedded defaults are set with a scenario file)")
    scenario = load_or_exit(scenario_file, set_) if scenario_file is not None else Scenario()
    try:
        chosen = load_catalogue(catalogue or [default_catalogue()]).select(
            split_list(processes))
    except CatalogueError as exc:
        fail(str(exc))
    port_list = check_ports(split_list(ports))
    try:
        fault_list = check_faults(split_list(faults) or [], own_platform=target is None)
    except FaultError as exc:
        fail(str(exc))
    check_out(out)
    plan = plan_for(scenario, chosen, port_list, scenario.seed if seed is None else seed)
    rules = plan.rules.model_dump(mode="json")
    try:
        with connect(target, rules, allow_remote=allow_remote) as connection, \
                progress_bar("drilling") as progress:
            summary = run_drill(plan, connection, faults=fault_list, progress=progress)
    except (TargetError, FaultError) as exc:
        fail(str(exc))
    write_drill_outputs(out, summary)
    print_drill(summary, show=show)
    console.print(f"-> {out / 'summary.json'}, {out / 'junit.xml'}, {out / REPORT_FILE}",
                  highlight=False)
    raise typer.Exit(EXIT_CODES[summary.verdict])


def register(app: typer.Typer) -> None:
    """Add the ``drill`` command to ``app``."""
    app.command("drill")(drill)
