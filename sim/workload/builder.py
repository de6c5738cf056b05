"""Collecting a workload's calls, then putting them in order and tying them together.

The exporters (:mod:`sim.workload.entity_calls`, :mod:`sim.workload.goods_calls`,
:mod:`sim.workload.port_calls`) hand :class:`CallBuilder` their calls in any order: one at a
time (:meth:`~CallBuilder.add`), or many at once as columns (:meth:`~CallBuilder.add_many`: the
tens of thousands of travellers' checks and registrations of a peak day). :meth:`CallBuilder.calls`
then:

1. orders them: the set-up by stage (registrations, then credit histories, then filings, then
   opening stock, then what happened in the run before the period) and model time; the timed
   calls by intended time, credit events first at an instant (a day's events are in force from
   its first moment); calls otherwise tied keep the order they were added in;
2. numbers them (``seq``) and gives each write a stable idempotency key;
3. ties them together: a call that needs an earlier answer (``answer_of``) depends on it, and a
   call touching a resource (an account book, an entity) that another partition touched last
   depends on that call, so a replay that runs partitions concurrently keeps every causal order
   the model had. A call depending on several takes the latest.

A workload of a peak day holds 10^5 calls, so the builder keeps them as columns (bodies as JSON
text from the start), and orders and ties them with NumPy (the last toucher of a resource is the
previous row once the touches are sorted by resource and ``seq``) rather than call by call.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from typing import Any, TypeVar

import numpy as np
import orjson

from sim.workload.calls import Call

__all__ = ["STAGES", "CallBuilder", "dumps"]

STAGES = ("register", "history", "filing", "opening", "before")
"""Set-up stages, in the order they are sent."""

_STAGE = {name: i for i, name in enumerate(STAGES)}
_T = TypeVar("_T")


def dumps(value: Any) -> str:
    """Compact JSON text (a call's body or expectation); orjson: a workload has 10^5 of them."""
    return orjson.dumps(value).decode()


def _extend(column: list[_T], values: _T | Sequence[_T], n: int, name: str) -> None:
    """Append ``values`` (one per call) or a single value (the same for ``n`` calls)."""
    if isinstance(values, list | tuple):
        if len(values) != n:
            raise ValueError(f"add_many: {name} has {len(values)} values for {n} calls")
        column.extend(values)
    else:
        column.extend(repeat(values, n))  # type: ignore[arg-type]


class CallBuilder:
    """Collects calls and turns them into numbered :class:`Call` rows.

    Args:
        period_start_s: the period's start in model time (timed calls are relative to it).
        key_prefix: prefix of every idempotency key (stable for the same workload).
    """

    def __init__(self, period_start_s: float, key_prefix: str) -> None:
        self._start = period_start_s
        self._prefix = key_prefix
        # one list per column, one entry per call in the order added
        self._timed: list[bool] = []
        self._stage: list[int] = []
        self._time: list[float] = []
        self._later: list[bool] = []
        self._operation: list[str] = []
        self._method: list[str] = []
        self._path: list[str] = []
        self._body: list[str] = []
        self._role: list[str] = []
        self._entity: list[str] = []
        self._partition: list[str] = []
        self._port: list[str] = []
        self._status: list[int] = []
        self._expected: list[str] = []
        self._answer_of: list[int] = []
        # the touches, flattened: call index and resource, one entry per (call, resource)
        self._touch_call: list[int] = []
        self._touch: list[str] = []

    def __len__(self) -> int:
        return len(self._operation)

    def add(
        self,
        phase: str,
        time_s: float,
        operation: str,
        method: str,
        path: str,
        body: Any,
        actor_role: str,
        actor_entity: str,
        partition: str,
        expected_status: int,
        expected: dict[str, Any] | str,
        *,
        stage: str = "before",
        port: str = "",
        first: bool = False,
        touches: tuple[str, ...] = (),
        answer_of: int | None = None,
    ) -> int:
        """Add one call; returns its index (to name it as another call's ``answer_of``).

        Args:
            phase: ``setup`` or ``timed``.
            time_s: model time of the call (seconds since the scenario start; for set-up, the
                order within its stage).
            operation, method, path: the call.
            body: its body as data, or as JSON text already made (the fast path of calls made
                by the ten thousand), or None for none.
            actor_role, actor_entity: who calls.
            partition: the entity whose state the call touches.
            expected_status, expected: the expected answer (fields as data, or JSON text).
            stage: set-up stage (one of :data:`STAGES`); ignored for timed calls.
            port: the port it happens at ('' when none).
            first: timed calls at the same instant with ``first`` go before the others.
            touches: the resources the call reads or changes (books, entities).
            answer_of: the index of a call whose answer this call needs
                (its ``{depends_on.id}``).
        """
        index = len(self._operation)
        timed = phase == "timed"
        self._timed.append(timed)
        self._stage.append(0 if timed else _STAGE[stage])
        self._time.append(time_s)
        self._later.append(timed and not first)
        self._operation.append(operation)
        self._method.append(method)
        self._path.append(path)
        self._body.append("" if body is None else body if isinstance(body, str) else dumps(body))
        self._role.append(actor_role)
        self._entity.append(actor_entity)
        self._partition.append(partition)
        self._port.append(port)
        self._status.append(expected_status)
        self._expected.append(expected if isinstance(expected, str) else dumps(expected))
        self._answer_of.append(-1 if answer_of is None else answer_of)
        for resource in touches:
            self._touch_call.append(index)
            self._touch.append(resource)
        return index

    def add_many(
        self,
        phase: str | list[str],
        time_s: list[float],
        operation: str | list[str],
        method: str | list[str],
        path: str | list[str],
        body: str | list[str],
        actor_role: str,
        actor_entity: str | list[str],
        partition: list[str],
        expected_status: int | list[int],
        expected: list[str],
        *,
        stage: str = "before",
        port: str | list[str] = "",
        first: bool = False,
        touches_partition: bool = False,
    ) -> range:
        """Add many calls at once, as columns; the same as :meth:`add` for each in turn.

        Each argument is a list with one value per call (as many as ``time_s``) or, where
        typed so, one value for them all. Bodies and expectations are JSON text ('' for no
        body); ``touches_partition``: each call touches its partition (a traveller's checks
        touch the traveller), otherwise nothing. Calls added this way need no other call's
        answer.

        Returns:
            The indices of the calls added.
        """
        start, n = len(self._operation), len(time_s)
        timed = [p == "timed" for p in phase] if isinstance(phase, list) else \
            [phase == "timed"] * n
        if len(timed) != n:
            raise ValueError(f"add_many: phase has {len(timed)} values for {n} calls")
        self._timed.extend(timed)
        self._stage.extend(0 if t else _STAGE[stage] for t in timed)
        self._time.extend(time_s)
        self._later.extend([t and not first for t in timed])
        _extend(self._operation, operation, n, "operation")
        _extend(self._method, method, n, "method")
        _extend(self._path, path, n, "path")
        _extend(self._body, body, n, "body")
        _extend(self._role, actor_role, n, "actor_role")
        _extend(self._entity, actor_entity, n, "actor_entity")
        _extend(self._partition, partition, n, "partition")
        _extend(self._port, port, n, "port")
        _extend(self._status, expected_status, n, "expected_status")
        _extend(self._expected, expected, n, "expected")
        self._answer_of.extend(repeat(-1, n))
        if touches_partition:
            self._touch_call.extend(range(start, start + n))
            self._touch.extend(partition)
        return range(start, start + n)

    def calls(self) -> list[Call]:
        """Every call, ordered, numbered and tied (see the module docstring)."""
        n = len(self._operation)
        if n == 0:
            return []
        timed = np.array(self._timed, dtype=bool)
        time = np.array(self._time, dtype=np.float64)
        order = np.lexsort((
            np.arange(n), np.array(self._later, dtype=bool), time,
            np.array(self._stage, dtype=np.int8), timed,
        ))
        seq_of = np.empty(n, dtype=np.int64)
        seq_of[order] = np.arange(n)
        seqs = seq_of.tolist()
        prefix = self._prefix
        # The calls are made in the order they were added (every column read straight
        # through), then put in order: one pass over 10^5 references rather than one per column.
        columns = (
            seqs,
            ["timed" if t else "setup" for t in self._timed],
            np.where(timed, time - self._start, 0.0).tolist(),
            self._operation,
            self._method,
            self._path,
            self._body,
            [f"{prefix}-{seq}" if m == "POST" else "" for seq, m in zip(seqs, self._method,
                                                                         strict=True)],
            self._role,
            self._entity,
            self._partition,
            [None if d < 0 else d for d in self._depends(seq_of).tolist()],
            self._port,
            self._status,
            self._expected,
        )
        # Calls made without their Python-level constructor: 10^5 of them.
        made = list(map(tuple.__new__, repeat(Call), zip(*columns, strict=True)))
        return list(map(made.__getitem__, order.tolist()))

    def _depends(self, seq_of: np.ndarray) -> np.ndarray:
        """Each call's ``depends_on`` (by index of the call; -1 for none)."""
        depends = np.full(len(seq_of), -1, dtype=np.int64)
        need = np.array(self._answer_of, dtype=np.int64)
        calls = np.flatnonzero(need >= 0)
        if len(calls):
            needed = seq_of[need[calls]]
            late = needed >= seq_of[calls]
            if late.any():
                bad = calls[late][np.argmin(seq_of[calls[late]])]
                raise ValueError(f"{self._operation[bad]} needs an answer that comes after it")
            depends[calls] = needed
        if not self._touch:
            return depends
        # A resource's last toucher before a call is the previous touch once the touches are
        # sorted by resource, then seq; the call depends on it when another partition made it.
        codes: dict[str, int] = {}
        resource = np.array([codes.setdefault(r, len(codes)) for r in self._touch],
                            dtype=np.int64)
        codes.clear()
        partition = np.array([codes.setdefault(p, len(codes)) for p in self._partition],
                             dtype=np.int64)
        call = np.array(self._touch_call, dtype=np.int64)
        sort = np.lexsort((seq_of[call], resource))
        resource, call = resource[sort], call[sort]
        prior, later = call[:-1], call[1:]
        tied = (resource[1:] == resource[:-1]) & (partition[prior] != partition[later])
        np.maximum.at(depends, later[tied], seq_of[prior[tied]])
        return depends
