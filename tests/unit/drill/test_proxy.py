"""The drill's TCP proxy: forwards, cuts, restores, and drops an answer after the work is done."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import suppress

import pytest

from sim.drill.proxy import TcpProxy


class _Upstream(socketserver.ThreadingTCPServer):
    """Answers every message with ``pong:`` + the message, and counts what it received."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Pong)
        self.received: list[bytes] = []


class _Pong(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: _Upstream = self.server  # type: ignore[assignment]
        while data := self.request.recv(1024):
            server.received.append(data)
            self.request.sendall(b"pong:" + data)


@pytest.fixture
def upstream() -> Iterator[_Upstream]:
    server = _Upstream()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(upstream: _Upstream) -> Iterator[TcpProxy]:
    host, port = upstream.server_address[:2]
    with TcpProxy(str(host), int(port)) as p:
        yield p


def _connect(proxy: TcpProxy) -> socket.socket:
    port = int(proxy.url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=2.0)
    return sock


def _ask(sock: socket.socket, message: bytes) -> bytes:
    sock.sendall(message)
    return sock.recv(1024)


def test_it_forwards_both_ways(proxy: TcpProxy, upstream: _Upstream) -> None:
    assert proxy.url.startswith("http://127.0.0.1:")
    with _connect(proxy) as sock:
        assert _ask(sock, b"ping") == b"pong:ping"
        assert _ask(sock, b"again") == b"pong:again"
    assert upstream.received == [b"ping", b"again"]
    assert proxy.connections == 1


def test_a_cut_closes_connections_and_refuses_new_ones_until_restored(proxy: TcpProxy) -> None:
    sock = _connect(proxy)
    assert _ask(sock, b"1") == b"pong:1"
    proxy.cut()
    assert proxy.cut_active
    with suppress(ConnectionResetError), sock:
        assert sock.recv(1024) == b""  # the open connection is closed
    with pytest.raises(ConnectionRefusedError):
        _connect(proxy)
    proxy.restore()
    assert not proxy.cut_active
    with _connect(proxy) as again:
        assert _ask(again, b"2") == b"pong:2"
    assert proxy.cuts == 1


def test_an_answer_is_dropped_after_the_work_is_done(proxy: TcpProxy, upstream: _Upstream) -> None:
    proxy.cut_after_next_answer(0.4)
    with _connect(proxy) as sock:
        sock.sendall(b"write")
        with suppress(ConnectionResetError):
            assert sock.recv(1024) == b""  # no answer: the connection closes
    assert upstream.received == [b"write"], "the request reached the platform"
    assert proxy.answers_dropped == 1
    with pytest.raises(ConnectionRefusedError):
        _connect(proxy)
    deadline = time.monotonic() + 5.0
    while proxy.cut_active and time.monotonic() < deadline:
        time.sleep(0.05)
    with _connect(proxy) as sock:
        assert _ask(sock, b"retry") == b"pong:retry"
