"""Collecting a workload's calls, then putting them in order and tying them together.

The exporters (:mod:`sim.workload.entity_calls`, :mod:`sim.workload.goods_calls`,
:mod:`sim.workload.port_calls`) hand :class:`CallBuilder` one :class:`CallSpec` per call, in
any order. :meth:`CallBuilder.calls` then:

1. orders them: the set-up by stage (registrations, then credit histories, then filings, then
   opening stock, then what happened in the run before the period) and model time; the timed
   calls by intended time, credit events first at an instant (a day's events are in force from
   its first moment);
2. numbers them (``seq``) and gives each a stable idempotency key;
3. ties them together: a call that needs an earlier answer (``answer_of``) depends on it, and a
   call touching a resource (an account book, an entity) that another partition touched last
   depends on that call, so a replay that runs partitions concurrently keeps every causal order
   the model had.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from sim.workload.calls import Call

__all__ = ["STAGES", "CallBuilder", "CallSpec", "dumps"]

STAGES = ("register", "history", "filing", "opening", "before")
"""Set-up stages, in the order they are sent."""


def dumps(value: Any) -> str:
    """Compact JSON text (a call's body or expectation); orjson: a workload has 10^5 of them."""
    return orjson.dumps(value).decode()


@dataclass
class CallSpec:
    """One call before it is ordered and numbered.

    Attributes:
        phase: ``setup`` or ``timed``.
        time_s: model time of the call (seconds since the scenario start; for set-up, the
            order within its stage).
        stage: set-up stage (one of :data:`STAGES`); ignored for timed calls.
        first: timed calls at the same instant with ``first`` go before the others.
        operation, method, path, body: the call (``body`` as data, None for none).
        actor_role, actor_entity: who calls.
        partition: the entity whose state the call touches.
        port: the port it happens at ('' when none).
        expected_status, expected: the expected answer.
        touches: the resources the call reads or changes (books, entities).
        answer_of: a spec whose answer this call needs (its ``{depends_on.id}``).
    """

    phase: str
    time_s: float
    operation: str
    method: str
    path: str
    body: Any
    actor_role: str
    actor_entity: str
    partition: str
    expected_status: int
    expected: dict[str, Any]
    stage: str = "before"
    port: str = ""
    first: bool = False
    touches: tuple[str, ...] = ()
    answer_of: CallSpec | None = None
    _seq: int = field(default=-1, repr=False)


class CallBuilder:
    """Collects :class:`CallSpec` objects and turns them into numbered :class:`Call` rows.

    Args:
        period_start_s: the period's start in model time (timed calls are relative to it).
        key_prefix: prefix of every idempotency key (stable for the same workload).
    """

    def __init__(self, period_start_s: float, key_prefix: str) -> None:
        self._start = period_start_s
        self._prefix = key_prefix
        self._specs: list[CallSpec] = []

    def add(self, spec: CallSpec) -> CallSpec:
        """Add one call; returns it (to name it as another call's ``answer_of``)."""
        self._specs.append(spec)
        return spec

    def __len__(self) -> int:
        return len(self._specs)

    def calls(self) -> list[Call]:
        """Every call, ordered, numbered and tied (see the module docstring)."""
        stage = {name: i for i, name in enumerate(STAGES)}
        indexed = list(enumerate(self._specs))
        setup = sorted(
            (x for x in indexed if x[1].phase == "setup"),
            key=lambda x: (stage[x[1].stage], x[1].time_s, x[0]),
        )
        timed = sorted(
            (x for x in indexed if x[1].phase == "timed"),
            key=lambda x: (x[1].time_s, not x[1].first, x[0]),
        )
        last: dict[str, tuple[int, str]] = {}
        out: list[Call] = []
        start, prefix = self._start, self._prefix
        for seq, (_, spec) in enumerate(setup + timed):
            spec._seq = seq
            depends: int | None = None
            if spec.answer_of is not None:
                if spec.answer_of._seq < 0 or spec.answer_of._seq >= seq:
                    raise ValueError(f"{spec.operation} needs an answer that comes after it")
                depends = spec.answer_of._seq
            partition = spec.partition
            for resource in spec.touches:
                prior = last.get(resource)
                if prior is not None and prior[1] != partition:
                    depends = prior[0] if depends is None else max(depends, prior[0])
                last[resource] = (seq, partition)
            timed_call = spec.phase == "timed"
            out.append(Call(
                seq,
                spec.phase,
                round(spec.time_s - start, 6) if timed_call else 0.0,
                spec.operation,
                spec.method,
                spec.path,
                "" if spec.body is None else dumps(spec.body),
                f"{prefix}-{seq}" if spec.method == "POST" else "",
                spec.actor_role,
                spec.actor_entity,
                partition,
                depends,
                spec.port,
                spec.expected_status,
                dumps(spec.expected),
            ))
        return out
