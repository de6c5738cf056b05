"""``customs-sim credit ...``: classify credit histories and list tier-change notifications.

``credit classify --history FILE --as-of DATE`` prints one JSON object a line per entity, sorted
by entity key (plain string order):
``{"entity", "tier", "grounds": [{"category", "source", "since", "lapses"}]}``.
``credit notifications --history FILE --until DATE [--since DATE]`` prints every tier change in
the range as a notification record, by date then entity.

Both read the whole history (and check every line) before printing anything: a bad line ends in
``error: FILE: line N: field: what is wrong (got VALUE)`` and exit status 2 with nothing on
stdout, whatever the line holds (JSON nested a hundred thousand deep, a number of thousands of
digits, a lone surrogate in an id, a date in year 9999). Dates, in the file and in the options,
lie in the rules' plausible window (:mod:`sim.rules.dates`). The scale table is the packaged
one, or a scenario's ``credit`` section with ``--scenario`` (and ``--set``).

More commands join the group by decorating a function with ``@credit_app.command()`` in this
module (or in a module imported before :func:`register` runs).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import SetOption, fail, load_or_exit
from sim.rules.credit import (
    CreditEvent,
    CreditTable,
    HistoryError,
    classify,
    default_table,
    history_notifications,
    read_history,
)
from sim.rules.dates import FIRST_PLAUSIBLE, LAST_PLAUSIBLE, is_plausible

__all__ = ["credit_app", "register"]

credit_app = typer.Typer(
    name="credit",
    help="Credit tiers: classify histories as of a date, list tier-change notifications.",
    no_args_is_help=True,
)

HistoryOption = Annotated[
    Path,
    typer.Option("--history", help="History file, one JSON event a line.", metavar="FILE"),
]
ScenarioOption = Annotated[
    Path | None,
    typer.Option(
        "--scenario", help="Take the credit scale table from this scenario.", metavar="FILE"
    ),
]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(option: str, text: str) -> date:
    """Parse a ``YYYY-MM-DD`` option value, or exit 2 naming the option."""
    if _DATE.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            fail(f"{option}: not a calendar date (got {text!r})")
        if not is_plausible(day):
            fail(f"{option}: outside {FIRST_PLAUSIBLE} .. {LAST_PLAUSIBLE} (got {text!r})")
        return day
    fail(f"{option}: must be a date YYYY-MM-DD (got {text!r})")


def _table(scenario: Path | None, overrides: list[str] | None) -> CreditTable:
    if scenario is None:
        if overrides:
            fail("--set: needs --scenario (the overrides apply to a scenario)")
        return default_table()
    return load_or_exit(scenario, overrides, refuse_ignored=False).credit


def load_history(path: Path, table: CreditTable) -> dict[str, list[CreditEvent]]:
    """Read and check a whole history file, or exit 2 with the one-line error."""
    try:
        return read_history(path, table)
    except HistoryError as exc:
        fail(f"{path}: {exc}")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except IsADirectoryError:
        fail(f"{path}: is a directory, not a history file")
    except UnicodeDecodeError as exc:
        fail(f"{path}: not UTF-8 text (byte {exc.start})")
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror}")


def _emit(lines: list[str]) -> None:
    if lines:
        typer.echo("\n".join(lines))


@credit_app.command("classify")
def classify_command(
    history: HistoryOption,
    as_of: Annotated[
        str, typer.Option("--as-of", help="Classify as of this day.", metavar="YYYY-MM-DD")
    ],
    scenario: ScenarioOption = None,
    set_: SetOption = None,
) -> None:
    """Print each entity's tier and active grounds as of a date, one JSON object a line."""
    day = parse_date("--as-of", as_of)
    table = _table(scenario, set_)
    grouped = load_history(history, table)
    lines = [
        json.dumps(classify(grouped[entity], day, table).to_record(), ensure_ascii=False)
        for entity in sorted(grouped)
    ]
    _emit(lines)


@credit_app.command("notifications")
def notifications_command(
    history: HistoryOption,
    until: Annotated[
        str, typer.Option("--until", help="Last day of the range.", metavar="YYYY-MM-DD")
    ],
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="First day of the range (default: all).", metavar="YYYY-MM-DD"
        ),
    ] = None,
    scenario: ScenarioOption = None,
    set_: SetOption = None,
) -> None:
    """Print every tier change in a date range as a notification, one JSON object a line."""
    last = parse_date("--until", until)
    first = None if since is None else parse_date("--since", since)
    if first is not None and first > last:
        fail(f"--since: after --until {last} (got {since!r})")
    table = _table(scenario, set_)
    grouped = load_history(history, table)
    notes = history_notifications(grouped, last, first, table)
    _emit([json.dumps(n.to_record(), ensure_ascii=False) for n in notes])


def register(app: typer.Typer) -> None:
    """Add the ``credit`` command group to the main app."""
    app.add_typer(credit_app, name="credit")
