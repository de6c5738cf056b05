"""The ``customs-sim`` command: the composition root that wires the harness together.

Each command group lives in its own module and registers itself here; commands parse their
arguments, delegate to the library, and print. Nothing imports this package.
"""

from __future__ import annotations

import typer

from sim.cli import (
    credit_cmds,
    drill_cmd,
    dynamics_cmds,
    experiment_cmds,
    goods_cmds,
    load_cmd,
    population_cmds,
    rehearse_cmd,
    report_cmds,
    run_cmd,
    scenario_cmds,
    serve_cmd,
    workload_cmds,
)

__all__ = ["app", "main"]

app = typer.Typer(
    name="customs-sim",
    help="Simulate, load-test and drill Hainan's second-line customs ports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
scenario_cmds.register(app)
run_cmd.register(app)
experiment_cmds.register(app)
report_cmds.register(app)
credit_cmds.register(app)
population_cmds.register(app)
dynamics_cmds.register(app)
goods_cmds.register(app)
serve_cmd.register(app)
workload_cmds.register(app)
load_cmd.register(app)
drill_cmd.register(app)
rehearse_cmd.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
