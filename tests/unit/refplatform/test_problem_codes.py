"""Every error code the platform can answer is in the contract's closed set.

A client (a drill, the replay) tells errors apart by ``code``; the contract promises that it is
one of :class:`sim.api.problems.ProblemCode` or a rule's :class:`sim.rules.refusals.Reason`.
This reads the platform's source (not executing it) and checks every code it writes: the code
argument of each error builder, and each value assigned to a variable named ``code``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sim.api.problems import ProblemCode
from sim.rules.refusals import Reason

ROOT = Path(__file__).resolve().parents[3] / "refplatform"
_BUILDERS = {"Problem", "problem_response", "_problem"}  # (status, code, ...)


def _values(expr: ast.expr) -> set[str]:
    """The string literals ``expr`` can evaluate to (literals, ``a if c else b``,
    ``{...}.get(key, default)``)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _values(expr.body) | _values(expr.orelse)
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and isinstance(expr.func.value, ast.Dict)
    ):
        found = set().union(*(_values(v) for v in expr.func.value.values))
        return found | set().union(*(_values(a) for a in expr.args[1:]))
    return set()


def _codes_written() -> dict[str, str]:
    """code -> where, for every code the platform's source can put in an error body."""
    found: dict[str, str] = {}
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(ROOT.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and len(node.args) >= 2:
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in _BUILDERS:
                    found.update((code, where) for code in _values(node.args[1]))
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "code" for t in node.targets
            ):
                found.update((code, where) for code in _values(node.value))
    return found


def test_every_code_is_a_problem_code_or_a_reason() -> None:
    known = {c.value for c in ProblemCode} | {r.value for r in Reason}
    written = _codes_written()
    assert len(written) >= 20  # the scan finds the platform's codes at all
    unknown = {code: where for code, where in written.items() if code not in known}
    assert unknown == {}


def test_every_problem_code_is_answered_somewhere() -> None:
    """No code is promised that the platform never answers, but one: the reference platform
    makes a repeat wait for the first request with its key (``idempotency_in_progress`` is the
    contract's word for platforms that answer instead; the client retries it)."""
    unanswered = {c.value for c in ProblemCode} - set(_codes_written())
    assert unanswered == {ProblemCode.IDEMPOTENCY_IN_PROGRESS.value}
