"""``customs-sim credit dynamics``: monthly key-attention list sizes, listings and removals.

Plants credit histories over the scenario's population (``history_years`` of warm-up, then the
simulated years) or reads a history file (``--history``), and writes ``DIR/dynamics.json`` and
``DIR/dynamics.parquet`` (one row per kind and month end, the baseline first), all or nothing.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.parquet as pq
import typer
from rich.table import Table

from sim.cli.common import SetOption, console, fail, load_or_exit
from sim.cli.credit_cmds import credit_app, load_history, parse_date
from sim.cli.population_cmds import check_rated_departments
from sim.population.dynamics import (
    dynamics_table,
    events_from_history,
    month_ends,
    simulate_dynamics,
)
from sim.population.scales import Scales
from sim.results.io import publish_directory, stage_directory

__all__ = ["register"]

FILES = ("dynamics.json", "dynamics.parquet")
MAX_YEARS = 50
MAX_ENTITIES = 50_000_000


def _count(option: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_ENTITIES:
        fail(f"{option}: must be between 0 and {MAX_ENTITIES:,} (got {value})")


def _write(out: Path, document: dict[str, Any], table: pa.Table) -> None:
    """Write both files into a temporary directory beside ``out``, then move them in."""
    tmp = stage_directory(out)
    try:
        (tmp / FILES[0]).write_text(
            json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        pq.write_table(table, tmp / FILES[1])
        publish_directory(tmp, out, FILES)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def dynamics(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    years: Annotated[int, typer.Option(help="Simulated years.")] = 5,
    enterprises: Annotated[
        int | None,
        typer.Option(help="Enterprises (default: the scenario's count, or those in --history)."),
    ] = None,
    individuals: Annotated[
        int | None,
        typer.Option(help="Individuals (default: none, or those in --history)."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    start: Annotated[
        str | None,
        typer.Option(help="First simulated month (default: the scenario start).",
                     metavar="YYYY-MM-DD"),
    ] = None,
    history: Annotated[
        Path | None,
        typer.Option(help="Read this history file instead of planting one.", metavar="FILE"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: out/<name>/dynamics).")
    ] = None,
    set_: SetOption = None,
) -> None:
    """Simulate key-attention listings and automatic removals month by month."""
    config = load_or_exit(scenario, set_, refuse_ignored=False)
    check_rated_departments(config, scenario)
    if not 1 <= years <= MAX_YEARS:
        fail(f"--years: must be between 1 and {MAX_YEARS} (got {years})")
    _count("--enterprises", enterprises)
    _count("--individuals", individuals)
    if seed is not None and seed < 0:
        fail(f"--seed: must be >= 0 (got {seed})")
    first = config.start.date() if start is None else parse_date("--start", start)
    target = out if out is not None else Path("out") / config.name / "dynamics"
    if target.exists() and not target.is_dir():
        fail(f"--out: {target}: exists and is not a directory")
    scales = Scales.from_table(config.credit)
    run_seed = config.seed if seed is None else seed
    began = time.perf_counter()
    with console.status("simulating list dynamics ..."):
        if history is None:
            n_ent = config.population.enterprises.count if enterprises is None else enterprises
            n_ind = 0 if individuals is None else individuals
            table = simulate_dynamics(
                config.population, scales, run_seed, first, years,
                enterprises=n_ent, individuals=n_ind,
            )
        else:
            grouped = load_history(history, config.credit)
            ends = month_ends(first, 12 * years)
            parts = []
            counts = {}
            for kind, option, given in (
                ("enterprise", "--enterprises", enterprises),
                ("individual", "--individuals", individuals),
            ):
                events, keys = events_from_history(grouped, kind, scales)
                n = len(keys) if given is None else given
                if n < len(keys):
                    fail(f"{option}: {history} has {len(keys):,} {kind}s (got {n})")
                counts[kind] = n
                if n:
                    years_ = (scales.removal_years if kind == "enterprise"
                              else scales.individual_removal_years)
                    parts.append(dynamics_table(kind, n, events, ends, years_))
            if not parts:
                fail(f"{history}: no entities to follow (the history is empty)")
            table = pa.concat_tables(parts)
            n_ent, n_ind = counts["enterprise"], counts["individual"]
    elapsed = time.perf_counter() - began

    rows = table.to_pylist()
    for row in rows:
        row["month_end"] = row["month_end"].isoformat()
    document = {
        "scenario": config.name,
        "seed": run_seed,
        "source": "planted" if history is None else str(history),
        "first_month": first.strftime("%Y-%m"),
        "years": years,
        "enterprises": n_ent,
        "individuals": n_ind,
        "months": rows,
    }
    _write(target, document, table)

    summary = Table(title=f"key-attention list size, {years} years from {first:%Y-%m}")
    for column in ("kind", "entities", "start", "end", "min", "max", "in/month", "out/month"):
        summary.add_column(column, justify="left" if column == "kind" else "right")
    for kind, n in (("enterprise", n_ent), ("individual", n_ind)):
        mine = [r for r in rows if r["kind"] == kind]
        if not mine:
            continue
        sizes = [r["key_attention"] for r in mine]
        months = max(len(mine) - 1, 1)
        summary.add_row(
            kind, f"{n:,}", f"{sizes[0]:,}", f"{sizes[-1]:,}", f"{min(sizes):,}",
            f"{max(sizes):,}", f"{sum(r['listings'] for r in mine) / months:,.1f}",
            f"{sum(r['removals'] for r in mine) / months:,.1f}",
        )
    console.print(summary)
    console.print(
        f"{elapsed:.1f} s; wrote {target / FILES[0]} and {target / FILES[1]}", highlight=False
    )


def register(app: typer.Typer) -> None:
    """Add ``dynamics`` to the ``credit`` command group (``app`` registers the group itself)."""
    del app
    credit_app.command("dynamics")(dynamics)
