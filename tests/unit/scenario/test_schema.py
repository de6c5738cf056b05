"""The scenario schema: the documented baseline, and one clear error per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.rules.ports import PORT_IDS
from sim.scenario import Scenario, ScenarioError, load_scenario


def test_defaults_are_the_documented_baseline() -> None:
    s = Scenario()
    assert s.active_ports == list(PORT_IDS)
    channels = {p: c.resources.customs_channels for p, c in s.ports.items()}
    assert sum(channels.values()) == 27
    assert channels["xinhai"] == 8 and channels["nangang"] == 6 and channels["meilan"] == 2
    assert s.ports.xinhai.ferry is not None and s.ports.meilan.ferry is None
    assert abs(sum(s.policy.tier_shares.model_dump().values()) - 1) < 1e-9


def test_every_assumption_says_so() -> None:
    """Descriptions of numeric fields name their kind of source: [S], [D] or [A]."""
    from sim.scenario.ports import Ferry, Resources, ServiceTimes

    for model in (Resources, ServiceTimes, Ferry):
        for name, info in model.model_fields.items():
            assert info.description and any(m in info.description for m in ("[S]", "[D]", "[A]")), (
                f"{model.__name__}.{name}"
            )


def test_set_on_one_port_keeps_the_other_nine(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: what-if\n")
    s = load_scenario(path, ["ports.xinhai.resources.customs_channels=4"])
    assert s.ports.xinhai.resources.customs_channels == 4
    assert s.ports.nangang == Scenario().ports.nangang
    assert s.ports.xinhai.flows == Scenario().ports.xinhai.flows


@pytest.mark.parametrize(
    ("override", "path", "message"),
    [
        (
            "ports.xinhai.flows.cargo_truck.per_day=0",
            "ports.xinhai.flows.cargo_truck.per_day",
            "greater than 0",
        ),
        (
            "ports.xinhai.flows.vehicle.per_day=-5",
            "ports.xinhai.flows.vehicle.per_day",
            "greater than 0",
        ),
        (
            "ports.basuo.flows.cargo_truck.hourly_profile=[1, 2, 3]",
            "ports.basuo.flows.cargo_truck.hourly_profile",
            "needs 24 entries",
        ),
        (
            "ports.basuo.resources.officer_shifts=[{start: 8, end: 12, officers: 2}]",
            "ports.basuo.resources.officer_shifts",
            "no officer on duty from 12:00 to 20:00",
        ),
        (
            "ports.xinhai.resources.officer_shifts.1.officers=0",
            "ports.xinhai.resources.officer_shifts",
            "no officer on duty from 08:00 to 16:00",
        ),
        ("active_ports=[xinhai, guangzhou]", "active_ports.1", "unknown port id"),
        ("ports.guangzhou.kind=seaport", "ports.guangzhou", "unknown key"),
        (
            "ports.meilan.ferry={holding_capacity: 10, sailings_per_hour: "
            "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}",
            "ports.meilan.ferry",
            "only strait_roro ports have ferries",
        ),
        (
            "events.weather=[{ports: [xinhai], start: 2026-03-20T00:00:00, duration_hours: 4}]",
            "events.weather.0.start",
            "outside the simulated period",
        ),
        (
            "events.weather=[{ports: [haikou], start: 2026-03-10T06:00:00, duration_hours: 4}]",
            "events.weather.0.ports.0",
            "only a port with ferries",
        ),
        (
            "events.scanner_outages=[{port: xinhai, start: 2026-03-10T06:00:00, "
            "duration_hours: 4, scanners: 9}]",
            "events.scanner_outages.0.scanners",
            "only 8 scanners",
        ),
        ("policy.tier_shares.aeo=0.5", "policy.tier_shares.whitelist", "must sum to 1"),
        (
            "ports.xinhai.service.scan={kind: exponential, mean: 0}",
            "ports.xinhai.service.scan.mean",
            "greater than 0",
        ),
        (
            "calendar.dated=[{start: 2026-03-10, end: 2026-03-11, multiplier: 2, flows: [cars]}]",
            "calendar.dated.0.flows",
            "unknown flow",
        ),
        (
            "ports.xinhai.ferry.sailings_per_hour=[2, 2]",
            "ports.xinhai.ferry.sailings_per_hour",
            "needs 24 entries",
        ),
        ("warmup_hours=30", "warmup_hours", "shorter than the horizon"),
        ("name=../elsewhere", "name", "used as a directory name"),
        (
            "ports.boao.opening_hours.0.close=6",
            "ports.boao.opening_hours.0.close",
            "later than open",
        ),
        (
            "ports.xinhai.opening_hours=[{open: 0, close: 12}, {open: 10, close: 24}]",
            "ports.xinhai.opening_hours",
            "overlap",
        ),
        (
            "ports.haikou.resources.scanners=0",
            "ports.haikou.resources.scanners",
            "needs at least one",
        ),
        (
            "ports.meilan.resources.duty_free_desks=0",
            "ports.meilan.resources.duty_free_desks",
            "needs at least one desk",
        ),
        ("ports.xinhai.ferry=null", "ports.xinhai.ferry", "needs a ferry timetable"),
        (
            "policy.risk.inspection_threshold=1",
            "policy.risk.inspection_threshold",
            "must be >= scan_threshold",
        ),
    ],
)
def test_bad_values_name_the_field(tmp_path: Path, override: str, path: str, message: str) -> None:
    file = tmp_path / "s.yaml"
    # The textbook mode, where policy.tier_shares is read (elsewhere it is refused as ignored).
    file.write_text("name: bad\npolicy: {declarants: shares}\ngoods: {drives_trucks: false}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(file, [override])
    err = info.value
    assert err.path == path, str(err)
    assert message in err.message, str(err)
    assert str(err).startswith(f"--set: {path}: ") or str(err).startswith(f"{file}: {path}: ")
