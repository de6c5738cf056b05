"""The report of a rehearsal: ``rehearsal.json`` from ``customs-sim rehearse`` and its parts.

One page for the whole pre-closure rehearsal: the verdict and the stages (model, workload,
platform, drill, load) with their figures, seconds and notes; the model's summary tables and
plots (the run report's, from ``model/``); the drill's matrix, failures, faults and audit (the
drill report's, from ``drill/``); and the load test's verdict, latency per operation and over
time, objectives and first mismatches (the load-test report's, from ``load/``). A part whose
files are missing is left out with a note, so the page still shows what is there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reports.kinds.drill import drill_section, read_drill, summary_is_drill
from reports.kinds.load_test import is_load_test, load_section
from reports.kinds.run import run_kind
from reports.render import ReportError, ReportKind, report_kind
from sim.results.rehearsal import read_rehearsal

__all__ = ["REHEARSAL_FILE", "rehearsal_kind"]

REHEARSAL_FILE = "rehearsal.json"


def _context(directory: Path) -> dict[str, Any]:
    try:
        summary = read_rehearsal(directory / REHEARSAL_FILE)
    except (OSError, ValueError) as exc:
        raise ReportError(str(exc)) from None
    notes: list[str] = []
    model: dict[str, Any] | None = None
    if (directory / "model" / "kpis.json").is_file():
        model = run_kind().context(directory / "model")
    else:
        notes.append("model/kpis.json is missing: the model's tables and plots are left out")
    drill = None
    if summary_is_drill(directory / "drill"):
        drill = drill_section(read_drill(directory / "drill"))
    else:
        notes.append("drill/summary.json is missing: the drill's matrix is left out")
    load_test = None
    if is_load_test(directory / "load"):
        load_test = load_section(directory / "load")
    else:
        notes.append("load/summary.json is missing: the load test's tables are left out")
    stages = [{"name": s.name, "status": s.status, "seconds": f"{s.seconds:.1f}",
               "figures": ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s.figures.items()),
               "outputs": ", ".join(s.outputs), "note": s.note}
              for s in summary.stages if s.name != "report"]
    load = next((s for s in summary.stages if s.name == "load"), None)
    return {
        "title": f"Rehearsal: {summary.scenario}",
        "rehearsal": {"scenario": summary.scenario, "seed": summary.seed,
                      "start": summary.start, "hours": f"{summary.hours:g}",
                      "ports": ", ".join(summary.ports), "verdict": summary.verdict},
        "stages": stages,
        "model": model,
        "drill": drill,
        "load": None if load is None else {"status": load.status, "note": load.note,
                                           "figures": dict(load.figures)},
        "load_test": load_test,
        "notes": notes,
    }


@report_kind
def rehearsal_kind() -> ReportKind:
    """A rehearsal's directory (``rehearsal.json``)."""
    return ReportKind(name="rehearsal", priority=20,
                      detect=lambda d: (d / REHEARSAL_FILE).is_file(), context=_context,
                      template="rehearsal.html")
