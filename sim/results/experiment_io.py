"""An experiment's files: ``experiment.json`` (canonical) and ``replications.parquet`` (raw).

``experiment.json`` holds everything a report shows (estimates, intervals, differences,
hourly series, histograms) as canonical JSON, so the same seeds and code give the same bytes on
any executor. ``replications.parquet`` holds every KPI row of every replication of every arm
(columns ``arm, replication, port, flow, tier, metric, value``), for analysts who want to
recompute. ``customs-sim report DIR`` re-renders from ``experiment.json`` alone.

A directory holds either a single run (``kpis.json``, from ``customs-sim run``) or an
experiment; :func:`result_kind` tells which.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.parquet as pq

from sim.results.experiment import Experiment
from sim.results.io import canonical_json
from sim.results.rows import KpiRow

__all__ = [
    "EXPERIMENT_FILE",
    "REPLICATIONS_FILE",
    "ResultFileError",
    "read_experiment",
    "result_kind",
    "write_experiment",
]

EXPERIMENT_FILE = "experiment.json"
REPLICATIONS_FILE = "replications.parquet"
RUN_FILE = "kpis.json"


class ResultFileError(ValueError):
    """A results directory or file that cannot be read; the message names the path."""


def write_experiment(
    directory: Path, experiment: Experiment, rows: Iterable[tuple[str, int, KpiRow]]
) -> list[str]:
    """Write ``experiment.json`` and ``replications.parquet`` into ``directory``.

    Write into a staged directory (:func:`sim.results.io.stage_directory`) and publish it, so
    an error leaves no partial experiment behind.

    Args:
        directory: an existing directory.
        experiment: the experiment.
        rows: (arm label, replication index, row) for every replication's KPI rows.

    Returns:
        The names of the files written.
    """
    arms, reps, ports, flows, tiers, metrics, values = [], [], [], [], [], [], []
    for arm, rep, row in rows:
        arms.append(arm)
        reps.append(rep)
        ports.append(row.port)
        flows.append(row.flow)
        tiers.append(row.tier)
        metrics.append(row.metric)
        values.append(row.value)
    table = pa.table(
        {
            "arm": pa.array(arms, pa.string()).dictionary_encode(),
            "replication": pa.array(reps, pa.int32()),
            "port": pa.array(ports, pa.string()).dictionary_encode(),
            "flow": pa.array(flows, pa.string()).dictionary_encode(),
            "tier": pa.array(tiers, pa.string()).dictionary_encode(),
            "metric": pa.array(metrics, pa.string()).dictionary_encode(),
            "value": pa.array(values, pa.float64()),
        }
    )
    pq.write_table(table, directory / REPLICATIONS_FILE, compression="zstd")
    (directory / EXPERIMENT_FILE).write_text(canonical_json(experiment.to_dict()), encoding="utf-8")
    return [REPLICATIONS_FILE, EXPERIMENT_FILE]


def result_kind(directory: Path) -> Literal["run", "experiment"]:
    """Whether ``directory`` holds an experiment or a single run.

    Raises:
        ResultFileError: when it holds neither.
    """
    if not directory.is_dir():
        raise ResultFileError(f"{directory}: no such directory")
    if (directory / EXPERIMENT_FILE).is_file():
        return "experiment"
    if (directory / RUN_FILE).is_file():
        return "run"
    raise ResultFileError(
        f"{directory}: no {EXPERIMENT_FILE} or {RUN_FILE} here (not the output of "
        "customs-sim run, compare or sweep)"
    )


def read_experiment(directory: Path) -> Experiment:
    """Read the experiment saved in ``directory``.

    Raises:
        ResultFileError: when the file is missing, not JSON, or not an experiment's data.
    """
    path = directory / EXPERIMENT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResultFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultFileError(f"{path}: not valid JSON ({exc})") from None
    try:
        return Experiment.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ResultFileError(f"{path}: not an experiment's results ({exc!r})") from None
