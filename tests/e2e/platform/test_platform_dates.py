"""Impossible dates are refused with a reason code, and write nothing (issue 13).

A declaration dated before its book opened, before its goods were released or before the second
line opened on 2025-12-18; a first-line entry released in 2020 into a 2026 book; an inspection
result before its declaration: each is 422 ``invalid_date`` naming both dates, and the book
keeps its goods. Never against the wall clock: a workload replays simulated dates, future
ones too (a declaration in 2031 is fine). And an emptied position answers 409
``insufficient_balance`` (a client retrying on 409 handles it), not 422 ``unknown_item``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sim.api import BookIn, EntityIn, EntryIn, OnIn, QualificationIn
from tests.e2e.platform.goods_flow import BEEF, balance, declaration, ready_book
from tests.e2e.platform.platform_support import ADMIN, uscc


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the dates are the rules' (sim.rules.dates), the same on every back end."""
    return f"sqlite:///{tmp_path / 'platform.db'}"


def _refused(problem: Any, r: Any, earliest: str) -> None:
    body = problem(r, 422)
    assert (body["code"], body["reason"]) == ("invalid_date", "invalid_date")
    assert body["context"]["earliest"] == earliest, body


def test_a_declaration_dated_before_the_facts_it_needs(
    api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)  # opened 01-05, beef released 01-06
    for day, earliest in (("2026-01-04", "2026-01-05"), ("2026-01-05", "2026-01-06")):
        r = client.post("/v1/declarations", headers=own, json=declaration(1, date=day))
        _refused(problem, r, earliest)
    assert balance(api.platform, "B1") == 10  # nothing written off
    future = client.post("/v1/declarations", headers=own, json=declaration(1, date="2031-06-01"))
    assert future.status_code == 201, future.text  # simulated dates may lie ahead


def test_no_second_line_declaration_before_2025_12_18(
    api: Any, client: Any, problem: Any
) -> None:
    api.platform.register_entity(
        EntityIn(id="E1", kind="enterprise", code=uscc(1), registered_in_hainan=True)
    )
    own = api.platform.as_enterprise("E1")
    own.file_qualification(QualificationIn(entity="E1", on=dt.date(2025, 11, 3)))
    own.file_book(BookIn(id="B1", entity="E1", on=dt.date(2025, 11, 3)))
    entry = EntryIn(entry_id="IN1", item="beef", code=BEEF, qty=5, value_fen=5_000,
                    released=dt.date(2025, 11, 4))
    own.first_line_entry("B1", entry)
    own.book_entry("B1", "IN1", OnIn(on=dt.date(2025, 11, 5)))
    headers = {"Authorization": f"Bearer {own.token()}"}
    r = client.post("/v1/declarations", headers=headers, json=declaration(1, date="2025-12-17"))
    _refused(problem, r, "2025-12-18")
    r = client.post("/v1/declarations", headers=headers, json=declaration(1, date="2025-12-18"))
    assert r.status_code == 201, r.text


def test_a_first_line_entry_from_before_the_book(api: Any, client: Any, problem: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=1)
    entry = {"entry_id": "OLD", "item": "beef", "code": BEEF, "qty": 100, "value_fen": 1_000,
             "released": "2020-06-01"}
    _refused(problem, client.post("/v1/books/B1/entries", headers=own, json=entry), "2026-01-05")
    state = client.get("/v1/books/B1", headers=own).json()["state"]
    assert "OLD" not in state["pending"] and state["positions"]["beef"]["qty"] == 1


def test_an_inspection_result_before_its_declaration(
    api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    declared = client.post("/v1/declarations", headers=own, json=declaration(1))  # 2026-02-01
    officer = api.token("officer")
    path = f"/v1/declarations/{declared.json()['id']}/inspection"
    early = {"on": "2026-01-31", "channel": "scan", "result": "clear"}
    _refused(problem, client.post(path, headers=officer, json=early), "2026-02-01")
    assert client.get(path + "s", headers=officer).json() == []  # nothing recorded


def test_an_emptied_position_is_a_conflict_not_an_unknown_item(
    api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=2)
    assert client.post("/v1/declarations", headers=own, json=declaration(2)).status_code == 201
    body = problem(client.post("/v1/declarations", headers=own, json=declaration(1)), 409)
    assert body["code"] == "insufficient_balance"
    assert body["context"] == {"item": "beef", "balance": 0, "requested": 1}
    shown = client.get("/v1/books/B1", headers=ADMIN).json()["state"]["positions"]["beef"]
    assert (shown["qty"], shown["since"]) == (0, "2026-01-06")
    never = client.post(
        "/v1/declarations",
        headers=own,
        json={**declaration(1), "lines": [{"item": "caviar", "qty": 1}]},
    )
    assert problem(never, 422)["code"] == "unknown_item"
