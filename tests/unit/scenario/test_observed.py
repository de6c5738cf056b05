"""Reported figures of a validation scenario are checked like every other field."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import ScenarioError, load_scenario

FOG = Path(__file__).resolve().parents[3] / "scenarios" / "validation" / "fog_2018.yaml"


@pytest.mark.parametrize(
    ("override", "path", "message"),
    [
        ("observed=[{at: 2018-03-01T00:00:00, measure: waiting, ports: [xinhai], value: 1, "
         "source: s}]", "observed.0.at", "outside the simulated period"),
        ("observed=[{at: 2018-02-21T10:00:00, measure: waiting, ports: [haikou], value: 1, "
         "source: s}]", "observed.0.ports.0", "simulated port with ferries"),
        ("observed=[{at: 2018-02-21T10:00:00, measure: queue, ports: [xinhai], value: 1, "
         "source: s}]", "observed.0.measure", "'waiting'"),
        ("observed=[{at: 2018-02-21T10:00:00, measure: boarded, ports: [xinhai], value: 1, "
         "since: 2018-02-21T11:00:00, source: s}]", "observed.0.since", "between the start"),
    ],
)  # fmt: skip
def test_bad_observations_name_the_field(override: str, path: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(FOG, [override])
    assert info.value.path == path and message in info.value.message, str(info.value)
