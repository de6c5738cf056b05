"""Plots for the reports, as inline SVG (matplotlib, no file and no network).

Each function takes plain numbers and returns SVG markup (a string for the template's
``|safe``: matplotlib's own SVG, with no user text unescaped in it) to place in the HTML: text
stays text (``svg.fonttype = none``, so the browser's own sans-serif draws it and nothing is
fetched), element ids are salted with a fixed string and no date is written, so the same
numbers give the same bytes. Intervals are drawn as bands (series) or error bars (bars);
missing values (NaN) are left as gaps.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["Bars", "Line", "bars", "daily_panels", "ecdf", "hourly_panels", "lines_over", "xy"]

_STYLE: Any = {  # Any: matplotlib types rcParams keys as literals
    "svg.fonttype": "none",
    "svg.hashsalt": "customs-sim",
    "font.size": 8.5,
    "font.family": "sans-serif",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 96,
}
_WIDTH = 7.2  # inches: the report's text width


@dataclass(frozen=True)
class Line:
    """One line: y per x, with an optional half-width per point (drawn as a band)."""

    label: str
    y: Sequence[float]
    half_width: Sequence[float] | None = None


@dataclass(frozen=True)
class Bars:
    """One group of bars: a value per category with optional interval ends."""

    label: str
    values: Sequence[float]
    low: Sequence[float] | None = None
    high: Sequence[float] | None = None


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.find("<svg") :]
    # the RDF block names the creator tool; a report needs none of it
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)


def _band(ax: Axes, x: np.ndarray, line: Line, scale: float, marker: str = "") -> None:
    y = np.asarray(line.y, dtype=float) * scale
    drawn = ax.plot(x, y, label=line.label, linewidth=1.3, marker=marker or None, markersize=3)[0]
    if line.half_width is not None:
        h = np.asarray(line.half_width, dtype=float) * scale
        if np.any(np.isfinite(h)):
            low = np.maximum(y - h, 0.0) if np.nanmin(y) >= 0 else y - h  # counts stay >= 0
            ax.fill_between(x, low, y + h, alpha=0.2, color=drawn.get_color(), linewidth=0)


def hourly_panels(
    panels: Sequence[tuple[str, Sequence[Line]]],
    *,
    ylabel: str,
    first_hour: float = 0.0,
    columns: int = 2,
) -> str:
    """Small multiples, one panel per title, each with lines over hours of the KPI window."""
    if not panels:
        return ""
    rows = math.ceil(len(panels) / columns)
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(
            rows, columns, figsize=(_WIDTH, 2.0 * rows), squeeze=False, sharex=True
        )
        for ax, (title, lines) in zip(axes.flat, panels, strict=False):
            for line in lines:
                x = first_hour + np.arange(len(line.y)) + 0.5
                _band(ax, x, line, 1.0)
            ax.set_title(title, fontsize=9, loc="left")
            ax.set_ylabel(ylabel)
            if len(lines) > 1:
                ax.legend(fontsize=7, frameon=False)
        for ax in axes.flat[len(panels) :]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("hour of the run")
        fig.tight_layout()
        return _svg(fig)


def daily_panels(
    panels: Sequence[tuple[str, Sequence[Line]]],
    *,
    ylabel: str,
    first_day: date | None = None,
) -> str:
    """Panels stacked over the days of a run (one value per day), each with its own y scale and
    its legend beside it; the x axis shows dates from ``first_day``, or the day of the run."""
    drawn = [(title, lines) for title, lines in panels if lines and len(lines[0].y)]
    if not drawn:
        return ""
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(
            len(drawn), 1, figsize=(_WIDTH, 1.9 * len(drawn) + 0.4), squeeze=False, sharex=True
        )
        for ax, (title, lines) in zip(axes.flat, drawn, strict=True):
            for line in lines:
                n = len(line.y)
                x: np.ndarray
                if first_day is None:
                    x = np.arange(1, n + 1)
                else:
                    x = np.datetime64(first_day, "D") + np.arange(n)
                _band(ax, x, line, 1.0, marker="o" if n <= 31 else "")
            ax.set_title(title, fontsize=9, loc="left")
            ax.set_ylabel(ylabel)
            ax.set_ylim(bottom=0)
            if len(lines) > 1:
                ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        bottom = axes[-1][0]
        bottom.set_xlabel("date" if first_day is not None else "day of the run")
        if first_day is not None:
            bottom.tick_params(axis="x", labelrotation=30)
        fig.tight_layout()
        return _svg(fig)


def ecdf(curves: Sequence[tuple[str, Sequence[int]]], *, title: str) -> str:
    """Cumulative share of trucks cleared within x minutes, from per-minute counts."""
    drawn = [(label, np.asarray(c, dtype=float)) for label, c in curves if sum(c) > 0]
    if not drawn:
        return ""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(_WIDTH, 2.6))
        for label, counts in drawn:
            share = np.cumsum(counts) / counts.sum()
            ax.step(np.arange(1, len(counts) + 1), 100 * share, where="post", label=label)
        ax.set_xlabel("clearance time (min, arrival -> release)")
        ax.set_ylabel("trucks cleared within (%)")
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xscale("log")
        ax.set_ylim(0, 100)
        ax.legend(fontsize=7, frameon=False, ncol=2)
        fig.tight_layout()
        return _svg(fig)


def bars(
    categories: Sequence[str],
    groups: Sequence[Bars],
    *,
    ylabel: str,
    title: str,
    scale: float = 1.0,
) -> str:
    """Grouped bars per category, with interval whiskers where given."""
    if not categories or not groups:
        return ""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(_WIDTH, 2.4))
        x = np.arange(len(categories))
        width = 0.8 / len(groups)
        for i, g in enumerate(groups):
            values = np.asarray(g.values, dtype=float) * scale
            pos = x - 0.4 + width * (i + 0.5)
            err = None
            if g.low is not None and g.high is not None:
                low = np.asarray(g.low, dtype=float) * scale
                high = np.asarray(g.high, dtype=float) * scale
                err = np.nan_to_num(np.vstack([values - low, high - values]), nan=0.0)
                err = np.maximum(err, 0.0)
            ax.bar(pos, np.nan_to_num(values), width, label=g.label, yerr=err, capsize=3)
        ax.set_xticks(x, list(categories))
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9, loc="left")
        if len(groups) > 1:
            ax.legend(fontsize=7, frameon=False)
        fig.tight_layout()
        return _svg(fig)


def lines_over(
    x_labels: Sequence[str], lines: Sequence[Line], *, xlabel: str, ylabel: str, title: str,
    scale: float = 1.0,
) -> str:  # fmt: skip
    """Lines over the points of a sweep (categorical x), with interval bands."""
    if not x_labels or not lines:
        return ""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(_WIDTH, 2.6))
        x = np.arange(len(x_labels), dtype=float)
        for line in lines:
            y = np.asarray(line.y, dtype=float) * scale
            h = None if line.half_width is None else np.asarray(line.half_width) * scale
            ax.errorbar(x, y, yerr=h, label=line.label, marker="o", capsize=3, linewidth=1.3)
        ax.set_xticks(x, list(x_labels))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9, loc="left")
        if len(lines) > 1:
            ax.legend(fontsize=7, frameon=False)
        fig.tight_layout()
        return _svg(fig)


def xy(
    x: Sequence[float], lines: Sequence[Line], *, xlabel: str, ylabel: str, title: str,
    log_y: bool = False, marker: str = "",
) -> str:  # fmt: skip
    """Lines over a numeric x (seconds of a load test, speed-ups of a search)."""
    if not len(x) or not lines:
        return ""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(_WIDTH, 2.6))
        for line in lines:
            ax.plot(list(x), list(line.y), label=line.label, linewidth=1.3, marker=marker or None)
        if log_y:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9, loc="left")
        if len(lines) > 1:
            ax.legend(fontsize=7, frameon=False)
        fig.tight_layout()
        return _svg(fig)
