"""summary.json of a load test: written canonically, read back as the same typed result."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.results.load import read_load_result, write_load_result
from tests.unit.loadtests.test_outputs import result_with_two_checks


def test_a_summary_reads_back_as_written(tmp_path: Path) -> None:
    result = result_with_two_checks()
    write_load_result(tmp_path / "summary.json", result)
    again = read_load_result(tmp_path / "summary.json")
    assert again == result
    assert not again.holds, "an objective is broken"
    assert again.achieved_ratio == pytest.approx(5.0 / 5.2), "planned over 5 s, done in 5.2"
    (tmp_path / "bad.json").write_text('{"format": "other"}')
    try:
        read_load_result(tmp_path / "bad.json")
    except ValueError as exc:
        assert str(exc).startswith(f"{tmp_path / 'bad.json'}: not a load-test summary")
    else:
        raise AssertionError("a foreign file must be refused")
