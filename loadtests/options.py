"""The replay's Locust options: the workload, the speed-up, and how the replay measures.

They are Locust command-line options (``locust -f loadtests/locustfile.py --workload F ...``),
shown in Locust's web UI too; the target is Locust's own ``--host``, and its admin token is read
from ``REFPLATFORM_ADMIN_TOKEN`` (never from a command line, where other users can read it).
``customs-sim load`` passes the same options. :func:`add_arguments` registers them;
:class:`ReplayOptions` is their checked value, which the master hands to every worker with its
share of the work (so a worker started with nothing but ``--worker`` replays the same).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "DEFAULTS",
    "EVENT_PREFIX",
    "ReplayOptions",
    "add_arguments",
]


EVENT_PREFIX = "@customs-sim-load "
"""How the replay's phase lines start on the standard output of Locust's master (what
``customs-sim load`` follows)."""


@dataclass(frozen=True)
class ReplayOptions:
    """The replay's settings.

    Attributes:
        workload: the workload file (Parquet; every worker reads it at this path).
        speed: intended seconds per wall second (10: ten times faster than predicted).
        connections: requests out at once, per worker process.
        late_ms: a start later than this after its ready moment counts as dropped.
        silence_s: the run ends when the target gives no answer for this long.
        timeout_s: the longest wait for one answer.
        slo: the SLO file ('' for the default).
        out: the directory for ``summary.json`` and its companions ('' for none).
        reference_platform: whether the target was started for the run (for the summary).
    """

    workload: str
    speed: float = 1.0
    connections: int = 100
    late_ms: float = 100.0
    silence_s: float = 10.0
    timeout_s: float = 30.0
    slo: str = ""
    out: str = ""
    reference_platform: bool = False

    def check(self) -> None:
        """Raise ValueError with one line naming the option and the value when one is wrong."""
        if not self.workload:
            raise ValueError("--workload: a workload file is required")
        for name, value, low in (("--speed", self.speed, 0.0), ("--late-ms", self.late_ms, 0.0),
                                 ("--silence-s", self.silence_s, 0.0),
                                 ("--request-timeout", self.timeout_s, 0.0)):
            if not value > low:
                raise ValueError(f"{name}: must be greater than {low:g} (got {value:g})")
        if not 1 <= self.connections <= 10_000:
            raise ValueError(f"--connections: must be 1 to 10000 (got {self.connections})")

    def to_data(self) -> dict[str, Any]:
        """As a plain dict (sent to the workers)."""
        return asdict(self)

    @classmethod
    def from_parsed(cls, parsed: Any) -> ReplayOptions:
        """From Locust's parsed options."""
        return cls(
            workload=getattr(parsed, "workload", "") or "",
            speed=float(getattr(parsed, "speed", DEFAULTS.speed)),
            connections=int(getattr(parsed, "connections", DEFAULTS.connections)),
            late_ms=float(getattr(parsed, "late_ms", DEFAULTS.late_ms)),
            silence_s=float(getattr(parsed, "silence_s", DEFAULTS.silence_s)),
            timeout_s=float(getattr(parsed, "request_timeout", DEFAULTS.timeout_s)),
            slo=getattr(parsed, "slo", "") or "",
            out=getattr(parsed, "replay_out", "") or "",
            reference_platform=bool(getattr(parsed, "reference_platform", False)),
        )


DEFAULTS = ReplayOptions(workload="")
"""The defaults of every option (one home: the command line of ``customs-sim load`` uses them
too)."""


def add_arguments(parser: Any) -> None:
    """Register the replay's options on Locust's argument parser."""
    group = parser.add_argument_group("customs-sim replay",
                                      "Replay a customs-sim workload open-model")
    # Locust's own parser understands include_in_web_ui; an argument group does not.
    group.add_argument("--workload", default="", help="Workload file (Parquet), "
                       "from `customs-sim workload`.")
    group.add_argument("--speed", type=float, default=DEFAULTS.speed,
                       help="Speed-up: intended seconds per wall second.")
    group.add_argument("--connections", type=int, default=DEFAULTS.connections,
                       help="Requests out at once, per worker process.")
    group.add_argument("--late-ms", type=float, default=DEFAULTS.late_ms,
                       help="A start later than this counts as dropped.")
    group.add_argument("--silence-s", type=float, default=DEFAULTS.silence_s,
                       help="End the run when the target gives no answer for this long.")
    group.add_argument("--request-timeout", type=float, default=DEFAULTS.timeout_s,
                       help="The longest wait for one answer, seconds.")
    group.add_argument("--slo", default="", help="SLO file (YAML); default: the shipped one.")
    group.add_argument("--replay-out", default="",
                       help="Directory for summary.json, junit.xml, latency_over_time.csv "
                       "and mismatches.jsonl.")
    parser.add_argument("--reference-platform", action="store_true", default=False,
                        include_in_web_ui=False, help="(set by customs-sim load)")
