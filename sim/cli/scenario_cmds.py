"""``customs-sim validate`` and ``customs-sim schema``: check a scenario, print its JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import SetOption, load_or_exit
from sim.scenario import Scenario

__all__ = ["register"]


def validate(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    set_: SetOption = None,
) -> None:
    """Check a scenario file (with overrides) and say whether it is valid."""
    scenario = load_or_exit(file, set_)
    typer.echo(f"{file}: valid scenario {scenario.name}")


def schema() -> None:
    """Print the JSON Schema of scenario files, for editors and linters."""
    typer.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(schema)
