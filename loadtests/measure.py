"""Measuring a replay: HdrHistograms per operation, recorded per worker, merged at the master.

Every timed call gives three times (see :mod:`sim.results.load`): response time from its
intended moment, service time from its actual send, and schedule lag. A :class:`Recorder`
(one per worker process) keeps, per operation, an HdrHistogram of each (microseconds, three
significant digits, up to an hour), the counts of outcomes and dropped starts, and for the
latency over time one histogram of response times (two significant digits) and one of service
times per interval of intended moments.

A call's times are kept as plain numbers and folded into the histograms in bulk when a report
is taken (:func:`_record_many`: HdrHistogram's own bucket arithmetic, vectorised with NumPy),
so the replay's hot path pays a list append per time instead of a pure-Python
``record_value``.

Workers send what they recorded since their last report (:meth:`Recorder.take`: histograms
encoded with HdrHistogram's compressed format, counters as numbers) with Locust's messages; the
master adds them up (:meth:`Merged.add`). Histograms add exactly, so percentiles of the merged
run are those of one process that had seen every call, which averaging per-worker percentiles
would not give.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hdrh.histogram import HdrHistogram

from sim.results.load import Latency, OperationLoad, TimelinePoint

__all__ = ["KINDS", "MAX_US", "OUTCOMES", "Merged", "Recorder"]

MAX_US = 3_600_000_000
"""The longest time recorded (an hour, in microseconds); longer ones are recorded as this."""

KINDS = ("response", "service", "lag")
"""The three times measured per call."""

OUTCOMES = ("matched", "mismatched", "errors")
"""What a call's answer can be."""

_DIGITS = 3
_TIMELINE_DIGITS = 2


def _histogram(digits: int = _DIGITS) -> HdrHistogram:
    return HdrHistogram(1, MAX_US, digits)


def _us(seconds: float) -> int:
    return min(max(int(seconds * 1e6), 1), MAX_US)


def _record_many(h: HdrHistogram, values: list[int]) -> None:
    """Record ``values`` (each within 1 .. :data:`MAX_US`) as ``h.record_value`` would, at once.

    The bucket and sub-bucket of each value follow HdrHistogram's ``_counts_index_for``; the
    leading-zero count comes from the exponent of the value as a float, exact below 2**53.
    """
    if not values:
        return
    v = np.asarray(values, dtype=np.int64)
    _, exponent = np.frexp((v | h.sub_bucket_mask).astype(np.float64))
    bucket = exponent.astype(np.int64) - h.unit_magnitude - (h.sub_bucket_half_count_magnitude + 1)
    sub_bucket = v >> (bucket + h.unit_magnitude)
    index = ((bucket + 1) << h.sub_bucket_half_count_magnitude) + sub_bucket \
        - h.sub_bucket_half_count
    slots, counts = np.unique(index, return_counts=True)
    view = np.ctypeslib.as_array(h.counts)
    view[slots] += counts.astype(view.dtype)
    h.total_count += len(values)
    h.min_value = min(h.min_value, int(v.min()))
    h.max_value = max(h.max_value, int(v.max()))


@dataclass
class _Op:
    histograms: dict[str, HdrHistogram] = field(
        default_factory=lambda: {kind: _histogram() for kind in KINDS})
    counts: Counter[str] = field(default_factory=Counter)
    pending: tuple[list[int], list[int], list[int]] = field(
        default_factory=lambda: ([], [], []))  # response, service, lag: not yet folded

    def touched(self) -> bool:
        return bool(self.counts)

    def fold(self) -> None:
        for kind, values in zip(KINDS, self.pending, strict=True):
            _record_many(self.histograms[kind], values)
            values.clear()


class Recorder:
    """What one worker measured since its last report.

    Args:
        bucket_s: width of a latency-over-time interval, in wall seconds.
    """

    def __init__(self, bucket_s: float) -> None:
        self.bucket_s = bucket_s
        self._ops: dict[str, _Op] = {}
        self._timeline: dict[int, tuple[list[int], list[int]]] = {}

    def record(
        self,
        operation: str,
        offset_s: float,
        response_s: float,
        service_s: float,
        lag_s: float,
        outcome: str,
        dropped: bool,
    ) -> None:
        """Record one call.

        Args:
            operation: its operation.
            offset_s: its intended moment, wall seconds after the timed phase began.
            response_s, service_s, lag_s: its three times, in seconds.
            outcome: one of :data:`OUTCOMES`.
            dropped: whether it started later than the tolerance.
        """
        op = self._ops.get(operation)
        if op is None:
            op = self._ops[operation] = _Op()
        response = _us(response_s)
        service = _us(service_s)
        lag = _us(lag_s)
        pending = op.pending
        pending[0].append(response)
        pending[1].append(service)
        pending[2].append(lag)
        counts = op.counts
        counts["sum_response"] += response
        counts["sum_service"] += service
        counts["sum_lag"] += lag
        counts[outcome] += 1
        counts["sent"] += 1
        if dropped:
            counts["dropped"] += 1
        bucket = int(offset_s // self.bucket_s)
        pair = self._timeline.get(bucket)
        if pair is None:
            pair = self._timeline[bucket] = ([], [])
        pair[0].append(response)
        pair[1].append(service)

    def take(self) -> dict[str, Any]:
        """What was recorded since the last call, as JSON-able data; the recorder restarts
        empty (no call is counted twice, none is lost)."""
        for op in self._ops.values():
            op.fold()
        timeline = {}
        for bucket, (responses, services) in self._timeline.items():
            response, service = _histogram(_TIMELINE_DIGITS), _histogram(_TIMELINE_DIGITS)
            _record_many(response, responses)
            _record_many(service, services)
            timeline[str(bucket)] = [response.encode().decode("ascii"),
                                     service.encode().decode("ascii")]
        ops = {name: {"counts": dict(op.counts),
                      "histograms": {k: h.encode().decode("ascii")
                                     for k, h in op.histograms.items()}}
               for name, op in self._ops.items() if op.touched()}
        self._ops = {}
        self._timeline = {}
        return {"operations": ops, "timeline": timeline}


def _latency(h: HdrHistogram, total_us: int = 0) -> Latency:
    """Percentiles in one pass; the mean from the exact sum kept beside the histogram
    (HdrHistogram's own mean walks every bucket in Python)."""
    count = h.get_total_count()
    if count == 0:
        return Latency()

    def ms(us: float) -> float:
        return round(us / 1000.0, 3)

    at = h.get_percentile_to_value_dict([50.0, 90.0, 95.0, 99.0, 99.9])  # one pass
    return Latency(
        count=count,
        mean=ms(total_us / count),
        p50=ms(at[50.0]),
        p90=ms(at[90.0]),
        p95=ms(at[95.0]),
        p99=ms(at[99.0]),
        p999=ms(at[99.9]),
        max=ms(h.get_max_value()),
    )


class Merged:
    """Every worker's reports added up (at the master, or in a single process).

    Args:
        bucket_s: width of a latency-over-time interval, in wall seconds.
    """

    def __init__(self, bucket_s: float) -> None:
        self.bucket_s = bucket_s
        self._ops: dict[str, _Op] = {}
        self._timeline: dict[int, tuple[HdrHistogram, HdrHistogram]] = {}

    def add(self, report: dict[str, Any]) -> None:
        """Add one report made by :meth:`Recorder.take`."""
        for name, data in report.get("operations", {}).items():
            op = self._ops.get(name)
            if op is None:
                op = self._ops[name] = _Op()
            op.counts.update(data["counts"])
            for kind, encoded in data["histograms"].items():
                op.histograms[kind].decode_and_add(encoded.encode("ascii"))
        for key, (response, service) in report.get("timeline", {}).items():
            bucket = int(key)
            pair = self._timeline.get(bucket)
            if pair is None:
                pair = self._timeline[bucket] = (_histogram(_TIMELINE_DIGITS),
                                                 _histogram(_TIMELINE_DIGITS))
            pair[0].decode_and_add(response.encode("ascii"))
            pair[1].decode_and_add(service.encode("ascii"))

    def sent(self) -> int:
        """Calls recorded so far."""
        return sum(op.counts["sent"] for op in self._ops.values())

    def operations(
        self, planned: Counter[str]
    ) -> tuple[tuple[OperationLoad, ...], OperationLoad]:
        """Per operation (every planned one, by name) and for the whole run (``*``).

        Args:
            planned: timed calls of the workload per operation.

        Returns:
            The operations in name order, and the run.
        """
        rows = []
        total = _Op()
        for name in sorted(set(planned) | set(self._ops)):
            op = self._ops.get(name, _Op())
            rows.append(_row(name, planned.get(name, 0), op))
            total.counts.update(op.counts)
            for kind in KINDS:
                total.histograms[kind].add(op.histograms[kind])
        run = _row("*", sum(planned.values()), total)
        return tuple(rows), run

    def timeline(self) -> tuple[TimelinePoint, ...]:
        """Latency over time, one point per interval of intended moments that had calls."""
        points = []
        for bucket in sorted(self._timeline):
            response, service = self._timeline[bucket]
            r = _latency(response)
            points.append(TimelinePoint(
                t_s=round(bucket * self.bucket_s, 6), width_s=self.bucket_s, calls=r.count,
                p50_ms=r.p50, p95_ms=r.p95, p99_ms=r.p99, max_ms=r.max,
                service_p99_ms=_latency(service).p99,
            ))
        return tuple(points)


def _row(name: str, planned: int, op: _Op) -> OperationLoad:
    c = op.counts
    return OperationLoad(
        operation=name, planned=planned, sent=c["sent"], matched=c["matched"],
        mismatched=c["mismatched"], errors=c["errors"], dropped=c["dropped"],
        response_ms=_latency(op.histograms["response"], c["sum_response"]),
        service_ms=_latency(op.histograms["service"], c["sum_service"]),
        lag_ms=_latency(op.histograms["lag"], c["sum_lag"]),
    )
