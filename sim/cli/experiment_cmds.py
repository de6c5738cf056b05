"""``customs-sim compare`` and ``sweep``, and the replication set behind ``run --replications``.

Each command parses and checks its options (one ``error:`` line and exit 2 for a mistake,
before anything runs), builds the arms (:class:`sim.experiment.ArmSpec`), runs them on the
chosen executor with a Rich progress bar, writes ``experiment.json``, ``replications.parquet``
and ``report.html`` into the output directory (all or none), and prints the tables the report
shows.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from reports import REPORT_FILE, render_directory
from sim.cli.common import SetOption, check_output_dir, console, fail, load_or_exit
from sim.cli.tables import rich_table
from sim.experiment import (
    DEFAULT_MAX_REPLICATIONS,
    ArmSpec,
    DaskExecutor,
    DesignError,
    Executor,
    ExecutorError,
    ExperimentRun,
    LocalExecutor,
    SerialExecutor,
    grid,
    parse_param,
    point_label,
    run_experiment,
)
from sim.experiment import Progress as ExperimentProgress
from sim.results.experiment import ExperimentKind
from sim.results.experiment_io import write_experiment
from sim.results.experiment_tables import (
    crn_narrowing,
    difference_table,
    estimate_table,
    sweep_table,
    verdicts,
)
from sim.results.io import publish_directory, stage_directory
from sim.results.summary import ferry_summary, port_summary
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["ExecutorOptions", "register", "run_replications"]

ReplicationsOption = Annotated[
    int, typer.Option("--replications", "-n", help="Independent replications per arm.")
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", help="Local worker processes (default: all cores; 1 = in process)."),
]
DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask",
        help="Run on the Dask cluster at this scheduler address.",
        metavar="tcp://HOST:PORT",
    ),
]
OutOption = Annotated[Path | None, typer.Option("--out", help="Output directory.")]

_DASK_ADDRESS = re.compile(
    r"^(tcp|tls)://[^\s/:]+(:\d{1,5})?$|^(tcp|tls)://\[[0-9a-fA-F:]+\](:\d{1,5})?$"
)


class ExecutorOptions:
    """The executor a command's options ask for, checked before anything runs."""

    def __init__(self, workers: int | None, dask: str | None) -> None:
        if workers is not None and workers < 1:
            fail(f"--workers: at least 1 (got {workers})")
        if dask is not None:
            if workers is not None:
                fail("--workers and --dask: give one or the other (the cluster has its workers)")
            if not _DASK_ADDRESS.match(dask):
                fail(f"--dask: {dask!r} is not a scheduler address like tcp://HOST:PORT")
        self.workers = workers
        self.dask = dask

    def executor(self) -> Executor:
        """A new executor of the kind asked for."""
        if self.dask is not None:
            return DaskExecutor(self.dask)
        if self.workers == 1:
            return SerialExecutor()
        return LocalExecutor(self.workers)


class _Bar(ExperimentProgress):
    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task = progress.add_task("preparing", total=None)

    def phase(self, text: str) -> None:
        self._progress.update(self._task, description=text)

    def advance(self, done: int, total: int) -> None:
        self._progress.update(self._task, completed=done, total=total)


def _check_replications(replications: int) -> None:
    if replications < 1:
        fail(f"--replications: at least 1 (got {replications})")


def _execute(
    kind: ExperimentKind,
    specs: list[ArmSpec],
    replications: int,
    options: ExecutorOptions,
    target: Path,
    *,
    precision: float | None = None,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
    sweep_params: tuple[str, ...] = (),
) -> ExperimentRun:
    """Run the experiment with a progress bar, write its files and report, all or none."""
    executor = options.executor()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        try:
            run = run_experiment(
                kind,
                specs,
                replications,
                executor,
                precision=precision,
                max_replications=max_replications,
                sweep_params=sweep_params,
                progress=_Bar(progress),
            )
        except ExecutorError as exc:
            fail(f"--dask: {exc}")
    stage = stage_directory(target)
    try:
        names = write_experiment(stage, run.experiment, run.rows)
        (stage / REPORT_FILE).write_text(render_directory(stage), encoding="utf-8")
        publish_directory(stage, target, [*names, REPORT_FILE])
    except OSError as exc:
        fail(f"{target}: cannot write outputs: {exc.strerror or exc}")
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    console.print(f"ran on {executor.description}", highlight=False)
    return run


def run_replications(
    scenario_file: Path,
    overrides: list[str],
    replications: int,
    precision: float | None,
    max_replications: int,
    options: ExecutorOptions,
    out: Path | None,
) -> None:
    """``customs-sim run SCENARIO --replications N [--precision P]``."""
    _check_replications(replications)
    if precision is not None and not 0.0 < precision < 1.0:
        fail(f"--precision: a relative half-width between 0 and 1, e.g. 0.05 (got {precision})")
    if max_replications < replications:
        fail(
            f"--max-replications: at least --replications ({replications}), got {max_replications}"
        )
    scenario = load_or_exit(scenario_file, overrides)
    target = out if out is not None else Path("out") / scenario.name / "replications"
    check_output_dir(target)
    run = _execute(
        "replications",
        [ArmSpec(scenario.name, scenario)],
        replications,
        options,
        target,
        precision=precision,
        max_replications=max_replications,
    )
    experiment = run.experiment
    arm = experiment.arms[0]
    means = arm.means()
    console.print(rich_table(port_summary(means, f"{arm.scenario} (means)")))
    ferries = ferry_summary(means)
    if ferries is not None:
        console.print(rich_table(ferries))
    console.print(rich_table(estimate_table(arm)))
    if precision is not None:
        state = "reached" if experiment.precision_reached else "NOT reached"
        console.print(
            f"precision {precision:.1%} (relative half-width, island-wide clearance time and "
            f"seamless share): {state} with {len(arm.replications)} replications",
            highlight=False,
        )
    warmup = f"warm-up: the scenario's {scenario.warmup_hours:g} h"
    if experiment.warmup:
        cuts = ", ".join(f"{w.key.port} {w.truncate_hours:g} h" for w in experiment.warmup)
        warmup += f"; MSER-5 suggests truncating (for a steady-state run): {cuts}"
    console.print(warmup, highlight=False, soft_wrap=True)
    console.print(
        f"-> {target}/experiment.json, replications.parquet, report.html", highlight=False
    )


def compare(
    scenario_a: Annotated[Path, typer.Argument(help="Scenario A (the reference).", metavar="A")],
    scenario_b: Annotated[Path, typer.Argument(help="Scenario B (the what-if).", metavar="B")],
    set_: SetOption = None,
    replications: ReplicationsOption = 10,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    out: OutOption = None,
) -> None:
    """Compare B with A on the same traffic (common random numbers): B - A with paired and
    unpaired 95% intervals, plain-language verdicts, and report.html."""
    _check_replications(replications)
    options = ExecutorOptions(workers, dask)
    a = load_or_exit(scenario_a, list(set_ or []))
    b = load_or_exit(scenario_b, list(set_ or []))
    if a.seed != b.seed:
        fail(
            f"{scenario_b}: seed: B's seed ({b.seed}) differs from A's ({a.seed}); a paired "
            "comparison needs the same seed (use --set seed=N)"
        )
    target = out if out is not None else Path("out") / f"{a.name}-vs-{b.name}"
    check_output_dir(target)
    run = _execute("comparison", [ArmSpec("A", a), ArmSpec("B", b)], replications, options, target)
    experiment = run.experiment
    console.print(rich_table(difference_table(experiment)))
    found = verdicts(experiment)
    for line in found or ["no significant difference in any headline KPI"]:
        console.print(f"- {line}", highlight=False, soft_wrap=True)
    ratio = crn_narrowing(experiment)
    if ratio is not None:
        console.print(
            f"common random numbers: paired intervals {ratio:.1f}x narrower than unpaired "
            "(median over the headline KPIs)",
            highlight=False,
        )
    console.print(
        f"-> {target}/experiment.json, replications.parquet, report.html", highlight=False
    )


def sweep(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="A field and its values, e.g. ports.xinhai.resources.customs_channels=8,10,12 "
            "(repeatable: the grid is every combination).",
            metavar="PATH=V1,V2,...",
        ),
    ] = None,
    set_: SetOption = None,
    replications: ReplicationsOption = 10,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    out: OutOption = None,
) -> None:
    """Replicate a scenario at every point of a parameter grid (same traffic at every point)."""
    _check_replications(replications)
    options = ExecutorOptions(workers, dask)
    try:
        params = [parse_param(p) for p in param or []]
        points = grid(params)
    except DesignError as exc:
        fail(str(exc))
    base = list(set_ or [])
    specs = []
    for point in points:
        overrides = [*base, *(f"{path}={value}" for path, value in point.items())]
        try:
            scenario: Scenario = load_scenario(scenario_file, overrides)
        except ScenarioError as exc:
            message = str(exc)
            swept = message.removeprefix("--set: ")
            if swept != message and swept.startswith(tuple(point)):
                message = f"--param: {swept}"  # the value came from --param, not --set
            fail(message)
        specs.append(ArmSpec(point_label(point), scenario, point))
    target = out if out is not None else Path("out") / f"{specs[0].scenario.name}-sweep"
    check_output_dir(target)
    run = _execute(
        "sweep",
        specs,
        replications,
        options,
        target,
        sweep_params=tuple(p for p, _ in params),
    )
    console.print(rich_table(sweep_table(run.experiment)))
    console.print(
        f"-> {target}/experiment.json, replications.parquet, report.html", highlight=False
    )


def register(app: typer.Typer) -> None:
    """Add ``compare`` and ``sweep`` to ``app``."""
    app.command()(compare)
    app.command()(sweep)
