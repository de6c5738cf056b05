"""Reference platform speed: second-line declarations per second with p99 under 50 ms.

Starts the reference platform (``sim.client.start_platform``: SQLite, one worker, access log
off) on a free loopback port, prepares an enterprise with a book holding enough goods through
the typed client, then drives the service from a *separate process* with an open-model load:
requests are sent at intended times ``start + i / rate`` whatever the answers do, and each
latency is measured from the intended send time (so a server that falls behind is charged for
the queue it builds, not hidden by it: no coordinated omission). The driver is a small asyncio
HTTP/1.1 client over a pool of keep-alive connections (an HTTP library would be the bottleneck,
not the server).

Three targets: ``GET /healthz`` (the baseline), second-line declarations as a bare HTTP client
sends them, and the same declarations each with an ``Idempotency-Key`` (as the typed client, the
replay and the load tests send every write: the key's row and the audit record are then written
in the declaration's own transaction).

Rates rise step by step; a step *holds* when every answer was the expected status, the
achieved rate is at least 95% of the target and p99 < 50 ms. The machine is shared: another
tenant's burst can stall any process for tens of milliseconds (the baseline below shows it too),
and one such stall in a step of a few seconds decides its p99. So a rate gets up to
``--attempts`` tries (3 by default) and counts as held when one of them holds; every try is
printed, and the run stops at the first rate no try holds. Printed: the highest rate held
for declarations and, as a baseline run alongside against the same server, for ``GET /healthz``
(the framework and a database round trip with no domain work), and their ratio. Each step
also reports the server's CPU time per request, read from ``/proc`` (a figure less sensitive
than latency to other processes sharing the machine).

Usage: ``python benchmarks/bench_platform.py [--step-seconds 4] [--max-rate 4000]``.
Bounded: at most twelve steps per target of a few seconds each, loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import multiprocessing as mp
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sim.api import BookIn, EntityIn, EntryIn, OnIn, QualificationIn
from sim.client import LocalPlatform, start_platform
from sim.rules.identifiers import uscc_check_char

P99_LIMIT_MS = 50.0
CONNECTIONS = 64
RATES = (100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000, 3000)


def _uscc(n: int) -> str:
    body = f"9146{n:013d}"
    return body + uscc_check_char(body)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _prepare(platform: LocalPlatform) -> str:
    """An enterprise with book B1 holding plenty of goods; returns its bearer token."""
    on = dt.date(2026, 1, 5)
    with platform.client() as api:
        code = _uscc(1)
        e1 = EntityIn(id="E1", kind="enterprise", code=code, registered_in_hainan=True)
        api.register_entity(e1)
        own = api.as_enterprise("E1")
        own.file_qualification(QualificationIn(entity="E1", on=on))
        own.file_book(BookIn(id="B1", entity="E1", on=on))
        entry = EntryIn(
            entry_id="IN1", item="beef", code="0202.30", qty=10**9, value_fen=10**11, released=on
        )
        own.first_line_entry("B1", entry)
        own.book_entry("B1", "IN1", OnIn(on=dt.date(2026, 1, 7)))
        return own.token()


# -- the driver (runs in its own process) ---------------------------------------------------------


def _declaration(token: str, ref: str, keyed: bool = False) -> bytes:
    body = json.dumps(
        {
            "reference": ref,
            "book": "B1",
            "port": "xinhai",
            "date": "2026-02-01",
            "lines": [{"item": "beef", "qty": 1}],
            "risk_indicators": ["new_consignor"],
        }
    ).encode()
    key = b"Idempotency-Key: " + ref.encode() + b"\r\n" if keyed else b""
    return (
        b"POST /v1/declarations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Bearer " + token.encode() + b"\r\n"
        + key
        + b"Content-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


def _healthz(_ref: str) -> bytes:
    return b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> int:
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    at = lower.find(b"content-length:")
    length = int(lower[at + 15 : lower.find(b"\r\n", at)]) if at >= 0 else 0
    if length:
        await reader.readexactly(length)
    return status


async def _step(
    port: int, rate: float, seconds: float, make: Any, expect: int, tag: str
) -> dict[str, Any]:
    conns: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        conns.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    n = int(rate * seconds)
    latencies: list[float] = []
    errors = 0

    async def one(i: int, intended: float) -> None:
        nonlocal errors
        reader, writer = await conns.get()
        try:
            status = await _exchange(reader, writer, make(f"{tag}-{i}"))
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        else:
            if status != expect:
                errors += 1
            latencies.append(time.perf_counter() - intended)
        conns.put_nowait((reader, writer))

    tasks = []
    # perf_counter, not loop.time(): uvloop's clock has a resolution of one millisecond.
    start = time.perf_counter() + 0.05
    for i in range(n):
        intended = start + i / rate
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, intended)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not conns.empty():
        conns.get_nowait()[1].close()
    latencies.sort()

    def q(p: float) -> float:
        if not latencies:
            return float("inf")
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "rate": rate,
        "sent": n,
        "achieved": n / elapsed,
        "errors": errors,
        "p50_ms": q(0.50),
        "p90_ms": q(0.90),
        "p99_ms": q(0.99),
        "max_ms": q(1.0),
    }


def _driver(
    port: int,
    token: str,
    rates: list[float],
    seconds: float,
    target: str,
    server_pid: int,
    attempts: int,
    out: Any,
) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    def make_declaration(ref: str) -> bytes:
        return _declaration(token, ref, keyed=target == "keyed")

    make, expect = (_healthz, 200) if target == "healthz" else (make_declaration, 201)
    # Warm-up, not reported: the server's thread pool and database connections are created
    # lazily, and the first requests pay for that.
    asyncio.run(_step(port, min(rates[0], 200.0), 2.0, make, expect, f"{target[0]}w"))
    for k, rate in enumerate(rates):
        for attempt in range(1, attempts + 1):
            cpu0 = _cpu_seconds(server_pid)
            # The driver is the measuring instrument: a collection of its own heap in the
            # middle of a step would delay sends and be charged to the server.
            gc.collect()
            gc.disable()
            try:
                tag = f"{target[0]}{k}a{attempt}"
                r = asyncio.run(_step(port, rate, seconds, make, expect, tag))
            finally:
                gc.enable()
            r["server_cpu_ms"] = (_cpu_seconds(server_pid) - cpu0) / max(r["sent"], 1) * 1000
            r["attempt"] = attempt
            out.put(r)
            if _held(r):
                break
        else:
            break
    out.put(None)


def _held(r: dict[str, Any]) -> bool:
    return bool(
        r["errors"] == 0 and r["achieved"] >= 0.95 * r["rate"] and r["p99_ms"] < P99_LIMIT_MS
    )


def _summary(results: list[dict[str, Any]]) -> tuple[float, float, float]:
    """(highest rate held, the server's CPU ms/request there, highest rate held on a first try).

    The first-try figure counts rates in order and stops at the first whose first try failed.
    """
    held = [r for r in results if _held(r)]
    top = max(held, key=lambda r: r["rate"]) if held else None
    first = 0.0
    for r in results:
        if r["attempt"] == 1:
            if not _held(r):
                break
            first = r["rate"]
    if top is None:
        return 0.0, float("nan"), first
    return float(top["rate"]), float(top["server_cpu_ms"]), first


def _run(
    port: int,
    token: str,
    rates: list[float],
    seconds: float,
    target: str,
    server_pid: int,
    attempts: int = 1,
) -> list[dict[str, Any]]:
    ctx = mp.get_context("spawn")
    out: Any = ctx.Queue()
    proc = ctx.Process(
        target=_driver, args=(port, token, rates, seconds, target, server_pid, attempts, out)
    )
    proc.start()
    results = []
    while True:
        r = out.get(timeout=seconds * 10 * attempts + 60)
        if r is None:
            break
        results.append(r)
        print(
            f"  {target:<12} {r['rate']:>6.0f}/s #{r['attempt']}  "
            f"achieved {r['achieved']:>7.1f}/s  "
            f"p50 {r['p50_ms']:>6.2f}  p90 {r['p90_ms']:>6.2f}  p99 {r['p99_ms']:>8.2f} ms  "
            f"server cpu {r['server_cpu_ms']:.2f} ms/req  errors {r['errors']:>3}  "
            f"{'held' if _held(r) else 'NOT held'}",
            flush=True,
        )
    proc.join(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--step-seconds", type=float, default=4.0)
    parser.add_argument("--max-rate", type=float, default=4000.0)
    parser.add_argument(
        "--attempts",
        type=int,
        default=3,
        help="tries per rate before it counts as not held (the machine is shared and noisy)",
    )
    parser.add_argument(
        "--db-dir", default=None, help="where the SQLite file goes (default: a temp dir)"
    )
    args = parser.parse_args()
    rates = [float(r) for r in RATES if r <= args.max_rate]
    with (
        tempfile.TemporaryDirectory(prefix="bench-platform-", dir=args.db_dir) as tmp,
        start_platform(db_url=f"sqlite:///{Path(tmp) / 'bench.db'}") as platform,
    ):
        port = platform.port
        token = _prepare(platform)
        print(
            f"open-model steps of {args.step_seconds:g} s, {CONNECTIONS} keep-alive "
            f"connections, p99 limit {P99_LIMIT_MS:g} ms, up to {args.attempts} attempts "
            f"per rate, {os.cpu_count()} CPUs"
        )
        base, decl, keyed = (
            _run(port, token, rates, args.step_seconds, t, platform.pid, args.attempts)
            for t in ("healthz", "declarations", "keyed")
        )

    (b, cpu_b, first_b), (d, cpu_d, first_d) = _summary(base), _summary(decl)
    k, cpu_k, first_k = _summary(keyed)
    for name, rate, first, cpu in (
        ("healthz (baseline)", b, first_b, cpu_b),
        ("declarations", d, first_d, cpu_d),
        ("keyed declarations", k, first_k, cpu_k),
    ):
        print(
            f"{name + ':':<19} highest rate held with p99 < {P99_LIMIT_MS:g} ms: {rate:.0f}/s "
            f"(on a first try: {first:.0f}/s), server cpu {cpu:.2f} ms/request at that rate"
        )
    if b and d:
        print(
            f"ratio declarations / healthz: rate {d / b:.2f}, "
            f"server cpu per request {cpu_d / cpu_b:.2f}x"
        )
    if b and k:
        print(
            f"ratio keyed declarations / healthz: rate {k / b:.2f}, "
            f"server cpu per request {cpu_k / cpu_b:.2f}x"
        )
    print(f"target >= 1000 declarations/s: {'met' if d >= 1000 else 'NOT met'}")


if __name__ == "__main__":
    main()
