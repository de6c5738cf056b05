"""What every command shares: the ``--set`` option, scenario loading, and user-error exits.

A user's mistake ends in one line on stderr, ``error: ...``, and exit status 2, never a
traceback; internal errors keep theirs. A mistake Click finds while parsing the command line
is worded by :func:`usage_error_line` in the same way: ``error: --seed: Input should be greater
than or equal to 0 (got '-1')``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "SetOption",
    "check_output_dir",
    "console",
    "err_console",
    "fail",
    "load_or_exit",
    "parse_from",
    "usage_error_line",
]

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a scenario field, e.g. --set ports.xinhai.resources.customs_channels=4 "
        "(repeatable; the value is read as YAML).",
        metavar="PATH=VALUE",
    ),
]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    err_console.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def load_or_exit(
    path: Path, overrides: list[str] | None, *, refuse_ignored: bool = True
) -> Scenario:
    """Load a scenario, or exit 2 with the one-line error.

    ``refuse_ignored=False`` for commands that read only the population or credit sections:
    a setting a *run* would ignore still counts for them (see :mod:`sim.scenario.relevance`).
    """
    try:
        scenario: Scenario = load_scenario(path, overrides or (), refuse_ignored=refuse_ignored)
    except ScenarioError as exc:
        fail(str(exc))
    return scenario


def check_output_dir(target: Path) -> None:
    """Fail (exit 2) before a long run, not after it, if outputs could not go to ``target``."""
    if target.exists() and not target.is_dir():
        fail(f"{target}: exists and is not a directory")
    existing = target
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        fail(f"{target}: cannot write outputs here ({existing} is not a writable directory)")


def _given(opts: Sequence[str], args: Sequence[str]) -> str | None:
    """The value the command line gave an option (``--seed -1`` or ``--seed=-1``), if any."""
    for i, arg in enumerate(args):
        for opt in opts:
            if arg == opt and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(opt + "="):
                return arg[len(opt) + 1 :]
    return None


def usage_error_line(exc: Exception, args: Sequence[str]) -> str:
    """One line for a command-line mistake: the option, what is wrong, the value given.

    Args:
        exc: The usage error Click (as vendored by Typer) raised while parsing.
        args: The command line's arguments (to show the value that was refused).

    Returns:
        ``--seed: Input should be greater than or equal to 0 (got '-1')`` for a bad value;
        Click's own sentence, on one line, for any other mistake (an unknown option, a
        missing argument ...).
    """
    param = getattr(exc, "param", None)
    missing = type(exc).__name__ == "MissingParameter"
    if isinstance(exc, typer.BadParameter) and not missing and param is not None:
        opts = getattr(param, "opts", None) or []
        if opts and getattr(param, "param_type_name", "") == "option":
            value = _given(opts, args)
            got = "" if value is None else f" (got {value!r})"
            return " ".join(f"{opts[0]}: {exc.message}{got}".split())
        return " ".join(f"{param.human_readable_name}: {exc.message}".split())
    format_message = getattr(exc, "format_message", None)
    text = format_message() if callable(format_message) else str(exc)
    return " ".join(str(text).split())


def parse_from(text: str | None) -> datetime | None:
    """A period's ``--from`` (local ISO date-time), or None; a mistake is one line, exit 2."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        fail(f"--from: not a date-time like 2026-03-10T09:00 (got {text!r})")
