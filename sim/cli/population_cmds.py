"""``customs-sim population``: generate a synthetic population and its credit history."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.cli.common import SetOption, console, fail, load_or_exit
from sim.population.individuals import IdentityExhaustedError
from sim.population.output import FILES, write_population
from sim.scenario import Scenario

__all__ = ["check_rated_departments", "register"]

MAX_ENTERPRISES = 100_000_000
MAX_INDIVIDUALS = 40_000_000  # vehicle plates are unique up to 34**5 (45 M) vehicles


def check_rated_departments(config: Scenario, scenario: Path) -> None:
    """Exit 2 unless every department the population rates is in the scenario's credit table."""
    for dept in config.population.enterprises.history.ratings:
        path = f"population.enterprises.history.ratings.{dept}"
        scale = config.credit.departments.get(dept)
        if scale is None:
            fail(f"{scenario}: {path}: not a department of credit.departments "
                 f"{sorted(config.credit.departments)}")
        if all(config.credit.is_listing_grade(dept, g) for g in scale.grades):
            fail(f"{scenario}: {path}: every grade of credit.departments.{dept} lists; "
                 "a rating could never recover")


def _check_count(option: str, value: int, limit: int) -> None:
    if value < 0:
        fail(f"{option}: must be >= 0 (got {value})")
    if value > limit:
        fail(f"{option}: at most {limit:,} (got {value})")


def population(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    enterprises: Annotated[
        int | None, typer.Option(help="Enterprises (default: population.enterprises.count).")
    ] = None,
    individuals: Annotated[
        int | None, typer.Option(help="Individuals (default: population.individuals.count).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: out/<name>/population).")
    ] = None,
    set_: SetOption = None,
) -> None:
    """Generate enterprises, individuals and their credit history as of the scenario start.

    Writes DIR/enterprises.parquet, DIR/individuals.parquet and DIR/history.jsonl, all or none.
    """
    config = load_or_exit(scenario, set_, refuse_ignored=False)
    check_rated_departments(config, scenario)
    section = config.population
    n_ent = section.enterprises.count if enterprises is None else enterprises
    n_ind = section.individuals.count if individuals is None else individuals
    _check_count("--enterprises", n_ent, MAX_ENTERPRISES)
    _check_count("--individuals", n_ind, MAX_INDIVIDUALS)
    if seed is not None and seed < 0:
        fail(f"--seed: must be >= 0 (got {seed})")
    run_seed = config.seed if seed is None else seed
    target = out if out is not None else Path("out") / config.name / "population"
    if target.exists() and not target.is_dir():
        fail(f"--out: {target}: exists and is not a directory")
    reference = config.start.date()
    started = time.perf_counter()
    columns = (
        TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        tasks = {
            "enterprises": bar.add_task("enterprises", total=n_ent),
            "individuals": bar.add_task("individuals", total=n_ind),
            "history": bar.add_task("history", total=None),
        }

        def advance(stage: str, done: int) -> None:
            bar.advance(tasks[stage], done)

        try:
            summary = write_population(
                target, section, config.credit, run_seed, reference,
                enterprises=n_ent, individuals=n_ind, progress=advance,
            )
        except IdentityExhaustedError as exc:
            fail(f"{scenario}: population.individuals.age_years: {exc}")
        bar.update(tasks["history"], total=summary.events, completed=summary.events)
    elapsed = time.perf_counter() - started

    table = Table(title=f"population of {config.name!r}, seed {run_seed}, as of {reference}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_column("share", justify="right")
    for label, total, counts in (
        ("enterprises", n_ent, summary.enterprise_tiers),
        ("individuals", n_ind, summary.individual_tiers),
    ):
        table.add_row(label, f"{total:,}", "")
        for tier, count in counts.items():
            if label == "individuals" and tier == "aeo":
                continue
            table.add_row(f"  {tier}", f"{count:,}", f"{count / max(total, 1):.2%}")
    for key, count in summary.counts.items():
        total = n_ent if key.startswith("enterprises") else n_ind
        table.add_row(key.replace("_", " "), f"{count:,}", f"{count / max(total, 1):.2%}")
    start, end = summary.window
    table.add_row(f"history events {start} .. {end}", f"{summary.events:,}", "")
    rate = (n_ent + n_ind) / elapsed if elapsed > 0 else float("inf")
    table.add_row("elapsed", f"{elapsed:.1f} s", f"{rate:,.0f}/s")
    console.print(table)
    console.print(f"wrote {', '.join(str(target / f) for f in FILES)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(population)
