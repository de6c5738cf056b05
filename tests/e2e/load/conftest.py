"""Workloads for the load tests: a small scenario's hour at the strait, and a constant rate."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from sim.client import LocalPlatform, start_platform
from sim.workload import Call, WorkloadInfo, export_workload, resolve_period, write_workload
from tests.unit.workload.conftest import small_scenario

SCANNED = {"aeo": 0.3, "whitelist": 0.5, "key_attention": 0.6}
"""Random-scan floors high enough that an hour at the strait brings several scans."""


@pytest.fixture(scope="session")
def strait_hour(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, WorkloadInfo,
                                                                     list[Call]]:
    """One hour at Xinhai and South Port of the small scenario, many declarations scanned."""
    tiers = {tier: {"inspection_multiplier": 1.0, "random_floor": floor, "violation_rate": 0.01}
             for tier, floor in SCANNED.items()}
    scenario = small_scenario(policy={"tiers": tiers})
    period = resolve_period(scenario, datetime(2026, 3, 10, 9, 0), 1.0, ["xinhai", "nangang"])
    info, calls = export_workload(scenario, period)
    path = tmp_path_factory.mktemp("load") / "strait_hour.parquet"
    write_workload(path, info, calls)
    return path, info, calls


def constant_rate(path: Path, rate: float, seconds: float) -> Path:
    """A workload of ``GET /healthz`` at a constant rate (no set-up), each expecting 200."""
    n = int(rate * seconds)
    calls = [Call(i, "timed", i / rate, "health", "GET", "/healthz", "", "", "admin", "",
                  f"probe{i}", None, "", 200, '{"status":"ok"}') for i in range(n)]
    info = WorkloadInfo(scenario="constant_rate", seed=0, replication=0,
                        start="2026-03-10T09:00:00+08:00", hours=seconds / 3600.0, ports=(),
                        rules={})
    write_workload(path, info, calls)
    return path


@pytest.fixture
def platform() -> Iterator[LocalPlatform]:
    """A fresh reference platform (default rules)."""
    with start_platform() as running:
        yield running


def env_for(platform: LocalPlatform) -> dict[str, str]:
    """The environment of a command driving ``platform`` through --target."""
    return {**os.environ, "REFPLATFORM_ADMIN_TOKEN": platform.admin_token}
