"""Sending over FastHttpUser's client, one request and one whole answer (loadtests.connection).

A real HTTP server on loopback (gevent's WSGI server, in this process, without
monkey-patching) answers; what it saw of each request is compared with what was sent.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from gevent.pywsgi import WSGIServer
from geventhttpclient import HTTPClient

from loadtests.connection import Connection


class _Seen:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.requests.append({
            "method": environ["REQUEST_METHOD"],
            # WSGI's PATH_INFO: percent-decoded bytes read as latin-1
            "path": environ["PATH_INFO"].encode("latin-1").decode("utf-8"),
            "authorization": environ.get("HTTP_AUTHORIZATION"),
            "body": environ["wsgi.input"].read(length).decode() if length else "",
            "peer": environ["REMOTE_PORT"],
        })
        status = "404 Not Found" if environ["PATH_INFO"].endswith("/missing") else "200 OK"
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps({"path": environ["PATH_INFO"]}).encode()]


@pytest.fixture()
def server() -> Iterator[tuple[str, _Seen]]:
    seen = _Seen()
    wsgi = WSGIServer(("127.0.0.1", 0), seen, log=None, error_log=None)
    wsgi.start()
    try:
        yield f"http://127.0.0.1:{wsgi.server_port}", seen
    finally:
        wsgi.stop(timeout=1)


def _connection(base_url: str) -> Connection:
    return Connection(HTTPClient.from_url(base_url, concurrency=2, network_timeout=5.0,
                                          connection_timeout=5.0), base_url)


def test_requests_and_answers_arrive_whole_on_kept_alive_connections(
        server: tuple[str, _Seen]) -> None:
    base, seen = server
    connection = _connection(base + "/api/")
    answers = [
        connection.send("POST", "/v1/declarations", '{"a": 1}',
                        {"Authorization": "Bearer T", "Content-Type": "application/json"}),
        connection.send("GET", "/v1/missing", None, {"Accept": "application/json"}),
        connection.send("GET", "/v1/entities/海口-1", None, {}),
    ]
    assert [a.status for a in answers] == [200, 404, 200]
    assert json.loads(answers[0].content) == {"path": "/api/v1/declarations"}
    assert answers[0].error is None
    assert seen.requests[0]["method"] == "POST" and seen.requests[0]["body"] == '{"a": 1}'
    assert seen.requests[0]["authorization"] == "Bearer T"
    assert seen.requests[1]["authorization"] is None
    # sent percent-encoded (raw, it could not even be written: a request head is latin-1)
    assert seen.requests[2]["path"] == "/api/v1/entities/海口-1"
    assert len({r["peer"] for r in seen.requests}) == 1, "one kept-alive connection"


def test_a_target_that_refuses_gives_no_answer_and_the_reason() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    answer = _connection(f"http://127.0.0.1:{port}").send("GET", "/v1/x", None, {})
    assert answer.status == 0 and answer.content == b""
    assert answer.error is not None and "Refused" in answer.error
