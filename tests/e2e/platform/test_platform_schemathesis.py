"""Schemathesis against the reference platform: no 5xx, every status documented, every answer
as its schema says, schema-violating requests refused, authentication never ignored.

The platform is started for real (``customs-sim serve`` on SQLite, a free loopback port), a
small world is set up through the typed client (two enterprises with books holding goods, a
pending entry, a processed product, batch exit, declarations, a traveller), and the Schemathesis
command line fuzzes every operation of ``/openapi.json`` with every check it has, once as the
admin and once as an enterprise (``schemathesis.toml`` beside this file offers the world's ids
to the generator). Bounded: a fixed number of examples per operation and a fixed seed, so a run
takes about a minute per actor and a failure reproduces.

Each run prints its figures (operations, test cases, failures) and fails with Schemathesis's own
report, which gives a ``curl`` line for every failure found.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sim.api import (
    BookIn,
    DeclarationIn,
    EntityIn,
    EntryIn,
    LineIn,
    OnIn,
    OutputIn,
    ProcessingIn,
    PurchaseIn,
    QualificationIn,
    ShipmentIn,
)
from sim.client import LocalPlatform, PlatformClient, start_platform
from tests.e2e.platform.goods_flow import BEEF
from tests.e2e.platform.platform_support import id_number, uscc

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = 60
SEED = 20251218


def _world(api: PlatformClient) -> None:
    """Two enterprises with books and goods, one pending entry, declarations, a traveller."""
    day = dt.date
    for n, (entity, book) in enumerate((("E1", "B1"), ("E2", "B2")), start=1):
        api.register_entity(
            EntityIn(id=entity, kind="enterprise", code=uscc(n), registered_in_hainan=True)
        )
        own = api.as_enterprise(entity)
        own.file_qualification(QualificationIn(entity=entity, on=day(2026, 1, 5), encouraged=True))
        own.file_book(BookIn(id=book, entity=entity, on=day(2026, 1, 5)))
        entry = EntryIn(
            entry_id=f"{book}-IN1", item="beef", code=BEEF, qty=1000, value_fen=10_000_000,
            released=day(2026, 1, 6),
        )
        own.first_line_entry(book, entry)
        own.book_entry(book, entry.entry_id, OnIn(on=day(2026, 1, 7)))
    own = api.as_enterprise("E1")
    pending = EntryIn(
        entry_id="PENDING1", item="veal", code=BEEF, qty=5, value_fen=50_000,
        released=day(2026, 1, 8),
    )
    own.first_line_entry("B1", pending)
    own.purchase("B1", PurchaseIn(item="salt", code="3926.90", qty=50, value_fen=500,
                                  on=day(2026, 1, 8)))
    own.process("B1", ProcessingIn(
        order_id="P1", inputs={"beef": 1}, outputs={"jerky": OutputIn(code="1602.50", qty=1)},
        batches=100, on=day(2026, 1, 9),
    ))
    for ref in ("D1", "D2"):
        own.declare(DeclarationIn(reference=ref, book="B1", port="xinhai", date=day(2026, 2, 1),
                                  lines=[LineIn(item="beef", qty=1)]))
    own.admit_batch_exit("B1", OnIn(on=day(2026, 2, 1)))
    own.file_batch_list(ShipmentIn(book="B1", shipment_id="S1", item="beef", qty=1,
                                   on=day(2026, 2, 3), port="yangpu"))
    api.register_entity(EntityIn(id="T1", kind="individual", code=id_number(1)))


def _fuzz(platform: LocalPlatform, token: str, report: Path) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file", str(CONFIG), "--no-color",
        "run", f"{platform.base_url}/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", "all",
        "--max-examples", str(EXAMPLES),
        "--seed", str(SEED),
        "--workers", "1",
        "--report", "json", "--report-json-path", str(report),
    ]
    # Only loopback: no proxy from the environment may carry the requests elsewhere.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=600, env=env, cwd=report.parent
    )


@pytest.mark.slow
@pytest.mark.parametrize("actor", ["admin", "enterprise"])
def test_schemathesis_finds_nothing(actor: str, tmp_path: Path) -> None:
    with start_platform() as platform, platform.client() as api:
        _world(api)
        token = api.as_enterprise("E1").token() if actor == "enterprise" else api.token()
        run = _fuzz(platform, token, tmp_path / "report.json")
    assert (tmp_path / "report.json").exists(), run.stdout[-3000:] + run.stderr[-3000:]
    report: dict[str, Any] = json.loads((tmp_path / "report.json").read_text())
    failures = {f["title"]: f["count"] for f in report["failures"]}
    print(
        f"schemathesis as {actor}: {report['operations']['tested']} operations, "
        f"{report['test_cases']['generated']} test cases, "
        f"{report['test_cases']['unique_failures']} unique failures {failures}, "
        f"{len(report['errors'])} errors, {report['running_time']:.0f} s"
    )
    assert report["operations"]["tested"] == report["operations"]["total"]
    assert not report["errors"] and not report["failures"], run.stdout[-20000:]
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
