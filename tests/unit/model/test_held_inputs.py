"""What a run holds before it starts: every journey's inputs compact, none as Python objects.

The model draws a whole horizon's inputs up front (arrivals, declarants, routes, service
times, identities), so a year of the baseline holds about seven million journeys' worth
through the run. They stay arrays (a byte for a tier or a route, eight for a time, four for a
traveller's identity, a row into the population's) until the run reaches their page; these
bounds would fail if a column went back to a list (eight bytes a value before the objects) or
an identity to a string of its own.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from sim.results.records import RecordGroup
from sim.scenario import load_scenario
from sim.world import run_scenario

ROOT = Path(__file__).resolve().parents[3]
simulate_module = importlib.import_module("sim.model.simulate")  # the module, not the function

# bytes held per journey before the run (NumPy and Arrow buffers; a shared dictionary not
# counted): arrival 8, tier 1, route 0-1, flags 2, and by flow:
_BOUND = {
    "vehicle": 18,  # release 8 (the arrival, or NaN while staged), staged 1
    "duty_free_traveller": 32,  # the check 8, identity 4, purchases and quota used 2 x 4
    "cargo_truck": 150,  # four service times 32, routes and class 3, six identity columns
}


@pytest.fixture(scope="module")
def groups() -> list[RecordGroup]:
    held: list[RecordGroup] = []
    scenario = load_scenario(ROOT / "scenarios/baseline.yaml", ["horizon_hours=30"])
    original = simulate_module._run
    simulate_module._run = lambda env, horizon, progress, g, stream: held.extend(g)
    try:
        run_scenario(scenario)
    finally:
        simulate_module._run = original
    return held


def test_no_journey_is_a_python_object_before_the_run(groups: list[RecordGroup]) -> None:
    assert {g.flow for g in groups} == set(_BOUND)
    for group in groups:
        assert all(column.held() == 0 for column in group.columns()), (group.port, group.flow)


def test_inputs_are_held_in_a_few_bytes_a_journey(groups: list[RecordGroup]) -> None:
    for group in groups:
        held = sum(c.compact_bytes() for c in group.columns())  # type: ignore[attr-defined]
        held += sum(a.nbytes for a in group.amounts.values())
        assert held <= _BOUND[group.flow] * len(group), (group.port, group.flow,
                                                         held / len(group))  # fmt: skip
