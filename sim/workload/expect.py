"""Checking an answer against a call's expectation.

A call expects a status and a set of answer fields (``expected``: dotted paths into the JSON
answer and their values, e.g. ``{"channel": "scan", "duties": {...}, "inspection.result":
"clear"}``; a refusal expects ``{"code": "insufficient_balance"}``). :func:`compare` lists every
difference in words; an empty list is a match. Values compare exactly: the platform and the
model compute money in integer fen and scores from the same weights, so there is nothing to
round. Fields the expectation does not name are not checked (an answer may say more).

:func:`compare_fields` is the same check for an expectation held apart from a workload call
(a drill's). :func:`resolve_path` fills a path's ``{depends_on.id}`` from the answer of the call
it depends on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.workload.calls import Call

__all__ = ["DEPENDS_ON_ID", "compare", "compare_fields", "resolve_path"]

DEPENDS_ON_ID = "{depends_on.id}"
"""The placeholder a path uses for the id the depended-on call's answer carries."""

_MISSING = object()


def _at(answer: Any, dotted: str) -> Any:
    node = answer
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _show(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def compare(call: Call, status: int, answer: Any) -> list[str]:
    """The differences between an answer and what ``call`` expects (empty: it matches).

    Args:
        call: the call sent.
        status: the HTTP status answered.
        answer: the answer's body, parsed (a problem+json object for an error).
    """
    return compare_fields(call.expected_status, call.expected_json(), status, answer)


def compare_fields(
    expected_status: int, expected: Mapping[str, Any], status: int, answer: Any
) -> list[str]:
    """The differences between an answer and an expected status and answer fields.

    Args:
        expected_status: the status the answer must have.
        expected: dotted answer path -> the value it must hold.
        status: the HTTP status answered.
        answer: the answer's body, parsed.
    """
    differences: list[str] = []
    if status != expected_status:
        differences.append(f"status: expected {expected_status}, got {status}")
    for dotted, want in expected.items():
        got = _at(answer, dotted)
        if got is _MISSING:
            differences.append(f"{dotted}: expected {_show(want)}, missing from the answer")
        elif got != want or isinstance(got, bool) != isinstance(want, bool):
            differences.append(f"{dotted}: expected {_show(want)}, got {_show(got)}")
    return differences


def resolve_path(call: Call, answers: Mapping[int, Any]) -> str | None:
    """The path to send: ``{depends_on.id}`` replaced by the id of the depended-on answer.

    Returns:
        The path, or None when it needs an answer that is not there (the call it depends on
        failed or returned no id).
    """
    if DEPENDS_ON_ID not in call.path:
        return call.path
    if call.depends_on is None:
        return None
    answer = answers.get(call.depends_on)
    identifier = answer.get("id") if isinstance(answer, Mapping) else None
    if identifier is None:
        return None
    return call.path.replace(DEPENDS_ON_ID, str(identifier))
