"""Fault drills: which faults can be asked for, and where in the drill they are injected."""

from __future__ import annotations

import pytest

from sim.client import PlatformClient
from sim.drill import DrillPlan, FaultError, check_faults
from sim.drill.faults import FaultInjector


@pytest.mark.parametrize(
    ("faults", "own", "message"),
    [
        (["explode"], True,
         "--faults: unknown fault 'explode' (one of kill, db_lock, network_cut)"),
        (["kill", "kill"], True, "--faults: kill is given twice"),
        (["db_lock"], False, "--faults: db_lock needs the reference platform the drill starts "
                             "itself (leave out --target)"),
    ],
)
def test_faults_that_cannot_be_injected_are_one_line(
    faults: list[str], own: bool, message: str
) -> None:
    with pytest.raises(FaultError) as info:
        check_faults(faults, own_platform=own)
    assert str(info.value) == message


def test_a_network_cut_needs_no_platform_of_our_own() -> None:
    assert check_faults(["network_cut"], own_platform=False) == ("network_cut",)
    assert check_faults(["kill", "db_lock", "network_cut"], own_platform=True) == (
        "kill", "db_lock", "network_cut")


def test_faults_are_spread_over_process_steps_that_write(plan: DrillPlan) -> None:
    steps = list(plan.steps())
    with PlatformClient("http://127.0.0.1:9", admin_token="x" * 32) as client:
        injector = FaultInjector(["kill", "db_lock", "network_cut"], steps, client)
    positions = injector.positions
    assert [injector.schedule[p] for p in positions] == ["kill", "db_lock", "network_cut"]
    for p in positions:
        assert steps[p].phase == "step" and steps[p].writes
    quarter = len(steps) // 4
    assert positions[0] >= quarter and positions[1] >= 2 * quarter and positions[2] >= 3 * quarter


def test_more_faults_than_writes_are_refused(plan: DrillPlan) -> None:
    reads = [s for s in plan.steps() if not s.writes][:5]
    with PlatformClient("http://127.0.0.1:9", admin_token="x" * 32) as client, \
            pytest.raises(FaultError, match="1 faults need as many process steps that write; "
                                            "the drill has 0"):
        FaultInjector(["kill"], reads, client)
