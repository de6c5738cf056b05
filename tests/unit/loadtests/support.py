"""Synthetic workload calls for the load-test unit tests."""

from __future__ import annotations

import json
from typing import Any

from sim.workload import Call


def call(
    seq: int,
    t: float = 0.0,
    *,
    partition: str = "P",
    operation: str = "tier_query",
    phase: str = "timed",
    depends_on: int | None = None,
    path: str = "/v1/x",
    method: str = "GET",
    expected_status: int = 200,
    expected: dict[str, Any] | None = None,
) -> Call:
    """One call; a GET as an officer unless told otherwise."""
    return Call(seq, phase, t, operation, method, path, "", "", "officer", "", partition,
                depends_on, "", expected_status, json.dumps(expected or {}))
