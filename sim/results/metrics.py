"""The words and units of KPI metrics: how a row is named to a person, and which rows lead.

A metric name such as ``clearance_time_s.p95`` is exact but not what a policy analyst reads;
this module turns it into "p95 clearance time" in minutes, a share into percent, and says
which direction is better, so the terminal, the reports and the comparison verdicts ("B lowers
p95 clearance at Haikou Xinhai Port by 3.1 min [2.4, 3.8]") all speak the same words. It also
names the *headline* metrics (the ones an experiment tabulates first and the ones a requested
precision is reached on).

A metric this module does not know is shown by its dotted name, unscaled: a KPI added later
still appears everywhere, only less prettily, until a line is added here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sim.results.rows import KpiKey
from sim.rules.ports import PORT_IDS, port_fact
from sim.rules.tiers import TIERS  # re-exported: reports see the rules only through here

__all__ = [
    "HEADLINE_METRICS",
    "PRECISION_METRICS",
    "TIERS",
    "MetricInfo",
    "describe",
    "format_value",
    "headline_keys",
    "where",
]


@dataclass(frozen=True)
class MetricInfo:
    """How one metric is shown.

    Attributes:
        label: words for the metric ("p95 clearance time").
        unit: the unit after scaling ("min", "%", "" for counts).
        scale: multiply a raw value by this to get the unit (1/60 for seconds -> minutes).
        digits: decimals shown.
    """

    label: str
    unit: str
    scale: float = 1.0
    digits: int = 1

    def show(self, raw: float) -> float:
        """The raw value in this metric's unit."""
        return raw * self.scale


_MINUTES = 1 / 60
_STATS = {"mean": "mean", "p50": "median", "p95": "p95", "p99": "p99"}

_EXACT: dict[str, MetricInfo] = {
    "seamless_clearance_share": MetricInfo("share released without a stop", "%", 100.0),
    "inspection_rate": MetricInfo("inspection rate", "%", 100.0),
    "detection.detection_rate": MetricInfo("detection rate", "%", 100.0),
    "detection.leaked": MetricInfo("violations leaked", "", 1.0, 1),
    "detection.detected": MetricInfo("violations detected", "", 1.0, 1),
    "detection.violations": MetricInfo("violations", "", 1.0, 1),
    "queue_peak": MetricInfo("peak channel queue", "trucks", 1.0, 1),
    "arrivals": MetricInfo("arrivals", "", 1.0, 0),
    "released": MetricInfo("released", "", 1.0, 0),
    "in_system_at_end": MetricInfo("still inside at the end", "", 1.0, 1),
    "manual_inspections": MetricInfo("manual inspections", "", 1.0, 1),
    "declarations": MetricInfo("declarations", "", 1.0, 0),
    "ferry.holding_peak": MetricInfo("peak holding-area occupancy", "vehicles", 1.0, 0),
    "ferry.overflow": MetricInfo("vehicles overflowing the holding area", "", 1.0, 0),
    "ferry.outside_peak": MetricInfo("peak vehicles waiting outside", "", 1.0, 0),
    "ferry.waiting_at_end": MetricInfo("vehicles waiting for a ferry at the end", "", 1.0, 0),
    "goods.duty_assessed_fen.total.total_fen": MetricInfo("duty assessed", "CNY", 0.01, 0),
}

HEADLINE_METRICS: tuple[str, ...] = (
    "clearance_time_s.mean",
    "clearance_time_s.p95",
    "seamless_clearance_share",
    "queue_peak",
    "inspection_rate",
    "detection.detection_rate",
    "detection.leaked",
    "ferry.holding_peak",
    "ferry.overflow",
    "ferry.boarding_wait_s.p95",
)
"""Metrics a comparison or sweep tabulates first (at every port, tier and overall)."""

PRECISION_METRICS: tuple[KpiKey, ...] = (
    KpiKey("", "", "", "clearance_time_s.mean"),
    KpiKey("", "", "", "clearance_time_s.p95"),
    KpiKey("", "", "", "seamless_clearance_share"),
)
"""The island-wide metrics a requested relative precision (``--precision``) is reached on.

Per-port and per-tier metrics of small ports can need hundreds of replications for a tight
relative interval; the island-wide clearance time and seamless share are what a what-if is
usually judged on first.
"""


def describe(metric: str) -> MetricInfo:
    """How ``metric`` is shown (its dotted name and raw value when it is not known here)."""
    known = _EXACT.get(metric)
    if known is not None:
        return known
    head, _, stat = metric.rpartition(".")
    if head.endswith("_s") and stat in _STATS:
        what = head.rpartition(".")[2].removesuffix("_s").replace("_", " ")
        if what == "clearance by tier":
            what = "clearance time"
        return MetricInfo(f"{_STATS[stat]} {what}", "min", _MINUTES, 1)
    if head.startswith("segments_mean_s") or metric.startswith("segments_mean_s."):
        return MetricInfo(f"mean {stat.replace('_', ' ')}", "min", _MINUTES, 2)
    if metric.startswith("utilisation."):
        return MetricInfo(f"{stat.replace('_', ' ')} utilisation", "%", 100.0, 0)
    if metric.endswith("_share") or metric.endswith("_rate"):
        return MetricInfo(metric.replace("_", " "), "%", 100.0, 1)
    return MetricInfo(metric, "", 1.0, 2)


def format_value(
    metric: str, raw: float | None, *, signed: bool = False, difference: bool = False
) -> str:
    """``raw`` in the metric's unit, e.g. ``12.3 min``; "-" for a missing value.

    A ``signed`` value is a difference (``+1.2 min``); a difference of percentages is in
    percentage points (``+2.0pp``), also unsigned with ``difference``.
    """
    if raw is None or raw != raw:  # NaN
        return "-"
    info = describe(metric)
    shown = info.show(raw)
    text = f"{shown:+.{info.digits}f}" if signed else f"{shown:.{info.digits}f}"
    if info.unit == "%":
        return text + (" pp" if signed or difference else "%")
    return f"{text} {info.unit}".rstrip()


def where(key: KpiKey, *, short: bool = False) -> str:
    """Where a row applies, in words: "at Haikou Xinhai Port, for aeo declarants",
    "island-wide"; ``short``: "xinhai, aeo", "island" (for table cells)."""
    if short:
        return ", ".join(p for p in (key.port, key.flow, key.tier) if p) or "island"
    parts = []
    if key.port:
        name = port_fact(key.port).name if key.port in PORT_IDS else key.port
        parts.append(f"at {name}")
    if key.flow:
        parts.append(f"for {key.flow.replace('_', ' ')}s")
    if key.tier:
        parts.append(f"for {key.tier.replace('_', '-')} declarants")
    return ", ".join(parts) if parts else "island-wide"


def headline_keys(keys: Iterable[KpiKey], ports: Iterable[str]) -> list[KpiKey]:
    """The headline rows among ``keys``: island-wide, at ``ports`` and per tier, in the order
    of :data:`HEADLINE_METRICS` (island first, then ports in the given order, then tiers)."""
    wanted = list(ports)
    present = set(keys)
    out: list[KpiKey] = []
    for metric in HEADLINE_METRICS:
        candidates = [KpiKey("", "", "", metric)]
        candidates += [KpiKey(p, "", "", metric) for p in wanted]
        candidates += [KpiKey("", "", t, metric) for t in TIERS]
        out.extend(k for k in candidates if k in present)
    return out
