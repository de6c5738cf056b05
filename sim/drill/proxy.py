"""A small TCP proxy on loopback whose network can be cut: the drill's stand-in for a network.

A fault drill puts :class:`TcpProxy` between the client and the platform (the client talks to
``proxy.url``), then cuts the network when it wants to:

- :meth:`TcpProxy.cut` closes every open connection and stops listening, so new connections
  are refused; :meth:`TcpProxy.restore` listens again on the same port;
- :meth:`TcpProxy.cut_after_next_answer` lets the next request through to the platform, drops
  its answer on the way back (the platform has done the work, the client never hears of it),
  cuts, and restores after a while: the case an idempotency key exists for.

Each connection is two sockets pumped by one thread; everything stops with :meth:`close` (or
the ``with`` block), and the proxy only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import select
import socket
import threading
from contextlib import suppress
from types import TracebackType
from typing import Self

__all__ = ["TcpProxy"]

_LOOPBACK = "127.0.0.1"
_POLL_S = 0.1
_CHUNK = 65_536


class _Pair:
    """A client connection and its upstream connection."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client, self.upstream = client, upstream
        self.closed = threading.Event()

    def close(self) -> None:
        self.closed.set()
        for sock in (self.client, self.upstream):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                sock.close()


class TcpProxy:
    """Forwards TCP connections from a loopback port to ``upstream_host:upstream_port``.

    Args:
        upstream_host: where the platform listens.
        upstream_port: its port.
        port: the proxy's port on 127.0.0.1 (default: a free one).

    Attributes:
        connections: connections accepted so far.
        answers_dropped: answers dropped by :meth:`cut_after_next_answer`.
        cuts: times the network was cut.
    """

    def __init__(self, upstream_host: str, upstream_port: int, port: int = 0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._port = port
        self._lock = threading.Lock()
        self._pairs: set[_Pair] = set()
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._drop_armed = False
        self._restore_after: float | None = None
        self._timer: threading.Timer | None = None
        self._acceptor: threading.Thread | None = None
        self.connections = 0
        self.answers_dropped = 0
        self.cuts = 0

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` of the proxy."""
        return f"http://{_LOOPBACK}:{self._port}"

    @property
    def cut_active(self) -> bool:
        """Whether the network is cut now, or armed to be cut at the next answer."""
        with self._lock:
            return self._listener is None or self._drop_armed

    def start(self) -> Self:
        """Listen and start accepting connections."""
        self._listen()
        self._acceptor = threading.Thread(target=self._accept_loop, name="drill-proxy-accept",
                                          daemon=True)
        self._acceptor.start()
        return self

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((_LOOPBACK, self._port))
        listener.listen(64)
        listener.settimeout(_POLL_S)
        self._port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                listener = self._listener
            if listener is None:
                self._stop.wait(_POLL_S)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue  # a poll, or the listener closed by a cut
            try:
                upstream = socket.create_connection(self.upstream, timeout=5.0)
            except OSError:
                with suppress(OSError):
                    client.close()
                continue
            pair = _Pair(client, upstream)
            with self._lock:
                self._pairs.add(pair)
                self.connections += 1
            thread = threading.Thread(target=self._pump, args=(pair,), name="drill-proxy-pump",
                                      daemon=True)
            self._threads.append(thread)
            thread.start()

    def _pump(self, pair: _Pair) -> None:
        socks = [pair.client, pair.upstream]
        try:
            while not self._stop.is_set() and not pair.closed.is_set():
                readable, _, _ = select.select(socks, [], [], _POLL_S)
                for sock in readable:
                    data = sock.recv(_CHUNK)
                    if not data:
                        return
                    if sock is pair.upstream and self._take_drop():
                        self.cut()  # this connection too, before the client can reconnect
                        self._schedule_restore()
                        return
                    (pair.upstream if sock is pair.client else pair.client).sendall(data)
        except OSError:
            return
        finally:
            pair.close()
            with self._lock:
                self._pairs.discard(pair)

    def _take_drop(self) -> bool:
        with self._lock:
            if not self._drop_armed:
                return False
            self._drop_armed = False
            self.answers_dropped += 1
            return True

    def _schedule_restore(self) -> None:
        with self._lock:
            delay = self._restore_after
        if delay is not None:
            self._timer = threading.Timer(delay, self.restore)
            self._timer.daemon = True
            self._timer.start()

    def cut(self) -> None:
        """Close every connection and stop listening: new connections are refused."""
        self._disconnect(counted=True)

    def _disconnect(self, *, counted: bool) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            pairs = list(self._pairs)
            self.cuts += counted
        if listener is not None:
            with suppress(OSError):  # stops listening at once, also under a blocked accept()
                listener.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                listener.close()
        for pair in pairs:
            pair.close()

    def restore(self) -> None:
        """Listen again on the same port."""
        with self._lock:
            listening = self._listener is not None
        if not listening and not self._stop.is_set():
            self._listen()

    def cut_after_next_answer(self, restore_after_s: float) -> None:
        """Drop the next answer from the platform, cut, and restore ``restore_after_s`` later."""
        with self._lock:
            self._drop_armed = True
            self._restore_after = restore_after_s

    def close(self) -> None:
        """Stop everything: the listener, every connection, every thread."""
        self._stop.set()
        if self._timer is not None:
            self._timer.cancel()
        self._disconnect(counted=False)
        for thread in [*self._threads, *([self._acceptor] if self._acceptor else [])]:
            thread.join(timeout=2.0)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
