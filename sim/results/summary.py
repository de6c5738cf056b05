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

from sim.results.rows import KpiTable

__all__ = ["SummaryTable", "ferry_summary", "port_summary"]


@dataclass(frozen=True)
class SummaryTable:
    """A small table of formatted cells.

    Attributes:
        title: the table's title.
        caption: what the abbreviations and units mean.
        columns: column headings; the first column is a label, the others are numbers.
        rows: one tuple of cells per row, as many as ``columns``.
        highlight: per row, whether to set it off (a significant difference); empty = none.
    """

    title: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    highlight: tuple[bool, ...] = ()

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


def port_summary(table: KpiTable, scenario: str) -> SummaryTable:
    """Supervised trucks per port: arrivals, releases, clearance time, queue, utilisation.

    Args:
        table: the KPIs of one run (or the means of a replication set).
        scenario: the scenario's name, for the title.
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
                _count(table.get("queue_peak", port=port)),
                _pct(table.get("seamless_clearance_share", port=port)),
                _pct(table.get("utilisation.customs_channels", port=port)),
                _pct(table.get("utilisation.officers", port=port)),
            )
        )
    return SummaryTable(
        title=f"{scenario}: supervised trucks per port (KPI window)",
        caption="times in minutes; no-stop = released without a stop; chan/offic = utilisation",
        columns=("port", "arr", "rel", "mean", "p95", "q.peak", "no-stop", "chan", "offic"),
        rows=tuple(rows),
    )


def ferry_summary(table: KpiTable) -> SummaryTable | None:
    """Strait ferries and holding areas, or None when no port has a ferry."""
    rows = []
    for port in table.ports():
        if not table.has("ferry.sailings_scheduled", port=port):
            continue

        def get(metric: str, port: str = port) -> float | None:
            return table.get(f"ferry.{metric}", port=port)

        scheduled, cancelled = get("sailings_scheduled"), get("sailings_cancelled")
        sailed = None if scheduled is None or cancelled is None else scheduled - cancelled
        rows.append(
            (
                port,
                _count(sailed),
                _count(cancelled),
                _count(get("boarded")),
                _count(get("holding_peak")),
                _count(get("holding_capacity")),
                _count(get("overflow")),
                _minutes(get("boarding_wait_s.p95")),
                _count(get("waiting_at_end")),
            )
        )
    if not rows:
        return None
    return SummaryTable(
        title="strait ferries and holding areas",
        caption="vehicles; peak/cap = holding area; wait95 = p95 minutes release -> boarding",
        columns=(
            "port",
            "sailed",
            "cancel",
            "boarded",
            "peak",
            "cap",
            "overflow",
            "wait95",
            "left",
        ),
        rows=tuple(rows),
    )
