"""The ``customs-sim`` command: the composition root that wires the harness together.

Each command group lives in its own module and registers itself here; commands parse their
arguments, delegate to the library, and print. Nothing imports this package.

:func:`main` runs the app without Click's own error handling, so that a mistake on the command
line (an option of the wrong type or out of range, an unknown option, a missing argument) ends
like every other user error: one line ``error: ...`` on stderr and exit status 2, never a
multi-line box (:mod:`sim.cli.common`).
"""

from __future__ import annotations

import sys

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
from sim.cli.common import err_console, usage_error_line

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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point.

    Args:
        argv: The arguments (``sys.argv[1:]`` when None).
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        code = app(args=args, standalone_mode=False)
    except typer.TyperException as exc:  # Click's usage errors, as Typer raises them
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]  # no arguments at all: the help it is
        else:
            err_console.print(f"error: {usage_error_line(exc, args)}", markup=False)
        sys.exit(2)
    except typer.Abort:
        err_console.print("error: aborted", markup=False)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
