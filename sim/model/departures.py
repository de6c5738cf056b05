"""Duty-free departures across the island: what each traveller presents and what the check says.

The annual quota of offshore duty-free goods is per person and island-wide: a traveller who
leaves through Meilan in March and through Xinhai in May uses one quota. So the departure checks
of every port are decided together, in the order of their times, by the oracle
(:func:`sim.rules.dutyfree.check_departure`), once all ports' travellers are drawn and before
the run (the decision does not depend on queues).

What a traveller presents [A]: the population gives each duty-free buyer a year's spending and
a number of crossings; each crossing presents an even share (at least one fen). What the
traveller had used before the run: the year's spending times the share of the calendar year
gone by at the start (none in a run's later calendar year). Within the run each check adds its
purchases, so a buyer whose year's spending passes the quota is over it on the crossing that
takes the total past it, and on every later one that year. That decision *is* the journey's
planted violation; the check catches it with ``policy.detection.duty_free_check`` (stream
``detect.<port>.duty_free``). Travellers without identities (``policy.declarants: shares``)
present nothing and are never in violation.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

import numpy as np

from sim.model.routing import DeclarantDraw
from sim.results.columns import narrow
from sim.results.records import Column, RecordGroup
from sim.rng import RandomStreams
from sim.rules.dutyfree import check_departure
from sim.scenario.schema import Scenario

__all__ = ["Departures"]

_EPOCH = date(1970, 1, 1)


@dataclass
class _Port:
    group: RecordGroup
    days: np.ndarray
    spend: np.ndarray
    trips: np.ndarray
    row: np.ndarray


@dataclass
class Departures:
    """The duty-free travellers of every port, decided together (see the module docstring).

    Args:
        scenario: the scenario (its start, quota and detection probability).
    """

    scenario: Scenario
    _ports: list[_Port] = field(default_factory=list)

    def add(self, group: RecordGroup, days: np.ndarray, travellers: DeclarantDraw) -> None:
        """Register one port's travellers (their group's arrivals, days and identities)."""
        # narrow (the same values): held for every traveller of the year until decided
        self._ports.append(_Port(group, narrow(days), narrow(travellers.spend_fen),
                                 narrow(travellers.trips), narrow(travellers.row)))

    def decide(self, streams: RandomStreams) -> None:
        """Decide every registered check in time order; fill purchases, violations, detections."""
        start = self.scenario.start.date()
        year_gone = (start - date(start.year, 1, 1)).days / (
            366 if calendar.isleap(start.year) else 365
        )
        quota = self.scenario.population.individuals.duty_free_quota_fen
        # What each traveller used of each calendar year's quota, by (traveller, year): the
        # travellers numbered (each entity's number stands for its identity number, unique to
        # it) rather than keyed by the numbers, millions of strings and tuples in a year's run.
        codes, people = _codes([port.row for port in self._ports])
        for port in self._ports:
            port.row = np.empty(0, dtype=np.int32)  # numbered: the rows go
        last = max((int(port.days.max()) for port in self._ports if len(port.days)), default=0)
        years = max((_EPOCH + timedelta(days=last)).year - start.year + 1, 1)
        used = np.full(people * years, -1, dtype=np.int64)  # -1: not seen yet
        sizes = [len(port.group) for port in self._ports]
        purchases = [np.zeros(n, dtype=np.result_type(port.spend, np.int8))
                     for n, port in zip(sizes, self._ports, strict=True)]
        before = [np.zeros(n, dtype=np.int64) for n in sizes]
        violation = [np.zeros(n, dtype=bool) for n in sizes]
        entities = [cast(Column, port.group.ids["entity"]) for port in self._ports]
        arrivals = [np.asarray(port.group.arrival, dtype=np.float64) for port in self._ports]
        for p, i, person in _in_time_order(arrivals, entities):
            port = self._ports[p]
            spend = int(port.spend[i])
            if not person or spend <= 0:
                continue
            on = _EPOCH + timedelta(days=int(port.days[i]))
            key = int(codes[p][i]) * years + on.year - start.year
            so_far = int(used[key])
            if so_far < 0:
                so_far = round(spend * year_gone) if on.year == start.year else 0
            amount = max(1, round(spend / max(int(port.trips[i]), 1)))
            decided = check_departure(person, on, [amount], so_far, quota)
            purchases[p][i], before[p][i] = amount, so_far
            violation[p][i] = decided.decision != "pass"
            used[key] = decided.used_fen
        catch = self.scenario.policy.detection.duty_free_check
        for p, port in enumerate(self._ports):
            group = port.group
            group.amounts = {"purchase_fen": purchases[p], "used_before_fen": before[p]}
            u = streams.generator(f"detect.{group.port}.duty_free").random(len(group))
            group.violation = Column(violation[p])
            group.detected = Column(violation[p] & (u < catch))
        # the days, spending and trips were inputs of the decision: a year's travellers are
        # millions of them, not to be held through the run
        self._ports.clear()


def _codes(rows: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """Each port's travellers numbered by entity across all ports (one number per entity, all
    below the count returned)."""
    if not rows:
        return [], 0
    every = np.concatenate(rows)
    if len(every) == 0 or (int(every.min()) >= 0 and int(every.max()) < len(every)):
        # the rows are such numbers already, no more of them than crossings: no sort needed
        return rows, int(every.max()) + 1 if len(every) else 0
    people, codes = np.unique(every, return_inverse=True)
    del every
    parts, first = [], 0
    codes = narrow(codes.reshape(-1))
    for part in rows:
        parts.append(codes[first : first + len(part)])
        first += len(part)
    return parts, len(people)


def _in_time_order(
    arrivals: list[np.ndarray], entities: list[Column], window_s: float = 86400.0
) -> Iterator[tuple[int, int, str]]:
    """Every traveller of every port in time order, ties in port then arrival order: the port,
    the traveller's index there and its identity.

    That is a stable sort of all ports' arrivals one after the other, done a day at a time
    (each port's arrivals are sorted, so a day is a slice of each; sorting the days apart gives
    the same order): a year is millions of travellers, whose sort order would be held whole.
    """
    starts = [0] * len(arrivals)
    while True:
        left = [float(a[s]) for s, a in zip(starts, arrivals, strict=True) if s < len(a)]
        if not left:
            return
        end = min(left) + window_s  # a day from the earliest left (the rest, if not finite)
        parts = []
        for p, a in enumerate(arrivals):
            stop = int(np.searchsorted(a, end, side="left")) if math.isfinite(end) else len(a)
            parts.append((p, starts[p], stop))
            starts[p] = stop
        times = np.concatenate([arrivals[p][lo:hi] for p, lo, hi in parts])
        port = np.concatenate([np.full(hi - lo, p, dtype=np.int32) for p, lo, hi in parts])
        index = np.concatenate([np.arange(lo, hi, dtype=np.int64) for _, lo, hi in parts])
        names = np.concatenate(
            [np.asarray(entities[p].take(np.arange(lo, hi)), dtype=object) for p, lo, hi in parts]
        )
        order = np.argsort(times, kind="stable")
        yield from zip(port[order].tolist(), index[order].tolist(), names[order].tolist(),
                       strict=True)  # fmt: skip
