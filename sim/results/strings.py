"""Append-only string columns that cost a few bytes a row instead of a Python object a row.

A year of the goods flow is about a million events, each with a dozen string fields. As lists,
each field costs an 8-byte pointer a row, and a unique reference costs its own ~80-byte string
object besides. Two columns hold them compactly while keeping the list's reading interface
(index, iterate, ``len``, ``==`` with a list), so readers need not know:

- :class:`CodedStrings`: for values that repeat (kinds, ports, regimes, items, risk indicators):
  each distinct value is stored once and a row is a 2-byte code (4 bytes past 65,536 values);
  reading a row gives back the one stored string;
- :class:`PackedStrings`: for values that do not (identifiers): the UTF-8 bytes of all rows end to
  end, and where each row ends.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

__all__ = ["CodedStrings", "PackedStrings"]


class _Column(Sequence[str]):
    """The list-like reading interface both columns share."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def _row(self, i: int) -> str:
        """Row ``i`` (negative from the end; IndexError out of range, as a list)."""
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self._row(k) for k in range(*i.indices(len(self)))]
        return self._row(i)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


class CodedStrings(_Column):
    """A string column of repeating values: each distinct value stored once, a code a row.

    Args:
        values: the initial rows.
    """

    __slots__ = ("_codes", "_index", "_words")

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._codes: array[int] = array("H")
        self._words: list[str] = []
        self._index: dict[str, int] = {}
        for value in values:
            self.append(value)

    def append(self, value: str) -> None:
        """Add a row."""
        code = self._index.get(value)
        if code is None:
            code = len(self._words)
            if code == 1 << 16 and self._codes.typecode == "H":
                self._codes = array("I", self._codes)  # past 2-byte codes
            self._index[value] = code
            self._words.append(value)
        self._codes.append(code)

    def __len__(self) -> int:
        return len(self._codes)

    def _row(self, i: int) -> str:
        return self._words[self._codes[i]]

    def __iter__(self) -> Iterator[str]:
        return map(self._words.__getitem__, self._codes)


class PackedStrings(_Column):
    """A string column of distinct values: their UTF-8 bytes end to end, and each row's end.

    Args:
        values: the initial rows.
    """

    __slots__ = ("_bytes", "_ends")

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._bytes = bytearray()
        self._ends: array[int] = array("q")
        for value in values:
            self.append(value)

    def append(self, value: str) -> None:
        """Add a row."""
        self._bytes += value.encode()
        self._ends.append(len(self._bytes))

    def __len__(self) -> int:
        return len(self._ends)

    def _row(self, i: int) -> str:
        if i < 0:
            i += len(self._ends)
        end = self._ends[i]  # raises IndexError out of range, as a list does
        start = self._ends[i - 1] if i > 0 else 0
        return self._bytes[start:end].decode()

    def __iter__(self) -> Iterator[str]:
        return (self._row(k) for k in range(len(self)))
