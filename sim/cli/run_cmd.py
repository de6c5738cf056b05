"""``customs-sim run``: simulate a scenario, show progress, print a summary, write the outputs.

Writes ``OUT/<scenario name>/kpis.json`` (canonical, byte-reproducible) and ``records.parquet``
(one row per journey), each atomically, so an interrupted run leaves no partial file.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.cli.common import SetOption, console, fail, load_or_exit
from sim.cli.goods_cmds import goods_summary
from sim.results import compute_kpis, write_outputs
from sim.results.bottleneck import identify_bottleneck
from sim.world import build_world, run_scenario

__all__ = ["register", "run"]


def _minutes(seconds: Any) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f}"


def _pct(value: Any) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _local(kpis: dict[str, Any], seconds: float) -> str:
    return (datetime.fromisoformat(kpis["start"]) + timedelta(seconds=seconds)).strftime(
        "%Y-%m-%d %H:%M"
    )


def _window(kpis: dict[str, Any]) -> str:
    """What the KPI window is, in words, for the summary's caption."""
    lo, hi = kpis["warmup_s"], kpis["horizon_s"]
    warmup = f"after a {lo / 3600:g} h warm-up" if lo else "no warm-up"
    return (
        f"KPI window {_local(kpis, lo)} to {_local(kpis, hi)} ({warmup}): arr = trucks that "
        "arrived in it, rel = of those, released by its end"
    )


def _summary(kpis: dict[str, Any]) -> Table:
    table = Table(
        title=f"{kpis['scenario']}: supervised trucks per port (KPI window)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption=f"{_window(kpis)}. Times in minutes; no-stop = released without a stop; "
        "chan/offic = utilisation; bottleneck = the resource with the most journeys waiting for "
        "it on average, and that number (ferry: vehicles held past their first sailing)",
    )
    for col in ("port", "arr", "rel", "mean", "p95", "no-stop", "chan", "offic", "bottleneck"):
        table.add_column(col, justify="left" if col in ("port", "bottleneck") else "right",
                         min_width=len(col), no_wrap=True)  # fmt: skip
    for port, p in kpis["ports"].items():
        ct = p["clearance_time_s"]
        util = p["utilisation"]
        table.add_row(
            port,
            str(p["arrivals"]),
            str(p["released"]),
            _minutes(ct["mean"]),
            _minutes(ct["p95"]),
            _pct(p["seamless_clearance_share"]),
            _pct(util.get("customs_channels")),
            _pct(util.get("officers")),
            identify_bottleneck(p).describe(),
        )
    return table


def _ferries(kpis: dict[str, Any]) -> Table | None:
    rows = [(port, p["ferry"]) for port, p in kpis["ports"].items() if "ferry" in p]
    if not rows:
        return None
    table = Table(
        title="strait ferries: vehicles waiting to board",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption="Peaks: hold = in the holding area, as a share of its capacity; outside = waiting "
        "outside "
        "it, staged = in city staging (shown when any). delayed = not taken by the first "
        "sailing after joining the queue; wait95 = p95 minutes to board; left = still waiting "
        "at the end",
    )
    staging = any(f["staging_peak"] or f["staged"] for _, f in rows)
    columns = ["port", "sailed", "cancel", "load", "hold", "outside", "staged", "delayed",
               "wait95", "left"]  # fmt: skip
    if not staging:
        columns.remove("staged")
    for col in columns:
        table.add_column(col, justify="left" if col == "port" else "right", min_width=len(col),
                         no_wrap=True)  # fmt: skip
    for port, f in rows:
        cells = {
            "port": port,
            "sailed": str(f["sailings_scheduled"] - f["sailings_cancelled"]),
            "cancel": str(f["sailings_cancelled"]),
            "load": _pct(f["load_factor"]),
            "hold": _pct(f["holding_peak"] / f["holding_capacity"]),
            "outside": str(f["outside_peak"]),
            "staged": str(f["staging_peak"]),
            "delayed": str(f["delayed"]),
            "wait95": _minutes(f["boarding_wait_s"]["p95"]),
            "left": str(f["waiting_at_end"]),
        }
        table.add_row(*(cells[c] for c in columns))
    return table


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
    console.print(_summary(kpis))
    ferries = _ferries(kpis)
    if ferries is not None:
        console.print(ferries)
    for line in _observed(kpis):
        console.print(line, highlight=False, soft_wrap=True, markup=False)
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
