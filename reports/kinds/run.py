"""The report of one run: ``kpis.json`` and ``records.parquet`` from ``customs-sim run``.

Shows the summary tables the terminal printed (:mod:`sim.results.summary`), the queues per
port over the day (channels from the KPIs; scanners, inspection bays and the ferry backlog from
the records), the clearance-time distribution, the inspection rate per tier with its Wilson
interval, detection and leakage of the planted violations, and, when the declarants are a
population, the credit-list sizes on each day of the run (:mod:`reports.list_sizes`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reports import plots
from reports.list_sizes import run_list_context
from reports.render import ReportError, ReportKind, report_kind
from sim.results import read_records, wilson_interval
from sim.results.journeys import clearance_histogram, ferry_backlog_hourly, stage_queues_hourly
from sim.results.metrics import TIERS
from sim.results.rows import KpiSeries, KpiTable, kpi_rows, kpi_series
from sim.results.summary import ferry_summary, port_summary

__all__ = ["run_kind"]

_KPIS = "kpis.json"
_RECORDS = "records.parquet"


def _read_kpis(directory: Path) -> dict[str, Any]:
    path = directory / _KPIS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("ports"), dict):
        raise ReportError(f"{path}: not the kpis.json of a run (no ports)")
    return data


def queue_panels(series: list[KpiSeries], ports: list[str]) -> list[tuple[str, list[plots.Line]]]:
    """One panel per port with a queue: channels, scanners and inspection bays."""
    by_key = {(s.port, s.metric): s for s in series}
    panels = []
    for port in ports:
        lines = []
        for metric, label in (
            ("queue_hourly", "channel"),
            ("scan_queue_hourly", "scanner"),
            ("inspection_queue_hourly", "inspection bay"),
        ):
            s = by_key.get((port, metric))
            if s is not None:
                lines.append(plots.Line(label, s.values))
        if any(any(v > 1e-6 for v in line.y) for line in lines):  # not summation noise
            panels.append((port, lines))
    return panels


def _context(directory: Path) -> dict[str, Any]:
    kpis = _read_kpis(directory)
    table = KpiTable(kpi_rows(kpis))
    series = kpi_series(kpis)
    lo, hi = float(kpis["warmup_s"]), float(kpis["horizon_s"])
    histogram: dict[str, tuple[int, ...]] = {}
    records_note = ""
    if (directory / _RECORDS).is_file():
        # only the rows the plots need, one part at a time: a year is millions of rows
        path = directory / _RECORDS
        ferry_ports = [p for p in table.ports() if table.has("ferry.holding_peak", port=p)]
        try:
            trucks = read_records(path, filters=[("flow", "=", "cargo_truck")])
            series += stage_queues_hourly(trucks, lo, hi)
            histogram = clearance_histogram(trucks, lo)
            del trucks
            for port in ferry_ports:
                mine = read_records(path, filters=[("port", "=", port)])
                series += ferry_backlog_hourly(mine, [port], lo, hi)
        except (OSError, ValueError, KeyError) as exc:
            raise ReportError(f"{path}: cannot read: {exc}") from None
    else:
        records_note = (
            f"{_RECORDS} is missing: plots of scanners, ferries and distributions left out"
        )
    ports = [p for p in table.ports() if (table.get("arrivals", port=p) or 0) > 0]
    backlog = [
        (s.port, [plots.Line("vehicles waiting for a ferry", s.values)])
        for s in series
        if s.metric == "ferry.backlog_hourly"
    ]
    tiers = [t for t in TIERS if (table.get("declarations", tier=t) or 0) > 0]
    rates, lows, highs = [], [], []
    for tier in tiers:
        n = int(table.get("declarations", tier=tier) or 0)
        stopped = int(table.get("inspected", tier=tier) or 0)
        low, high = wilson_interval(stopped, n)
        rates.append(stopped / n)
        lows.append(low)
        highs.append(high)
    detection = ["detected", "leaked", "pending"]
    first_hour = lo / 3600.0
    return {
        "title": f"Run report: {kpis['scenario']}",
        "kpis": kpis,
        "records_note": records_note,
        "tables": [t for t in (port_summary(table, kpis["scenario"]), ferry_summary(table)) if t],
        "queue_plot": plots.hourly_panels(
            queue_panels(series, ports), ylabel="trucks waiting", first_hour=first_hour
        ),
        "backlog_plot": plots.hourly_panels(
            backlog, ylabel="vehicles", first_hour=first_hour, columns=2
        ),
        "clearance_plot": plots.ecdf(
            [(p or "all ports", histogram[p]) for p in ["", *ports] if p in histogram],
            title="clearance time of released supervised trucks",
        ),
        "inspection_plot": plots.bars(
            tiers,
            [plots.Bars("inspection rate", rates, lows, highs)],
            ylabel="% stopped (scan or inspection)",
            title="inspection rate by tier, with 95% Wilson intervals",
            scale=100.0,
        ),
        "detection_plot": plots.bars(
            detection,
            [plots.Bars("violations", [table.get(f"detection.{d}") or 0.0 for d in detection])],
            ylabel="planted violations",
            title="detection and leakage of planted violations",
        ),
        **run_list_context(kpis),
        "tier_rows": [
            (
                t,
                int(table.get("declarations", tier=t) or 0),
                f"{100 * r:.1f}%",
                f"[{100 * a:.1f}%, {100 * b:.1f}%]",
            )
            for t, r, a, b in zip(tiers, rates, lows, highs, strict=True)
        ],
    }


@report_kind
def run_kind() -> ReportKind:
    """A single run's directory (``kpis.json``)."""
    return ReportKind(
        name="run",
        priority=90,
        detect=lambda d: (d / _KPIS).is_file(),
        context=_context,
        template="run.html",
    )
