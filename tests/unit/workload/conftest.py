"""A small scenario and its exported workload, shared by the workload tests."""

from __future__ import annotations

from datetime import datetime

import pytest

from sim.scenario import Scenario
from sim.workload import Call, WorkloadInfo, export_workload, resolve_period

SMALL = {
    "horizon_hours": 30,
    "population": {"enterprises": {"count": 6_000}, "individuals": {"count": 60_000}},
    "goods": {"enterprises": 800, "batch_exit_adoption": 0.5},
}


def small_scenario(**changes: object) -> Scenario:
    """The baseline with a small population and goods flow, 30 hours long."""
    return Scenario.model_validate({**SMALL, **changes})


@pytest.fixture(scope="session")
def small() -> Scenario:
    return small_scenario()


@pytest.fixture(scope="session")
def exported(small: Scenario) -> tuple[WorkloadInfo, list[Call]]:
    """Four hours from 08:00 on the first day, all ports."""
    period = resolve_period(small, datetime(2026, 3, 10, 8, 0), 4.0)
    return export_workload(small, period)
