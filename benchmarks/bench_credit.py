"""Credit rules speed: history writing/reading, classification, tier timelines.

Prints rates and ratios against baselines run alongside in the same process (the machine is
shared and noisy, so absolute figures mean little; the ratios are the point):

- writing history lines through :class:`HistoryWriter` (checked, fast formatting) against a
  naive writer that checks each record field by field and calls ``json.dumps``;
- reading and checking history files;
- ``classify`` per entity, and ``tier_timeline`` against the naive way to find tier changes:
  classifying every day of the period.

Usage: ``python benchmarks/bench_credit.py [--entities N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sim.rules.credit import (
    HistoryWriter,
    classify,
    default_table,
    read_history,
    tier_timeline,
)
from sim.rules.history import _parse_checked

START = date(2020, 1, 1)
YEARS = 5


def _records(entities: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    table = default_table()
    departments = list(table.departments)
    out: list[dict[str, Any]] = []
    for i in range(entities):
        enterprise = rng.random() < 0.5
        key, kind = (f"E{i}", "enterprise") if enterprise else (f"P{i}", "individual")
        for _ in range(rng.randint(1, 5)):
            day = (START + timedelta(days=rng.randrange(365 * YEARS))).isoformat()
            record: dict[str, Any] = {"entity": key, "kind": kind, "date": day}
            if not enterprise:
                record["event"] = rng.choice(["violation", "legal_ground_listed"])
            elif rng.random() < 0.7:
                dept = rng.choice(departments)
                record |= {
                    "event": "rating",
                    "department": dept,
                    "grade": rng.choice(table.departments[dept].grades),
                }
            else:
                record["event"] = rng.choice(
                    [
                        "aeo_certified",
                        "smuggling_penalty",
                        "serious_dishonesty_listed",
                        "legal_ground_listed",
                    ]
                )
            out.append(record)
    return out


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    records = _records(args.entities, args.seed)
    table = default_table()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.jsonl"
        t0 = time.perf_counter()
        with HistoryWriter(path) as writer:
            writer.write_all(records)
        fast = time.perf_counter() - t0

        t0 = time.perf_counter()
        with open(Path(tmp) / "naive.jsonl", "w", encoding="utf-8") as handle:
            for number, record in enumerate(records, start=1):
                _parse_checked(record, number, table)
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        naive = time.perf_counter() - t0
        print(
            f"write  {_rate(len(records), fast):>10,.0f} lines/s   "
            f"naive {_rate(len(records), naive):>10,.0f} lines/s   ratio {naive / fast:.2f}x"
        )

        t0 = time.perf_counter()
        history = read_history(path)
        read = time.perf_counter() - t0
        print(f"read   {_rate(len(records), read):>10,.0f} lines/s")

    as_of = START + timedelta(days=365 * YEARS)
    t0 = time.perf_counter()
    for events in history.values():
        classify(events, as_of, table)
    seconds = time.perf_counter() - t0
    print(f"classify {_rate(len(history), seconds):>8,.0f} entities/s")

    sample = list(history.values())[:200]
    until = START + timedelta(days=365 * YEARS + 3 * 366)
    t0 = time.perf_counter()
    timelines = [tier_timeline(events, until, table) for events in sample]
    fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    daily: list[list[tuple[date, str]]] = []
    for events in sample:
        changes, tier, day = [], "whitelist", START
        while day <= until:
            now = classify(events, day, table).tier
            if now != tier:
                changes.append((day, now))
                tier = now
            day += timedelta(days=1)
        daily.append(changes)
    naive = time.perf_counter() - t0
    assert daily == [[(c.date, c.after) for c in t] for t in timelines], "timeline disagrees"
    print(
        f"timeline {_rate(len(sample), fast):>8,.0f} entities/s   "
        f"daily classify {_rate(len(sample), naive):>8,.1f} entities/s   "
        f"ratio {naive / fast:.0f}x (same changes)"
    )


if __name__ == "__main__":
    main()
