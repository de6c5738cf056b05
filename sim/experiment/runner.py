"""Running experiments: replication sets, paired comparisons and sweeps, on any executor.

Every experiment is a list of arms (:class:`~sim.experiment.design.ArmSpec`) run on the same
replication indices ``0 .. n-1``:

1. each arm's world is built once (:func:`sim.world.build_world`: the population depends on
   the scenario and its seed, never on the replication); arms whose worlds are equal share
   one, and each world travels to each worker once;
2. the executor runs every (arm, replication) job and hands back outcomes in order;
3. the outcomes become estimates per KPI (:mod:`sim.experiment.summarise`); a comparison adds
   the paired and unpaired differences of B - A; a replication set adds MSER-5's warm-up
   suggestion.

With a requested ``precision`` (relative half-width, e.g. 0.05) a replication set runs more
replications, in rounds, until every :data:`~sim.results.metrics.PRECISION_METRICS` interval
is that tight or ``max_replications`` is reached (the sequential procedure of
:mod:`sim.experiment.stats`).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass

from sim.experiment.design import ArmSpec
from sim.experiment.executors import Executor
from sim.experiment.replication import Job, Outcome
from sim.experiment.stats import replications_needed, t_interval
from sim.experiment.summarise import (
    differences,
    summarise_arm,
    values_by_key,
    warmup_suggestions,
)
from sim.results.experiment import Experiment, ExperimentKind
from sim.results.metrics import PRECISION_METRICS
from sim.results.rows import KpiRow
from sim.world import World, build_world

__all__ = ["DEFAULT_MAX_REPLICATIONS", "ExperimentRun", "Progress", "run_experiment"]

DEFAULT_MAX_REPLICATIONS = 200
"""The most replications a requested precision may ask for."""


class Progress:
    """What an experiment tells its caller while it runs (the CLI draws a Rich bar from it).

    Subclass and override; the default does nothing.
    """

    def phase(self, text: str) -> None:
        """A new phase starts (building worlds, running replications)."""

    def advance(self, done: int, total: int) -> None:
        """``done`` of ``total`` jobs have finished (``total`` may grow with a precision)."""


@dataclass(frozen=True)
class ExperimentRun:
    """An experiment and its raw rows.

    Attributes:
        experiment: the estimates, differences and suggestions.
        rows: (arm label, replication index, row) for every replication's KPI rows.
    """

    experiment: Experiment
    rows: list[tuple[str, int, KpiRow]]


def _worlds(specs: Sequence[ArmSpec], progress: Progress) -> tuple[dict[str, World], list[str]]:
    """Build each arm's world; equal worlds (same pickled bytes) share one id."""
    worlds: dict[str, World] = {}
    ids = []
    for spec in specs:
        progress.phase(f"drawing the population of {spec.label} ({spec.scenario.name})")
        world = build_world(spec.scenario)
        digest = hashlib.sha256(pickle.dumps(world, protocol=pickle.HIGHEST_PROTOCOL))
        world_id = digest.hexdigest()[:16]
        worlds.setdefault(world_id, world)
        ids.append(world_id)
    return worlds, ids


def _precision_reached(outcomes: Sequence[Outcome], precision: float) -> tuple[bool, int]:
    """Whether every precision metric is tight enough, and the replications estimated."""
    values = values_by_key(outcomes)
    reached, needed = True, len(outcomes)
    for key in PRECISION_METRICS:
        interval = t_interval(values.get(key, []))
        if interval.n == 0:
            continue  # not measured in this scenario (no supervised trucks)
        if not interval.relative_half_width <= precision:
            reached = False
            needed = max(needed, replications_needed(interval, precision))
    return reached, needed


def run_experiment(
    kind: ExperimentKind,
    specs: Sequence[ArmSpec],
    replications: int,
    executor: Executor,
    *,
    precision: float | None = None,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
    sweep_params: Sequence[str] = (),
    progress: Progress | None = None,
) -> ExperimentRun:
    """Run every arm over replications ``0 .. n-1`` and summarise.

    Args:
        kind: ``replications`` (one arm), ``comparison`` (arms A and B) or ``sweep``.
        specs: the arms.
        replications: replications per arm (the first round when ``precision`` is given).
        executor: where to run (not yet opened; it is opened and closed here).
        precision: a relative half-width to reach (replication sets only).
        max_replications: the cap on replications when ``precision`` is given.
        sweep_params: the swept paths (sweeps).
        progress: told about phases and finished jobs.

    Raises:
        ValueError: on an inconsistent design (no arm, a comparison without two arms,
            fewer than one replication, a precision outside (0, 1)).
    """
    sink = progress or Progress()
    if not specs:
        raise ValueError("an experiment needs at least one arm")
    if kind == "comparison" and len(specs) != 2:
        raise ValueError("a comparison has two arms")
    if replications < 1:
        raise ValueError("at least one replication")
    if precision is not None and not 0.0 < precision < 1.0:
        raise ValueError("precision is a relative half-width in (0, 1)")
    worlds, world_ids = _worlds(specs, sink)
    outcomes: list[list[Outcome]] = [[] for _ in specs]
    total = replications * len(specs)
    finished = 0
    reached: bool | None = None

    def one_done() -> None:
        nonlocal finished
        finished += 1
        sink.advance(finished, total)

    with executor:
        sink.phase("starting the workers")
        executor.open(worlds)
        sink.phase(f"running replications on {executor.description}")
        start, stop = 0, replications
        while True:
            jobs = [
                Job(world_ids[i], spec.scenario, r)
                for i, spec in enumerate(specs)
                for r in range(start, stop)
            ]
            done = executor.run(jobs, one_done)
            for i in range(len(specs)):
                outcomes[i].extend(done[i * (stop - start) : (i + 1) * (stop - start)])
            if precision is None:
                break
            reached, needed = _precision_reached(outcomes[0], precision)
            if reached or stop >= max_replications:
                break
            start, stop = stop, min(max(needed, stop + 1), max_replications)
            total = stop * len(specs)
    arms = tuple(
        summarise_arm(spec.label, spec.scenario.name, spec.scenario.description, spec.params, runs)
        for spec, runs in zip(specs, outcomes, strict=True)
    )
    first = specs[0].scenario
    experiment = Experiment(
        kind=kind,
        seed=first.seed,
        horizon_s=first.horizon_hours * 3600.0,
        warmup_s=first.warmup_hours * 3600.0,
        arms=arms,
        differences=differences(outcomes[0], outcomes[1]) if kind == "comparison" else (),
        sweep_params=tuple(sweep_params),
        precision=precision,
        precision_reached=reached,
        warmup=(warmup_suggestions(arms[0], first.warmup_hours) if kind == "replications" else ()),
    )
    rows = [
        (spec.label, o.replication, row)
        for spec, runs in zip(specs, outcomes, strict=True)
        for o in runs
        for row in o.rows
    ]
    return ExperimentRun(experiment, rows)
