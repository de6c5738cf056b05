"""``customs-sim report DIR``: re-render the HTML report of saved results.

Works on any directory a command wrote (a run's ``kpis.json`` and ``records.parquet``, an
experiment's ``experiment.json``) without running anything again; the report is written to
``DIR/report.html`` (or ``--out FILE``) atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from reports import REPORT_FILE, ReportError, render_directory
from sim.cli.common import console, fail

__all__ = ["register", "report"]


def report(
    directory: Annotated[Path, typer.Argument(help="A results directory.", metavar="DIR")],
    out: Annotated[
        Path | None, typer.Option("--out", help="The HTML file (default: DIR/report.html).")
    ] = None,
) -> None:
    """Render DIR's saved results (run, replications, comparison or sweep) as report.html."""
    try:
        html = render_directory(directory)
    except ReportError as exc:
        fail(str(exc))
    target = out if out is not None else directory / REPORT_FILE
    if target.is_dir():
        fail(f"--out: {target}: is a directory")
    staged = target.with_name(f".{target.name}.tmp")
    try:
        staged.write_text(html, encoding="utf-8")
        os.replace(staged, target)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        fail(f"{target}: cannot write the report: {exc.strerror or exc}")
    console.print(f"report -> {target}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""
    app.command()(report)
