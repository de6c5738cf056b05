"""The summary tables of a run, as data: one home for the terminal and the HTML report.

``customs-sim run`` prints a short table per port and one for the strait ferries; the HTML
report shows the same tables. Both render a :class:`SummaryTable` built here from KPI rows
(:class:`~sim.results.rows.KpiTable`), so a column is added once and appears in both. The
cells are already formatted text (minutes with one decimal, percentages, counts), so the two
renderings agree to the character. For a replication set the same tables are built from the
per-KPI means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sim.results.bottleneck import identify_bottleneck
from sim.results.rows import KpiTable

__all__ = ["SummaryTable", "ferry_summary", "port_summary", "window_caption"]


@dataclass(frozen=True)
class SummaryTable:
    """A small table of formatted cells.

    Attributes:
        title: the table's title.
        caption: what the abbreviations and units mean.
        columns: column headings; the first column is a label, the others are numbers.
        rows: one tuple of cells per row, as many as ``columns``.
        highlight: per row, whether to set it off (a significant difference); empty = none.
        text_columns: columns of words, left-aligned like the first (e.g. a bottleneck).
    """

    title: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    highlight: tuple[bool, ...] = ()
    text_columns: tuple[str, ...] = ()

    def highlighted(self, index: int) -> bool:
        """Whether row ``index`` is set off."""
        return index < len(self.highlight) and self.highlight[index]


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _count(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def window_caption(start: str, warmup_s: float, horizon_s: float) -> str:
    """What the KPI window is, in words (local times), for the per-port table's caption."""

    def local(seconds: float) -> str:
        when = datetime.fromisoformat(start) + timedelta(seconds=seconds)
        return when.strftime("%Y-%m-%d %H:%M")

    warmup = f"after a {warmup_s / 3600:g} h warm-up" if warmup_s else "no warm-up"
    return (
        f"KPI window {local(warmup_s)} to {local(horizon_s)} ({warmup}): arr = trucks that "
        "arrived in it, rel = of those, released by its end"
    )


def _port_block(table: KpiTable, port: str) -> dict[str, Any]:
    """The port's island-less rows as the nested mapping of ``kpis.json`` (numbers only)."""
    block: dict[str, Any] = {}
    keys = table.keys()
    for key in keys:
        if key.port != port or key.flow or key.tier:
            continue
        value = table.get(key.metric, port=port)
        if value is None:
            continue
        node = block
        *parents, leaf = key.metric.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return block


def port_summary(table: KpiTable, scenario: str, window: str = "") -> SummaryTable:
    """Supervised trucks per port: arrivals, releases, clearance time, seamless share,
    utilisation and the bottleneck (:func:`sim.results.bottleneck.identify_bottleneck`).

    Args:
        table: the KPIs of one run (or the means of a replication set).
        scenario: the scenario's name, for the title.
        window: the KPI window in words (:func:`window_caption`), for the caption.
    """
    rows = []
    for port in table.ports():
        if not table.has("arrivals", port=port):
            continue
        rows.append(
            (
                port,
                _count(table.get("arrivals", port=port)),
                _count(table.get("released", port=port)),
                _minutes(table.get("clearance_time_s.mean", port=port)),
                _minutes(table.get("clearance_time_s.p95", port=port)),
                _pct(table.get("seamless_clearance_share", port=port)),
                _pct(table.get("utilisation.customs_channels", port=port)),
                _pct(table.get("utilisation.officers", port=port)),
                identify_bottleneck(_port_block(table, port)).describe(),
            )
        )
    lead = f"{window}. " if window else ""
    return SummaryTable(
        title=f"{scenario}: supervised trucks per port (KPI window)",
        caption=f"{lead}Times in minutes; no-stop = released without a stop; chan/offic = "
        "utilisation; bottleneck = the resource with the most journeys waiting for it on "
        "average, and that number (ferry: vehicles held past their first sailing)",
        columns=("port", "arr", "rel", "mean", "p95", "no-stop", "chan", "offic", "bottleneck"),
        rows=tuple(rows),
        text_columns=("port", "bottleneck"),
    )


def ferry_summary(table: KpiTable) -> SummaryTable | None:
    """Strait ferries: vehicles waiting to board, or None when no port has a ferry."""
    ports = [p for p in table.ports() if table.has("ferry.sailings_scheduled", port=p)]
    if not ports:
        return None

    def get(port: str, metric: str) -> float | None:
        return table.get(f"ferry.{metric}", port=port)

    staging = any(get(p, "staging_peak") or get(p, "staged") for p in ports)
    columns = ["port", "sailed", "cancel", "load", "hold", "outside", "staged", "delayed",
               "wait95", "left"]  # fmt: skip
    if not staging:
        columns.remove("staged")
    rows = []
    for port in ports:
        scheduled, cancelled = get(port, "sailings_scheduled"), get(port, "sailings_cancelled")
        peak, capacity = get(port, "holding_peak"), get(port, "holding_capacity")
        cells = {
            "port": port,
            "sailed": _count(
                None if scheduled is None or cancelled is None else scheduled - cancelled
            ),
            "cancel": _count(cancelled),
            "load": _pct(get(port, "load_factor")),
            "hold": _pct(None if peak is None or not capacity else peak / capacity),
            "outside": _count(get(port, "outside_peak")),
            "staged": _count(get(port, "staging_peak")),
            "delayed": _count(get(port, "delayed")),
            "wait95": _minutes(get(port, "boarding_wait_s.p95")),
            "left": _count(get(port, "waiting_at_end")),
        }
        rows.append(tuple(cells[c] for c in columns))
    return SummaryTable(
        title="strait ferries: vehicles waiting to board",
        caption="Peaks: hold = in the holding area, as a share of its capacity; outside = waiting "
        "outside it, staged = in city staging (shown when any). delayed = not taken by the first "
        "sailing after joining the queue; wait95 = p95 minutes to board; left = still waiting "
        "at the end",
        columns=tuple(columns),
        rows=tuple(rows),
    )
