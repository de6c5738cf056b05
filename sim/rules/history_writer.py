"""Writing credit histories: streamed, checked, atomic.

The population generator writes millions of history lines (see :mod:`sim.rules.history` for the
format). :class:`HistoryWriter` takes records one at a time (plain dicts or
:class:`~sim.rules.history.CreditEvent`), checks each exactly as the reader would, formats it
(byte-identical to ``json.dumps(record, ensure_ascii=False)``), and streams it to a temporary
file beside the target, which is renamed into place only when everything was written; an error
removes it, so a reader never sees half a history.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from sim.rules.credit_table import CreditTable, default_table
from sim.rules.history import CreditEvent, HistoryError, parse_record

__all__ = ["HistoryWriter", "write_history"]


class HistoryWriter:
    """Stream history records into a file, atomically.

    Records go to a temporary file beside the target; :meth:`close` (or leaving the ``with``
    block normally) renames it into place, and an exception inside the block removes it, so the
    target is never left half-written. Every record is checked as the reader would.

    Example::

        with HistoryWriter(out / "history.jsonl") as writer:
            writer.write({"entity": "E1", "kind": "enterprise", "date": "2026-01-05",
                          "event": "smuggling_penalty"})
    """

    def __init__(
        self, path: str | os.PathLike[str], table: CreditTable | None = None, *, check: bool = True
    ) -> None:
        self.path = Path(path)
        self.count = 0
        self._table = table or default_table()
        self._check = check
        self._kinds: dict[str, str] = {}
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        self._tmp = Path(tmp)
        os.chmod(self._tmp, 0o644)  # mkstemp's 0600 would survive the rename
        self._handle = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, record: CreditEvent | Mapping[str, Any]) -> None:
        """Check and append one record (a :class:`CreditEvent` or a plain dict).

        Raises:
            HistoryError: the record is invalid; ``line`` is its 1-based position in the stream.
        """
        line = self.count + 1
        if self._check:
            # Events are re-checked too: their constructor trusts its arguments.
            raw = record.to_record() if isinstance(record, CreditEvent) else record
            event = parse_record(raw, line, self._table)
            first = self._kinds.setdefault(event.entity, event.kind)
            if first != event.kind:
                raise HistoryError(
                    line, "kind", f"entity {event.entity!r} was an {first} earlier", event.kind
                )
            text = event.to_line()
        elif isinstance(record, CreditEvent):
            text = record.to_line()
        else:
            text = json.dumps(record, ensure_ascii=False)
        self._handle.write(text + "\n")
        self.count += 1

    def write_all(self, records: Iterable[CreditEvent | Mapping[str, Any]]) -> None:
        """Write every record of ``records`` in order."""
        for record in records:
            self.write(record)

    def close(self) -> None:
        """Finish: flush and rename the temporary file onto the target."""
        if self._handle.closed:
            return
        self._handle.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        """Give up: remove the temporary file; the target is untouched."""
        if not self._handle.closed:
            self._handle.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> HistoryWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_history(
    path: str | os.PathLike[str],
    records: Iterable[CreditEvent | Mapping[str, Any]],
    table: CreditTable | None = None,
) -> int:
    """Write ``records`` to ``path`` atomically (see :class:`HistoryWriter`); return the count."""
    with HistoryWriter(path, table) as writer:
        writer.write_all(records)
    return writer.count
