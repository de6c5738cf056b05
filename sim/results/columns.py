"""Paged columns: per-journey lists that stay compact until used and go once written out.

A long run has millions of journeys. The model reads and writes them by index on its hot path,
where a Python list is the cheapest store; holding a list per column for the whole horizon is
what made a year of the baseline need gigabytes. A :class:`Column` keeps the values it is given
compact (a NumPy array, or an Arrow string array, dictionary-encoded when few values repeat or
coded into shared words such as a population's identities), and makes a page of :data:`PAGE`
values into a Python list only when one of them is first written, or, for numbers (times,
codes), first read, which for a journey happens around its arrival; strings are read through
without making anything. Once every journey of a page has been written out
(:mod:`sim.results.stream`), the page is dropped; touching it again is an error, not a silent
NaN; once every page is, the compact values go too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute

__all__ = ["PAGE", "Column", "narrow"]

_SHIFT = 12
PAGE = 1 << _SHIFT
"""Journeys per page of a :class:`Column` (a power of two: index -> page is a shift)."""
_MASK = PAGE - 1


def narrow(values: np.ndarray) -> np.ndarray:
    """Integers in the narrowest signed type that holds them all (the same values: a year's
    amounts and counts are millions, mostly small)."""
    values = np.asarray(values)
    if values.dtype.kind not in "iu" or len(values) == 0:
        return values
    low, high = int(values.min()), int(values.max())
    for kind in (np.int8, np.int16, np.int32):
        info = np.iinfo(kind)
        if info.min <= low and high <= info.max:
            return values.astype(kind)
    return values.astype(np.int64)


class _Dropped:
    """Stands for a page that was written out: any access is an error."""

    __slots__ = ()

    def __getitem__(self, k: Any) -> Any:
        raise IndexError("this journey was already written out and dropped")

    __setitem__ = __getitem__


_DROPPED: Any = _Dropped()


def _compact(values: Iterable[Any]) -> np.ndarray | pa.Array:
    """Values as a compact array: numbers and flags unboxed, strings as one Arrow buffer."""
    if isinstance(values, np.ndarray | pa.Array):
        return values
    items = values if isinstance(values, list) else list(values)
    if not items or not isinstance(items[0], str):
        array = np.asarray(items)
        if array.dtype.kind in "biuf":
            return array
    strings = pa.array(items, type=pa.string())
    # a few distinct values (tiers, routes, ports' books): store each once
    return strings.dictionary_encode() if len(items) > 64 * _few(strings) else strings


def _decoded(part: pa.DictionaryArray) -> list[Any]:
    """A dictionary-encoded slice as a list, through its few words (Arrow's own ``to_pylist``
    of a dictionary array is ~40x slower than of plain strings)."""
    if part.null_count:
        values: list[Any] = part.to_pylist()
        return values
    if len(part.dictionary) > len(part):  # identities coded into a whole population's
        taken: list[Any] = part.dictionary.take(part.indices).to_pylist()
        return taken
    words = part.dictionary.to_pylist()
    return [words[i] for i in part.indices.to_numpy().tolist()]


def _few(strings: pa.Array) -> int:
    """The number of distinct values among the first thousand (a cheap estimate)."""
    return len(pa.compute.unique(strings.slice(0, 1000)))


class Column(Sequence[Any]):
    """A per-journey list in pages of :data:`PAGE`, made on first use and dropped once written.

    The values given are kept compact (a NumPy array, an Arrow array); a page becomes a Python
    list (the model's cheap read and write) only when a journey in it is first written, or
    read if the values are numbers, which for a journey is around its arrival, and is dropped
    once its journeys are written out. So a long
    run holds lists for the journeys in progress only. Indexing (get and set) takes
    non-negative ints; iteration, ``len``, ``==`` with a list and ``numpy.asarray`` work as on
    a list while no page was dropped.

    Args:
        values: the initial values (a NumPy array is kept as is).
    """

    __slots__ = ("_fill", "_n", "_pages", "_source")

    def __init__(self, values: Iterable[Any]) -> None:
        self._source: np.ndarray | pa.Array | None = _compact(values)
        self._fill: Any = None
        self._n = len(self._source)
        self._pages: list[Any] = [None] * ((self._n + PAGE - 1) >> _SHIFT)

    @classmethod
    def filled(cls, value: Any, n: int) -> Column:
        """``n`` copies of ``value`` (nothing is allocated until a page is used)."""
        column = cls(np.empty(0))
        column._source, column._fill, column._n = None, value, n
        column._pages = [None] * ((n + PAGE - 1) >> _SHIFT)
        return column

    @classmethod
    def coded(cls, codes: np.ndarray, words: Sequence[str]) -> Column:
        """Strings given as codes into ``words`` (a tier, a route, an enterprise's credit
        code): a byte or a few each, not a string each.

        Args:
            codes: each value's index into ``words``.
            words: the strings.
        """
        indices = pa.array(narrow(np.asarray(codes, dtype=np.int64)))
        return cls(pa.DictionaryArray.from_arrays(indices, pa.array(list(words), pa.string())))

    def _page(self, k: int) -> list[Any]:
        """Page ``k`` as a list, made now if needed (a write is coming)."""
        page = self._pages[k]
        if page is None:
            page = self._view(k)
            self._pages[k] = page
        result: list[Any] = page
        return result

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> Any:  # type: ignore[override]  # a slice gives a list
        try:
            return self._pages[i >> _SHIFT][i & _MASK]
        except TypeError:  # None: no page made
            if isinstance(i, slice):  # off the hot path: a list, as a list's slice is
                return self.values()[i]
            if isinstance(self._source, np.ndarray) and 0 <= i < self._n:
                # numbers (times, codes): the run has reached this page, make it once
                return self._page(i >> _SHIFT)[i & _MASK]
            return self._read(i)  # strings: read the compact values, make nothing

    def _read(self, i: int) -> Any:
        if not 0 <= i < self._n:
            raise IndexError(f"journey {i} out of range ({self._n})")
        if self._source is None:
            return self._fill
        value = self._source[i]
        return value.as_py() if isinstance(value, pa.Scalar) else value.item()

    def __setitem__(self, i: int, value: Any) -> None:
        try:
            self._pages[i >> _SHIFT][i & _MASK] = value
        except TypeError:
            self._page(i >> _SHIFT)[i & _MASK] = value

    def __iter__(self) -> Iterator[Any]:
        for k in range(len(self._pages)):  # page by page: dropping behind the iterator is fine
            yield from self._view(k)

    def _view(self, k: int) -> list[Any]:
        """Page ``k``'s values: the page if made, else a temporary list (nothing kept)."""
        page: list[Any] | None = self._pages[k]
        if page is not None:
            return page[:] if page is _DROPPED else page  # _DROPPED[:] raises
        lo, hi = k << _SHIFT, min((k + 1) << _SHIFT, self._n)
        if self._source is None:
            return [self._fill] * (hi - lo)
        if isinstance(self._source, pa.DictionaryArray):
            return _decoded(self._source.slice(lo, hi - lo))
        if isinstance(self._source, pa.Array):
            values: list[Any] = self._source.slice(lo, hi - lo).to_pylist()
            return values
        return self._source[lo:hi].tolist()  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Column | list | tuple):
            return self.values() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return f"Column({self.values()!r})" if self.dropped() == 0 else f"Column(n={self._n})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if isinstance(self._source, np.ndarray) and all(p is None for p in self._pages):
            return np.asarray(self._source, dtype=dtype)  # untouched: no list needed
        return np.asarray(self.values(), dtype=dtype)

    def values(self) -> list[Any]:
        """Every value, as one list (raises if a page was dropped)."""
        return list(self)

    def slice(self, start: int, stop: int) -> list[Any]:
        """The values of journeys ``start .. stop-1`` (their pages must not be dropped)."""
        out: list[Any] = []
        k = start
        while k < stop:
            page = self._view(k >> _SHIFT)
            end = min(stop, ((k >> _SHIFT) + 1) << _SHIFT)
            out.extend(page[k & _MASK : ((end - 1) & _MASK) + 1])
            k = end
        return out

    def take(self, indices: np.ndarray) -> list[Any]:
        """The values at ``indices`` (non-negative, their pages not dropped), in one read of
        the compact values when no page was made (nothing is made either)."""
        if any(page is not None for page in self._pages) or self._source is None:
            return [self[i] for i in np.asarray(indices).tolist()]
        if isinstance(self._source, np.ndarray):
            values: list[Any] = self._source[indices].tolist()
            return values
        taken = self._source.take(pa.array(np.asarray(indices, dtype=np.int64)))
        if isinstance(taken, pa.DictionaryArray):
            return _decoded(taken)
        strings: list[Any] = taken.to_pylist()
        return strings

    def copy(self) -> Column:
        """A column of its own with the same values, compact when no page was made."""
        if all(page is None for page in self._pages):
            if self._source is None:
                return Column.filled(self._fill, self._n)
            return Column(self._source)  # read-only source: sharing it is safe
        return Column(self.values())

    def drop_before(self, i: int) -> None:
        """Drop every page that lies wholly before journey ``i`` (and, once every page is
        dropped, the compact values too)."""
        for k in range(min(i >> _SHIFT, len(self._pages))):
            self._pages[k] = _DROPPED
        if i >= self._n:
            self._pages = [_DROPPED] * len(self._pages)
            self._source, self._fill = None, None

    def compact_bytes(self) -> int:
        """Bytes of the compact values held (a dictionary shared with others, such as a
        population's identities, not counted; pages made into lists not counted)."""
        source = self._source
        if source is None:
            return 0
        if isinstance(source, np.ndarray):
            return int(source.nbytes)
        if isinstance(source, pa.DictionaryArray):
            return int(source.indices.nbytes)
        return int(source.nbytes)

    def dropped(self) -> int:
        """How many pages were dropped."""
        return sum(page is _DROPPED for page in self._pages)

    def held(self) -> int:
        """How many pages are held as lists."""
        return sum(isinstance(page, list) for page in self._pages)
