"""The world of a scenario: who acts in it (population and model composed), and running it.

The SimPy model (:mod:`sim.model`) and the synthetic population (:mod:`sim.population`) sit on the
same layer and never import each other; this module composes them. :func:`run_scenario` is the
one way a scenario is run as its author declared it. With ``policy.declarants: population`` the
population is generated once from the scenario's ``population`` section and seed, and it is
the *world* of the run (:class:`World`):

- the goods flow's enterprises are a sample of its zero-tariff-eligible, Hainan-registered
  enterprises, with their tier as of the start (which qualifies them for batch exit), their
  encouraged-industry flag and their planted violation rate (batch-exit use follows
  ``goods.batch_exit_adoption``); their shipments are the supervised trucks at the ports
  (``goods.drives_trucks``), each declared with its enterprise's tier and listing grounds
  classified as of the truck's date;
- travellers, and supervised trucks when the goods flow does not drive them, are drawn from
  its pools, each with the credit tier classified as of its arrival date.

The run's result also carries the population's credit-list sizes on each day of the run
(:func:`run_list_sizes`, the ``list_sizes`` section of ``kpis.json``), computed from the same
histories before the population is let go.

With ``shares`` the model draws tiers from ``policy.tier_shares`` and the goods enterprises from
``goods.tier_shares`` (the textbook reduction).

The world depends on the scenario and its seed only, not on the replication, so independent
replications vary the traffic and the draws while the enterprises and people stay the same, and
two policies compared on one seed face the same world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np

from sim.model import simulate
from sim.model.goods_enterprises import GoodsEnterprise, enterprises_from_columns
from sim.model.routing import SharesTierSource, TierSource
from sim.model.shipments import EnterpriseTiers
from sim.population import PoolTierSource, Population, generate_population
from sim.results import RunResult
from sim.results.lists import ListSizes
from sim.results.stream import RecordStream
from sim.rng import RandomStreams
from sim.scenario import Scenario

__all__ = [
    "GoodsTiers",
    "World",
    "build_world",
    "goods_enterprises",
    "run_list_sizes",
    "run_scenario",
]

_TRAVELLER_FLOWS = frozenset({"duty_free_traveller"})


@dataclass(frozen=True)
class World:
    """Who acts in a scenario: the declarants' tier source and the goods flow's enterprises.

    Attributes:
        declarants: the tier source of travellers (and of Poisson trucks).
        goods_enterprises: the goods flow's enterprises, or None to let the model draw them
            from ``goods.tier_shares``.
        goods_tiers: those enterprises' tiers on any date (their trucks are declared with the
            tier as of the truck's date), or None to keep each one's ``tier``.
        population: the synthetic population the declarants come from (None with
            ``policy.declarants: shares``): their identities, names and credit histories,
            which a workload export registers on a platform.
    """

    declarants: TierSource
    goods_enterprises: tuple[GoodsEnterprise, ...] | None
    goods_tiers: EnterpriseTiers | None = None
    population: Population | None = None


def goods_enterprises(population: Population, scenario: Scenario) -> list[GoodsEnterprise]:
    """The goods flow's enterprises: a sample of the population's eligible enterprises.

    Eligible means zero-tariff eligible and registered in Hainan; up to
    ``goods.enterprises`` are sampled (stream ``goods.enterprises`` of the scenario's seed),
    each with its tier on the start date, its encouraged flag and its violation rate.
    """
    table = population.enterprises
    zero_tariff = np.asarray(table["zero_tariff"].to_numpy(zero_copy_only=False), dtype=bool)
    hainan = np.asarray(table["hainan"].to_numpy(zero_copy_only=False), dtype=bool)
    return enterprises_from_columns(
        table["uscc"].to_pylist(),
        table["tier"].to_pylist(),
        table["encouraged"].to_pylist(),
        (zero_tariff & hainan).tolist(),
        scenario.goods,
        RandomStreams(scenario.seed).generator("goods.enterprises"),
        violation_rate=table["violation_rate"].to_pylist(),
    )


def build_world(scenario: Scenario) -> World:
    """The world ``scenario.policy.declarants`` asks for (the population generated once)."""
    if scenario.policy.declarants == "shares":
        return World(SharesTierSource(scenario.policy), None)
    # The credit histories go on through the simulated period: a rating, a penalty or a
    # lapse during the run changes the tier from its day on, in the model and on a platform.
    population = generate_population(
        scenario.population, scenario.credit, scenario.seed, scenario.start.date(),
        history_until=scenario.end.date() + timedelta(days=1),
    )
    source = PoolTierSource(
        population.traders(), population.travellers(), travellers_for=_TRAVELLER_FLOWS
    )
    if not scenario.goods.enabled:
        return World(source, None, population=population)
    firms = goods_enterprises(population, scenario)
    return World(source, tuple(firms), GoodsTiers(population, firms), population)


class GoodsTiers:
    """The goods enterprises' tiers and listing grounds on any date, from their histories.

    A class rather than a closure so that a :class:`World` pickles (a process pool or a Dask
    cluster ships it to its workers).

    Args:
        population: the population the enterprises were sampled from.
        firms: the goods flow's enterprises, in the flow's order.
    """

    def __init__(self, population: Population, firms: list[GoodsEnterprise]) -> None:
        row_of = {code: row for row, code in enumerate(population.enterprises["uscc"].to_pylist())}
        self._rows = np.array([row_of[f.entity_id] for f in firms], dtype=np.int64)
        self._pool = population.traders()  # caches the tiers of the last few dates asked

    def __call__(self, firm: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Tier codes of the enterprises ``firm`` (indices into the flow's firms) on ``days``."""
        out = np.empty(len(firm), dtype=np.int8)
        for day in np.unique(days).tolist():
            on = days == day
            out[on] = self._pool.tiers_at(int(day))[self._rows[firm[on]]]
        return out

    def grounds(self, firm: np.ndarray, days: np.ndarray) -> list[str]:
        """Active listing grounds of the enterprises ``firm`` on ``days`` ('' if not listed)."""
        rows = self._rows[firm].tolist()
        return [
            self._pool.grounds_at(int(day)).get(row, "")
            for row, day in zip(rows, np.asarray(days).tolist(), strict=True)
        ]


def run_scenario(
    scenario: Scenario,
    *,
    replication: int = 0,
    progress: Callable[[float], None] | None = None,
    world: World | None = None,
    records_to: RecordStream | None = None,
) -> RunResult:
    """Run ``scenario`` in the world it names.

    Args:
        scenario: a validated scenario.
        replication: index of an independent replication.
        progress: called with the fraction of the horizon simulated.
        world: built earlier by :func:`build_world` (reuse it across replications to generate
            the population once); by default built here.
        records_to: stream the records to this file by simulated day instead of keeping them
            (see :func:`sim.model.simulate`).
    """
    w = world if world is not None else build_world(scenario)
    result = simulate(
        scenario,
        replication=replication,
        progress=progress,
        tier_source=w.declarants,
        goods_enterprises=w.goods_enterprises,
        goods_tiers=w.goods_tiers,
        records_to=records_to,
    )
    if w.population is None:
        return result
    return replace(result, lists=run_list_sizes(w.population, scenario))


def run_list_sizes(population: Population, scenario: Scenario) -> ListSizes:
    """The population's credit-list sizes on each day the scenario simulates some of.

    The histories run through the period (:func:`build_world`), so listings, ratings and
    removals dated during the run show on their day.
    """
    first = scenario.start.date()
    last = (scenario.end - timedelta(microseconds=1)).date()
    return population.list_sizes(first, (last - first).days + 1)
