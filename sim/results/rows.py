"""KPIs as typed rows: (port, flow, tier, metric, value), flattened from ``kpis.json``.

:func:`sim.results.compute_kpis` returns a nested mapping (its shape is in the README) that is
easy to read as a file and awkward to compute with: an experiment that averages "p95 clearance
at Xinhai" over twenty replications, or a report that tabulates it, would otherwise walk string
keys by hand, and break whenever a KPI is added. This module flattens the mapping once into
rows keyed by *dimensions* and a *metric* name:

- the keys below a dimension key are values of that dimension, not part of the metric name:
  ``ports`` and ``littles_law`` (and goods' ``by_port`` counts) are keyed by port, ``tiers``
  and ``clearance_by_tier_s`` by tier, ``flows`` by flow;
- every other key joins the metric name with dots, so
  ``ports.xinhai.clearance_time_s.p95`` becomes ``KpiRow("xinhai", "", "", "clearance_time_s.p95",
  v)``, and ``ports.xinhai.clearance_by_tier_s.aeo.p95`` becomes
  ``KpiRow("xinhai", "", "aeo", "clearance_by_tier_s.p95", v)``; an empty dimension means "all";
- numbers become rows (``null`` becomes NaN, so every replication has the same rows); lists
  whose name ends in ``_hourly`` become :class:`KpiSeries`; strings and the run's identity
  (scenario, seed, replication, start, horizon, warm-up) are not KPIs.

The flattening knows the *structure* (which keys are dimensions), not the KPIs, so a KPI added
to ``compute_kpis`` appears as a row without a change here. A :class:`KpiTable` looks rows up by
their key.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sim.rules.ports import PORT_IDS

__all__ = [
    "DIMENSION_KEYS",
    "IDENTITY_KEYS",
    "KpiKey",
    "KpiRow",
    "KpiSeries",
    "KpiTable",
    "kpi_rows",
    "kpi_series",
]

DIMENSION_KEYS: Mapping[str, tuple[str, str | None]] = {
    "ports": ("port", None),
    "littles_law": ("port", "littles_law"),
    "by_port": ("port", None),
    "shipments_by_port": ("port", "shipments"),
    "tiers": ("tier", None),
    "clearance_by_tier_s": ("tier", "clearance_by_tier_s"),
    "flows": ("flow", "arrivals"),
}
"""Keys of ``kpis.json`` whose children are values of a dimension: key -> (dimension, the name
the key leaves in the metric, or None to leave nothing)."""

IDENTITY_KEYS: frozenset[str] = frozenset(
    {"scenario", "seed", "replication", "start", "horizon_s", "warmup_s"}
)
"""Top-level keys that say which run this is rather than how it went."""

_SERIES_SUFFIX = "_hourly"


class KpiKey(NamedTuple):
    """Where a KPI belongs: port, flow and tier ("" = all) and the metric's dotted name."""

    port: str
    flow: str
    tier: str
    metric: str


@dataclass(frozen=True)
class KpiRow:
    """One KPI value of one run.

    Attributes:
        port: port id, or "" for the whole island.
        flow: flow name, or "" for every flow the metric covers.
        tier: credit tier, or "" for every tier.
        metric: dotted metric name, e.g. ``clearance_time_s.p95``.
        value: the value (NaN where the run had nothing to measure).
    """

    port: str
    flow: str
    tier: str
    metric: str
    value: float

    @property
    def key(self) -> KpiKey:
        """The row's key (everything but the value)."""
        return KpiKey(self.port, self.flow, self.tier, self.metric)


@dataclass(frozen=True)
class KpiSeries:
    """One KPI over time (hour bins of the KPI window), e.g. a port's queue length.

    Attributes:
        port, flow, tier: the dimensions, as in :class:`KpiRow`.
        metric: dotted metric name, e.g. ``queue_hourly``.
        values: one value per hour from the start of the KPI window.
    """

    port: str
    flow: str
    tier: str
    metric: str
    values: tuple[float, ...]

    @property
    def key(self) -> KpiKey:
        """The series' key."""
        return KpiKey(self.port, self.flow, self.tier, self.metric)


def _leaves(kpis: Mapping[str, Any]) -> Iterator[tuple[dict[str, str], str, Any]]:
    """Every leaf of a kpis mapping with its dimensions and metric name, in key order."""
    stack: list[tuple[Any, dict[str, str], tuple[str, ...]]] = [(kpis, {}, ())]
    while stack:
        node, dims, path = stack.pop()
        if not isinstance(node, Mapping):
            yield dims, ".".join(path), node
            continue
        children: list[tuple[Any, dict[str, str], tuple[str, ...]]] = []
        for key in sorted(node, key=str):
            child, name = node[key], str(key)
            if not path and name in IDENTITY_KEYS:
                continue
            dimension = DIMENSION_KEYS.get(name)
            if dimension is None or not isinstance(child, Mapping) or dimension[0] in dims:
                children.append((child, dims, (*path, name)))
                continue
            dim, kept = dimension
            inner_path = path if kept is None else (*path, kept)
            for value in sorted(child, key=str):
                children.append((child[value], {**dims, dim: str(value)}, inner_path))
        stack.extend(reversed(children))  # the stack pops them in key order


def _port_order(port: str) -> tuple[int, str]:
    return (PORT_IDS.index(port) if port in PORT_IDS else len(PORT_IDS), port)


def kpi_rows(kpis: Mapping[str, Any]) -> list[KpiRow]:
    """The scalar KPIs of one run's ``kpis`` mapping as rows, sorted by key.

    Args:
        kpis: the mapping of :func:`sim.results.compute_kpis` (or a parsed ``kpis.json``).
    """
    rows = []
    for dims, metric, value in _leaves(kpis):
        if isinstance(value, bool) or not isinstance(value, int | float | type(None)):
            continue
        if not metric:
            continue
        number = math.nan if value is None else float(value)
        rows.append(
            KpiRow(dims.get("port", ""), dims.get("flow", ""), dims.get("tier", ""), metric, number)
        )
    rows.sort(key=lambda r: r.key)
    return rows


def kpi_series(kpis: Mapping[str, Any]) -> list[KpiSeries]:
    """The hourly KPIs (lists named ``*_hourly``) of one run as series, sorted by key."""
    series = []
    for dims, metric, value in _leaves(kpis):
        if not isinstance(value, list) or not metric.endswith(_SERIES_SUFFIX):
            continue
        values = tuple(math.nan if v is None else float(v) for v in value)
        series.append(
            KpiSeries(
                dims.get("port", ""), dims.get("flow", ""), dims.get("tier", ""), metric, values
            )
        )
    series.sort(key=lambda s: s.key)
    return series


class KpiTable:
    """KPI values looked up by key: ``table.get("clearance_time_s.p95", port="xinhai")``.

    Args:
        rows: the rows (a later row with the same key replaces an earlier one).
    """

    def __init__(self, rows: Iterable[KpiRow]) -> None:
        self._values: dict[KpiKey, float] = {r.key: r.value for r in rows}

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def get(self, metric: str, *, port: str = "", flow: str = "", tier: str = "") -> float | None:
        """The value, or None when the table has no such row or the value is NaN."""
        value = self._values.get(KpiKey(port, flow, tier, metric))
        if value is None or math.isnan(value):
            return None
        return value

    def has(self, metric: str, *, port: str = "", flow: str = "", tier: str = "") -> bool:
        """Whether the table has the row (even a NaN one)."""
        return KpiKey(port, flow, tier, metric) in self._values

    def ports(self) -> list[str]:
        """The ports that have rows, in the official order (unknown ids last, by name)."""
        found = {key.port for key in self._values if key.port}
        return sorted(found, key=_port_order)

    def keys(self) -> list[KpiKey]:
        """Every key, in insertion order."""
        return list(self._values)
