"""The fog of February 2018 rebuilt from its published inputs, the model beside the reports.

The inputs the scenario states must reproduce the published inputs exactly (the sailings in
service, the backlog at the start, the holiday traffic); the reported outcomes are carried
beside the model's in kpis.json, never fed to it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from sim.model import simulate
from sim.results import compute_kpis
from sim.scenario import SHANGHAI, load_scenario

ROOT = Path(__file__).resolve().parents[3]
FOG = ROOT / "scenarios" / "validation" / "fog_2018.yaml"


@pytest.fixture(scope="module")
def run() -> tuple[object, dict]:  # type: ignore[type-arg]
    scenario = load_scenario(FOG)
    result = simulate(scenario)
    return scenario, result, compute_kpis(result)  # type: ignore[return-value]


def _s(scenario: object, day: int, hour: int, minute: int = 0) -> float:
    when = datetime(2018, 2, day, hour, minute, tzinfo=SHANGHAI)
    return (when - scenario.start).total_seconds()  # type: ignore[attr-defined]


def test_the_inputs_are_the_published_ones(run: tuple) -> None:  # type: ignore[type-arg]
    scenario, result, _ = run
    ran = np.array(result.ferries["xinhai"].departures)
    in_window = lambda a, b: int(np.sum((ran >= a) & (ran < b)))  # noqa: E731
    # 70 sailings from 08:00 to 19:00 on 21 Feb; 120 from 08:00 on 21 Feb to 07:30 on 22 Feb
    assert in_window(_s(scenario, 21, 8), _s(scenario, 21, 19)) == 70
    assert in_window(_s(scenario, 21, 8), _s(scenario, 22, 7, 30)) == 120
    # the strait stopped until 06:30 on 22 Feb
    assert in_window(_s(scenario, 22, 1, 30), _s(scenario, 22, 6, 30)) == 0
    recs = result.records
    assert int(np.sum(recs["arrival"] < 0)) == 9612  # cars waiting at 08:00 on 21 Feb
    assert scenario.ports.xinhai.flows.vehicle.per_day == pytest.approx(90_000 / 7, abs=1)
    assert set(recs["flow"].tolist()) == {"vehicle"}  # no second line in 2018


def test_every_reported_figure_has_the_model_beside_it(run: tuple) -> None:  # type: ignore[type-arg]
    scenario, _, kpis = run
    observed = kpis["observed"]
    assert len(observed) == len(scenario.observed) >= 10
    for row in observed:
        assert row["gap"] == pytest.approx(row["model"] - row["reported"])
        assert row["met"] is None if row["bound"] == "about" else isinstance(row["met"], bool)
    boarded = {r["at"]: r["model"] for r in observed if r["measure"] == "boarded"}
    # the ships are full while the backlog lasts: 148 vehicles a sailing
    assert boarded["2018-02-22T07:30:00+08:00"] == 120 * 148
