"""Bounded resources (OWASP API4): large bodies are refused before they are read, collections
in a body have maximum sizes, and every list is read a page at a time (issue 13)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.platform.goods_flow import declaration, ready_book
from tests.e2e.platform.platform_support import ADMIN, ThreadServer

HUNDRED_MB = 100 * 1024 * 1024


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the limits are checked before the database is asked anything."""
    return f"sqlite:///{tmp_path / 'platform.db'}"


def _head_only(port: int, headers: str) -> bytes:
    """Send a request's head announcing a body, never the body; return what comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(headers.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_a_huge_body_is_refused_before_it_is_read(app: Any) -> None:
    with ThreadServer(app) as server:
        for auth in ("Bearer not-a-token", f"Bearer {ADMIN['Authorization'][7:]}"):
            head = (
                "POST /v1/entities HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: {auth}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {HUNDRED_MB}\r\n\r\n"
            )
            # The answer comes although not one byte of the 100 MB was sent.
            answer = _head_only(server.port, head)
            assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
            assert b"payload_too_large" in answer or b"content-length" in answer.lower()


def test_a_chunked_body_is_cut_off_at_the_limit(app: Any) -> None:
    limit = app.state.settings.max_body_bytes
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"name": "'
        for _ in range(4 * limit // 65536):
            sent += 65536
            yield b"x" * 65536
        yield b'"}'

    with ThreadServer(app) as server, httpx.Client(base_url=server.base_url, timeout=30) as http:
        try:
            r = http.post("/v1/entities", headers={**ADMIN, "Content-Type": "application/json"},
                          content=chunks())
        except httpx.HTTPError:  # the server may close before the client has sent it all
            return
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/declarations", {**declaration(1), "lines": [{"item": "beef", "qty": 1}] * 201},
         "body.lines"),
        ("/v1/declarations", {**declaration(1), "risk_indicators": ["x"] * 51},
         "body.risk_indicators"),
        ("/v1/books/B1/processing",
         {"order_id": "P", "inputs": {f"i{n}": 1 for n in range(101)},
          "outputs": {"o": {"code": "1602.50", "qty": 1}}, "batches": 1, "on": "2026-02-01"},
         "body.inputs"),
        ("/v1/books/B1/consolidated-declarations",
         {"year": 2026, "month": 1, "on": "2026-02-01",
          "shipment_ids": [f"S{n}" for n in range(10_001)]},
         "body.shipment_ids"),
    ],
)
def test_collections_in_a_body_have_maximum_sizes(
    path: str, body: dict[str, Any], field: str, api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    assert problem(client.post(path, headers=own, json=body), 422)["field"] == field


def test_every_list_is_paged(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    lists = 0
    for path, methods in spec["paths"].items():
        get = methods.get("get")
        if get is None:
            continue
        answer = get["responses"]["200"]["content"]["application/json"]["schema"]
        name = answer.get("$ref", "").split("/")[-1]
        props = spec["components"]["schemas"].get(name, {}).get("properties", {})
        if answer.get("type") == "array" or "next" in props:
            lists += 1
            query = {p["name"]: p for p in get.get("parameters", []) if p["in"] == "query"}
            assert query["limit"]["schema"]["maximum"] == 1000, path
            assert "after" in query, path
    assert lists == 6  # declarations, transfers, inspections, tier members, feed, audit
