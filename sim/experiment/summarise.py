"""From replication outcomes to estimates: per-KPI intervals, paired differences, warm-up.

The outcomes of an arm's replications are rows keyed alike; each key's values across
replications give its :class:`~sim.results.experiment.Interval` (:func:`summarise_arm`). Two
arms run on the same replication indices give per-replication differences for each key both
have (:func:`differences`). The hourly queue series give MSER-5's warm-up suggestion
(:func:`warmup_suggestions`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from sim.experiment.replication import Outcome
from sim.experiment.stats import mser5, paired_difference, t_interval, welch_difference
from sim.results.experiment import Arm, Difference, Estimate, SeriesEstimate, WarmupSuggestion
from sim.results.rows import KpiKey

__all__ = ["differences", "summarise_arm", "values_by_key", "warmup_suggestions"]

_QUEUE_SERIES = "queue_hourly"


def values_by_key(outcomes: Sequence[Outcome]) -> dict[KpiKey, list[float]]:
    """Each key's value in each replication (NaN where a replication lacks the row)."""
    index = {o.replication: i for i, o in enumerate(outcomes)}
    values: dict[KpiKey, list[float]] = defaultdict(lambda: [math.nan] * len(outcomes))
    for o in outcomes:
        for row in o.rows:
            values[row.key][index[o.replication]] = row.value
    return dict(sorted(values.items()))


def _series(outcomes: Sequence[Outcome]) -> tuple[SeriesEstimate, ...]:
    grouped: dict[KpiKey, list[tuple[float, ...]]] = defaultdict(list)
    for o in outcomes:
        for s in o.series:
            grouped[s.key].append(s.values)
    out = []
    for key, runs in sorted(grouped.items()):
        width = min(len(r) for r in runs)
        matrix = np.array([r[:width] for r in runs], dtype=np.float64)
        means, halves = [], []
        for hour in range(width):
            interval = t_interval(matrix[:, hour])
            means.append(interval.mean)
            halves.append(interval.half_width)
        out.append(SeriesEstimate(key, tuple(means), tuple(halves)))
    return tuple(out)


def _histograms(outcomes: Sequence[Outcome]) -> dict[str, tuple[int, ...]]:
    total: dict[str, np.ndarray] = {}
    for o in outcomes:
        for port, counts in o.histogram.items():
            c = np.asarray(counts, dtype=np.int64)
            total[port] = total[port] + c if port in total else c
    return {port: tuple(int(x) for x in c) for port, c in sorted(total.items())}


def summarise_arm(
    label: str,
    scenario: str,
    description: str,
    params: dict[str, str],
    outcomes: Sequence[Outcome],
) -> Arm:
    """An arm's estimates from its replications' outcomes (in replication order)."""
    estimates = tuple(
        Estimate(key, t_interval(values)) for key, values in values_by_key(outcomes).items()
    )
    return Arm(
        label=label,
        scenario=scenario,
        description=description,
        params=dict(params),
        replications=tuple(o.replication for o in outcomes),
        estimates=estimates,
        series=_series(outcomes),
        clearance_histogram=_histograms(outcomes),
    )


def differences(a: Sequence[Outcome], b: Sequence[Outcome]) -> tuple[Difference, ...]:
    """B - A for every KPI both arms have, paired by replication index and unpaired.

    Raises:
        ValueError: when the arms did not run the same replication indices.
    """
    if [o.replication for o in a] != [o.replication for o in b]:
        raise ValueError("paired arms must run the same replication indices")
    va, vb = values_by_key(a), values_by_key(b)
    out = []
    for key in sorted(va.keys() & vb.keys()):
        xa, xb = va[key], vb[key]
        out.append(
            Difference(
                key,
                t_interval(xa),
                t_interval(xb),
                paired_difference(xa, xb),
                welch_difference(xa, xb),
            )
        )
    return tuple(out)


def warmup_suggestions(arm: Arm, scenario_warmup_hours: float) -> tuple[WarmupSuggestion, ...]:
    """MSER-5 on each port's mean hourly channel queue (ports where a queue ever formed).

    Meaningful for steady-state runs (constant arrival rates); a day with an hourly profile has
    no steady state, and the suggestion then only says where the start-up effect fades.
    """
    out = []
    for s in arm.series:
        if s.key.metric != _QUEUE_SERIES or not any(v > 0 for v in s.mean if v == v):
            continue
        cut = mser5(s.mean)
        if cut is not None:
            out.append(WarmupSuggestion(s.key, float(cut), scenario_warmup_hours))
    return tuple(out)
