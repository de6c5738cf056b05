"""A whole population in memory, and the pools the port model draws from.

:func:`generate_population` draws the enterprises and individuals of a scenario (as
:mod:`sim.population.output` writes them, same seed, same rows) and keeps them in memory with
their histories and tier timelines. :meth:`Population.traders` and
:meth:`Population.travellers` wrap them as :class:`~sim.population.pool.EntityPool` objects:
the columnar API the model takes as injected data. :func:`load_population` reads the files of
``customs-sim population`` back into the same structure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.population.dynamics import events_from_history
from sim.population.enterprises import generate_enterprises
from sim.population.events import EventTable
from sim.population.individuals import iter_individuals
from sim.population.names import NamePools
from sim.population.output import FILES, history_window
from sim.population.pool import EntityPool
from sim.population.scales import Scales
from sim.population.timeline import TierTimeline, day_number
from sim.results.lists import ListSizes
from sim.rng import RandomStreams
from sim.rules.credit import CreditTable, read_history
from sim.scenario.population import PopulationSection

__all__ = ["Population", "generate_population", "load_population"]


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
        reference: the date the population is as of (None when loaded from files).
    """

    enterprises: pa.Table
    individuals: pa.Table
    enterprise_events: EventTable
    individual_events: EventTable
    enterprise_timeline: TierTimeline
    individual_timeline: TierTimeline
    reference: date | None

    def list_sizes(self, first_day: date, days: int) -> ListSizes:
        """Enterprises and individuals on each credit list and tier, for each of ``days`` days
        from ``first_day`` (from the credit histories: generate the population with
        ``history_until`` past the last day so that listings and removals happen in it)."""
        return ListSizes(first_day, days, {
            "enterprise": self.enterprise_timeline.list_sizes(first_day, days),
            "individual": self.individual_timeline.list_sizes(first_day, days, aeo=False),
        })

    def traders(self) -> EntityPool:
        """Enterprises weighted by shipments per month, with violation rates per declaration."""
        return EntityPool(
            self.enterprises["shipments_per_month"].to_numpy(),
            self.enterprises["violation_rate"].to_numpy(),
            self.enterprise_timeline,
            ids=self.enterprises["uscc"].combine_chunks(),
        )

    def travellers(self) -> EntityPool:
        """Duty-free buyers weighted by trips per year, with their spending and violation rate.

        Only people who bought offshore duty-free goods in the year pass a duty-free departure
        check; each crossing presents an even share of the year's spending.
        """
        trips = self.individuals["trips_per_year"].to_numpy()
        spend = self.individuals["duty_free_spend_fen"].to_numpy()
        return EntityPool(
            np.where(spend > 0, trips, 0),
            self.individuals["violation_rate_per_trip"].to_numpy(),
            self.individual_timeline,
            ids=self.individuals["id_number"].combine_chunks(),
            spend_fen=spend,
            trips=trips,
        )


def generate_population(
    section: PopulationSection,
    table: CreditTable,
    seed: int,
    reference: date,
    *,
    enterprises: int | None = None,
    individuals: int | None = None,
    history_until: date | None = None,
) -> Population:
    """Generate a population in memory.

    Args:
        section: the scenario's population section.
        table: the credit rules' scale table (the scenario's ``credit`` section).
        seed: the run's seed.
        reference: the date the population is as of (the scenario start).
        enterprises: number of enterprises (default: the section's count).
        individuals: number of individuals (default: the section's count).
        history_until: continue the credit histories past ``reference`` up to this day
            (exclusive), e.g. through a simulated period, so that listings, ratings and removals
            happen during it. The history before ``reference`` is the same as without it; the
            columns hold on ``reference``, so an event dated that very day counts in its tier.
    """
    n_ent = section.enterprises.count if enterprises is None else enterprises
    n_ind = section.individuals.count if individuals is None else individuals
    streams = RandomStreams(seed)
    scales = Scales.from_table(table)
    window = history_window(section, reference)
    until = None if history_until is None else day_number(history_until)
    pools = NamePools.build(streams, section.name_pool_size)
    ent = generate_enterprises(section.enterprises, streams, pools, n_ent, window, scales, until)
    blocks = list(iter_individuals(
        section.individuals, streams, pools, n_ind, window,
        removal_years=scales.individual_removal_years, until=until,
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


def _rows_of(keys: list[str], column: pa.ChunkedArray, directory: Path) -> np.ndarray:
    index = {key: row for row, key in enumerate(column.to_pylist())}
    try:
        return np.array([index[k] for k in keys], dtype=np.int64)
    except KeyError as exc:
        raise ValueError(
            f"{directory / 'history.jsonl'}: entity {exc.args[0]!r} is in no population table"
        ) from None


def load_population(directory: Path, table: CreditTable) -> Population:
    """Read a population written by :func:`~sim.population.output.write_population`.

    Args:
        directory: the directory holding ``enterprises.parquet``, ``individuals.parquet`` and
            ``history.jsonl``.
        table: the credit scale table to check the history against.

    Raises:
        sim.rules.credit.HistoryError: a bad history line (with its line number and field).
        ValueError: a history entity that is in neither table.
        OSError: a file cannot be read.
    """
    scales = Scales.from_table(table)
    enterprises = pq.read_table(directory / FILES[0])
    individuals = pq.read_table(directory / FILES[1])
    history = read_history(directory / FILES[2], table)
    loaded: dict[str, tuple[EventTable, TierTimeline]] = {}
    for kind, people, column, years in (
        ("enterprise", enterprises, "uscc", scales.removal_years),
        ("individual", individuals, "id_number", scales.individual_removal_years),
    ):
        events, keys = events_from_history(history, kind, scales)
        rows = _rows_of(keys, people[column], directory)
        events = EventTable.concat(
            [replace(events, entity=rows[events.entity])], events.departments, events.grades
        )
        loaded[kind] = events, TierTimeline(people.num_rows, events, years)
    return Population(
        enterprises, individuals, loaded["enterprise"][0], loaded["individual"][0],
        loaded["enterprise"][1], loaded["individual"][1], None,
    )
