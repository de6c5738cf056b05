"""Credit-history events as history records, in the file's order.

The line format belongs to the credit rules (:mod:`sim.rules.history`, written by
:class:`sim.rules.credit.HistoryWriter`): one JSON object per line with ``entity``, ``kind``,
``date``, ``event`` and, when present, ``department`` and ``grade``. This module turns the
generator's columnar :class:`~sim.population.events.EventTable` into those records without a
Python object per entity: columns are rendered once (dates by Arrow ``strftime``, names by
lookup) and records are built from plain lists as the writer consumes them.

Entity keys are the natural keys: the credit code of an enterprise, the identity number of an
individual. Records are ordered by date, then enterprises before individuals, then by the
entity's row, then by the events' order in their table (which decides same-day events).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sim.population.events import EVENTS, EventTable

__all__ = ["history_records"]

_KINDS = ("enterprise", "individual")


def history_records(
    parts: list[tuple[str, EventTable, pa.Array]], block: int = 200_000
) -> Iterator[dict[str, str]]:
    """Yield history records of all ``parts`` in the file's order.

    Args:
        parts: ``(kind, events, keys)`` per entity kind: ``kind`` is ``enterprise`` or
            ``individual``, ``keys`` the entity key of every row ``events.entity`` refers to.
        block: records rendered at a time (bounds the memory of the Python lists).
    """
    kept = [(k, e, keys) for k, e, keys in parts if len(e)]
    for kind, _, _ in kept:
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS} (got {kind!r})")
    if not kept:
        return
    part = np.concatenate([np.full(len(e), i, np.int64) for i, (_, e, _) in enumerate(kept)])
    index = np.concatenate([np.arange(len(e)) for _, e, _ in kept])
    day = np.concatenate([e.day for _, e, _ in kept])
    kind_code = np.concatenate(
        [np.full(len(e), _KINDS.index(k), np.int8) for k, e, _ in kept]
    )
    row = np.concatenate([e.entity for _, e, _ in kept])
    order = np.lexsort((row, kind_code, day))  # stable: same-day events keep table order
    for lo in range(0, len(order), block):
        chosen = order[lo : lo + block]
        out: list[dict[str, str]] = [{} for _ in range(len(chosen))]
        for p, (kind, events, keys) in enumerate(kept):
            positions = np.flatnonzero(part[chosen] == p)
            if not positions.size:
                continue
            mine = index[chosen[positions]]
            entity = keys.take(pa.array(events.entity[mine])).to_pylist()
            dates = pc.strftime(
                pa.array(events.day[mine].astype(np.int32), pa.date32()), "%Y-%m-%d"
            ).to_pylist()
            names = [EVENTS[c] for c in events.event[mine].tolist()]
            depts = events.department[mine].tolist()
            grades = events.grade[mine].tolist()
            for slot, e, d, name, dept, grade in zip(
                positions.tolist(), entity, dates, names, depts, grades, strict=True
            ):
                record = out[slot]
                record.update(entity=e, kind=kind, date=d, event=name)
                if dept >= 0:
                    record["department"] = events.departments[dept]
                    if grade >= 0:
                        record["grade"] = events.grades[dept][grade]
        yield from out
