"""The tables of an experiment, as data: headline estimates, differences, sweep points.

Like :mod:`sim.results.summary` for a run, these :class:`~sim.results.summary.SummaryTable`
objects are what both the terminal (``customs-sim run --replications``, ``compare``, ``sweep``)
and the HTML report show, so the two never disagree. Rows are the headline KPIs
(:func:`sim.results.metrics.headline_keys`): island-wide, at each port with traffic, per tier.
"""

from __future__ import annotations

import math
import statistics

from sim.results.experiment import Arm, Experiment, Interval
from sim.results.metrics import describe, format_value, headline_keys, where
from sim.results.summary import SummaryTable

__all__ = [
    "active_ports",
    "crn_narrowing",
    "difference_table",
    "estimate_table",
    "interval_text",
    "sweep_table",
    "verdicts",
]


def interval_text(metric: str, interval: Interval) -> str:
    """``[low, high]`` in the metric's unit, or "-" when it is unknown."""
    if math.isnan(interval.half_width):
        return "-"
    info = describe(metric)
    return (
        f"[{info.show(interval.low):.{info.digits}f}, {info.show(interval.high):.{info.digits}f}]"
    )


def _relative(interval: Interval) -> str:
    r = interval.relative_half_width
    return "-" if math.isnan(r) or math.isinf(r) else f"{100 * r:.1f}%"


def active_ports(arm: Arm) -> list[str]:
    """The ports where supervised trucks arrived (on average), in the official order."""
    table = arm.means()
    return [p for p in table.ports() if (table.get("arrivals", port=p) or 0) > 0]


def estimate_table(arm: Arm) -> SummaryTable:
    """The headline KPIs of one arm: mean, 95% interval, relative half-width."""
    rows = []
    for key in headline_keys([e.key for e in arm.estimates], active_ports(arm)):
        e = arm.estimate(key)
        if e is None or e.interval.n == 0:
            continue
        rows.append(
            (
                describe(key.metric).label,
                where(key, short=True),
                format_value(key.metric, e.interval.mean),
                interval_text(key.metric, e.interval),
                _relative(e.interval),
            )
        )
    return SummaryTable(
        title=f"{arm.scenario}: headline KPIs over {len(arm.replications)} replications",
        caption="mean with its t-based 95% confidence interval; rel. = half-width / |mean|",
        columns=("KPI", "where", "mean", "95% interval", "rel."),
        rows=tuple(rows),
    )


def difference_table(experiment: Experiment) -> SummaryTable:
    """A comparison's headline KPIs: A, B, B - A, paired and unpaired 95% intervals."""
    a, b = experiment.arms[0], experiment.arms[-1]
    by_key = {d.key: d for d in experiment.differences}
    rows, marks = [], []
    for key in headline_keys(by_key, active_ports(a)):
        d = by_key[key]
        if d.paired.n == 0:
            continue
        rows.append(
            (
                describe(key.metric).label,
                where(key, short=True),
                format_value(key.metric, d.a.mean),
                format_value(key.metric, d.b.mean),
                format_value(key.metric, d.paired.mean, signed=True),
                interval_text(key.metric, d.paired),
                interval_text(key.metric, d.unpaired),
            )
        )
        marks.append(d.significant())
    return SummaryTable(
        title=f"B - A: {b.scenario} vs {a.scenario}, {len(a.replications)} paired replications",
        caption="paired = common random numbers (same replication index); unpaired = Welch, "
        "as if independent; set off: the paired interval excludes zero",
        columns=("KPI", "where", "A", "B", "B - A", "paired 95%", "unpaired 95%"),
        rows=tuple(rows),
        highlight=tuple(marks),
    )


def verdicts(experiment: Experiment) -> list[str]:
    """The plain-language verdicts of the significant headline differences."""
    by_key = {d.key: d for d in experiment.differences}
    keys = headline_keys(by_key, active_ports(experiment.arms[0]))
    return [by_key[k].verdict() for k in keys if by_key[k].significant()]


def crn_narrowing(experiment: Experiment) -> float | None:
    """Median over headline KPIs of unpaired / paired half-width: what pairing bought."""
    by_key = {d.key: d for d in experiment.differences}
    ratios = []
    for key in headline_keys(by_key, active_ports(experiment.arms[0])):
        d = by_key[key]
        if d.paired.half_width > 0 and d.unpaired.half_width > 0:
            ratios.append(d.unpaired.half_width / d.paired.half_width)
    return statistics.median(ratios) if ratios else None


def sweep_table(experiment: Experiment) -> SummaryTable:
    """One row per grid point: the island-wide and per-port headline KPIs with intervals."""
    arms = experiment.arms
    keys = [
        k
        for k in headline_keys([e.key for e in arms[0].estimates], active_ports(arms[0]))
        if not k.tier and (not k.port or k.metric.startswith(("clearance", "ferry")))
    ]
    columns = ["point"]
    for key in keys:
        info = describe(key.metric)
        place = "" if not key.port else f" @{key.port}"
        columns.append(f"{info.label}{place}" + (f" ({info.unit})" if info.unit else ""))
    rows = []
    for arm in arms:
        cells = [arm.label]
        for key in keys:
            e = arm.estimate(key)
            if e is None or e.interval.n == 0:
                cells.append("-")
                continue
            info = describe(key.metric)
            cells.append(
                f"{info.show(e.interval.mean):.{info.digits}f} "
                f"{interval_text(key.metric, e.interval)}"
            )
        rows.append(tuple(cells))
    return SummaryTable(
        title=f"sweep over {', '.join(experiment.sweep_params)}: "
        f"{len(arms[0].replications)} replications per point",
        caption="mean [95% interval] over replications, the same replication indices at every "
        "point (common random numbers)",
        columns=tuple(columns),
        rows=tuple(rows),
    )
