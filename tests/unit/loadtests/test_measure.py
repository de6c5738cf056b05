"""HdrHistograms recorded per worker and merged at the master (loadtests.measure)."""

from __future__ import annotations

import json
import random
from collections import Counter

import numpy as np
import pytest

from loadtests.measure import MAX_US, Merged, Recorder, _histogram, _record_many


def _values(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(np.log(0.02), 1.0, n)  # seconds


def test_merged_workers_give_the_percentiles_of_one_process() -> None:
    """Two workers' reports, sent in pieces, add up to exactly what one recorder measures."""
    one = Recorder(bucket_s=1.0)
    workers = [Recorder(bucket_s=1.0), Recorder(bucket_s=1.0)]
    merged = Merged(bucket_s=1.0)
    times = _values(1, 4000)
    for i, t in enumerate(times):
        op = "declaration" if i % 4 == 0 else "tier_query"
        outcome = "mismatched" if i % 97 == 0 else "matched"
        args = (op, i / 400.0, t, t / 2, t / 10, outcome, t / 10 > 0.01)
        one.record(*args)
        workers[i % 2].record(*args)
        if i % 1000 == 999:  # periodic reports, as Locust's report_to_master sends them
            merged.add(json.loads(json.dumps(workers[i % 2].take())))
    for w in workers:
        merged.add(w.take())
    single = Merged(bucket_s=1.0)
    single.add(one.take())
    planned = Counter({"declaration": 1000, "tier_query": 3000, "booking": 5})
    assert merged.operations(planned) == single.operations(planned)
    assert merged.timeline() == single.timeline()
    ops, run = merged.operations(planned)
    assert [op.operation for op in ops] == ["booking", "declaration", "tier_query"]
    assert ops[0].sent == 0 and ops[0].planned == 5, "a planned operation never sent shows"
    assert run.sent == 4000 and run.mismatched == len(range(0, 4000, 97))
    assert run.dropped == int((times / 10 > 0.01).sum())
    # HdrHistogram keeps three significant digits: the percentiles are numpy's within 0.1%
    for q, got in ((50, run.response_ms.p50), (99, run.response_ms.p99)):
        assert got == pytest.approx(np.percentile(times, q) * 1000, rel=2e-3)
    assert run.service_ms.p99 == pytest.approx(run.response_ms.p99 / 2, rel=2e-3)
    assert run.response_ms.mean == pytest.approx(times.mean() * 1000, rel=1e-4), "exact sums"
    assert sum(p.calls for p in merged.timeline()) == 4000
    assert len(merged.timeline()) == 10, "calls intended over 10 s, 1 s intervals"


def test_a_report_takes_what_was_recorded_since_the_last_one() -> None:
    r = Recorder(bucket_s=1.0)
    r.record("tier_query", 0.0, 0.01, 0.01, 0.0, "matched", False)
    first = r.take()
    assert first["operations"]["tier_query"]["counts"]["sent"] == 1
    assert r.take() == {"operations": {}, "timeline": {}}


def test_times_beyond_an_hour_are_kept_as_an_hour() -> None:
    r = Recorder(bucket_s=1.0)
    r.record("declaration", 0.0, 5000.0, 5000.0, 0.0, "errors", False)
    merged = Merged(1.0)
    merged.add(r.take())
    _, run = merged.operations(Counter({"declaration": 1}))
    assert run.response_ms.max == pytest.approx(3_600_000, rel=1e-3)
    assert run.errors == 1


def test_values_folded_in_bulk_equal_values_recorded_one_by_one() -> None:
    """The hot path keeps plain numbers and folds them at a report: the histogram must be
    HdrHistogram's own, bucket for bucket (values across every magnitude, both precisions)."""
    rng = random.Random(7)
    values = [1, 2, 3, 1023, 1024, 1025, 2047, 2048, 4095, 4096, MAX_US, MAX_US - 1]
    values += [int(10 ** rng.uniform(0, 9.5)) for _ in range(20_000)]
    values = [min(max(v, 1), MAX_US) for v in values]
    for digits in (2, 3):
        one_by_one, bulk = _histogram(digits), _histogram(digits)
        for v in values:
            one_by_one.record_value(v)
        _record_many(bulk, values[:5000])
        _record_many(bulk, values[5000:])
        assert bulk.encode() == one_by_one.encode()
        assert (bulk.get_total_count(), bulk.get_min_value(), bulk.get_max_value()) == (
            one_by_one.get_total_count(), one_by_one.get_min_value(),
            one_by_one.get_max_value())
        assert bulk.get_value_at_percentile(99.0) == one_by_one.get_value_at_percentile(99.0)
