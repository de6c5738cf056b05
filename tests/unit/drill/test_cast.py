"""Casting: each role is played by a population entity fitting its profile on the start date."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.drill import CastError, Casting, Catalogue, DrillPlan
from sim.population import Population, generate_population
from sim.rules.dutyfree import age_on
from sim.rules.identifiers import resident_id_birth_date
from sim.rules.oracle import tier_as_of
from sim.scenario import Scenario


def test_every_member_fits_its_role_on_the_start_date(
    plan: DrillPlan, population: Population
) -> None:
    rows = {k: i for i, k in enumerate(population.enterprises["uscc"].to_pylist())}
    table = population.enterprises
    credit = plan.rules.credit
    for run in plan.runs:
        start = run.process.start
        for role, member in run.cast.items():
            spec = run.process.roles[role]
            assert member.kind == spec.kind
            assert all(e.date < start for e in member.history)
            tier = tier_as_of(member.key, member.kind, list(member.history), start,  # type: ignore[arg-type]
                              credit)
            assert tier.tier == spec.tier and (spec.tier == "key_attention" or not tier.grounds)
            if member.kind == "enterprise":
                row = rows[member.key]
                for field in ("hainan", "zero_tariff", "encouraged"):
                    wanted = getattr(spec, field)
                    if wanted is not None:
                        assert table[field][row].as_py() is wanted, (role, field)
            elif spec.age is not None:
                adult = age_on(resident_id_birth_date(member.key), start) >= 18
                assert adult is (spec.age == "adult")
    certified = [m for r in plan.runs for m in r.cast.values() if r.process.id == "aeo_treatment"
                 and m.role == "certified"]
    assert len(certified) == 7 and all(m.history for m in certified), \
        "AEO comes from the population history, posted before the process"


def test_a_population_too_small_is_one_line_naming_the_role(catalogue: Catalogue) -> None:
    scenario = Scenario()
    tiny = generate_population(scenario.population, scenario.credit, 1, dt.date(2026, 1, 5),
                               enterprises=30, individuals=30)
    casting = Casting(tiny, scenario.rules_config(), seed=1)
    process = catalogue.processes["aeo_treatment"]
    with pytest.raises(CastError) as info:
        for port in process.ports:
            casting.cast(process, port)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("process aeo_treatment: role certified: no enterprise of "
                                      "the population (30) fits")
