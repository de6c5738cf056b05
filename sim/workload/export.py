"""Exporting a workload: run the model, then turn the period it names into platform calls.

:func:`export_workload` runs the scenario (its world, then the model, as ``customs-sim run``
does) and hands the run to the exporters: entities and their credit histories
(:mod:`~sim.workload.entity_calls`), the goods flow (:mod:`~sim.workload.goods_calls`) and
what happens at the ports (:mod:`~sim.workload.port_calls`), which a
:class:`~sim.workload.builder.CallBuilder` orders, numbers and ties together.

A :class:`Period` is a window of the scenario's horizon (local start time and hours) and the
ports whose traffic is wanted. Who is in the workload: every entity with a call in the period at
those ports, and what their state needs (see :mod:`~sim.workload.goods_calls`); an entity's
calls at other ports in the period come with it, so its account book and its quota stay as the
model had them.

Exporting needs identities: ``policy.declarants: population`` and a goods flow that drives the
trucks (the scenario's defaults). Same scenario, seed, replication, period and code: same calls.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sim.results import RunResult
from sim.rules.ports import PORT_IDS
from sim.scenario import Scenario
from sim.scenario.schema_base import SHANGHAI
from sim.workload.builder import CallBuilder
from sim.workload.calls import Call, WorkloadError, WorkloadInfo
from sim.workload.entity_calls import EntityDirectory, add_entities
from sim.workload.goods_calls import GoodsCalls
from sim.workload.port_calls import (
    add_inspection_results,
    add_travellers,
    inspection_results,
    travellers,
)
from sim.world import World, build_world, run_scenario

__all__ = ["Period", "export_workload", "resolve_period"]


@dataclass(frozen=True)
class Period:
    """A window of a scenario's horizon and the ports whose traffic is exported.

    Attributes:
        start: the window's start, local time (Asia/Shanghai).
        hours: its length.
        ports: the ports (in the official order).
    """

    start: datetime
    hours: float
    ports: tuple[str, ...]

    def window(self, scenario: Scenario) -> tuple[float, float]:
        """The window in model time (seconds since the scenario start)."""
        begin = (self.start - scenario.start).total_seconds()
        return begin, begin + self.hours * 3600.0


def resolve_period(
    scenario: Scenario,
    start: datetime | None = None,
    hours: float | None = None,
    ports: list[str] | None = None,
) -> Period:
    """Check a period against the scenario; defaults: from its start, to its end, all ports.

    Raises:
        WorkloadError: one line naming the option, what is wrong and the value.
    """
    if start is None:
        begin = scenario.start
    else:
        begin = start.replace(tzinfo=SHANGHAI) if start.tzinfo is None else start
        begin = begin.astimezone(SHANGHAI)
    if not scenario.start <= begin < scenario.end:
        raise WorkloadError(
            f"--from: outside the simulated period {scenario.start.isoformat()} to "
            f"{scenario.end.isoformat()} (got {begin.isoformat()})"
        )
    left = (scenario.end - begin).total_seconds() / 3600.0
    length = left if hours is None else hours
    if length <= 0:
        raise WorkloadError(f"--hours: must be greater than 0 (got {hours})")
    if length > left + 1e-9:
        raise WorkloadError(
            f"--hours: the period would end after the simulated period's end "
            f"{scenario.end.isoformat()} ({left:g} hours left after --from; got {hours})"
        )
    chosen = ports if ports else list(PORT_IDS)
    for port in chosen:
        if port not in PORT_IDS:
            raise WorkloadError(
                f"--ports: unknown port id; known: {', '.join(PORT_IDS)} (got {port!r})"
            )
        if port not in scenario.active_ports:
            raise WorkloadError(f"--ports: not simulated by this scenario (got {port!r})")
    ordered = tuple(p for p in PORT_IDS if p in chosen and p in scenario.active_ports)
    return Period(begin, length, ordered)


def _check_identities(scenario: Scenario) -> None:
    if scenario.policy.declarants != "population":
        raise WorkloadError(
            "policy.declarants: a workload needs identities from the synthetic population "
            f"(got {scenario.policy.declarants!r})"
        )
    if not (scenario.goods.enabled and scenario.goods.drives_trucks):
        raise WorkloadError(
            "goods.drives_trucks: a workload needs the goods flow to drive the trucks (their "
            "declarations name account books) (got false)"
        )


def export_workload(
    scenario: Scenario,
    period: Period,
    *,
    replication: int = 0,
    world: World | None = None,
    result: RunResult | None = None,
) -> tuple[WorkloadInfo, list[Call]]:
    """Every platform call of ``period``, with the expected answers.

    Args:
        scenario: a validated scenario.
        period: the window and ports (see :func:`resolve_period`).
        replication: the replication index of the run.
        world: the scenario's world, if already built.
        result: the run, if already made (it must be ``replication``'s, in ``world``).

    Returns:
        The workload's metadata and its calls in ``seq`` order.

    Raises:
        WorkloadError: the scenario has no identities to export.
    """
    _check_identities(scenario)
    world = world if world is not None else build_world(scenario)
    if result is None:
        result = run_scenario(scenario, replication=replication, world=world)
    if world.population is None or world.goods_enterprises is None or result.goods is None:
        raise WorkloadError("policy.declarants: the world has no population to export")
    with _collector_paused():
        return _export(scenario, period, replication, world, result)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while 10^5 calls are made (they hold no cycles, and
    every collection would walk the whole world: it costs about a third of the export)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _export(
    scenario: Scenario, period: Period, replication: int, world: World, result: RunResult
) -> tuple[WorkloadInfo, list[Call]]:
    assert world.population is not None and world.goods_enterprises is not None
    assert result.goods is not None
    window = period.window(scenario)
    first = scenario.start.date()
    offset = (scenario.start - scenario.start.replace(hour=0, minute=0, second=0,
                                                      microsecond=0)).total_seconds()
    rules = scenario.rules_config()
    ports = frozenset(period.ports)
    builder = CallBuilder(window[0], _key_prefix(scenario, replication, period))
    goods = GoodsCalls(result.goods, world.goods_enterprises, first, window, ports,
                       all_ports=ports == frozenset(scenario.active_ports))
    ev = result.goods
    owner = {ev.ref[i]: ev.enterprise[i] for i, k in enumerate(ev.kind) if k == "declaration"}
    channel = {ev.ref[i]: ev.channel[i] for i, k in enumerate(ev.kind) if k == "declaration"}
    results = inspection_results(result.records, channel)
    checked = {owner[r.reference] for r in results
               if window[0] <= r.time_s < window[1] and r.port in ports}
    active, receivers = goods.closure(goods.seeds(checked))
    crossings = travellers(result.records, first, offset)
    people = {c.person for c in crossings if window[0] <= c.time_s < window[1] and c.port in ports}
    directory = EntityDirectory(world.population)
    firms = [goods.entity(e) for e in active | receivers]
    for kind, keys in (("enterprise", firms), ("individual", sorted(people))):
        add_entities(builder, directory, kind, keys, rules, start=first, start_offset_s=offset,
                     period=window)
    goods.add_filings(builder, active | receivers)
    goods.add_operations(builder, active)
    add_inspection_results(builder, results, goods.declarations, channel, start=first,
                           start_offset_s=offset, period=window)
    add_travellers(builder, crossings, people, rules, start=first, period=window)
    info = WorkloadInfo(
        scenario=scenario.name,
        seed=scenario.seed,
        replication=replication,
        start=period.start.isoformat(),
        hours=period.hours,
        ports=period.ports,
        rules=rules.model_dump(mode="json"),
    )
    return info, builder.calls()


def _key_prefix(scenario: Scenario, replication: int, period: Period) -> str:
    text = f"{scenario.name}|{scenario.seed}|{replication}|{period.start.isoformat()}|" \
           f"{period.hours}|{','.join(period.ports)}"
    return "wl-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def period_end(period: Period) -> datetime:
    """The period's end (local time)."""
    return period.start + timedelta(hours=period.hours)
