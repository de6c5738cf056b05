"""Workload files: Parquet, set-up then one row group per simulated hour, self-describing."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.workload import Call, WorkloadError, WorkloadInfo, read_workload, write_workload
from sim.workload.expect import compare, resolve_path
from sim.workload.summary import summarise

Exported = tuple[WorkloadInfo, list[Call]]


def test_a_workload_file_reads_back_exactly(tmp_path: Path, exported: Exported) -> None:
    info, calls = exported
    path = tmp_path / "w.parquet"
    write_workload(path, info, calls)
    again, read = read_workload(path)
    assert read == calls
    assert again.calls == len(calls) and again.setup == sum(c.phase == "setup" for c in calls)
    assert (again.scenario, again.ports, again.hours) == (info.scenario, info.ports, info.hours)
    assert again.rules == info.rules
    # row group 0 is the set-up, then one per hour: 4 hours, 5 row groups
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 5
    hours = [meta.row_group(g).num_rows for g in range(1, 5)]
    assert hours == summarise(calls, 4.0).by_hour and meta.row_group(0).num_rows == again.setup


def test_the_summary_counts_by_operation_port_and_hour(exported: Exported) -> None:
    _, calls = exported
    s = summarise(calls, 4.0)
    assert s.calls == len(calls)
    assert sum(s.by_hour) == sum(s.timed.values()) == sum(s.by_port.values())
    assert sum(n for (op, _), n in s.by_operation_hour.items() if op == "declaration") == \
        s.timed["declaration"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_text("not parquet"), "not a Parquet workload file"),
        (lambda p: pq.write_table(pa.table({"a": [1]}), p), "no workload metadata"),
        (lambda p: p.mkdir(), "is a directory"),
    ],
)
def test_unreadable_files_are_one_line(tmp_path: Path, make: object, message: str) -> None:
    path = tmp_path / "w.parquet"
    make(path)  # type: ignore[operator]
    with pytest.raises(WorkloadError, match=message) as exc:
        read_workload(path)
    assert str(path) in str(exc.value) and "\n" not in str(exc.value)


def _call(
    expected: str, status: int = 201, path: str = "/v1/x", depends: int | None = None
) -> Call:
    return Call(1, "timed", 0.0, "op", "POST", path, "{}", "k", "admin", "", "E", depends, "",
                status, expected)


def test_compare_names_every_difference() -> None:
    c = _call('{"channel":"scan","duties":{"total_fen":5},"inspection.result":"clear"}')
    good = {"channel": "scan", "duties": {"total_fen": 5}, "inspection": {"result": "clear"},
            "more": 1}
    assert compare(c, 201, good) == []
    bad = compare(c, 200, {"channel": "release", "duties": {"total_fen": 5}})
    assert bad == [
        "status: expected 201, got 200",
        "channel: expected 'scan', got 'release'",
        "inspection.result: expected 'clear', missing from the answer",
    ]
    # True is not 1: a flag answered as a number is a difference
    assert compare(_call('{"late":true}'), 201, {"late": 1}) == ["late: expected True, got 1"]
    refusal = _call('{"code":"insufficient_balance"}', status=409)
    assert compare(refusal, 409, {"code": "insufficient_balance", "status": 409}) == []


def test_a_path_takes_the_id_of_the_answer_it_depends_on() -> None:
    c = _call("{}", path="/v1/declarations/{depends_on.id}/inspection", depends=7)
    assert resolve_path(c, {7: {"id": 42}}) == "/v1/declarations/42/inspection"
    assert resolve_path(c, {7: {"code": "unknown_book"}}) is None
    assert resolve_path(c, {}) is None
    assert resolve_path(_call("{}"), {}) == "/v1/x"
