"""Rendering a results directory into one self-contained HTML file, by kind of result.

A *report kind* knows one kind of result: how to recognise its directory (``detect``), what to
show (``context``: plain data and inline plots for its template) and which Jinja2 template
shows it. Kinds register themselves with :func:`report_kind`; every module in the
:mod:`reports.kinds` package is imported on first use, so adding a kind (a load test, a drill,
a rehearsal) is adding one module there and one template in ``reports/templates/``, without
touching the existing ones::

    # reports/kinds/load_test.py
    from reports.render import ReportKind, report_kind

    @report_kind
    def load_test() -> ReportKind:
        return ReportKind(
            name="load_test",
            priority=20,
            detect=lambda d: (d / "load.json").is_file(),
            context=_context,            # directory -> dict for the template
            template="load_test.html",   # {% extends "base.html" %}, fills {% block body %}
        )

Templates extend ``base.html``, which inlines the stylesheet (``report.css``) and uses no
font, script or image from anywhere: plots are inline SVG (:mod:`reports.plots`), so the file
opens on an isolated network and prints as it shows.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

__all__ = [
    "REPORT_FILE",
    "ReportError",
    "ReportKind",
    "environment",
    "kinds",
    "render_directory",
    "report_kind",
]

REPORT_FILE = "report.html"
"""The report's file name in a results directory."""

_TEMPLATES = Path(__file__).resolve().parent / "templates"


class ReportError(ValueError):
    """A directory no report kind can render; the message names it."""


@dataclass(frozen=True)
class ReportKind:
    """One kind of result a report can show.

    Attributes:
        name: the kind's name (``run``, ``experiment``, ...).
        priority: kinds are tried in increasing priority; the first that detects wins.
        detect: whether a directory holds this kind of result.
        context: the template's variables from the directory (may raise :class:`ReportError`
            or :class:`ValueError` subclasses for unreadable files).
        template: the template's file name; a callable picks it from the context.
    """

    name: str
    priority: int
    detect: Callable[[Path], bool]
    context: Callable[[Path], dict[str, Any]]
    template: str | Callable[[dict[str, Any]], str]


_REGISTRY: dict[str, ReportKind] = {}


def report_kind(factory: Callable[[], ReportKind]) -> Callable[[], ReportKind]:
    """Register the kind ``factory`` returns (use as a decorator on the factory)."""
    kind = factory()
    _REGISTRY[kind.name] = kind
    return factory


@cache
def _load_kinds() -> None:
    import reports.kinds as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


def kinds() -> list[ReportKind]:
    """Every registered kind, in the order they are tried."""
    _load_kinds()
    return sorted(_REGISTRY.values(), key=lambda k: (k.priority, k.name))


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment: the package's templates, autoescaped, strict about names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["stylesheet"] = (_TEMPLATES / "report.css").read_text(encoding="utf-8")
    return env


def render_directory(directory: Path) -> str:
    """The report of the results in ``directory``, as HTML text.

    Raises:
        ReportError: when no kind recognises the directory, or its files cannot be read.
    """
    if not directory.is_dir():
        raise ReportError(f"{directory}: no such directory")
    for kind in kinds():
        if kind.detect(directory):
            context = kind.context(directory)
            name = kind.template if isinstance(kind.template, str) else kind.template(context)
            return environment().get_template(name).render(**context)
    names = ", ".join(k.name for k in kinds())
    raise ReportError(f"{directory}: no results a report can show here (known kinds: {names})")
