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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from sim.model.routing import DeclarantDraw
from sim.results.records import RecordGroup
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
        self._ports.append(_Port(group, np.asarray(days), np.asarray(travellers.spend_fen),
                                 np.asarray(travellers.trips), np.asarray(travellers.row)))

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
        last = max((int(port.days.max()) for port in self._ports if len(port.days)), default=0)
        years = max((_EPOCH + timedelta(days=last)).year - start.year + 1, 1)
        used = np.full(people * years, -1, dtype=np.int64)  # -1: not seen yet
        # Every check in time order, ties in port then arrival order (a stable sort), as
        # arrays: a year is millions of travellers, too many for a list of tuples.
        times = np.concatenate(
            [np.asarray(port.group.arrival, dtype=np.float64) for port in self._ports]
            or [np.empty(0)]
        )
        which = np.concatenate(
            [np.full(len(port.group), p, dtype=np.int32) for p, port in enumerate(self._ports)]
            or [np.empty(0, dtype=np.int32)]
        )
        index = np.concatenate(
            [np.arange(len(port.group), dtype=np.int64) for port in self._ports]
            or [np.empty(0, dtype=np.int64)]
        )
        order = np.argsort(times, kind="stable")
        purchases = [np.zeros(len(p.group), dtype=np.int64) for p in self._ports]
        before = [np.zeros(len(p.group), dtype=np.int64) for p in self._ports]
        violation = [np.zeros(len(p.group), dtype=bool) for p in self._ports]
        entities = [port.group.ids["entity"] for port in self._ports]
        for p, i in _in_chunks(which[order], index[order]):
            port = self._ports[p]
            person = entities[p][i]
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
            group.violation = violation[p].tolist()
            group.detected = (violation[p] & (u < catch)).tolist()
        # the days, spending and trips were inputs of the decision: a year's travellers are
        # millions of them, not to be held through the run
        self._ports.clear()


def _codes(rows: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """Each port's travellers numbered 0, 1, ... by entity across all ports, and how many."""
    if not rows:
        return [], 0
    people, codes = np.unique(np.concatenate(rows), return_inverse=True)
    parts, first = [], 0
    for part in rows:
        parts.append(codes[first : first + len(part)])
        first += len(part)
    return parts, len(people)


def _in_chunks(a: np.ndarray, b: np.ndarray, size: int = 1 << 16) -> Iterator[tuple[int, int]]:
    """Pairs of ``a`` and ``b`` as Python ints, converted a chunk at a time."""
    for k in range(0, len(a), size):
        yield from zip(a[k : k + size].tolist(), b[k : k + size].tolist(), strict=True)
