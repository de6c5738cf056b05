"""Load generator speed and the reference platform's headroom, in one run.

1. **Generator overhead.** nginx (Debian's package; installed with apt when missing and run as
   root, else this part is skipped with the reason) is started on a free loopback port as a
   static responder answering ``GET /healthz`` with a small JSON body: fast enough not to be
   the bottleneck (the figures printed show it). Against it, in one Locust process each:

   - the baseline: plain ``FastHttpUser`` users looping on the request, as fast as they go
     (``--users`` of them, each one request out at a time), for ``--seconds``;
   - the replay user at full speed: a workload of calls all due at once, sent with as many
     connections as the baseline has users, every answer checked and measured three ways;
   - the replay user at half that rate, on schedule: its schedule-lag p99.

   Printed: both rates and their ratio (target: the replay user at least 90% of the plain
   user's requests/s), best against best and as the median of each round's own ratio (the
   two runs of a round meet the same weather on a shared machine), and the lag p99 at half
   rate (target: at most 5 ms).

2. **Headroom.** The Spring Festival peak day's busiest hour (08:00-09:00,
   ``scenarios/spring_festival_peak.yaml``) exported as a workload and searched with
   ``customs-sim load --find-max`` against the reference platform (SQLite, one worker, a fresh
   one per step): the highest speed-up of the predicted traffic that holds the default SLO.

Usage: ``python benchmarks/bench_load.py [--seconds 10] [--users 50] [--rounds 5]
[--skip-headroom] [--skip-generator]``; the generator's figures are the best of ``--rounds``
interleaved rounds (a shared machine's other work slows whichever run it hits).
Loopback only; every run bounded in time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadtests.launch import run_replay
from loadtests.options import ReplayOptions
from sim.workload import Call, WorkloadInfo, write_workload

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = """
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            default_type application/json;
            return 200 '{{"status":"ok"}}';
        }}
    }}
}}
"""

PLAIN_LOCUSTFILE = '''
from locust import FastHttpUser, constant, task


class Plain(FastHttpUser):
    """The baseline: a plain FastHttpUser asking as fast as it gets answers."""

    wait_time = constant(0)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="health")
'''


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _nginx() -> str | None:
    """The nginx binary, installed from Debian's packages if missing (as root); None if not."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                     else None)


def _start_nginx(binary: str, directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=directory, port=port))
    proc = subprocess.Popen([binary, "-p", str(directory), "-c", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"nginx did not listen on 127.0.0.1:{port}: "
                       f"{(directory / 'error.log').read_text()[-500:]}")


def _plain_rate(host: str, users: int, seconds: float, directory: Path) -> float:
    locustfile = directory / "plain_locustfile.py"
    locustfile.write_text(PLAIN_LOCUSTFILE)
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u",
         str(users), "-r", str(users), "--run-time", f"{seconds:g}s", "--host", host,
         "--csv", str(directory / "plain"), "--only-summary", "--stop-timeout", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 60, check=False)
    with (directory / "plain_stats.csv").open() as stats:
        row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    return float(row["Requests/s"])


def _workload(path: Path, n: int, rate: float) -> Path:
    calls = [Call(i, "timed", i / rate, "health", "GET", "/healthz", "", "", "admin", "",
                  f"p{i}", None, "", 200, '{"status":"ok"}') for i in range(n)]
    info = WorkloadInfo("bench", 0, 0, "2026-03-10T09:00:00+08:00", n / rate / 3600, (), {})
    write_workload(path, info, calls)
    return path


def _replay(host: str, workload: Path, connections: int, out: Path) -> tuple[float, float,
                                                                             float]:
    options = ReplayOptions(workload=str(workload), connections=connections, late_ms=1000.0)
    run = run_replay(options, host, "bench-token-" + "x" * 30, out, deadline_s=600)
    result = run.result
    if result is None or result.aborted:
        raise RuntimeError(f"the replay failed: {run.message}")
    if result.run.matched != result.run.planned:
        raise RuntimeError(f"the replay did not get every answer right: {run.message}")
    return result.achieved_rate, result.run.lag_ms.p99, result.run.response_ms.p99


def generator(seconds: float, users: int, rounds: int) -> None:
    """Part 1: the plain FastHttpUser against the replay user, against nginx; ``rounds``
    interleaved rounds, the best of each kind compared (another tenant's burst on a shared
    machine slows whichever run it hits)."""
    binary = _nginx()
    if binary is None:
        print("generator: skipped (no nginx, and apt-get cannot install it: not root or no "
              "apt-get)")
        return
    plains: list[float] = []
    fulls: list[float] = []
    lags: list[tuple[float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        directory = Path(tmp)
        proc, host = _start_nginx(binary, directory)
        try:
            for r in range(rounds):
                plain = _plain_rate(host, users, seconds, directory)
                n = int(plain * seconds)
                full, _, _ = _replay(host, _workload(directory / "full.parquet", n, 1e9), users,
                                     directory / f"full{r}")
                half_rate = full / 2
                _, lag_p99, resp_p99 = _replay(
                    host, _workload(directory / "half.parquet", int(half_rate * seconds),
                                    half_rate), users, directory / f"half{r}")
                print(f"  round {r + 1}: plain {plain:,.0f}/s, replay {full:,.0f}/s "
                      f"({full / plain:.2f}); at {half_rate:,.0f}/s lag p99 {lag_p99:.2f} ms")
                plains.append(plain)
                fulls.append(full)
                lags.append((lag_p99, half_rate, resp_p99))
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=10)
    best_plain, best_full = max(plains), max(fulls)
    lag_p99, half_rate, resp_p99 = min(lags)
    print(f"plain FastHttpUser ({users} users, one process): {best_plain:,.0f} requests/s "
          f"(best of {rounds})")
    print(f"replay user at full speed ({users} connections, one process): {best_full:,.0f} "
          f"requests/s (best of {rounds})")
    paired = statistics.median(f / p for f, p in zip(fulls, plains, strict=True))
    print(f"replay / plain: {best_full / best_plain:.2f} best against best, {paired:.2f} median "
          f"of the rounds' own ratios (target >= 0.90)")
    print(f"replay user at half rate ({half_rate:,.0f} calls/s for {seconds:g} s): "
          f"schedule-lag p99 {lag_p99:.2f} ms (target <= 5 ms; best of {rounds}), response "
          f"p99 {resp_p99:.2f} ms")


def headroom(attempts: int, max_minutes: float) -> None:
    """Part 2: the reference platform's headroom on the Spring Festival peak hour."""
    with tempfile.TemporaryDirectory(prefix="bench-headroom-") as tmp:
        directory = Path(tmp)
        workload = directory / "peak_hour.parquet"
        cli = [sys.executable, "-c", "from sim.cli import main; main()"]
        subprocess.run([*cli, "workload", "export", str(ROOT / "scenarios" /
                                                         "spring_festival_peak.yaml"),
                        "--from", "2026-02-22T08:00", "--hours", "1", "--out", str(workload)],
                       check=True, stdout=subprocess.DEVNULL)
        began = time.monotonic()
        search = subprocess.run(
            [*cli, "load", "--workload", str(workload), "--find-max", "--speed", "64",
             "--max-speed", "2048", "--precision", "0.15", "--attempts", str(attempts),
             "--max-minutes", f"{max_minutes:g}", "--out", str(directory / "out")],
            capture_output=True, text=True, check=False)
        took = time.monotonic() - began
        summary = directory / "out" / "summary.json"
        if not summary.exists():
            print(f"headroom: the search gave no result (exit {search.returncode}): "
                  f"{search.stderr.strip()[-500:]}")
            return
        data = json.loads(summary.read_text())
    found = data["headroom"]
    for step in found["steps"]:
        why = step["aborted"] or ", ".join(step["broken"]) or "-"
        print(f"  step {step['speed']:g}x: {'holds' if step['holds'] else 'breaks'} "
              f"(p99 {step['p99_ms']:.1f} ms, achieved {step['achieved_rate']:.1%}; {why})")
    planned = data["run"]["planned"]
    held = found["held"]
    rate = f"{planned * held / 3600:,.0f} calls/s" if held else "-"
    print(f"reference platform (SQLite, one worker) headroom on the Spring Festival peak hour "
          f"({planned:,} timed calls, set-up {data['setup']['calls']:,}): holds "
          f"{held}x ({rate}), breaks at {found['broke']}x; search {took:.0f} s, "
          f"stopped: {found['stopped']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--attempts", type=int, default=2)
    parser.add_argument("--max-minutes", type=float, default=30.0)
    parser.add_argument("--skip-headroom", action="store_true")
    parser.add_argument("--skip-generator", action="store_true")
    args = parser.parse_args()
    if not args.skip_generator:
        generator(args.seconds, args.users, args.rounds)
    if not args.skip_headroom:
        headroom(args.attempts, args.max_minutes)


if __name__ == "__main__":
    main()
