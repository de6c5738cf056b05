"""What an experiment hands back: estimates with confidence intervals, differences, verdicts.

One simulation run is one draw of a random outcome: its p95 clearance time says little until
it is repeated. An experiment replicates a configuration (an :class:`Arm`) over independent
replications and summarises each KPI row (:class:`~sim.results.rows.KpiRow`) by its mean and a
t-based 95% confidence interval (an :class:`Interval`). A *comparison* has two arms, A and B,
run on the same replication indices (common random numbers), and a :class:`Difference` per KPI
(B - A) with two intervals: *paired* (the interval of the per-replication differences, which
is what CRN makes narrow) and *unpaired* (Welch's interval, which treats the arms as
independent samples: what the same number of runs would give without CRN). A *sweep* has one
arm per point of a parameter grid.

These are plain data, computed by :mod:`sim.experiment` and read by :mod:`reports` and the
terminal; :meth:`Experiment.to_dict` and :meth:`Experiment.from_dict` give the
``experiment.json`` form (see :mod:`sim.results.experiment_io`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from sim.results.metrics import describe, format_value, where
from sim.results.rows import KpiKey, KpiRow, KpiTable

__all__ = [
    "Arm",
    "Difference",
    "Estimate",
    "Experiment",
    "ExperimentKind",
    "Interval",
    "SeriesEstimate",
    "WarmupSuggestion",
]

ExperimentKind = Literal["replications", "comparison", "sweep"]


@dataclass(frozen=True)
class Interval:
    """A mean with its t-based 95% confidence interval.

    Attributes:
        n: observations (replications) behind it.
        mean: their mean.
        sd: their sample standard deviation (NaN for n < 2).
        half_width: half the interval's width (NaN for n < 2).
    """

    n: int
    mean: float
    sd: float
    half_width: float

    @property
    def low(self) -> float:
        """The interval's lower end."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """The interval's upper end."""
        return self.mean + self.half_width

    @property
    def relative_half_width(self) -> float:
        """Half-width over the mean's magnitude (inf when the mean is 0, NaN for n < 2)."""
        if math.isnan(self.half_width):
            return math.nan
        return self.half_width / abs(self.mean) if self.mean != 0 else math.inf

    def spans_zero(self) -> bool:
        """Whether 0 lies inside the interval (or the interval is unknown)."""
        return math.isnan(self.half_width) or self.low <= 0.0 <= self.high


@dataclass(frozen=True)
class Estimate:
    """One KPI of an arm over its replications."""

    key: KpiKey
    interval: Interval


@dataclass(frozen=True)
class SeriesEstimate:
    """One hourly KPI of an arm: the mean over replications per hour, with its 95% interval.

    Attributes:
        key: the series' key (e.g. port ``xinhai``, metric ``queue_hourly``).
        mean: per-hour means.
        half_width: per-hour half-widths (NaN for fewer than two replications).
    """

    key: KpiKey
    mean: tuple[float, ...]
    half_width: tuple[float, ...]


@dataclass(frozen=True)
class WarmupSuggestion:
    """MSER-5's truncation point for a series, beside the scenario's own warm-up.

    Attributes:
        key: the series it was computed on.
        truncate_hours: hours to drop from the start of the KPI window.
        scenario_warmup_hours: the warm-up the scenario already has.
    """

    key: KpiKey
    truncate_hours: float
    scenario_warmup_hours: float


@dataclass(frozen=True)
class Arm:
    """One configuration, replicated.

    Attributes:
        label: short name (``A``, ``B``, or the sweep point, e.g. ``customs_channels=10``).
        scenario: the scenario's name.
        description: the scenario's description (its question, for a what-if).
        params: the overrides that make this arm (a sweep point's values); empty otherwise.
        replications: the replication indices run.
        estimates: one per KPI row.
        series: one per hourly KPI.
        clearance_histogram: port ("" = all) -> counts of released supervised trucks per
            minute of clearance time, pooled over replications (the last bin collects the rest).
    """

    label: str
    scenario: str
    description: str
    params: dict[str, str]
    replications: tuple[int, ...]
    estimates: tuple[Estimate, ...]
    series: tuple[SeriesEstimate, ...] = ()
    clearance_histogram: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def means(self) -> KpiTable:
        """The per-KPI means as a table (what the summary tables show for an arm)."""
        return KpiTable(KpiRow(*e.key, e.interval.mean) for e in self.estimates if e.interval.n > 0)

    def estimate(self, key: KpiKey) -> Estimate | None:
        """The estimate of ``key``, if the arm has it."""
        for e in self.estimates:
            if e.key == key:
                return e
        return None


@dataclass(frozen=True)
class Difference:
    """B - A for one KPI of a comparison.

    Attributes:
        key: the KPI.
        a, b: the arms' estimates.
        paired: the interval of the per-replication differences (common random numbers).
        unpaired: Welch's interval of the difference of the means (as if independent).
    """

    key: KpiKey
    a: Interval
    b: Interval
    paired: Interval
    unpaired: Interval

    def significant(self) -> bool:
        """Whether the paired 95% interval excludes zero."""
        return not self.paired.spans_zero()

    def verdict(self, a_label: str = "A", b_label: str = "B") -> str:
        """The difference in plain words, e.g. "B lowers p95 clearance time at ... by 3.1 min
        [2.4, 3.8]" or "no significant difference in ..."."""
        info = describe(self.key.metric)
        place = where(self.key)
        if math.isnan(self.paired.mean):
            return f"{info.label} {place}: not measured in both"
        if not self.significant():
            shown = format_value(self.key.metric, self.paired.mean, signed=True)
            return (
                f"no significant difference in {info.label} {place} "
                f"({b_label} - {a_label} = {shown}, the 95% interval spans zero)"
            )
        verb = "raises" if self.paired.mean > 0 else "lowers"
        magnitude = format_value(self.key.metric, abs(self.paired.mean), difference=True)
        lo, hi = sorted((abs(self.paired.low), abs(self.paired.high)))
        digits = info.digits
        return (
            f"{b_label} {verb} {info.label} {place} by {magnitude} "
            f"[{info.show(lo):.{digits}f}, {info.show(hi):.{digits}f}]"
        )


@dataclass(frozen=True)
class Experiment:
    """A replication set, a comparison or a sweep, with everything a report shows.

    Attributes:
        kind: ``replications``, ``comparison`` or ``sweep``.
        seed: the scenarios' seed (every arm uses it: common random numbers).
        horizon_s, warmup_s: the first arm's horizon and warm-up.
        arms: one for a replication set, A and B for a comparison, one per grid point.
        differences: B - A per KPI (comparisons only).
        sweep_params: the swept dotted paths (sweeps only).
        precision: the requested relative half-width, if any.
        precision_reached: whether every precision metric reached it (None if not requested).
        warmup: MSER-5 suggestions (replication sets).
    """

    kind: ExperimentKind
    seed: int
    horizon_s: float
    warmup_s: float
    arms: tuple[Arm, ...]
    differences: tuple[Difference, ...] = ()
    sweep_params: tuple[str, ...] = ()
    precision: float | None = None
    precision_reached: bool | None = None
    warmup: tuple[WarmupSuggestion, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (see :func:`sim.results.canonical_json`)."""
        return _to_plain(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Experiment:
        """The inverse of :meth:`to_dict`.

        Raises:
            KeyError, TypeError, ValueError: when ``data`` is not an experiment's data.
        """
        return Experiment(
            kind=data["kind"],
            seed=int(data["seed"]),
            horizon_s=float(data["horizon_s"]),
            warmup_s=float(data["warmup_s"]),
            arms=tuple(_arm(a) for a in data["arms"]),
            differences=tuple(_difference(d) for d in data["differences"]),
            sweep_params=tuple(data["sweep_params"]),
            precision=None if data["precision"] is None else float(data["precision"]),
            precision_reached=data["precision_reached"],
            warmup=tuple(
                WarmupSuggestion(
                    _key(w["key"]), float(w["truncate_hours"]), float(w["scenario_warmup_hours"])
                )
                for w in data["warmup"]
            ),
        )


def _plain_interval(i: Interval) -> dict[str, Any]:
    return {"n": i.n, "mean": i.mean, "sd": i.sd, "half_width": i.half_width}


def _plain_key(k: KpiKey) -> list[str]:
    return list(k)


def _to_plain(e: Experiment) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "seed": e.seed,
        "horizon_s": e.horizon_s,
        "warmup_s": e.warmup_s,
        "precision": e.precision,
        "precision_reached": e.precision_reached,
        "sweep_params": list(e.sweep_params),
        "warmup": [
            {
                "key": _plain_key(w.key),
                "truncate_hours": w.truncate_hours,
                "scenario_warmup_hours": w.scenario_warmup_hours,
            }
            for w in e.warmup
        ],
        "arms": [
            {
                "label": a.label,
                "scenario": a.scenario,
                "description": a.description,
                "params": dict(a.params),
                "replications": list(a.replications),
                "estimates": [
                    {"key": _plain_key(s.key), **_plain_interval(s.interval)} for s in a.estimates
                ],
                "series": [
                    {
                        "key": _plain_key(s.key),
                        "mean": list(s.mean),
                        "half_width": list(s.half_width),
                    }
                    for s in a.series
                ],
                "clearance_histogram": {p: list(c) for p, c in a.clearance_histogram.items()},
            }
            for a in e.arms
        ],
        "differences": [
            {
                "key": _plain_key(d.key),
                "a": _plain_interval(d.a),
                "b": _plain_interval(d.b),
                "paired": _plain_interval(d.paired),
                "unpaired": _plain_interval(d.unpaired),
            }
            for d in e.differences
        ],
    }


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


def _key(raw: Any) -> KpiKey:
    port, flow, tier, metric = (str(x) for x in raw)
    return KpiKey(port, flow, tier, metric)


def _interval(raw: dict[str, Any]) -> Interval:
    return Interval(int(raw["n"]), _num(raw["mean"]), _num(raw["sd"]), _num(raw["half_width"]))


def _arm(raw: dict[str, Any]) -> Arm:
    return Arm(
        label=str(raw["label"]),
        scenario=str(raw["scenario"]),
        description=str(raw["description"]),
        params={str(k): str(v) for k, v in raw["params"].items()},
        replications=tuple(int(r) for r in raw["replications"]),
        estimates=tuple(Estimate(_key(e["key"]), _interval(e)) for e in raw["estimates"]),
        series=tuple(
            SeriesEstimate(
                _key(s["key"]),
                tuple(_num(v) for v in s["mean"]),
                tuple(_num(v) for v in s["half_width"]),
            )
            for s in raw["series"]
        ),
        clearance_histogram={
            str(p): tuple(int(c) for c in counts)
            for p, counts in raw["clearance_histogram"].items()
        },
    )


def _difference(raw: dict[str, Any]) -> Difference:
    return Difference(
        _key(raw["key"]),
        _interval(raw["a"]),
        _interval(raw["b"]),
        _interval(raw["paired"]),
        _interval(raw["unpaired"]),
    )
