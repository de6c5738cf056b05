"""Credit-history events as JSON lines, formatted by Arrow for a million events at once.

The line format belongs to the credit rules (``sim.rules.history``): one JSON object per line,
keys ``entity``, ``kind``, ``date``, ``event`` and, when present, ``department`` and ``grade``,
in that order, exactly as ``json.dumps(record, ensure_ascii=False)`` writes them. Formatting a
million events one dict at a time takes seconds; here each column is rendered once (dates by
``strftime``, the few distinct event, department and grade fragments by lookup) and the pieces
are joined element-wise. A test checks the result byte for byte against ``json.dumps``.

Entity keys are the natural keys: the credit code of an enterprise, the identity number of an
individual. Lines are ordered by date, then enterprises before individuals, then by the
entity's row, then by the events' order in their table (which decides same-day events).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sim.population.events import EVENTS, EventTable

__all__ = ["history_lines"]

_KINDS = ("enterprise", "individual")


def _fragments(events: EventTable) -> tuple[np.ndarray, list[str]]:
    """Per event, an index into rendered ``, "department": ..., "grade": ...`` fragments."""
    dept = events.department.astype(np.int64)
    grade = events.grade.astype(np.int64)
    width = max((len(g) for g in events.grades), default=0) + 1
    key = (dept + 1) * (width + 1) + (grade + 1)
    unique, inverse = np.unique(key, return_inverse=True)
    texts = []
    for k in unique.tolist():
        d, g = divmod(int(k), width + 1)
        d, g = d - 1, g - 1
        text = ""
        if d >= 0:
            text += ", " + json.dumps("department") + ": " + json.dumps(
                events.departments[d], ensure_ascii=False)
            if g >= 0:
                text += ", " + json.dumps("grade") + ": " + json.dumps(
                    events.grades[d][g], ensure_ascii=False)
        texts.append(text)
    return inverse.reshape(-1), texts


def history_lines(
    parts: list[tuple[str, EventTable, pa.Array]], block: int = 500_000
) -> Iterator[str]:
    """Render events as history lines, in the file's order, a block of lines at a time.

    Args:
        parts: ``(kind, events, keys)`` per entity kind: ``kind`` is ``enterprise`` or
            ``individual``, ``keys`` the entity key of every row ``events.entity`` refers to.
        block: lines per yielded string.

    Yields:
        Strings of whole lines, each ending in a newline.
    """
    rendered: list[pa.Array] = []
    days: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    for kind, events, keys in parts:
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS} (got {kind!r})")
        n = len(events)
        if n == 0:
            continue
        entity = keys.take(pa.array(events.entity))
        date = pc.strftime(pa.array(events.day.astype(np.int32), pa.date32()), "%Y-%m-%d")
        event = pa.array([json.dumps(e) for e in EVENTS]).take(pa.array(events.event))
        which, texts = _fragments(events)
        extra = pa.array(texts, pa.string()).take(pa.array(which))
        head = pa.scalar('{"entity": "')
        mid_kind = pa.scalar(f'", "kind": {json.dumps(kind)}, "date": "')
        mid_event = pa.scalar('", "event": ')
        tail = pa.scalar("}\n")
        line = pc.binary_join_element_wise(
            head, entity, mid_kind, date, mid_event, event, extra, tail, ""
        )
        rendered.append(line)
        days.append(events.day)
        kinds.append(np.full(n, _KINDS.index(kind), dtype=np.int8))
        rows.append(events.entity)
    if not rendered:
        return
    all_lines = pa.chunked_array(rendered).combine_chunks()
    day = np.concatenate(days)
    order = np.lexsort((np.concatenate(rows), np.concatenate(kinds), day))
    for lo in range(0, len(order), block):
        chunk = all_lines.take(pa.array(order[lo : lo + block]))
        yield "".join(chunk.to_pylist())
