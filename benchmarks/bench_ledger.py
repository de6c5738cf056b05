"""Account-book operations per second, in process, against a plain-dict baseline.

A realistic mix over 500 enterprise books is generated once (seeded): first-line releases and
their bookings, eligible-to-eligible transfers, processing runs (imported beef + domestic salt ->
jerky), second-line exits of raw and processed goods, and sales to non-eligible buyers. The same
operation list is then replayed twice in this process:

- **rules**: the real pure functions of :mod:`sim.rules.ledger` on immutable books, with every
  check, the value tracking, the duty computation and the value-added rule;
- **baseline**: a loop updating ``dict[book][item] += qty`` in place, i.e. the same quantity
  bookkeeping without any rule.

The ratio (baseline / rules time) is the price of the rules. Target: at least 100,000 ops/s.
Run: ``.venv/bin/python benchmarks/bench_ledger.py`` (or ``make bench``).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from typing import Any

from sim.rules.goods import default_tariff
from sim.rules.ledger import (
    BillOfMaterials,
    Book,
    ExitLine,
    book_entry,
    declare_exit,
    file_book,
    file_qualification,
    process,
    purchase_domestic,
    release_first_line,
    transfer,
    transfer_out,
)
from sim.rules.refusals import Refusal

TARGET = 100_000
N_BOOKS = 500
N_OPS = 200_000
START = date(2026, 1, 5)
BOM = BillOfMaterials({"beef": 2, "salt": 1}, {"jerky": ("1602.50", 1)})
Op = tuple[Any, ...]


def generate(seed: int = 20251218) -> list[Op]:
    """A feasible mix of operations (quantities tracked so almost all succeed)."""
    rng = random.Random(seed)
    held: list[dict[str, int]] = [{} for _ in range(N_BOOKS)]
    ops: list[Op] = []
    n = 0
    while len(ops) < N_OPS:
        b = rng.randrange(N_BOOKS)
        h = held[b]
        r = rng.random()
        day = START + timedelta(days=len(ops) * 300 // N_OPS)
        if r < 0.22:  # release at the first line, booked at once (two operations)
            n += 1
            qty = rng.randint(20, 200)
            ops.append(("release", b, f"e{n}", qty, qty * 10_000, day))
            ops.append(("book", b, f"e{n}", day))
            h["beef"] = h.get("beef", 0) + qty
        elif r < 0.30:
            qty = rng.randint(10, 100)
            ops.append(("salt", b, qty, qty * 500))
            h["salt"] = h.get("salt", 0) + qty
        elif r < 0.50:
            item = rng.choice(("beef", "jerky"))
            if h.get(item, 0) > 1:
                # between books of the same kind (encouraged or not), so that processed goods
                # meet goods of the same regime in the receiving book
                dst = (b + 2 * rng.randrange(1, N_BOOKS // 2)) % N_BOOKS
                qty = rng.randint(1, h[item] // 2)
                ops.append(("transfer", b, dst, item, qty, day))
                h[item] -= qty
                held[dst][item] = held[dst].get(item, 0) + qty
        elif r < 0.62:
            batches = rng.randint(1, 5)
            if h.get("beef", 0) >= 2 * batches and h.get("salt", 0) >= batches:
                ops.append(("process", b, batches, day))
                h["beef"] -= 2 * batches
                h["salt"] -= batches
                h["jerky"] = h.get("jerky", 0) + batches
        elif r < 0.92:
            item = rng.choice(("beef", "jerky"))
            if h.get(item, 0) > 0:
                qty = rng.randint(1, h[item])
                ops.append(("exit", b, item, qty, qty * rng.randint(30_000, 40_000), day))
                h[item] -= qty
        elif h.get("beef", 0) > 0:
            qty = rng.randint(1, h["beef"])
            ops.append(("sell", b, "beef", qty, day))
            h["beef"] -= qty
    return ops[:N_OPS]


def run_rules(ops: list[Op]) -> tuple[float, int]:
    """Replay with the real rules; returns (seconds, refusals)."""
    t = default_tariff()
    books: list[Book] = []
    for i in range(N_BOOKS):
        q = file_qualification(f"E{i}", hainan_registered=True, individual=False,
                               encouraged=i % 2 == 0, tier="whitelist", on=START)
        books.append(file_book(f"B{i}", q, START))
    refused = 0
    t0 = time.perf_counter()
    for op in ops:
        kind, b = op[0], op[1]
        try:
            if kind == "release":
                books[b], _ = release_first_line(books[b], op[2], "beef", "0202.30", op[3],
                                                 op[4], op[5], t)
            elif kind == "book":
                books[b], _ = book_entry(books[b], op[2], op[3])
            elif kind == "salt":
                books[b], _ = purchase_domestic(books[b], "salt", "3926.90", op[2], op[3], t)
            elif kind == "transfer":
                books[b], books[op[2]], _ = transfer(books[b], books[op[2]], op[3], op[4], op[5])
            elif kind == "process":
                books[b], _ = process(books[b], "po", BOM, op[2], op[3], t)
            elif kind == "exit":
                books[b], _ = declare_exit(books[b], "d", [ExitLine(op[2], op[3], op[4])],
                                           op[5], "xinhai", t)
            else:
                books[b], _ = transfer_out(books[b], op[2], op[3], op[4], t)
        except Refusal:
            refused += 1
    return time.perf_counter() - t0, refused


def run_baseline(ops: list[Op]) -> float:
    """Replay as bare quantity updates on mutable dicts; returns seconds."""
    held: list[dict[str, int]] = [{} for _ in range(N_BOOKS)]
    pending: dict[str, int] = {}
    t0 = time.perf_counter()
    for op in ops:
        kind, h = op[0], held[op[1]]
        if kind == "release":
            pending[op[2]] = op[3]
        elif kind == "book":
            h["beef"] = h.get("beef", 0) + pending.pop(op[2])
        elif kind == "salt":
            h["salt"] = h.get("salt", 0) + op[2]
        elif kind == "transfer":
            h[op[3]] -= op[4]
            d = held[op[2]]
            d[op[3]] = d.get(op[3], 0) + op[4]
        elif kind == "process":
            h["beef"] -= 2 * op[2]
            h["salt"] -= op[2]
            h["jerky"] = h.get("jerky", 0) + op[2]
        else:
            h[op[2]] -= op[3]
    return time.perf_counter() - t0


def main() -> int:
    ops = generate()
    rules_s, refused = min(run_rules(ops) for _ in range(3))
    base_s = min(run_baseline(ops) for _ in range(3))
    rate = len(ops) / rules_s
    mix: dict[str, int] = {}
    for op in ops:
        mix[op[0]] = mix.get(op[0], 0) + 1
    print(f"operations   {len(ops):,} over {N_BOOKS} books  mix {mix}")
    print(f"rules        {rate:,.0f} ops/s  ({rules_s:.3f} s, {refused} refused)")
    print(f"baseline     {len(ops) / base_s:,.0f} ops/s  ({base_s:.3f} s, plain dict updates)")
    print(f"ratio        rules are {rules_s / base_s:.1f}x slower than bare bookkeeping")
    verdict = "OK" if rate >= TARGET else "BELOW TARGET"
    print(f"target       {TARGET:,} ops/s: {verdict}")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
