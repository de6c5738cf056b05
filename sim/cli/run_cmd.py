"""``customs-sim run``: simulate a scenario, show progress, print a summary, write the outputs.

Writes ``OUT/<scenario name>/kpis.json`` (canonical, byte-reproducible) and ``records.parquet``
(one row per journey), each atomically, so an interrupted run leaves no partial file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from sim.cli.common import SetOption, console, fail, load_or_exit
from sim.cli.goods_cmds import goods_summary
from sim.cli.tables import rich_table
from sim.results import compute_kpis, write_outputs
from sim.results.rows import KpiTable, kpi_rows
from sim.results.summary import ferry_summary, port_summary
from sim.world import build_world, run_scenario

__all__ = ["register", "run"]


def _check_writable(target: Path) -> None:
    """Fail before a long run, not after it, if the outputs could not be written."""
    existing = target
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        fail(f"{target}: cannot write outputs here ({existing} is not a writable directory)")


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
) -> None:
    """Simulate a scenario and write kpis.json and records.parquet (in out/<name>/ by default)."""
    overrides = list(set_ or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    scenario = load_or_exit(scenario_file, overrides)
    target = out if out is not None else Path("out") / scenario.name
    if target.exists() and not target.is_dir():
        fail(f"{target}: exists and is not a directory")
    _check_writable(target)
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
        result = run_scenario(
            scenario,
            world=world,
            progress=lambda f: bar.update(task, completed=f),
        )
    kpis = compute_kpis(result)
    try:
        write_outputs(target, kpis, result.records)
    except OSError as exc:
        fail(f"{target}: cannot write outputs: {exc.strerror or exc}")
    table = KpiTable(kpi_rows(kpis))
    console.print(rich_table(port_summary(table, kpis["scenario"])))
    ferries = ferry_summary(table)
    if ferries is not None:
        console.print(rich_table(ferries))
    if "goods" in kpis:
        console.print(goods_summary(kpis["goods"]), highlight=False, soft_wrap=True)
    console.print(
        f"{kpis['entities']} entities, {kpis['records']} journey records -> "
        f"{target / 'kpis.json'}, {target / 'records.parquet'}",
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to ``app``."""
    app.command()(run)
