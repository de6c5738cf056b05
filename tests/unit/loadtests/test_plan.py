"""Which worker sends which call, and what each call waits for (loadtests.plan)."""

from __future__ import annotations

from collections import Counter

import pytest

from loadtests.plan import assign, needed_setup_answers, slice_for, timed_calls
from tests.unit.loadtests.support import call


def _workload() -> list:
    calls = [call(0, phase="setup", partition="A", method="POST", operation="declaration"),
             call(1, phase="setup", partition="B")]
    seq = 2
    for i in range(40):  # 8 partitions, 5 calls each, interleaved in time
        calls.append(call(seq, float(i), partition=f"P{i % 8}"))
        seq += 1
    # P1 tied to P0 by a dependency; Q depends on a set-up call and names its id
    calls.append(call(seq, 41.0, partition="P1", depends_on=2))
    calls.append(call(seq + 1, 42.0, partition="Q", depends_on=0,
                      path="/v1/declarations/{depends_on.id}/inspection"))
    return calls


def test_a_partition_and_the_partitions_it_depends_on_stay_on_one_worker() -> None:
    calls = _workload()
    owner = assign(calls, 3)
    assert owner["P0"] == owner["P1"], "P1's call depends on P0's call (seq 2)"
    assert set(owner) == {c.partition for c in timed_calls(calls)}
    # every call of a partition in one slice, every timed call in exactly one slice
    slices = [slice_for(calls, w, 3, 1.0) for w in range(3)]
    seqs = [sc.call.seq for s in slices for sc in s]
    assert sorted(seqs) == [c.seq for c in timed_calls(calls)]
    for w, s in enumerate(slices):
        assert {owner[sc.call.partition] for sc in s} <= {w}


def test_the_deal_is_balanced_and_the_same_every_time() -> None:
    calls = _workload()
    owner = assign(calls, 3)
    load = Counter(owner[c.partition] for c in timed_calls(calls))
    # components of 11 (P0+P1), 5 x6 and 1 (Q): no worker above the best possible by more
    # than the largest component
    assert max(load.values()) - min(load.values()) <= 11
    assert assign(list(reversed(calls)), 3) == owner
    assert set(assign(calls, 1).values()) == {0}


def test_each_call_waits_for_its_partition_and_its_dependency() -> None:
    calls = _workload()
    whole = slice_for(calls, 0, 1, speed=10.0)
    by_seq = {sc.call.seq: (i, sc) for i, sc in enumerate(whole)}
    i2, _ = by_seq[2]
    i_dep, dep = by_seq[42]
    assert dep.after_dependency == i2, "the call waits for the answer of seq 2"
    previous_p1 = max(i for i, sc in enumerate(whole[:i_dep]) if sc.call.partition == "P1")
    assert dep.after_partition == previous_p1
    first = whole[0]
    assert first.after_partition == -1 and first.after_dependency == -1
    _, named = by_seq[43]
    assert named.after_dependency == -1, "a set-up call is answered before the timed phase"
    assert named.offset_s == pytest.approx(4.2), "intended 42 s at 10x: 4.2 s after t0"
    assert needed_setup_answers(calls) == {0}


def test_bad_arguments_are_refused() -> None:
    calls = _workload()
    with pytest.raises(ValueError, match="speed"):
        slice_for(calls, 0, 1, 0.0)
    with pytest.raises(ValueError, match="out of range"):
        slice_for(calls, 2, 2, 1.0)
    with pytest.raises(ValueError, match="at least 1"):
        assign(calls, 0)
