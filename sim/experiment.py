"""Running scenarios as experiments: the model fed by its declarants, replication by replication.

The SimPy model (:mod:`sim.model`) and the synthetic population (:mod:`sim.population`) sit on the
same layer and never import each other; this module composes them. :func:`run_scenario` is the
one way a scenario is run as its author declared it: with ``policy.declarants: population`` the
population is generated from the scenario's ``population`` section and seed, and the model draws
its traders and travellers from it, each with the credit tier classified as of its arrival date;
with ``shares`` the model draws truck tiers from ``policy.tier_shares`` (the textbook reduction).

The population is the *world* of a scenario: it depends on the scenario and its seed only, not on
the replication, so independent replications vary the traffic and the draws while the
enterprises and people stay the same, and two policies compared on one seed face the same world.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.model import simulate
from sim.model.routing import SharesTierSource, TierSource
from sim.population import PoolTierSource, generate_population
from sim.results import RunResult
from sim.scenario import Scenario

__all__ = ["declarant_source", "run_scenario"]

_TRAVELLER_FLOWS = frozenset({"duty_free_traveller"})


def declarant_source(scenario: Scenario) -> TierSource:
    """The tier source ``scenario.policy.declarants`` asks for."""
    if scenario.policy.declarants == "shares":
        return SharesTierSource(scenario.policy)
    population = generate_population(
        scenario.population, scenario.credit, scenario.seed, scenario.start.date()
    )
    return PoolTierSource(
        population.traders(), population.travellers(), travellers_for=_TRAVELLER_FLOWS
    )


def run_scenario(
    scenario: Scenario,
    *,
    replication: int = 0,
    progress: Callable[[float], None] | None = None,
    declarants: TierSource | None = None,
) -> RunResult:
    """Run ``scenario`` with the declarants it names.

    Args:
        scenario: a validated scenario.
        replication: index of an independent replication.
        progress: called with the fraction of the horizon simulated.
        declarants: a tier source built earlier by :func:`declarant_source` (reuse it across
            replications to generate the population once).
    """
    source = declarants if declarants is not None else declarant_source(scenario)
    return simulate(scenario, replication=replication, progress=progress, tier_source=source)
