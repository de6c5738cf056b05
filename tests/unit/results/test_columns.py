"""Paged columns: coded strings, reads that make pages, bulk reads, and what a drop gives back."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from sim.results.columns import PAGE, Column, narrow


def test_coded_strings_read_back_as_their_words_a_byte_each() -> None:
    codes = np.arange(2 * PAGE + 3) % 3
    column = Column.coded(codes, ["aeo", "whitelist", "key_attention"])
    words = ["aeo", "whitelist", "key_attention"]
    assert column.values() == [words[c] for c in codes.tolist()]
    assert column[PAGE + 1] == words[(PAGE + 1) % 3] and column.held() == 0  # read, no page
    assert column.compact_bytes() == len(codes)  # one byte a value


def test_identities_coded_into_a_shared_dictionary_read_back_page_by_page() -> None:
    """A dictionary bigger than a page (a population's identities) is read through a take."""
    population = pa.array([f"ID{i:06d}" for i in range(3 * PAGE)])
    rows = np.random.default_rng(0).integers(0, len(population), PAGE + 7)
    column = Column(pa.DictionaryArray.from_arrays(pa.array(rows.astype(np.int32)), population))
    expected = [f"ID{r:06d}" for r in rows.tolist()]
    assert column.values() == expected
    assert column.slice(PAGE - 2, PAGE + 3) == expected[PAGE - 2 : PAGE + 3]
    assert column.take(np.array([PAGE + 6, 0, 5])) == [expected[PAGE + 6], expected[0],
                                                       expected[5]]  # fmt: skip
    assert column.compact_bytes() == 4 * len(rows)  # the shared identities are not its own


def test_a_read_of_numbers_makes_their_page_and_a_read_of_strings_does_not() -> None:
    numbers = Column(np.arange(3 * PAGE, dtype=np.float64))
    assert numbers[PAGE + 5] == float(PAGE + 5) and isinstance(numbers[PAGE + 5], float)
    assert numbers.held() == 1  # the run reached that page: a list now, for cheap reads
    strings = Column([f"R{i}" for i in range(3 * PAGE)])
    assert strings[PAGE + 5] == f"R{PAGE + 5}" and strings.held() == 0


def test_take_reads_many_values_at_once_as_the_column_holds_them() -> None:
    column = Column(np.arange(PAGE + 10) * 2)
    picks = np.array([PAGE + 9, 3, 3, 0])
    assert column.take(picks) == [2 * (PAGE + 9), 6, 6, 0]
    column[3] = -1  # a page made and written: the take reads through it
    assert column.take(picks) == [2 * (PAGE + 9), -1, -1, 0]
    assert Column.filled("x", 5).take(np.array([4, 0])) == ["x", "x"]


def test_dropping_past_the_last_journey_gives_the_compact_values_back() -> None:
    column = Column(np.arange(PAGE + 10, dtype=np.float64))
    column[PAGE] = 1.5
    column.drop_before(PAGE + 3)  # a page remains: the values are still needed
    assert column.compact_bytes() > 0 and column[PAGE + 4] == float(PAGE + 4)
    column.drop_before(len(column))
    assert column.compact_bytes() == 0 and column.dropped() == 2
    with pytest.raises(IndexError, match="already written out"):
        column[PAGE + 9]


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([0, 1, 127], np.int8),
        ([-129, 5], np.int16),
        ([0, 40_000], np.int32),
        ([0, 2**31], np.int64),
        ([], np.int64),
    ],
)
def test_narrow_keeps_every_value_in_the_smallest_type(values: list[int], dtype: type) -> None:
    wide = np.array(values, dtype=np.int64)
    small = narrow(wide)
    assert small.dtype == dtype and np.array_equal(small.astype(np.int64), wide)
