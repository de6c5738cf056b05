"""Plans and retries, walked by hand: which failures are retried, how long between tries."""

from __future__ import annotations

import httpx
import pytest

from sim.client.errors import PlatformUnreachable
from sim.client.plan import Course, Pause, Send, exchange
from sim.client.retry import ClientStats, RetryPolicy

GET = Send("GET", "/v1/books/B1", {}, url="http://p/v1/books/B1")
KEYED = Send("POST", "/v1/declarations", {"Idempotency-Key": "k1"}, b"{}", url="http://p/x")
BARE = Send("POST", "/v1/declarations", {}, b"{}", url="http://p/v1/declarations")
REQUEST = httpx.Request("GET", "http://p/")


def _answer(
    status: int, body: bytes = b"{}", headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(status, content=body, headers=headers)


Reply = httpx.Response | httpx.TransportError


def _walk(
    send: Send, replies: list[Reply], policy: RetryPolicy
) -> tuple[tuple[httpx.Response, int], list[float], ClientStats]:
    """Run ``exchange`` feeding ``replies`` to its sends; the result, the pauses, the counts."""
    stats = ClientStats()
    course = Course(exchange(send, policy, stats))
    pauses: list[float] = []
    feed = iter(replies)
    reply: Reply | None = None
    while (step := course.advance(reply)) is not None:
        if isinstance(step, Pause):
            pauses.append(step.seconds)
            reply = None
        else:
            assert step is send
            reply = next(feed)
    return course.result, pauses, stats


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(max_retries=5, backoff_s=0.1, max_backoff_s=0.5)
    assert [policy.delay(n) for n in range(1, 6)] == [0.1, 0.2, 0.4, 0.5, 0.5]
    assert policy.delay(1, retry_after_s=3.0) == 0.5  # the platform's wish, within the cap
    assert policy.delay(1, retry_after_s=0.25) == 0.25


def test_without_a_policy_nothing_is_retried() -> None:
    refused = httpx.ConnectError("refused", request=REQUEST)
    with pytest.raises(PlatformUnreachable) as exc:
        _walk(GET, [refused], RetryPolicy())
    assert exc.value.url == "http://p/v1/books/B1" and "ConnectError" in str(exc.value)
    (answer, retries), _, stats = _walk(GET, [_answer(503)], RetryPolicy())
    assert answer.status_code == 503 and retries == 0 and stats.requests == 1


def test_transient_failures_are_retried_and_counted() -> None:
    policy = RetryPolicy(max_retries=4, backoff_s=0.01, max_backoff_s=1.0)
    replies: list[Reply] = [
        httpx.ConnectError("refused", request=REQUEST),
        _answer(503, headers={"Retry-After": "0.5"}),
        _answer(409, b'{"code": "idempotency_in_progress"}'),
        httpx.ReadTimeout("slow", request=REQUEST),
        _answer(201),
    ]
    (answer, retries), pauses, stats = _walk(KEYED, replies, policy)
    assert answer.status_code == 201 and retries == 4
    assert pauses == [0.01, 0.5, 0.04, 0.08]
    assert stats.requests == 5 and stats.retries == 4
    assert stats.retry_causes == {
        "connect": 1,
        "status_503": 1,
        "idempotency_in_progress": 1,
        "timeout": 1,
    }


def test_a_write_without_a_key_is_retried_only_when_it_never_left() -> None:
    policy = RetryPolicy(max_retries=3, backoff_s=0)
    (answer, retries), _, _ = _walk(
        BARE, [httpx.ConnectError("refused", request=REQUEST), _answer(201)], policy
    )
    assert answer.status_code == 201 and retries == 1
    with pytest.raises(PlatformUnreachable) as exc:
        _walk(BARE, [httpx.ReadTimeout("slow", request=REQUEST)], policy)
    assert exc.value.timed_out is True
    (answer, retries), _, _ = _walk(BARE, [_answer(503)], policy)
    assert answer.status_code == 503 and retries == 0


def test_other_conflicts_and_errors_are_final() -> None:
    policy = RetryPolicy(max_retries=3)
    reply: Reply
    for reply in (_answer(409, b'{"code": "insufficient_balance"}'), _answer(500), _answer(422)):
        (answer, retries), pauses, _ = _walk(KEYED, [reply], policy)
        assert answer is reply and retries == 0 and pauses == []


def test_retries_stop_at_the_limit_with_the_last_answer() -> None:
    policy = RetryPolicy(max_retries=2, backoff_s=0)
    (answer, retries), _, stats = _walk(GET, [_answer(503)] * 3, policy)
    assert answer.status_code == 503 and retries == 2 and stats.requests == 3
    with pytest.raises(PlatformUnreachable):
        _walk(GET, [httpx.ConnectError("refused", request=REQUEST)] * 3, policy)


def test_repeat_safety() -> None:
    assert GET.repeat_safe and KEYED.repeat_safe and not BARE.repeat_safe
    assert Send("POST", "/", {"idempotency-key": "x"}).repeat_safe


def test_a_course_has_no_result_before_its_end() -> None:
    course = Course(exchange(GET, RetryPolicy(), ClientStats()))
    with pytest.raises(RuntimeError):
        _ = course.result
