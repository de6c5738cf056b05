"""Durability: SIGKILL the server mid-stream; every declaration answered 2xx survives.

Also the 50-vs-30 race across two worker processes, where only SQLite's own write lock
(``BEGIN IMMEDIATE``), not the in-process lock, keeps the book's writers apart.
"""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.platform.goods_flow import BEEF, declaration
from tests.e2e.platform.platform_support import ADMIN, served, uscc


def _setup(http: httpx.Client, qty: int) -> dict[str, str]:
    def ok(r: httpx.Response) -> httpx.Response:
        assert r.status_code == 201, r.text
        return r

    ok(
        http.post(
            "/v1/entities",
            headers=ADMIN,
            json={"id": "E1", "kind": "enterprise", "code": uscc(1), "registered_in_hainan": True},
        )
    )
    token = ok(
        http.post("/v1/tokens", headers=ADMIN, json={"role": "enterprise", "entity": "E1"})
    ).json()["token"]
    own = {"Authorization": f"Bearer {token}"}
    ok(http.post("/v1/qualifications", headers=own, json={"entity": "E1", "on": "2026-01-05"}))
    ok(http.post("/v1/books", headers=own, json={"id": "B1", "entity": "E1", "on": "2026-01-05"}))
    ok(
        http.post(
            "/v1/books/B1/entries",
            headers=own,
            json={
                "entry_id": "IN1",
                "item": "beef",
                "code": BEEF,
                "qty": qty,
                "value_fen": qty * 100,
                "released": "2026-01-06",
            },
        )
    )
    ok(http.post("/v1/books/B1/entries/IN1/booking", headers=own, json={"on": "2026-01-07"}))
    return own


@pytest.mark.slow
def test_sigkill_loses_no_answered_declaration(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'durable.db'}"
    qty = 100_000
    answered: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    with served(url) as (proc, base):
        with httpx.Client(base_url=base, timeout=10) as http:
            own = _setup(http, qty)

        def _stream(worker: int) -> None:
            with httpx.Client(base_url=base, timeout=10) as http:
                for i in range(100_000):
                    ref = f"W{worker}-{i}"
                    try:
                        r = http.post(
                            "/v1/declarations",
                            headers=own,
                            json=declaration(1, reference=ref),
                        )
                    except httpx.HTTPError:
                        return  # the server is gone
                    if r.status_code == 201:
                        with lock:
                            answered.append(ref)
                            if len(answered) >= 150:
                                enough.set()

        threads = [threading.Thread(target=_stream, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        assert enough.wait(60), "the stream did not get going"
        proc.send_signal(signal.SIGKILL)  # requests are in flight right now
        proc.wait(timeout=30)
        for t in threads:
            t.join(timeout=30)
    assert len(answered) >= 150

    with served(url) as (_proc, base), httpx.Client(base_url=base, timeout=10) as http:
        stored: set[str] = set()
        after = 0
        while True:
            page: list[dict[str, Any]] = http.get(
                "/v1/declarations",
                headers=ADMIN,
                params={"book": "B1", "after": after, "limit": 1000},
            ).json()
            if not page:
                break
            stored.update(d["reference"] for d in page)
            after = page[-1]["id"]
        state = http.get("/v1/books/B1", headers=ADMIN).json()["state"]
    missing = set(answered) - stored
    assert not missing, f"{len(missing)} answered declarations lost, e.g. {sorted(missing)[:3]}"
    # The book and the declarations were committed together: nothing half-written.
    assert state["positions"]["beef"]["qty"] == qty - len(stored)


@pytest.mark.slow
def test_two_worker_processes_serialise_one_book(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    with served(url, workers=2) as (_proc, base):
        with httpx.Client(base_url=base, timeout=30) as http:
            own = _setup(http, 30)

        def _one(i: int) -> int:
            # A client per call: new connections spread over both workers.
            with httpx.Client(base_url=base, timeout=30) as http:
                r = http.post(
                    "/v1/declarations",
                    headers=own,
                    json=declaration(1, reference=f"R{i}"),
                )
                return r.status_code

        with ThreadPoolExecutor(25) as pool:
            statuses = list(pool.map(_one, range(50)))
        with httpx.Client(base_url=base, timeout=30) as http:
            state = http.get("/v1/books/B1", headers=ADMIN).json()["state"]
    assert statuses.count(201) == 30
    assert all(s in (201, 409, 422) for s in statuses)
    assert "beef" not in state["positions"] or state["positions"]["beef"]["qty"] == 0
