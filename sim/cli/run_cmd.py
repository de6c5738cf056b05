"""``customs-sim run``: simulate a scenario, show progress, print a summary, write the outputs.

Writes ``OUT/<scenario name>/kpis.json`` (canonical, byte-reproducible), ``records.parquet``
(one row per journey) and ``report.html`` (the self-contained report), each atomically, so an
interrupted run leaves no partial file. With ``--replications N`` it runs a replication set
instead (:func:`sim.cli.experiment_cmds.run_replications`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from reports import REPORT_FILE, ReportError, render_directory
from sim.cli.common import SetOption, check_output_dir, console, fail, load_or_exit
from sim.cli.experiment_cmds import (
    DaskOption,
    ExecutorOptions,
    WorkersOption,
    run_replications,
)
from sim.cli.goods_cmds import goods_summary
from sim.cli.tables import rich_table
from sim.experiment import DEFAULT_MAX_REPLICATIONS
from sim.results.lists import LIST_SIZES_KEY, describe_lists
from sim.results.rows import KpiTable, kpi_rows
from sim.results.stream import StreamedOutputs
from sim.results.summary import ferry_summary, port_summary, window_caption
from sim.world import build_world, run_scenario

__all__ = ["register", "run"]


def _discard(outputs: StreamedOutputs, target: Path, created: bool) -> None:
    """Leave ``target`` as it was before the run."""
    outputs.discard()
    if created:
        shutil.rmtree(target, ignore_errors=True)


def _write_report(target: Path) -> None:
    """Render the run's report from the files just written, and write it atomically."""
    try:
        html = render_directory(target)
    except ReportError as exc:  # the files were just written: this is not a user's mistake
        raise RuntimeError(f"cannot render the report of {target}: {exc}") from exc
    staged = target / f".{REPORT_FILE}.tmp"
    staged.write_text(html, encoding="utf-8")
    os.replace(staged, target / REPORT_FILE)


def _observed(kpis: dict[str, Any]) -> list[str]:
    """The model beside each figure reported for the real episode (validation scenarios).

    One line a figure rather than a table: the source ids are long, and a line stays whole in
    any terminal width.
    """
    rows = kpis.get("observed", [])
    if not rows:
        return []
    sign = {"about": "", "at_least": ">=", "at_most": "<="}
    lines = ["reported vs model (validation; gap = model - reported):"]
    for o in rows:
        hours = o["measure"] == "longest_wait_hours"
        shown = f"{o['model']:,.1f}" if hours else f"{o['model']:,.0f}"
        met = "" if o["met"] is None else ("  met" if o["met"] else "  not met")
        lines.append(
            f"  {o['at'][:16].replace('T', ' ')}  {o['measure']}: reported "
            f"{sign[o['bound']]}{o['reported']:,.0f}, model {shown}, gap {o['gap']:+,.0f}{met}"
            f"  [{o['source']}]"
        )
    return lines


def run(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    set_: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output directory (default: out/<scenario name>)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Override the scenario's seed.", min=0)
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications",
            "-n",
            help="Run N independent replications (one population) and report 95% intervals.",
        ),
    ] = None,
    precision: Annotated[
        float | None,
        typer.Option(
            "--precision",
            help="With --replications: add replications until the relative half-width of the "
            "island-wide clearance time and seamless share is at most this (e.g. 0.05).",
        ),
    ] = None,
    max_replications: Annotated[
        int,
        typer.Option("--max-replications", help="The most replications --precision may run."),
    ] = DEFAULT_MAX_REPLICATIONS,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write report.html beside the outputs.")
    ] = True,
) -> None:
    """Simulate a scenario and write kpis.json, records.parquet and report.html (in
    out/<name>/ by default); with --replications, a replication set with 95% intervals."""
    overrides = list(set_ or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    if replications is None and (precision is not None or dask is not None or workers):
        fail("--precision, --workers and --dask need --replications N")
    if replications is not None:
        run_replications(
            scenario_file,
            overrides,
            replications,
            precision,
            max_replications,
            ExecutorOptions(workers, dask),
            out,
        )
        return
    scenario = load_or_exit(scenario_file, overrides)
    target = out if out is not None else Path("out") / scenario.name
    check_output_dir(target)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"drawing declarants ({scenario.policy.declarants})", total=None)
        world = build_world(scenario)
        bar.update(task, description=f"simulating {scenario.name}", total=1.0, completed=0.0)
        created = not target.exists()
        try:
            # records stream to disk by simulated day: memory follows the day, not the horizon
            outputs = StreamedOutputs(target)
        except OSError as exc:
            fail(f"{target}: cannot write outputs: {exc.strerror or exc}")
        try:
            result = run_scenario(
                scenario,
                world=world,
                progress=lambda f: bar.update(task, completed=f),
                records_to=outputs.stream,
            )
            bar.update(task, description="computing the KPIs")
            del world  # the population is not needed for the KPIs: free it first
            kpis = outputs.publish(result)
        except OSError as exc:
            _discard(outputs, target, created)
            fail(f"{target}: cannot write outputs: {exc.strerror or exc}")
        except BaseException:
            _discard(outputs, target, created)
            raise
    try:
        if report:
            _write_report(target)
    except OSError as exc:
        fail(f"{target}: cannot write the report: {exc.strerror or exc}")
    table = KpiTable(kpi_rows(kpis))
    window = window_caption(kpis["start"], kpis["warmup_s"], kpis["horizon_s"])
    console.print(rich_table(port_summary(table, kpis["scenario"], window)))
    ferries = ferry_summary(table)
    if ferries is not None:
        console.print(rich_table(ferries))
    for line in _observed(kpis):
        console.print(line, highlight=False, soft_wrap=True, markup=False)
    if "goods" in kpis:
        console.print(goods_summary(kpis["goods"]), highlight=False, soft_wrap=True)
    if LIST_SIZES_KEY in kpis:
        console.print(describe_lists(kpis[LIST_SIZES_KEY]), highlight=False, soft_wrap=True)
    console.print(
        f"{kpis['entities']} entities, {kpis['records']} journey records -> "
        f"{target / 'kpis.json'}, {target / 'records.parquet'}"
        + (f", {target / REPORT_FILE}" if report else ""),
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to ``app``."""
    app.command()(run)
