"""Casting: which synthetic entities of the population play each role of a process at a port.

A process names roles by profile (an encouraged-industry enterprise registered in Hainan and
eligible for zero tariff, on the whitelist; an adult traveller ...). Each run of a process at a
port gets its own entities, so runs never share state and a failure at one port cannot spill
into another. :class:`Casting` draws them from the synthetic population (:mod:`sim.population`)
in a seeded order, each at most once:

- the static profile is read from the population's columns (kind, Hainan registration,
  zero-tariff eligibility, encouraged industry, age on the start date from the birth date);
- the tier is the oracle's (:func:`sim.rules.oracle.tier_as_of`) on the process's start date
  over the entity's population history, with no ground active unless the role asks for the
  key-attention list;
- the entity has no history event on or after the start date, so the process's own events
  decide its tier from then on.

Each cast member carries its population history: the drill registers the entity and posts that
history before the process starts (the platform must know what the population knows).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import cast

from sim.drill.catalogue import Process, RoleSpec
from sim.population import Population, generate_population
from sim.rng import RandomStreams
from sim.rules.config import RulesConfig
from sim.rules.credit import CreditEvent, CreditTable, EntityKind
from sim.rules.dutyfree import ADULT_AGE, age_on
from sim.rules.oracle import tier_as_of
from sim.scenario.population import PopulationSection
from sim.workload.entity_calls import EntityDirectory

__all__ = ["DRILL_ENTERPRISES", "DRILL_INDIVIDUALS", "CastError", "CastMember", "Casting",
           "drill_population"]

DRILL_ENTERPRISES = 6_000
"""Enterprises a drill's population draws: enough for every role at every port (the rarest,
AEO enterprises registered in Hainan and eligible for zero tariff, are about one in 200 of the
default mix, and the catalogue needs seven)."""
DRILL_INDIVIDUALS = 3_000
"""Individuals a drill's population draws (minors, about one in eight, are the rarest role)."""


def drill_population(
    section: PopulationSection, table: CreditTable, seed: int, reference: date
) -> Population:
    """The population a drill casts from: the scenario's mix, a drill's size, histories up to
    ``reference`` (the earliest start of the processes drilled).

    Args:
        section: the scenario's ``population`` section.
        table: its credit scale table.
        seed: the drill's seed.
        reference: the day the histories run up to.
    """
    return generate_population(section, table, seed, reference,
                               enterprises=DRILL_ENTERPRISES, individuals=DRILL_INDIVIDUALS)


class CastError(ValueError):
    """The population has no (more) entity fitting a role; one line naming it."""


@dataclass(frozen=True)
class CastMember:
    """A synthetic entity playing a role.

    Attributes:
        role: the role it plays.
        key: its key on the platform (credit code or identity number).
        kind: ``enterprise`` or ``individual``.
        name: its name.
        hainan: registered in Hainan (enterprises).
        history: its population credit history, in recording order.
    """

    role: str
    key: str
    kind: str
    name: str
    hainan: bool
    history: tuple[CreditEvent, ...]


@dataclass(frozen=True)
class _Row:
    key: str
    name: str
    hainan: bool
    zero_tariff: bool
    encouraged: bool
    born: date | None


class Casting:
    """Draws the entities of each run (see the module docstring).

    Args:
        population: the synthetic population.
        rules: the rules' configuration (the credit scale table classifies histories).
        seed: the drill's seed: it orders the candidates.
        exclude: keys already in use on the platform (e.g. a workload's entities).
    """

    def __init__(
        self, population: Population, rules: RulesConfig, seed: int, exclude: Iterable[str] = ()
    ) -> None:
        self._rules = rules
        self._used = set(exclude)
        directory = EntityDirectory(population)
        ent, ind = population.enterprises, population.individuals
        self._rows: dict[str, list[_Row]] = {
            "enterprise": [
                _Row(k, n, bool(h), bool(z), bool(e), None)
                for k, n, h, z, e in zip(
                    ent["uscc"].to_pylist(), ent["name"].to_pylist(), ent["hainan"].to_pylist(),
                    ent["zero_tariff"].to_pylist(), ent["encouraged"].to_pylist(), strict=True)
            ],
            "individual": [
                _Row(k, n, False, False, False, b)
                for k, n, b in zip(ind["id_number"].to_pylist(), ind["name"].to_pylist(),
                                   ind["birth_date"].to_pylist(), strict=True)
            ],
        }
        self._histories: dict[str, list[CreditEvent]] = {}
        for kind, rows in self._rows.items():
            self._histories.update(directory.histories(kind, [r.key for r in rows]))
        streams = RandomStreams(seed)
        self._order = {
            kind: streams.generator(f"drill.cast.{kind}").permutation(len(rows))
            for kind, rows in self._rows.items()
        }

    def _candidates(self, kind: str) -> Iterator[_Row]:
        rows = self._rows[kind]
        for i in self._order[kind].tolist():
            yield rows[i]

    def _fits(self, row: _Row, kind: str, spec: RoleSpec, start: date) -> bool:
        if row.key in self._used:
            return False
        if kind == "enterprise":
            for wanted, have in ((spec.hainan, row.hainan), (spec.zero_tariff, row.zero_tariff),
                                 (spec.encouraged, row.encouraged)):
                if wanted is not None and wanted != have:
                    return False
        elif spec.age is not None:
            if row.born is None:
                return False
            adult = age_on(row.born, start) >= ADULT_AGE
            if adult != (spec.age == "adult"):
                return False
        history = self._histories.get(row.key, [])
        if any(e.date >= start for e in history):
            return False
        c = tier_as_of(row.key, cast(EntityKind, kind), history, start, self._rules.credit)
        return c.tier == spec.tier and (spec.tier == "key_attention" or not c.grounds)

    def cast(self, process: Process, port: str) -> Mapping[str, CastMember]:
        """The entities of ``process`` at ``port``, one per role, none used before.

        Raises:
            CastError: naming the role no entity of the population fits any more.
        """
        members: dict[str, CastMember] = {}
        for role, spec in process.roles.items():
            found = next((r for r in self._candidates(spec.kind)
                          if self._fits(r, spec.kind, spec, process.start)), None)
            if found is None:
                size = len(self._rows[spec.kind])
                raise CastError(
                    f"process {process.id}: role {role}: no {spec.kind} of the population "
                    f"({size}) fits {spec.model_dump(exclude_none=True)} on {process.start} "
                    f"that is not already cast (at {port}); draw a larger population"
                )
            self._used.add(found.key)
            members[role] = CastMember(role, found.key, spec.kind, found.name, found.hainan,
                                       tuple(self._histories.get(found.key, ())))
        return members
