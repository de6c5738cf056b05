"""A whole population in memory, and the pools the port model draws from.

:func:`generate_population` draws the enterprises and individuals of a scenario (as
:mod:`sim.population.output` writes them, same seed, same rows) and keeps them in memory with
their histories and tier timelines. :meth:`Population.traders` and
:meth:`Population.travellers` wrap them as :class:`~sim.population.pool.EntityPool` objects:
the columnar API the model takes as injected data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from sim.population.enterprises import generate_enterprises
from sim.population.events import EventTable
from sim.population.individuals import iter_individuals
from sim.population.names import NamePools
from sim.population.output import history_window
from sim.population.pool import EntityPool
from sim.population.scales import Scales
from sim.population.timeline import TierTimeline
from sim.rng import RandomStreams
from sim.rules.credit import CreditTable
from sim.scenario.population import PopulationSection

__all__ = ["Population", "generate_population"]


@dataclass(frozen=True)
class Population:
    """Enterprises and individuals with their credit histories, as of a reference date.

    Attributes:
        enterprises: one row per enterprise (see :func:`generate_enterprises`).
        individuals: one row per individual (see :func:`iter_individuals`).
        enterprise_events: the enterprises' history (``entity`` = row in ``enterprises``).
        individual_events: the individuals' violations (``entity`` = row in ``individuals``).
        enterprise_timeline: the enterprises' tiers over time.
        individual_timeline: the individuals' tiers over time.
        reference: the date the population is as of.
    """

    enterprises: pa.Table
    individuals: pa.Table
    enterprise_events: EventTable
    individual_events: EventTable
    enterprise_timeline: TierTimeline
    individual_timeline: TierTimeline
    reference: date

    def traders(self) -> EntityPool:
        """Enterprises weighted by shipments per month, with violation rates per declaration."""
        return EntityPool(
            self.enterprises["shipments_per_month"].to_numpy(),
            self.enterprises["violation_rate"].to_numpy(),
            self.enterprise_timeline,
        )

    def travellers(self) -> EntityPool:
        """Individuals weighted by trips per year, with their per-crossing violation rate."""
        return EntityPool(
            self.individuals["trips_per_year"].to_numpy(),
            self.individuals["violation_rate_per_trip"].to_numpy(),
            self.individual_timeline,
        )


def generate_population(
    section: PopulationSection,
    table: CreditTable,
    seed: int,
    reference: date,
    *,
    enterprises: int | None = None,
    individuals: int | None = None,
) -> Population:
    """Generate a population in memory.

    Args:
        section: the scenario's population section.
        table: the credit rules' scale table (the scenario's ``credit`` section).
        seed: the run's seed.
        reference: the date the population is as of (the scenario start).
        enterprises: number of enterprises (default: the section's count).
        individuals: number of individuals (default: the section's count).
    """
    n_ent = section.enterprises.count if enterprises is None else enterprises
    n_ind = section.individuals.count if individuals is None else individuals
    streams = RandomStreams(seed)
    scales = Scales.from_table(table)
    window = history_window(section, reference)
    pools = NamePools.build(streams, section.name_pool_size)
    ent = generate_enterprises(section.enterprises, streams, pools, n_ent, window, scales)
    blocks = list(iter_individuals(
        section.individuals, streams, pools, n_ind, window,
        removal_years=scales.individual_removal_years,
    ))
    if blocks:
        people = pa.concat_tables([b.table for b in blocks])
        events = EventTable.concat([b.events for b in blocks])
    else:
        people = next(iter_individuals(section.individuals, streams, pools, 1, window)).table
        people = people.slice(0, 0)
        events = EventTable.concat([])
    timeline = TierTimeline(n_ind, events, scales.individual_removal_years)
    return Population(
        ent.table, people, ent.events, events, ent.timeline, timeline, reference
    )
