"""``customs-sim validate`` and ``customs-sim schema``: check a scenario, print its JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import SetOption, fail, load_or_exit
from sim.scenario import Scenario, ScenarioError
from sim.scenario.show import resolved_yaml

__all__ = ["register"]


def validate(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    set_: SetOption = None,
    show: Annotated[
        bool,
        typer.Option(
            "--show",
            help="Print the resolved scenario (after extends: and --set, every default filled "
            "in) as YAML, e.g. to see that ports.xinhai.resources.customs_channels is 8.",
        ),
    ] = False,
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            help="With --show, print only the part under this dotted path, e.g. "
            "--only ports.xinhai.resources.",
            metavar="PATH",
        ),
    ] = None,
) -> None:
    """Check a scenario file (with overrides); with --show, print what the model will run."""
    if only is not None and not show:
        fail("--only: needs --show (it selects the part of the resolved scenario to print)")
    scenario = load_or_exit(file, set_)
    if not show:
        typer.echo(f"{file}: valid scenario {scenario.name}")
        return
    try:
        typer.echo(resolved_yaml(scenario, only or ""), nl=False)
    except ScenarioError as exc:
        fail(str(exc))


def schema() -> None:
    """Print the JSON Schema of scenario files, for editors and linters."""
    typer.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add ``validate`` and ``schema`` to ``app``."""
    app.command()(validate)
    app.command()(schema)
