"""Running a replay as Locust in a process of its own, bounded in time, and reading its result.

Locust patches the standard library for gevent when it is imported; that must not reach the
rest of the harness. :func:`run_replay` therefore starts ``python -m locust -f
loadtests/locustfile.py --headless`` (with ``--processes N`` for N worker processes) in a
session of its own, follows its phase lines (``@customs-sim-load {...}`` on its standard
output) and hands each to ``progress``, and reads ``summary.json`` when it ends. Locust writes
into a staging directory beside ``out``; its files move into ``out`` when it is done, so a run
that fails leaves ``out`` as it was.

Every run is bounded: it is stopped (the whole process group) when it has not finished within
``deadline_s``, and a target that stops answering ends it within ``silence_s`` (the replay
itself notices). The admin token reaches Locust through its environment, never its command line.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from loadtests.finish import verdict
from loadtests.options import EVENT_PREFIX, ReplayOptions
from sim.results.io import publish_directory, stage_directory
from sim.results.load import LoadResult, read_load_result

__all__ = [
    "LOCUSTFILE",
    "START_ALLOWANCE_S",
    "ReplayRun",
    "locust_command",
    "run_bound_s",
    "run_replay",
]

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
"""The locustfile every run uses."""

_ADMIN_ENV = "REFPLATFORM_ADMIN_TOKEN"
_SETUP_S_PER_CALL = 0.05
"""Allowance per set-up call when bounding a run's time (the reference platform takes ~10 ms)."""
START_ALLOWANCE_S = 60.0
"""Allowance for starting Locust (and its workers) and draining the last answers."""
_STOP_GRACE_S = 5.0


@dataclass(frozen=True)
class ReplayRun:
    """How a replay ended.

    Attributes:
        code: 0 every objective held, 1 some broke, 2 the run could not be done (the message
            says why).
        result: the result (None when the run gave none).
        message: one line: the verdict, or what went wrong.
        files: the files written into the output directory.
    """

    code: int
    result: LoadResult | None
    message: str
    files: tuple[str, ...] = ()


def run_bound_s(span_s: float, speed: float, setup: int, timeout_s: float) -> float:
    """The longest a replay may take: its timed span at ``speed``, the set-up, the last answer.

    Args:
        span_s: the intended moment of the workload's last timed call (seconds).
        speed: the speed-up.
        setup: the workload's set-up calls.
        timeout_s: the longest wait for one answer.
    """
    return span_s / speed + setup * _SETUP_S_PER_CALL + timeout_s + START_ALLOWANCE_S


def locust_command(options: ReplayOptions, host: str, processes: int) -> list[str]:
    """The Locust command line of a headless replay (``options.out`` is Locust's output)."""
    out = Path(options.out)
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "-u", str(max(processes, 1)), "-r", str(max(processes, 1)), "--host", host,
        "--workload", options.workload, "--speed", repr(options.speed),
        "--connections", str(options.connections), "--late-ms", repr(options.late_ms),
        "--silence-s", repr(options.silence_s), "--request-timeout", repr(options.timeout_s),
        "--replay-out", str(out), "--csv", str(out / "locust"), "--csv-full-history",
        "--html", str(out / "locust.html"), "--only-summary", "--logfile",
        str(out / "locust.log"), "--exit-code-on-error", "1",
    ]
    if options.slo:
        command += ["--slo", options.slo]
    if options.reference_platform:
        command.append("--reference-platform")
    if processes > 1:
        command += ["--processes", str(processes)]
    return command


def _pump(stream: IO[str], lines: queue.Queue[str | None], log: IO[str]) -> None:
    for line in stream:
        log.write(line)
        if line.startswith(EVENT_PREFIX):
            lines.put(line[len(EVENT_PREFIX):])
    lines.put(None)


def _stop(proc: subprocess.Popen[str]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=_STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # forked workers left behind


def run_replay(
    options: ReplayOptions,
    host: str,
    admin_token: str,
    out: Path,
    *,
    processes: int = 1,
    deadline_s: float,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> ReplayRun:
    """Replay ``options.workload`` against ``host`` with Locust and return how it ended.

    Args:
        options: the replay's options (``options.out`` is ignored: ``out`` is used).
        host: the platform's base URL.
        admin_token: its admin token.
        out: the directory for every output file (made if missing).
        processes: Locust worker processes (1: a single process).
        deadline_s: the longest the run may take, set-up included.
        progress: called with each phase line (``{"event": ...}``).
    """
    tmp = stage_directory(out)
    staged = ReplayOptions(**{**options.to_data(), "out": str(tmp)})
    env = {**os.environ, _ADMIN_ENV: admin_token}
    failure: str | None = None
    code: int | None = None
    try:
        with (tmp / "locust.stdout").open("w", encoding="utf-8") as log:
            proc = subprocess.Popen(
                locust_command(staged, host, processes), env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                start_new_session=True,  # its own group: stopped whole, with its workers
            )
            lines: queue.Queue[str | None] = queue.Queue()
            assert proc.stdout is not None
            reader = threading.Thread(target=_pump, args=(proc.stdout, lines, log), daemon=True)
            reader.start()
            end = time.monotonic() + deadline_s
            try:
                while True:
                    try:
                        line = lines.get(timeout=max(end - time.monotonic(), 0.01))
                    except queue.Empty:
                        failure = f"the run did not finish within {deadline_s:g} s; stopped"
                        break
                    if line is None:
                        break
                    event = json.loads(line)
                    if event.get("event") == "failed":
                        failure = str(event.get("message"))
                    if progress is not None:
                        progress(event)
            except BaseException:
                _stop(proc)  # Ctrl-C reaches only us: Locust runs in a session of its own
                raise
            finally:
                if proc.poll() is None and failure is not None:
                    _stop(proc)
                try:
                    code = proc.wait(timeout=max(end - time.monotonic(), 0) + _STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    failure = failure or f"the run did not finish within {deadline_s:g} s; stopped"
                    _stop(proc)
                reader.join(timeout=5)
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # nothing of the run outlives it
        summary = tmp / "summary.json"
        if failure is None and not summary.exists():
            failure = f"Locust ended (status {code}) without a result; see {out / 'locust.log'}"
        result = read_load_result(summary) if summary.exists() else None
        files = tuple(sorted(p.name for p in tmp.iterdir()))
        publish_directory(tmp, out, list(files))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failure is not None or result is None:
        return ReplayRun(2, result, failure or "no result", files)
    run_code = 2 if result.aborted else (0 if result.holds else 1)
    return ReplayRun(run_code, result, verdict(result), files)
