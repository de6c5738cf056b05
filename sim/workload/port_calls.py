"""What officers tell the platform at the ports: inspection results and travellers' checks.

From the journey records of the run:

* **inspection results** (``POST /v1/declarations/{id}/inspection``, by an officer): a scanned
  declaration's image review, at its end (``anomaly`` when the truck went on to a manual
  inspection, ``clear`` otherwise), and a manual inspection, at its end (``violation`` when it
  caught one, ``clear`` otherwise). The path names the declaration the platform created: the call
  depends on the declaration's answer. Results due after the run's end were never given.
* **duty-free travellers** at the moment they reach the check: a tier query
  (``GET /v1/entities/{id}/tier``, expected: the tier the model gave the traveller that day) and
  the departure check of what they present (``POST /v1/travellers/{id}/departure-checks``,
  expected: the oracle's decision on the purchases and what was used before). A traveller is set
  up with the year's purchases before the run (one check dated the day before the start) and
  with every check of the run before the period.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import repeat
from typing import NamedTuple

import numpy as np

from sim.results.records import Records
from sim.rules.config import RulesConfig
from sim.rules.dutyfree import departure_decision
from sim.workload.builder import CallBuilder
from sim.workload.entity_calls import day_of

__all__ = [
    "InspectionResult",
    "Traveller",
    "add_inspection_results",
    "add_travellers",
    "inspection_results",
    "travellers",
]


@dataclass(frozen=True)
class InspectionResult:
    """A result an officer records: its time, port, declaration, enterprise and content."""

    time_s: float
    port: str
    reference: str
    entity: str
    channel: str
    result: str


def inspection_results(records: Records, first: Mapping[str, str]) -> list[InspectionResult]:
    """Every scan and inspection result of the declared trucks, in time order.

    Args:
        records: the run's journey records.
        first: declaration reference -> the channel the oracle chose (release, scan,
            inspection); the records keep only the last one.
    """
    out: list[InspectionResult] = []
    trucks = np.flatnonzero((records["flow"] == "cargo_truck") & (records["reference"] != ""))
    for r in trucks.tolist():
        ref = str(records["reference"][r])
        port, entity = str(records["port"][r]), str(records["entity"][r])
        route = records["route"][r]
        if first.get(ref) == "scan" and not math.isnan(records["review_end"][r]):
            result = "anomaly" if route == "inspection" else "clear"
            out.append(InspectionResult(float(records["review_end"][r]), port, ref, entity,
                                        "scan", result))
        if route == "inspection" and not math.isnan(records["inspection_end"][r]):
            result = "violation" if records["detected"][r] else "clear"
            out.append(InspectionResult(float(records["inspection_end"][r]), port, ref, entity,
                                        "inspection", result))
    out.sort(key=lambda x: x.time_s)
    return out


def add_inspection_results(
    builder: CallBuilder,
    results: list[InspectionResult],
    declarations: Mapping[str, int],
    channels: Mapping[str, str],
    *,
    start: date,
    start_offset_s: float,
    period: tuple[float, float],
) -> None:
    """The results inside the period whose declaration is in the workload."""
    for r in results:
        decl = declarations.get(r.reference)
        if decl is None or not period[0] <= r.time_s < period[1]:
            continue
        on = day_of(r.time_s, start, start_offset_s).isoformat()
        builder.add(
            "timed", r.time_s, "inspection_result", "POST",
            "/v1/declarations/{depends_on.id}/inspection",
            {"on": on, "channel": r.channel, "result": r.result}, "officer", "", r.entity, 200,
            {"reference": r.reference, "channel": channels[r.reference],
             "inspection.channel": r.channel, "inspection.result": r.result},
            port=r.port, answer_of=decl,
        )


class Traveller(NamedTuple):
    """One duty-free crossing: who, when, where, what was presented and used before.

    A named tuple: a peak day has 10^5 crossings, and a tuple is made fastest.
    """

    time_s: float
    port: str
    person: str
    day: date
    tier: str
    purchase_fen: int
    used_before_fen: int


def travellers(records: Records, start: date, start_offset_s: float) -> list[Traveller]:
    """Every duty-free crossing with an identity, in time order."""
    rows = np.flatnonzero((records["flow"] == "duty_free_traveller") & (records["entity"] != ""))
    arrival = records["arrival"][rows]
    order = np.argsort(arrival, kind="stable")
    rows, arrival = rows[order], arrival[order]
    first = (start - date(1970, 1, 1)).days
    days = first + ((arrival + start_offset_s) // 86_400.0).astype(np.int64)
    dates = {d: date(1970, 1, 1) + timedelta(days=d) for d in np.unique(days).tolist()}
    columns = (arrival.tolist(), records["port"][rows].tolist(),
               records["entity"][rows].tolist(), list(map(dates.__getitem__, days.tolist())),
               records["tier"][rows].tolist(), records["purchase_fen"][rows].tolist(),
               records["used_before_fen"][rows].tolist())
    return list(map(tuple.__new__, repeat(Traveller), zip(*columns, strict=True)))


def add_travellers(
    builder: CallBuilder,
    crossings: list[Traveller],
    people: set[str],
    rules: RulesConfig,
    *,
    start: date,
    period: tuple[float, float],
) -> None:
    """Calls of the travellers ``people``: the year's earlier purchases, then their crossings."""
    quota = rules.duty_free_quota_fen
    before = start - timedelta(days=1)
    begin, end = period
    seen: set[str] = set()
    # A peak day's 10^5 calls go to the builder as columns (add_many), in the order they are
    # made here. Bodies and expectations are text straight away: ids, ports, dates, decisions
    # and integers need no escaping (and a day's text is made once, not once per traveller).
    day_text = {before: before.isoformat()}
    phases: list[str] = []
    times: list[float] = []
    queries: list[bool] = []  # a tier query, or a departure check
    paths: list[str] = []
    bodies: list[str] = []
    people_of: list[str] = []
    ports: list[str] = []
    expected: list[str] = []

    def check(phase: str, time_s: float, person: str, port: str, day: date, amount: int,
              used_before: int) -> None:
        decision = departure_decision(person, day, amount, used_before, quota)
        phases.append(phase)
        times.append(time_s)
        queries.append(False)
        paths.append(f"/v1/travellers/{person}/departure-checks")
        bodies.append(f'{{"date":"{day_text[day]}","port":"{port}",'
                      f'"purchases":[{{"amount_fen":{amount}}}]}}')
        people_of.append(person)
        ports.append(port)
        expected.append(f'{{"decision":"{decision}","amount_fen":{amount},'
                        f'"used_before_fen":{used_before}}}')

    for c in crossings:
        person, t = c.person, c.time_s
        if t >= end or person not in people:
            continue
        day, port = c.day, c.port
        if day not in day_text:
            day_text[day] = day.isoformat()
        if person not in seen:
            seen.add(person)
            if day.year == start.year and c.used_before_fen > 0:
                # the year's purchases before the run: one check the day before its start
                check("setup", -1.0, person, port, before, c.used_before_fen, 0)
        timed = t >= begin
        if timed:
            phases.append("timed")
            times.append(t)
            queries.append(True)
            paths.append(f"/v1/entities/{person}/tier?as_of={day_text[day]}")
            bodies.append("")
            people_of.append(person)
            ports.append(port)
            expected.append(f'{{"tier":"{c.tier}"}}')
        check("timed" if timed else "setup", t, person, port, day, c.purchase_fen,
              c.used_before_fen)
    builder.add_many(
        phases, times, ["tier_query" if q else "departure_check" for q in queries],
        ["GET" if q else "POST" for q in queries], paths, bodies, "officer", "", people_of,
        [200 if q else 201 for q in queries], expected, port=ports, touches_partition=True,
    )
