"""Compact string columns read back exactly what was appended, as a list would."""

from __future__ import annotations

import pickle

import pytest

from sim.results.strings import CodedStrings, PackedStrings


@pytest.mark.parametrize("kind", [CodedStrings, PackedStrings])
def test_a_column_reads_like_the_list_it_was_given(kind: type[CodedStrings]) -> None:
    values = ["entry", "", "declaration", "entry", "É-1:二", "", "declaration"]
    column = kind(values[:3])
    for value in values[3:]:
        column.append(value)
    assert len(column) == len(values) and list(column) == values and column == values
    assert [column[i] for i in range(len(values))] == values
    assert column[-1] == "declaration" and column[2:5] == values[2:5]
    assert column != values[:-1] and column != [*values[:-1], "x"]
    with pytest.raises(IndexError):
        column[len(values)]
    assert pickle.loads(pickle.dumps(column)) == values


def test_coded_strings_store_each_value_once_and_outgrow_two_byte_codes() -> None:
    column = CodedStrings()
    for i in range(70_000):
        column.append(f"v{i % 66_000}")
    assert column[65_999] == "v65999" and column[66_001] == "v1" and column[69_999] == "v3999"
    assert column[5] is column[66_005]  # one stored string per value
