"""The shipped catalogue planned at all ten ports on the embedded defaults, shared by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.drill import Catalogue, DrillPlan, drill_population, load_catalogue, plan_drill
from sim.population import Population
from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[3]
SEED = 20251218


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue([ROOT / "scenarios" / "drills"])


@pytest.fixture(scope="session")
def population(catalogue: Catalogue) -> Population:
    scenario = Scenario()
    start = min(p.start for p in catalogue.processes.values())
    return drill_population(scenario.population, scenario.credit, SEED, start)


@pytest.fixture(scope="session")
def plan(catalogue: Catalogue, population: Population) -> DrillPlan:
    return plan_drill(catalogue.select(None), population, Scenario().rules_config(), seed=SEED)
