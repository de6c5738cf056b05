"""Collecting a workload's calls, then putting them in order and tying them together.

The exporters (:mod:`sim.workload.entity_calls`, :mod:`sim.workload.goods_calls`,
:mod:`sim.workload.port_calls`) hand :class:`CallBuilder` one call at a time (:meth:`add`), in
any order. :meth:`CallBuilder.calls` then:

1. orders them: the set-up by stage (registrations, then credit histories, then filings, then
   opening stock, then what happened in the run before the period) and model time; the timed
   calls by intended time, credit events first at an instant (a day's events are in force from
   its first moment);
2. numbers them (``seq``) and gives each write a stable idempotency key;
3. ties them together: a call that needs an earlier answer (``answer_of``) depends on it, and a
   call touching a resource (an account book, an entity) that another partition touched last
   depends on that call, so a replay that runs partitions concurrently keeps every causal order
   the model had.

A workload of a peak day holds 10^5 calls, so the builder keeps them as columns (and their
bodies as JSON text from the start) rather than an object each.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from sim.workload.calls import Call

__all__ = ["STAGES", "CallBuilder", "dumps"]

STAGES = ("register", "history", "filing", "opening", "before")
"""Set-up stages, in the order they are sent."""

_STAGE = {name: i for i, name in enumerate(STAGES)}


def dumps(value: Any) -> str:
    """Compact JSON text (a call's body or expectation); orjson: a workload has 10^5 of them."""
    return orjson.dumps(value).decode()


class CallBuilder:
    """Collects calls and turns them into numbered :class:`Call` rows.

    Args:
        period_start_s: the period's start in model time (timed calls are relative to it).
        key_prefix: prefix of every idempotency key (stable for the same workload).
    """

    def __init__(self, period_start_s: float, key_prefix: str) -> None:
        self._start = period_start_s
        self._prefix = key_prefix
        self._timed: list[bool] = []
        self._stage: list[int] = []
        self._time: list[float] = []
        self._later: list[bool] = []
        self._rows: list[tuple[str, str, str, str, str, str, str, str, int, str]] = []
        self._touches: list[tuple[str, ...]] = []
        self._answer_of: list[int] = []

    def __len__(self) -> int:
        return len(self._rows)

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
        text = "" if body is None else body if isinstance(body, str) else dumps(body)
        wanted = expected if isinstance(expected, str) else dumps(expected)
        timed = phase == "timed"
        self._timed.append(timed)
        self._stage.append(0 if timed else _STAGE[stage])
        self._time.append(time_s)
        self._later.append(timed and not first)
        self._rows.append((operation, method, path, text, actor_role, actor_entity, partition,
                           port, expected_status, wanted))
        self._touches.append(touches)
        self._answer_of.append(-1 if answer_of is None else answer_of)
        return len(self._rows) - 1

    def calls(self) -> list[Call]:
        """Every call, ordered, numbered and tied (see the module docstring)."""
        n = len(self._rows)
        order = np.lexsort((
            np.arange(n), np.array(self._later, bool), np.array(self._time, float),
            np.array(self._stage, np.int8), np.array(self._timed, bool),
        )).tolist()
        seq_of = [0] * n
        for seq, i in enumerate(order):
            seq_of[i] = seq
        last: dict[str, tuple[int, str]] = {}
        out: list[Call] = []
        start, prefix = self._start, self._prefix
        rows, touches, answer_of = self._rows, self._touches, self._answer_of
        timed_of, time_of = self._timed, self._time
        make = tuple.__new__  # a Call without its Python-level constructor: 10^5 of them
        for seq, i in enumerate(order):
            op, method, path, body, role, entity, partition, port, status, expected = rows[i]
            depends: int | None = None
            need = answer_of[i]
            if need >= 0:
                if seq_of[need] >= seq:
                    raise ValueError(f"{op} needs an answer that comes after it")
                depends = seq_of[need]
            for resource in touches[i]:
                prior = last.get(resource)
                if prior is not None and prior[1] != partition:
                    depends = prior[0] if depends is None else max(depends, prior[0])
                last[resource] = (seq, partition)
            timed = timed_of[i]
            out.append(make(Call, (
                seq, "timed" if timed else "setup", time_of[i] - start if timed else 0.0,
                op, method, path, body, f"{prefix}-{seq}" if method == "POST" else "",
                role, entity, partition, depends, port, status, expected,
            )))
        return out
