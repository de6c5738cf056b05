"""Running a scenario with the declarants it names: the population feeds the port model."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment import declarant_source, run_scenario
from sim.model.routing import SharesTierSource
from sim.population import PoolTierSource
from sim.results import canonical_json, compute_kpis
from sim.scenario import Scenario

SMALL = {"enterprises": {"count": 3_000}, "individuals": {"count": 20_000}}


def _scenario(declarants: str) -> Scenario:
    base = Scenario().model_dump(by_alias=True)
    base["horizon_hours"] = 6.0
    base["policy"]["declarants"] = declarants
    for part, value in SMALL.items():
        base["population"][part]["count"] = value["count"]
    return Scenario.model_validate(base)


def test_population_declarants_by_default() -> None:
    assert Scenario().policy.declarants == "population"
    source = declarant_source(_scenario("population"))
    assert isinstance(source, PoolTierSource)
    assert isinstance(declarant_source(_scenario("shares")), SharesTierSource)


def test_travellers_and_traders_come_from_the_population() -> None:
    scenario = _scenario("population")
    recs = run_scenario(scenario).records
    travellers = recs["flow"] == "duty_free_traveller"
    trucks = recs["flow"] == "cargo_truck"
    assert travellers.any() and trucks.any()
    assert set(recs["tier"][travellers].tolist()) <= {"whitelist", "key_attention"}
    assert "" not in set(recs["tier"][trucks].tolist())
    # A caught breach is a breach: detection never invents violations.
    assert not np.any(recs["detected"][travellers] & ~recs["violation"][travellers])


def test_shares_leave_travellers_untiered() -> None:
    recs = run_scenario(_scenario("shares")).records
    travellers = recs["flow"] == "duty_free_traveller"
    assert set(recs["tier"][travellers].tolist()) == {""}
    assert not recs["violation"][travellers].any()


def test_same_scenario_same_bytes_and_same_traffic_across_declarant_sources() -> None:
    pop = _scenario("population")
    first = canonical_json(compute_kpis(run_scenario(pop)))
    assert first == canonical_json(compute_kpis(run_scenario(pop)))
    # Common random numbers: who declares changes, when the trucks arrive does not.
    a = run_scenario(pop).records
    b = run_scenario(_scenario("shares")).records
    assert np.array_equal(a["arrival"], b["arrival"])


@pytest.mark.parametrize("replication", [1, 2])
def test_replications_vary_the_traffic(replication: int) -> None:
    scenario = _scenario("population")
    source = declarant_source(scenario)
    base = run_scenario(scenario, declarants=source).records
    other = run_scenario(scenario, replication=replication, declarants=source).records
    assert not np.array_equal(base["arrival"], other["arrival"])
