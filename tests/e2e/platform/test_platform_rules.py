"""The platform decides with its configured rules: a scenario's credit scales and tariff, not the
packaged ones, reach every route that uses them (``customs-sim serve --scenario``)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refplatform.main import create_app
from refplatform.settings import Settings
from sim.client import PlatformClient
from sim.scenario import load_scenario
from tests.e2e.platform.goods_flow import ready_book, register_enterprise
from tests.e2e.platform.platform_support import ADMIN, ADMIN_TOKEN

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[3]
# A what-if, as `serve --scenario ... --set ...` takes it: the tax department's C grade counts
# as its lowest (a listing ground), and frozen beef pays no import duty on leaving.
WHAT_IF = [
    "credit.departments.tax.unified=[excellent, good, ordinary, lowest, lowest]",
    "goods.tariff={'0202.30': {duty: 0.0}}",
]


def _client(tmp_path: Path, rules: Any) -> Iterator[Any]:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'r.db'}", admin_token=ADMIN_TOKEN,
                        access_log=False, rules=rules)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.db.dispose()


@pytest.fixture(params=["packaged", "what-if"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    changes = [] if request.param == "packaged" else WHAT_IF
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", changes)
    for client in _client(tmp_path, scenario.rules_config()):
        yield request.param, client


def test_credit_scales_and_tariff_come_from_the_rules(case: tuple[str, Any]) -> None:
    name, client = case
    platform = PlatformClient(http=client, admin_token=ADMIN_TOKEN)
    register_enterprise(platform, "E1")
    r = client.post("/v1/entities/E1/events", headers=ADMIN,
                    json={"date": "2026-01-10", "event": "rating", "department": "tax",
                          "grade": "C"})
    assert r.status_code == 201, r.text
    listed = name == "what-if"
    assert r.json()["tier_after"] == ("key_attention" if listed else "whitelist")
    tier = client.get("/v1/entities/E1/tier", headers=ADMIN, params={"as_of": "2026-02-01"})
    assert tier.json()["tier"] == ("key_attention" if listed else "whitelist")
    members = client.get("/v1/tiers/key_attention/members", headers=ADMIN,
                         params={"as_of": "2026-02-01"}).json()["members"]
    assert members == (["E1"] if listed else [])
    # The same beef leaving for the mainland: duty due only under the packaged tariff.
    own = ready_book(platform, "E2", "B2", 100)
    r = client.post("/v1/declarations", headers=own,
                    json={"book": "B2", "port": "xinhai", "date": "2026-02-01",
                          "lines": [{"item": "beef", "qty": 10}]})
    assert r.status_code == 201, r.text
    assert (r.json()["duties"]["duty_fen"] == 0) == listed
    r = client.post("/v1/books/B2/transfers", headers=own,
                    json={"item": "beef", "qty": 10, "on": "2026-02-02", "price_fen": 500_000})
    assert r.status_code == 201, r.text
    assert (r.json()["duties"]["duty_fen"] == 0) == listed
