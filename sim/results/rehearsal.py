"""A rehearsal's one summary: each stage of the pre-closure rehearsal, what it found, its files.

``customs-sim rehearse`` runs the whole harness in one command, as the authorities rehearsed
before closure: the model of the ports, the period's platform calls exported as a workload, the
reference platform, every business process drilled at every port, the period's traffic replayed
and held against the service objectives, and a report. :class:`RehearsalSummary` is its
outcome, one :class:`Stage` per step:

- ``status`` is ``done`` for a stage that makes something (the model's KPIs, the workload, the
  report), ``pass`` / ``fail`` / ``not_supported`` for a stage that checks the platform (the
  drill, the load), ``skipped`` for one this build cannot do (said in its ``note``);
- ``figures`` are the few numbers a reader looks for first (trucks released and p95 clearance,
  calls exported, steps passed, answers mismatched);
- ``outputs`` are the files it wrote, relative to the rehearsal's directory.

The verdict passes only when every checking stage passed; ``not_supported`` when the only
shortfall is a drill step the platform API has no operation for. It is written as
``rehearsal.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from sim.results.io import write_text_atomic

__all__ = [
    "FORMAT",
    "STAGE_STATUSES",
    "RehearsalSummary",
    "Stage",
    "read_rehearsal",
    "write_rehearsal",
]

StageStatus = Literal["done", "pass", "fail", "not_supported", "skipped"]
STAGE_STATUSES: tuple[StageStatus, ...] = ("done", "pass", "fail", "not_supported", "skipped")

FORMAT = "customs-sim-rehearsal/1"
"""The format name and version written into every file of this kind."""


@dataclass(frozen=True)
class Stage:
    """One stage of a rehearsal.

    Attributes:
        name: ``model``, ``workload``, ``platform``, ``drill``, ``load``, ``report``.
        status: see the module docstring.
        seconds: its wall time.
        figures: its headline numbers.
        outputs: the files it wrote, relative to the rehearsal's directory.
        note: what a reader must know (a stage replaced or skipped, and why).
    """

    name: str
    status: StageStatus
    seconds: float
    figures: Mapping[str, Any] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The stage as JSON data."""
        data = asdict(self)
        data["figures"] = dict(self.figures)
        data["outputs"] = list(self.outputs)
        data["seconds"] = round(self.seconds, 3)
        return data


@dataclass(frozen=True)
class RehearsalSummary:
    """A whole rehearsal (see the module docstring).

    Attributes:
        scenario: the scenario's name; ``seed`` its seed.
        start: the period's start (local time, ISO 8601); ``hours`` its length.
        ports: the ports of the period's traffic.
        stages: the stages, in the order run.
    """

    scenario: str
    seed: int
    start: str
    hours: float
    ports: tuple[str, ...]
    stages: tuple[Stage, ...]

    @property
    def verdict(self) -> Literal["pass", "fail", "not_supported"]:
        """``pass``, ``fail``, or ``not_supported`` (see the module docstring)."""
        statuses = {s.status for s in self.stages}
        if "fail" in statuses:
            return "fail"
        return "not_supported" if "not_supported" in statuses else "pass"

    def stage(self, name: str) -> Stage:
        """The stage called ``name``.

        Raises:
            KeyError: no such stage.
        """
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON data (``rehearsal.json``)."""
        return {
            "format": FORMAT, "scenario": self.scenario, "seed": self.seed,
            "start": self.start, "hours": self.hours, "ports": list(self.ports),
            "verdict": self.verdict, "stages": [s.to_dict() for s in self.stages],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RehearsalSummary:
        """Read :meth:`to_dict`'s output back.

        Raises:
            ValueError: not a rehearsal summary of this format.
        """
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        stages = tuple(Stage(**{**s, "outputs": tuple(s["outputs"])}) for s in data["stages"])
        return cls(data["scenario"], data["seed"], data["start"], data["hours"],
                   tuple(data["ports"]), stages)


def write_rehearsal(path: Path, summary: RehearsalSummary) -> None:
    """Write ``rehearsal.json`` atomically."""
    text = json.dumps(summary.to_dict(), ensure_ascii=False, indent=1)
    write_text_atomic(path, text + "\n")


def read_rehearsal(path: Path) -> RehearsalSummary:
    """Read a ``rehearsal.json``.

    Raises:
        ValueError: not a rehearsal summary (one line naming the file).
    """
    try:
        return RehearsalSummary.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a rehearsal summary ({exc})") from None
