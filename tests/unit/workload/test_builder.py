"""The call builder: order, numbering and the ties between partitions, on calls made by hand."""

from __future__ import annotations

from typing import Any

import pytest

from sim.workload.builder import CallBuilder


def _add(b: CallBuilder, phase: str, t: float, partition: str, *,
         touches: tuple[str, ...] = (), answer_of: int | None = None, **extra: Any) -> int:
    return b.add(phase, t, f"op-{len(b)}", "POST", "/p", {"n": len(b)}, "enterprise", partition,
                 partition, 201, {"ok": True}, touches=touches, answer_of=answer_of, **extra)


def test_calls_are_ordered_numbered_and_keyed() -> None:
    b = CallBuilder(100.0, "wl-k")
    _add(b, "timed", 160.0, "A")                      # 0
    _add(b, "setup", 5.0, "A", stage="before")        # 1
    _add(b, "timed", 130.0, "B")                      # 2
    _add(b, "timed", 130.0, "C", first=True)          # 3: first at its instant
    _add(b, "setup", 9.0, "B", stage="register")      # 4: registrations before all set-up
    b.add("timed", 130.0, "tier", "GET", "/t", None, "officer", "", "D", 200, '{"tier":"x"}')
    calls = b.calls()
    assert [c.operation for c in calls] == ["op-4", "op-1", "op-3", "op-2", "tier", "op-0"]
    assert [c.seq for c in calls] == list(range(6))
    assert [c.phase for c in calls] == ["setup", "setup", "timed", "timed", "timed", "timed"]
    assert [c.intended_s for c in calls] == [0.0, 0.0, 30.0, 30.0, 30.0, 60.0]
    assert [c.idempotency_key for c in calls] == [
        "wl-k-0", "wl-k-1", "wl-k-2", "wl-k-3", "", "wl-k-5"]
    assert calls[4].body == "" and calls[0].body == '{"n":4}'


def test_a_call_depends_on_the_last_other_partition_to_touch_what_it_touches() -> None:
    b = CallBuilder(0.0, "wl")
    _add(b, "timed", 1.0, "A", touches=("book-a",))                # seq 0
    _add(b, "timed", 2.0, "A", touches=("book-a",))                # seq 1: same partition
    _add(b, "timed", 3.0, "B", touches=("book-b", "book-a"))       # seq 2: A touched book-a
    _add(b, "timed", 4.0, "C", touches=("book-b",))                # seq 3: B touched book-b
    _add(b, "timed", 5.0, "C", touches=("book-c",))                # seq 4: nobody before
    decl = _add(b, "timed", 6.0, "A", touches=("book-a",))         # seq 5: B touched book-a
    _add(b, "timed", 7.0, "D", touches=("book-c",), answer_of=decl)  # seq 6: answer 5, C 4
    _add(b, "timed", 8.0, "B", answer_of=decl)                      # seq 7: the answer only
    assert [c.depends_on for c in b.calls()] == [None, None, 1, 2, None, 2, 5, 5]


def test_a_call_cannot_need_an_answer_that_comes_after_it() -> None:
    b = CallBuilder(0.0, "wl")
    later = _add(b, "timed", 9.0, "A")
    _add(b, "timed", 1.0, "B", answer_of=later)
    with pytest.raises(ValueError, match="op-1 needs an answer that comes after it"):
        b.calls()


def test_many_calls_at_once_are_the_same_as_one_at_a_time() -> None:
    rows = [("setup", -1.0, "P1", "HK"), ("timed", 50.0, "P2", "XH"), ("timed", 20.0, "P1", "HK"),
            ("setup", 10.0, "P3", "YP")]
    one = CallBuilder(5.0, "wl")
    _add(one, "timed", 20.0, "Z", touches=("P2",))  # another partition touches P2
    for phase, t, person, port in rows:
        one.add(phase, t, "departure_check", "POST", f"/c/{person}", f'{{"p":"{person}"}}',
                "officer", "", person, 201, '{"decision":"pass"}', port=port, touches=(person,))
    many = CallBuilder(5.0, "wl")
    _add(many, "timed", 20.0, "Z", touches=("P2",))
    added = many.add_many(
        [r[0] for r in rows], [r[1] for r in rows], "departure_check", "POST",
        [f"/c/{r[2]}" for r in rows], [f'{{"p":"{r[2]}"}}' for r in rows], "officer", "",
        [r[2] for r in rows], 201, ['{"decision":"pass"}'] * 4, port=[r[3] for r in rows],
        touches_partition=True,
    )
    assert added == range(1, 5)
    assert many.calls() == one.calls()
    assert [c.depends_on for c in one.calls()] == [None, None, None, None, 2]
    with pytest.raises(ValueError, match="add_many: path has 1 values for 2 calls"):
        many.add_many(["timed"] * 2, [1.0, 2.0], "x", "GET", ["/a"], "", "officer", "",
                      ["P1", "P2"], 200, ["{}", "{}"])
