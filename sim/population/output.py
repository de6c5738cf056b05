"""Writing a population to a directory: two Parquet tables and the history, all or nothing.

``DIR/enterprises.parquet`` (key column ``uscc``), ``DIR/individuals.parquet`` (key column
``id_number``) and ``DIR/history.jsonl`` (the credit rules' history format) are written into a
temporary directory beside ``DIR`` and moved into place only when all three are complete; any
error removes the temporary directory, so a failed run leaves nothing behind. Individuals are
generated and written a block at a time, so ten million fit in bounded memory.

The same seed, section, counts and reference date give byte-identical files.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.population.enterprises import generate_enterprises
from sim.population.events import EventTable
from sim.population.history_lines import history_records
from sim.population.individuals import iter_individuals
from sim.population.names import NamePools
from sim.population.scales import Scales
from sim.population.timeline import TIERS, add_years, day_number, from_day_number
from sim.results.io import publish_directory, stage_directory
from sim.rng import RandomStreams
from sim.rules.credit import CreditTable, HistoryWriter
from sim.scenario.population import PopulationSection

__all__ = ["FILES", "PopulationSummary", "history_window", "write_population"]

FILES = ("enterprises.parquet", "individuals.parquet", "history.jsonl")

Progress = Callable[[str, int], None]
"""Called with a stage name and the number of entities (or events) just completed."""


@dataclass
class PopulationSummary:
    """What was written: counts per tier and of planted facts, for the summary table."""

    enterprises: int = 0
    individuals: int = 0
    events: int = 0
    window: tuple[date, date] = (date(1970, 1, 1), date(1970, 1, 1))
    enterprise_tiers: dict[str, int] = field(default_factory=dict)
    individual_tiers: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def history_window(section: PopulationSection, reference: date) -> tuple[int, int]:
    """Days ``(start, reference)`` of the history: ``history_years`` calendar years back."""
    ref = day_number(reference)
    start = int(add_years(np.array([ref]), -section.history_years)[0])
    return start, ref


def _tier_counts(column: pa.ChunkedArray | pa.Array) -> dict[str, int]:
    codes = np.concatenate([c.indices.to_numpy() for c in getattr(column, "chunks", [column])])
    counts = np.bincount(codes, minlength=len(TIERS))
    return {tier: int(counts[i]) for i, tier in enumerate(TIERS)}


def _none(stage: str, done: int) -> None:
    return None


def write_population(
    out: Path,
    section: PopulationSection,
    table: CreditTable,
    seed: int,
    reference: date,
    *,
    enterprises: int,
    individuals: int,
    progress: Progress = _none,
) -> PopulationSummary:
    """Generate a population and write its three files into ``out`` atomically.

    Args:
        out: the output directory (created; existing files of the same names are replaced).
        section: the scenario's population section.
        table: the credit rules' scale table (the scenario's ``credit`` section); every history
            record is checked against it as it is written.
        seed: the run's seed.
        reference: the date the population is "as of" (the scenario start).
        enterprises: number of enterprises.
        individuals: number of individuals.
        progress: called as work completes (stages ``enterprises``, ``individuals``,
            ``history``).

    Returns:
        Counts for a summary.
    """
    streams = RandomStreams(seed)
    scales = Scales.from_table(table)
    window = history_window(section, reference)
    summary = PopulationSummary(enterprises, individuals)
    summary.window = (from_day_number(window[0]), reference)
    tmp = stage_directory(out)
    try:
        pools = NamePools.build(streams, section.name_pool_size)
        ent = generate_enterprises(
            section.enterprises, streams, pools, enterprises, window, scales
        )
        pq.write_table(ent.table, tmp / FILES[0])
        summary.enterprise_tiers = _tier_counts(ent.table["tier"])
        summary.counts["enterprises_aeo_certified"] = int(np.sum(ent.table["aeo"].to_numpy()))
        summary.counts["enterprises_risky"] = int(np.sum(ent.table["risky"].to_numpy()))
        progress("enterprises", enterprises)

        parts: list[tuple[str, EventTable, pa.Array]] = [
            ("enterprise", ent.events, ent.table["uscc"].combine_chunks())
        ]
        person_events: list[EventTable] = []
        person_keys: list[pa.Array] = []
        tiers: dict[str, int] = dict.fromkeys(TIERS, 0)
        breaches = vehicles = 0
        writer: pq.ParquetWriter | None = None
        try:
            for block in iter_individuals(
                section.individuals, streams, pools, individuals, window,
                removal_years=scales.individual_removal_years,
            ):
                if writer is None:
                    writer = pq.ParquetWriter(tmp / FILES[1], block.table.schema)
                writer.write_table(block.table)
                for tier, count in _tier_counts(block.table["tier"]).items():
                    tiers[tier] += count
                breaches += int(np.sum(block.table["quota_breach"].to_numpy()))
                vehicles += block.table["vehicle_plate"].length() - block.table[
                    "vehicle_plate"].null_count
                # Keep only the keys the events refer to, renumbering the events' rows.
                rows, local = np.unique(block.events.entity - block.offset, return_inverse=True)
                person_keys.append(block.table["id_number"].combine_chunks().take(pa.array(rows)))
                renumbered = EventTable(
                    local.reshape(-1) + sum(len(k) for k in person_keys[:-1]),
                    block.events.day, block.events.event, block.events.department,
                    block.events.grade, block.events.lowest, block.events.aeo_effect,
                )
                person_events.append(renumbered)
                progress("individuals", len(block.table))
        finally:
            if writer is not None:
                writer.close()
        if writer is None:  # no individuals: an empty table with the right columns
            empty = next(iter_individuals(section.individuals, streams, pools, 1, window))
            pq.write_table(empty.table.slice(0, 0), tmp / FILES[1])
        summary.individual_tiers = tiers
        summary.counts["individuals_quota_breach"] = breaches
        summary.counts["individuals_with_vehicle"] = vehicles
        if person_events:
            departments = ent.events.departments
            parts.append((
                "individual",
                EventTable.concat(person_events, departments, ent.events.grades),
                pa.concat_arrays(person_keys),
            ))
        with HistoryWriter(tmp / FILES[2], table) as history:
            for record in history_records(parts):
                history.write(record)
                if history.count % 10_000 == 0:
                    progress("history", 10_000)
        summary.events = history.count
        progress("history", history.count % 10_000)
        publish_directory(tmp, out, FILES)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary

