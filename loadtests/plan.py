"""Planning a replay: which worker sends which call, and what each call waits for.

A workload's timed calls are replayed as an *open model*: each call starts at its intended
moment ``t0 + intended_s / speed`` whatever the answers to earlier calls do, with two
exceptions that keep the platform's state what the model had (so every answer can be checked):

- a call waits for the answer to the previous call of its **partition** (the entity whose state
  it touches: one enterprise's declarations reach the platform in order, as its own system
  would send them);
- a call waits for the answer to the call it **depends on** (``depends_on``: another
  partition's call whose answer or effect it needs).

A call that waits keeps its own intended moment: its response time is still counted from it.

Distributed over N workers, every call of a partition goes to one worker, and so do partitions
tied by a dependency (a connected component of the dependency graph), so no worker ever waits
for another: components are dealt to workers largest first, each to the worker with the fewest
calls so far (ties to the lowest index). The deal depends only on the workload and N, so the
same workload gives every worker the same calls on every run.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sim.workload import Call
from sim.workload.expect import DEPENDS_ON_ID

__all__ = ["SliceCall", "assign", "needed_setup_answers", "slice_for", "timed_calls"]


@dataclass(frozen=True, slots=True)
class SliceCall:
    """A timed call as one worker sends it.

    Attributes:
        call: the workload's call.
        offset_s: wall seconds after ``t0`` at which it is intended (``intended_s / speed``).
        after_partition: index (in the slice) of the previous call of its partition, or -1.
        after_dependency: index (in the slice) of the call it depends on, or -1 (none, or a
            set-up call, answered before the timed phase).
    """

    call: Call
    offset_s: float
    after_partition: int
    after_dependency: int


def timed_calls(calls: Sequence[Call]) -> list[Call]:
    """The timed calls of a workload, in ``seq`` order."""
    return [c for c in calls if c.phase == "timed"]


def needed_setup_answers(calls: Sequence[Call]) -> set[int]:
    """The ``seq`` of every set-up call whose answer's ``id`` a timed call's path names."""
    setup = {c.seq for c in calls if c.phase == "setup"}
    return {c.depends_on for c in calls
            if c.phase == "timed" and c.depends_on in setup and DEPENDS_ON_ID in c.path
            and c.depends_on is not None}


def _components(timed: Sequence[Call]) -> dict[str, str]:
    """Each partition's component root (partitions tied by a timed dependency share one)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    partition_of = {c.seq: c.partition for c in timed}
    for c in timed:
        find(c.partition)
        if c.depends_on is not None and c.depends_on in partition_of:
            a, b = find(c.partition), find(partition_of[c.depends_on])
            if a != b:
                parent[max(a, b)] = min(a, b)  # the smaller name roots: the same on every run
    return {p: find(p) for p in parent}


def assign(calls: Sequence[Call], workers: int) -> dict[str, int]:
    """Which worker (0 to ``workers - 1``) sends each partition's timed calls.

    Args:
        calls: the workload's calls (set-up calls are ignored).
        workers: how many workers share the load.

    Raises:
        ValueError: ``workers`` is less than 1.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1 (got {workers})")
    timed = timed_calls(calls)
    root = _components(timed)
    size: Counter[str] = Counter(root[c.partition] for c in timed)
    load = [(0, index) for index in range(workers)]
    worker_of: dict[str, int] = {}
    for component, n in sorted(size.items(), key=lambda item: (-item[1], item[0])):
        total, index = heapq.heappop(load)
        worker_of[component] = index
        heapq.heappush(load, (total + n, index))
    return {p: worker_of[r] for p, r in root.items()}


def slice_for(calls: Sequence[Call], worker: int, workers: int, speed: float) -> list[SliceCall]:
    """The timed calls worker ``worker`` of ``workers`` sends, in ``seq`` order, each with
    its intended offset and what it waits for.

    Raises:
        ValueError: ``speed`` is not positive, or ``worker`` is out of range.
    """
    if speed <= 0:
        raise ValueError(f"speed must be greater than 0 (got {speed})")
    if not 0 <= worker < workers:
        raise ValueError(f"worker index {worker} is out of range for {workers} workers")
    owner = assign(calls, workers)
    mine = [c for c in timed_calls(calls) if owner[c.partition] == worker]
    index_of = {c.seq: i for i, c in enumerate(mine)}
    last_of: dict[str, int] = {}
    out: list[SliceCall] = []
    for i, c in enumerate(mine):
        dependency = index_of.get(c.depends_on, -1) if c.depends_on is not None else -1
        out.append(SliceCall(c, c.intended_s / speed, last_of.get(c.partition, -1), dependency))
        last_of[c.partition] = i
    return out
