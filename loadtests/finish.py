"""The end of a replay: the merged measurements turned into the result, checked, and written.

:func:`finish` makes the :class:`~sim.results.load.LoadResult` (per operation, the run, latency
over time, the set-up), checks the SLO (:mod:`loadtests.slo`) and, when the replay has an
output directory, writes ``summary.json``, ``junit.xml``, ``latency_over_time.csv`` and
``mismatches.jsonl`` there, all or none. It returns the exit status (0 every objective held,
1 some objective broke, 2 the run ended early: the target stopped answering, or it was stopped)
and the verdict in one line.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from loadtests.measure import Merged
from loadtests.options import ReplayOptions
from loadtests.outputs import junit_xml, mismatch_lines, timeline_csv
from loadtests.slo import evaluate, load_slo
from sim.results.io import publish_directory, stage_directory
from sim.results.load import LoadResult, SetupLoad, write_load_result
from sim.workload import WorkloadInfo

__all__ = ["OUTPUT_FILES", "finish", "verdict"]

OUTPUT_FILES = ("summary.json", "junit.xml", "latency_over_time.csv", "mismatches.jsonl")
"""What a replay writes into its output directory (Locust's own CSV and HTML go beside)."""

_SUMMARY_MISMATCHES = 10


def _workload_data(options: ReplayOptions, info: WorkloadInfo) -> dict[str, Any]:
    return {"path": options.workload, "scenario": info.scenario, "seed": info.seed,
            "replication": info.replication, "start": info.start, "hours": info.hours,
            "ports": list(info.ports), "calls": info.calls, "setup": info.setup}


def verdict(result: LoadResult) -> str:
    """The run's verdict in one line."""
    run = result.run
    head = (f"{run.sent}/{run.planned} timed calls at {result.speed:g}x: p99 "
            f"{run.response_ms.p99:.1f} ms from intended (service p99 {run.service_ms.p99:.1f} "
            f"ms), {run.mismatched} mismatched, {run.errors} errors, {run.dropped} dropped")
    if result.aborted:
        return f"{head}; ended early: {result.aborted}"
    broken = [c.name for c in result.slo if not c.holds]
    if broken:
        return f"{head}; SLO broken: {', '.join(broken)}"
    return f"{head}; SLO holds ({len(result.slo)} objectives)"


def finish(
    options: ReplayOptions,
    info: WorkloadInfo,
    target: str,
    merged: Merged,
    planned: Counter[str],
    setup: SetupLoad | None,
    last_answer_s: float,
    aborted: str | None,
    mismatches: Sequence[dict[str, Any]],
    *,
    schedule_s: float,
    workers: int,
) -> tuple[int, str]:
    """Make, check and write the result (see the module docstring).

    Returns:
        The exit status and the verdict line.
    """
    operations, run = merged.operations(planned)
    result = LoadResult(
        workload=_workload_data(options, info),
        target=target,
        reference_platform=options.reference_platform,
        speed=options.speed,
        processes=workers,
        connections=options.connections,
        late_ms=options.late_ms,
        schedule_s=round(schedule_s, 6),
        run_s=round(max(last_answer_s, 0.0), 6),
        setup=setup if setup is not None else SetupLoad(),
        run=run,
        operations=operations,
        timeline=merged.timeline(),
        slo_source=options.slo or "default",
        aborted=aborted,
        first_mismatches=tuple(mismatches[:_SUMMARY_MISMATCHES]),
    )
    slo = load_slo(Path(options.slo) if options.slo else None)
    result = replace(result, slo=evaluate(slo, result))
    if options.out:
        write_outputs(Path(options.out), result, mismatches)
    code = 2 if result.aborted else (0 if result.holds else 1)
    return code, verdict(result)


def write_outputs(directory: Path, result: LoadResult,
                  mismatches: Sequence[dict[str, Any]]) -> None:
    """Write the result's files into ``directory``, all or none."""
    tmp = stage_directory(directory)
    try:
        write_load_result(tmp / "summary.json", result)
        (tmp / "junit.xml").write_text(junit_xml(result), encoding="utf-8")
        (tmp / "latency_over_time.csv").write_text(timeline_csv(result.timeline),
                                                   encoding="utf-8")
        (tmp / "mismatches.jsonl").write_text(mismatch_lines(mismatches), encoding="utf-8")
        publish_directory(tmp, directory, list(OUTPUT_FILES))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
