"""Sending a timed call over FastHttpUser's connections, and telling Locust about it.

``FastHttpUser.client`` (Locust's session over geventhttpclient's ``UserAgent``) does per request
what a replay does not want: the URL parsed again, a cookie jar consulted twice, an
``Accept-Encoding`` header added, redirects followed and a failed request retried (a retry
hides a failure from the measurement), and ``catch_response``'s bookkeeping: together about a
third of the generator's time per request, measured against a static responder.

The replay sends instead through the layer below, geventhttpclient's ``HTTPClient``: the very
client FastHttpUser's session keeps for the target (:func:`client_of`), so the same pool of
keep-alive connections, the same connect and network timeouts and the same TLS settings. Each
call is one request and one answer, as sent and as answered (:class:`Answer`); what cannot be
sent or answered is an answer with status 0 and the reason. Locust still sees every call:
the replay user fires its ``request`` event once per call (:mod:`loadtests.replay_user`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from geventhttpclient import HTTPClient
from geventhttpclient.response import HTTPParseError
from geventhttpclient.url import URL, requote_uri

from loadtests.dispatch import Answer

if TYPE_CHECKING:  # importing Locust monkey-patches the process: only its user does
    from locust.contrib.fasthttp import FastHttpSession

__all__ = ["Connection", "client_of"]

# The failures of a request that mean "no answer" (refused, reset, timed out, not HTTP), as
# opposed to a defect of the replay, which the runner logs.
_NO_ANSWER = (OSError, HTTPParseError, ValueError)


def client_of(session: FastHttpSession) -> HTTPClient:
    """The geventhttpclient client ``session`` (a FastHttpUser's) keeps for its target."""
    if not session.base_url:
        raise ValueError("the user has no host to send to")
    client: HTTPClient = session.client.clientpool.get_client(URL(session.base_url))
    return client


class Connection:
    """Sends requests with ``client``, paths under the target URL's own path (if any).

    Args:
        client: the geventhttpclient client (:func:`client_of`).
        base_url: the target's URL, e.g. ``http://127.0.0.1:8000`` or ``https://host/api``.
    """

    def __init__(self, client: HTTPClient, base_url: str) -> None:
        self._client = client
        self._prefix = urlsplit(base_url).path.rstrip("/")

    def send(self, method: str, path: str, body: str | None, headers: dict[str, str]) -> Answer:
        """Send one request and read the whole answer."""
        try:
            with self._client.request(method, self._prefix + requote_uri(path), body,
                                      headers) as response:
                return Answer(response.status_code, response.read())
        except _NO_ANSWER as exc:
            return Answer(0, b"", f"{type(exc).__name__}: {exc}")
