"""The reports of experiments: a replication set, a comparison, a sweep (``experiment.json``).

- *Replication set*: the summary tables of the means, the headline KPIs with their 95%
  intervals and relative half-widths, the requested precision and whether it was reached, the
  scenario's warm-up beside MSER-5's suggestion, and the plots with interval bands.
- *Comparison*: the verdicts in plain words, the table of A, B, B - A with its paired (common
  random numbers) and unpaired intervals, how much narrower pairing made them, and the plots
  of both arms overlaid.
- *Sweep*: one row per grid point with the headline KPIs and their intervals, and each
  headline KPI plotted over the points.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from reports import plots
from reports.list_sizes import list_panels
from reports.render import ReportError, ReportKind, report_kind
from sim.results.experiment import Arm, Experiment, Interval
from sim.results.experiment_io import EXPERIMENT_FILE, ResultFileError, read_experiment
from sim.results.experiment_tables import (
    active_ports,
    crn_narrowing,
    difference_table,
    estimate_table,
    sweep_table,
    verdicts,
)
from sim.results.lists import LIST_SIZES_KEY
from sim.results.metrics import TIERS, describe, headline_keys, where
from sim.results.rows import KpiKey
from sim.results.summary import ferry_summary, port_summary

__all__ = ["experiment_kind"]

_VISIBLE = 1e-6  # below this a time-average is summation noise, not a queue
_QUEUES = (
    ("queue_hourly", "channel"),
    ("scan_queue_hourly", "scanner"),
    ("inspection_queue_hourly", "inspection bay"),
)


def _queue_panels(arms: list[Arm]) -> list[tuple[str, list[plots.Line]]]:
    ports = active_ports(arms[0])
    panels = []
    for port in ports:
        lines = []
        for arm in arms:
            series = {s.key.metric: s for s in arm.series if s.key.port == port}
            for metric, label in _QUEUES:
                s = series.get(metric)
                if s is not None and any(v > _VISIBLE for v in s.mean if v == v):
                    name = label if len(arms) == 1 else f"{arm.label}: {label}"
                    lines.append(plots.Line(name, s.mean, s.half_width))
        if lines:
            panels.append((port, lines))
    return panels


def _backlog_panels(arms: list[Arm]) -> list[tuple[str, list[plots.Line]]]:
    ports: dict[str, list[plots.Line]] = {}
    for arm in arms:
        for s in arm.series:
            if s.key.metric == "ferry.backlog_hourly":
                label = "vehicles waiting" if len(arms) == 1 else arm.label
                ports.setdefault(s.key.port, []).append(plots.Line(label, s.mean, s.half_width))
    order = {p: i for i, p in enumerate(arms[0].means().ports())}
    return sorted(ports.items(), key=lambda item: order.get(item[0], len(order)))


def _tier_bars(arms: list[Arm], metric: str) -> tuple[list[str], list[plots.Bars]]:
    tiers: list[str] = [t for t in TIERS if arms[0].estimate(KpiKey("", "", t, metric)) is not None]
    groups = []
    for arm in arms:
        values, lows, highs = [], [], []
        for tier in tiers:
            e = arm.estimate(KpiKey("", "", tier, metric))
            i = e.interval if e is not None else Interval(0, math.nan, math.nan, math.nan)
            values.append(i.mean)
            lows.append(i.low)
            highs.append(i.high)
        groups.append(plots.Bars(arm.label, values, lows, highs))
    return tiers, groups


def _detection_bars(arms: list[Arm]) -> tuple[list[str], list[plots.Bars]]:
    names = ["detected", "leaked", "pending"]
    groups = []
    for arm in arms:
        intervals = [arm.estimate(KpiKey("", "", "", f"detection.{n}")) for n in names]
        values = [e.interval.mean if e else math.nan for e in intervals]
        lows = [e.interval.low if e else math.nan for e in intervals]
        highs = [e.interval.high if e else math.nan for e in intervals]
        groups.append(plots.Bars(arm.label, values, lows, highs))
    return names, groups


def _list_series(
    arms: list[Arm],
) -> list[tuple[str, dict[str, tuple[tuple[float, ...], tuple[float, ...]]]]]:
    """Each arm's daily credit-list series (mean and half-width per day), by metric."""
    return [
        (
            arm.label if len(arms) > 1 else "",
            {s.key.metric: (s.mean, s.half_width) for s in arm.series
             if s.key.metric.startswith(f"{LIST_SIZES_KEY}.")},
        )
        for arm in arms
    ]


def _plots(experiment: Experiment, arms: list[Arm]) -> dict[str, str]:
    first_hour = experiment.warmup_s / 3600.0
    tiers, tier_groups = _tier_bars(arms, "inspection_rate")
    det_names, det_groups = _detection_bars(arms)
    curves = []
    for port in ["", *active_ports(arms[0])[:3]]:
        for arm in arms:
            counts = arm.clearance_histogram.get(port)
            if counts is not None:
                name = port or "all ports"
                curves.append((name if len(arms) == 1 else f"{arm.label}: {name}", counts))
    return {
        "queue_plot": plots.hourly_panels(
            _queue_panels(arms), ylabel="trucks waiting (mean)", first_hour=first_hour
        ),
        "backlog_plot": plots.hourly_panels(
            _backlog_panels(arms), ylabel="vehicles (mean)", first_hour=first_hour
        ),
        "clearance_plot": plots.ecdf(
            curves, title="clearance time of released supervised trucks, all replications"
        ),
        "inspection_plot": plots.bars(
            tiers,
            tier_groups,
            ylabel="% stopped",
            title="inspection rate by tier, mean with 95% interval over replications",
            scale=100.0,
        ),
        "detection_plot": plots.bars(
            det_names,
            det_groups,
            ylabel="violations per run",
            title="detection and leakage of planted violations, mean with 95% interval",
        ),
        "lists_plot": plots.daily_panels(
            list_panels(_list_series(arms)), ylabel="entities (mean)"
        ),
    }


def _sweep_figures(experiment: Experiment) -> list[str]:
    arms = list(experiment.arms)
    labels = [arm.label for arm in arms]
    keys = [k for k in headline_keys([e.key for e in arms[0].estimates], []) if not k.tier]
    figures = []
    for key in keys:
        info = describe(key.metric)
        means, halves = [], []
        for arm in arms:
            e = arm.estimate(key)
            means.append(e.interval.mean if e else math.nan)
            halves.append(e.interval.half_width if e else math.nan)
        figures.append(
            plots.lines_over(
                labels,
                [plots.Line(info.label, means, halves)],
                xlabel=", ".join(experiment.sweep_params),
                ylabel=f"{info.label} ({info.unit})" if info.unit else info.label,
                title=f"{info.label} {where(key)}, mean with 95% interval",
                scale=info.scale,
            )
        )
    return figures


def _context(directory: Path) -> dict[str, Any]:
    try:
        experiment = read_experiment(directory)
    except ResultFileError as exc:
        raise ReportError(str(exc)) from None
    arms = list(experiment.arms)
    first = arms[0]
    context: dict[str, Any] = {
        "experiment": experiment,
        "arms": arms,
        "tables": [
            t
            for t in (port_summary(first.means(), first.scenario), ferry_summary(first.means()))
            if t
        ],
        "estimates": estimate_table(first),
        "horizon_h": experiment.horizon_s / 3600.0,
        "warmup_h": experiment.warmup_s / 3600.0,
        "title": {
            "replications": f"Replications: {first.scenario}",
            "comparison": f"Comparison: {first.scenario} vs {arms[-1].scenario}",
            "sweep": f"Sweep: {first.scenario}",
        }[experiment.kind],
    }
    context["plots"] = _plots(experiment, arms) if experiment.kind != "sweep" else {}
    if experiment.kind == "comparison":
        ratio = crn_narrowing(experiment)
        context["comparison"] = {
            "table": difference_table(experiment),
            "verdicts": verdicts(experiment),
            "crn_ratio": None if ratio is None else f"{ratio:.1f}",
        }
    if experiment.kind == "sweep":
        context["sweep"] = {"table": sweep_table(experiment), "figures": _sweep_figures(experiment)}
    return context


@report_kind
def experiment_kind() -> ReportKind:
    """An experiment's directory (``experiment.json``)."""
    return ReportKind(
        name="experiment",
        priority=10,
        detect=lambda d: (d / EXPERIMENT_FILE).is_file(),
        context=_context,
        template=lambda c: f"{c['experiment'].kind}.html",
    )
