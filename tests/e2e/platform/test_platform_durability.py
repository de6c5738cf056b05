"""Durability: SIGKILL the server mid-stream; every declaration answered 2xx survives.

Also the 50-vs-30 race across two worker processes, where only SQLite's own write lock
(``BEGIN IMMEDIATE``), not the in-process lock, keeps the book's writers apart.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from sim.client import LocalPlatform, PlatformClient, start_platform
from tests.e2e.platform.goods_flow import declaration, ready_book


def _ready(platform: LocalPlatform, qty: int) -> dict[str, str]:
    with platform.client() as api:
        return ready_book(api, "E1", "B1", qty, value_fen=qty * 100)


def _declarations(api: PlatformClient, book: str) -> set[str]:
    stored: set[str] = set()
    after = 0
    while page := api.list_declarations(book, after=after, limit=1000):
        stored.update(d.reference for d in page)
        after = page[-1].id
    return stored


@pytest.mark.slow
def test_sigkill_loses_no_answered_declaration(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'durable.db'}"
    qty = 100_000
    answered: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    with start_platform(db_url=url) as platform:
        own = _ready(platform, qty)
        base = platform.base_url

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
        platform.kill()  # requests are in flight right now
        assert platform.process_ids() == []
        for t in threads:
            t.join(timeout=30)
        assert len(answered) >= 150

        platform.restart()  # the same database
        with platform.client() as api:
            stored = _declarations(api, "B1")
            state = api.get_book("B1").state
    missing = set(answered) - stored
    assert not missing, f"{len(missing)} answered declarations lost, e.g. {sorted(missing)[:3]}"
    # The book and the declarations were committed together: nothing half-written.
    assert state.positions["beef"].qty == qty - len(stored)


@pytest.mark.slow
def test_two_worker_processes_serialise_one_book(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    with start_platform(db_url=url, workers=2) as platform:
        own = _ready(platform, 30)
        base = platform.base_url

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
        with platform.client() as api:
            state = api.get_book("B1").state
    assert statuses.count(201) == 30
    assert all(s in (201, 409, 422) for s in statuses)
    assert "beef" not in state.positions or state.positions["beef"].qty == 0
