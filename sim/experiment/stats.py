"""The statistics of independent replications: t intervals, paired and Welch differences,
the replication count for a requested precision, and MSER-5 warm-up truncation.

Each replication of a scenario is one independent, identically distributed observation of
every KPI (DESIGN §3: replication ``r`` draws from its own streams). With ``n`` observations of
sample mean ``m`` and standard deviation ``s``, the 95% confidence interval of the KPI's
expectation is ``m +- t(0.975, n-1) s / sqrt(n)`` (Law, *Simulation Modeling and Analysis*,
§9.4.1). Two configurations run on the same replication indices see the same traffic (common
random numbers), so their per-replication differences vary less than either alone: the
*paired* interval of the differences is then narrower than *Welch's* interval for two
independent samples (§10.2), which is what CRN buys.

To reach a relative half-width ``g`` (half-width / |mean|), the sequential procedure of §9.4.1
estimates the replications needed as ``n (h / (g |m|))^2`` from the current ``n``, runs the
difference, and checks again.

MSER-5 (White, Cobb & Spratt 2000; Hoad, Robinson & Davies 2010) picks the warm-up to drop
from a steady-state output series: average it in batches of five, and choose the truncation
``d`` (in batches, d <= half the batches) that minimises the squared standard error of the
mean of what is left, ``sum((z_i - mean)^2) / (k - d)^2``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.results.experiment import Interval

__all__ = [
    "CONFIDENCE",
    "MSER_BATCH",
    "mser5",
    "paired_difference",
    "replications_needed",
    "t_interval",
    "welch_difference",
]

CONFIDENCE = 0.95
"""The confidence level of every interval an experiment reports."""

MSER_BATCH = 5
"""Observations per batch in MSER-5."""


def _t(df: float) -> float:
    # imported here: scipy.stats holds ~60 MB once imported, which every command would carry
    # (a year's `customs-sim run` is held to 1 GB) though only experiments use it
    from scipy import stats

    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, df))


def _finite(values: Sequence[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    return x[np.isfinite(x)]


def t_interval(values: Sequence[float] | np.ndarray) -> Interval:
    """The mean of ``values`` (NaN ones left out) with its t-based 95% interval."""
    x = _finite(values)
    n = len(x)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n < 2:
        return Interval(1, mean, math.nan, math.nan)
    sd = float(x.std(ddof=1))
    return Interval(n, mean, sd, _t(n - 1) * sd / math.sqrt(n))


def paired_difference(a: Sequence[float], b: Sequence[float]) -> Interval:
    """The interval of B - A from paired observations (replication ``i`` of each).

    Pairs where either value is NaN are left out.
    """
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    return t_interval(d)


def welch_difference(a: Sequence[float], b: Sequence[float]) -> Interval:
    """Welch's interval of mean(B) - mean(A), treating A and B as independent samples.

    The ``sd`` field holds the difference's standard error; ``n`` the smaller sample size.
    """
    xa, xb = _finite(a), _finite(b)
    na, nb = len(xa), len(xb)
    if na == 0 or nb == 0:
        return Interval(0, math.nan, math.nan, math.nan)
    diff = float(xb.mean() - xa.mean())
    if na < 2 or nb < 2:
        return Interval(min(na, nb), diff, math.nan, math.nan)
    va, vb = float(xa.var(ddof=1)) / na, float(xb.var(ddof=1)) / nb
    se = math.sqrt(va + vb)
    if se == 0.0:
        return Interval(min(na, nb), diff, 0.0, 0.0)
    df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    return Interval(min(na, nb), diff, se, _t(df) * se)


def replications_needed(interval: Interval, precision: float) -> int:
    """Replications estimated to bring ``interval`` to a relative half-width of ``precision``.

    Returns the current ``n`` when it is already there, and ``n + 1`` when the interval cannot
    tell yet (fewer than two observations). A mean of exactly zero with any spread can never
    reach a relative precision: that also returns ``n`` (the caller reports it as unreached).
    """
    if interval.n < 2 or math.isnan(interval.half_width):
        return interval.n + 1
    if interval.half_width == 0.0:
        return interval.n
    if interval.mean == 0.0:
        return interval.n
    ratio = interval.half_width / (precision * abs(interval.mean))
    return max(interval.n, math.ceil(interval.n * ratio * ratio))


def mser5(series: Sequence[float] | np.ndarray) -> int | None:
    """MSER-5's truncation point: observations to drop from the start of ``series``.

    Returns:
        A multiple of :data:`MSER_BATCH`, or None when the series has fewer than four batches
        (too short to judge) or NaN values.
    """
    x = np.asarray(series, dtype=np.float64)
    k = len(x) // MSER_BATCH
    if k < 4 or not np.all(np.isfinite(x)):
        return None
    z = x[: k * MSER_BATCH].reshape(k, MSER_BATCH).mean(axis=1)
    best_d, best = 0, math.inf
    for d in range(k // 2 + 1):
        rest = z[d:]
        stat = float(np.sum((rest - rest.mean()) ** 2)) / (k - d) ** 2
        if stat < best:  # the first minimum: the least truncation among equals
            best_d, best = d, stat
    return best_d * MSER_BATCH
