"""Running a scenario with the declarants it names: the population feeds the port model."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sim.model.routing import SharesTierSource
from sim.population import TIERS, PoolTierSource
from sim.results import canonical_json, compute_kpis
from sim.scenario import Scenario
from sim.world import build_world, run_scenario

SMALL = {"enterprises": {"count": 3_000}, "individuals": {"count": 20_000}}


def _scenario(declarants: str, **goods: object) -> Scenario:
    base = Scenario().model_dump(by_alias=True)
    base["horizon_hours"] = 6.0
    base["policy"]["declarants"] = declarants
    base["goods"].update(goods)
    for part, value in SMALL.items():
        base["population"][part]["count"] = value["count"]
    return Scenario.model_validate(base)


def test_population_declarants_by_default() -> None:
    assert Scenario().policy.declarants == "population"
    world = build_world(_scenario("population"))
    assert isinstance(world.declarants, PoolTierSource)
    assert world.goods_enterprises
    shares = build_world(_scenario("shares"))
    assert isinstance(shares.declarants, SharesTierSource)
    assert shares.goods_enterprises is None


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
    # Common random numbers: with Poisson trucks, who declares changes, when they arrive does
    # not (when goods drive the trucks, other enterprises ship other goods at other times).
    a = run_scenario(_scenario("population", drives_trucks=False)).records
    b = run_scenario(_scenario("shares", drives_trucks=False)).records
    assert np.array_equal(a["arrival"], b["arrival"])


@pytest.mark.parametrize("replication", [1, 2])
def test_replications_vary_the_traffic(replication: int) -> None:
    scenario = _scenario("population")
    world = build_world(scenario)
    base = run_scenario(scenario, world=world).records
    other = run_scenario(scenario, replication=replication, world=world).records
    assert not np.array_equal(base["arrival"], other["arrival"])


def test_goods_enterprises_are_eligible_population_enterprises() -> None:
    from sim.population import generate_population

    scenario = _scenario("population", enterprises=200)
    firms = build_world(scenario).goods_enterprises
    assert firms is not None and len(firms) == 200
    population = generate_population(
        scenario.population, scenario.credit, scenario.seed, scenario.start.date()
    )
    table = population.enterprises.to_pydict()
    row = {code: i for i, code in enumerate(table["uscc"])}
    assert len({f.entity_id for f in firms}) == 200
    for f in firms:
        i = row[f.entity_id]
        assert table["zero_tariff"][i] and table["hainan"][i]
        assert f.tier == table["tier"][i] and f.encouraged == table["encouraged"][i]
        assert f.violation_rate == table["violation_rate"][i]
        assert not (f.batch_exit and f.tier == "key_attention")
    # the goods block counts the population's enterprises, and the run is reproducible
    result = run_scenario(scenario)
    assert compute_kpis(result)["goods"]["enterprises"] == 200
    assert canonical_json(compute_kpis(result)) == canonical_json(
        compute_kpis(run_scenario(scenario))
    )


def test_a_small_population_caps_the_goods_sample() -> None:
    scenario = _scenario("population", enterprises=100_000)
    firms = build_world(scenario).goods_enterprises
    assert firms is not None and 0 < len(firms) < SMALL["enterprises"]["count"]


def test_population_trucks_carry_their_enterprises_tier_on_the_day() -> None:
    from sim.model.shipments import SHIPMENT_KINDS
    from sim.population import generate_population

    scenario = _scenario("population", enterprises=300)
    result = run_scenario(scenario)
    world = build_world(scenario)
    firms = world.goods_enterprises
    assert firms is not None
    population = generate_population(
        scenario.population, scenario.credit, scenario.seed, scenario.start.date()
    )
    row = {code: i for i, code in enumerate(population.enterprises["uscc"].to_pylist())}
    day = (scenario.start.date() - date(1970, 1, 1)).days
    on_day = population.traders().tiers_at(day)
    ev = result.goods
    assert ev is not None
    recs = result.records
    for port in ("xinhai", "nangang"):
        shipped = sorted((t, e) for k, p, t, e in zip(ev.kind, ev.port, ev.time_s, ev.enterprise,
                                                       strict=True)
                         if k in SHIPMENT_KINDS and p == port)  # fmt: skip
        mine = (recs["flow"] == "cargo_truck") & (recs["port"] == port)
        assert len(shipped) == mine.sum() > 0
        expected = [TIERS[on_day[row[firms[e].entity_id]]] for _, e in shipped]
        assert recs["tier"][mine].tolist() == expected


def test_a_world_pickles_and_runs_the_same_after_the_trip() -> None:
    """A process pool or a Dask cluster ships the world to its workers: it must pickle."""
    import pickle

    scenario = _scenario("population", enterprises=150)
    world = build_world(scenario)
    copy = pickle.loads(pickle.dumps(world))
    assert canonical_json(compute_kpis(run_scenario(scenario, world=copy))) == canonical_json(
        compute_kpis(run_scenario(scenario, world=world))
    )
