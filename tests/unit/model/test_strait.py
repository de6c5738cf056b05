"""A strait port run from scenario data: dated timetables, extra sailings, partial weather,
a backlog at the start, drivers who postpone or wait in the city, trucks in lane units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model import simulate
from sim.results import compute_kpis
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[3]
FERRY = ROOT / "scenarios" / "theory" / "ferry.yaml"  # vehicles only, 2 sailings an hour
SHORT = ["horizon_hours=48", "warmup_hours=0"]
FLAT = "[" + ", ".join(["3"] * 24) + "]"


def _run(*overrides: str) -> tuple[dict, object]:  # type: ignore[type-arg]
    result = simulate(load_scenario(FERRY, [*SHORT, *overrides]))
    return compute_kpis(result)["ports"]["xinhai"]["ferry"], result


def test_a_dated_timetable_and_extra_sailings_change_the_departures() -> None:
    base, _ = _run()
    assert base["sailings_scheduled"] == 96
    dated, _ = _run(f"ports.xinhai.ferry.timetables=[{{start: 2026-03-11, end: 2026-03-11, "
                    f"sailings_per_hour: {FLAT}}}]")  # fmt: skip
    assert dated["sailings_scheduled"] == 48 + 72
    extra, _ = _run("ports.xinhai.ferry.extra_sailings=[{start: 2026-03-10T08:00:00, "
                    "end: 2026-03-10T10:00:00, sailings: 5}]")  # fmt: skip
    assert extra["sailings_scheduled"] == 96 + 5


def test_partial_weather_thins_the_sailings_and_a_full_one_stops_them() -> None:
    weather = "events.weather=[{ports: [xinhai], start: 2026-03-10T06:00:00, duration_hours: 10"
    half, _ = _run(weather + ", sailing_share: 0.5}]")
    full, result = _run(weather + "}]")
    assert half["sailings_cancelled"] == 10 and full["sailings_cancelled"] == 20
    assert full["waiting_peak"] > half["waiting_peak"]
    boarded = result.records["boarding"]  # type: ignore[attr-defined]
    assert not np.any((boarded >= 6 * 3600) & (boarded < 16 * 3600))


def test_a_backlog_waits_from_before_the_start_and_boards_first() -> None:
    ferry, result = _run("ports.xinhai.ferry.initial_backlog={vehicles: 600, "
                         "accumulated_hours: 5}")  # fmt: skip
    recs = result.records  # type: ignore[attr-defined]
    before = recs["arrival"] < 0
    assert before.sum() == 600 and recs["arrival"][before].min() > -5 * 3600
    # 148 a sailing from 00:00: the backlog fills four sailings and part of the fifth (02:00)
    assert np.nanmax(recs["boarding"][before]) == pytest.approx(4 * 1800)
    assert ferry["waiting_peak"] > 600 - 148  # the first sailing leaves at the start
    assert ferry["delayed"] > 0  # arrivals behind the backlog miss their first sailing


def test_drivers_postpone_or_wait_in_the_city_during_a_closure() -> None:
    weather = ("events.weather=[{ports: [xinhai], start: 2026-03-10T06:00:00, "
               "duration_hours: 12}]")  # fmt: skip
    stay, stay_run = _run(weather)
    response = ("ports.xinhai.ferry.closure_response={postpone_share: 0.3, staging_share: 0.4, "
                "postpone_hours: 12}")  # fmt: skip
    respond, respond_run = _run(weather, response)
    assert respond["postponed"] > 0 and respond["staged"] > 0
    assert respond["staging_peak"] > 0 and stay["staging_peak"] == 0
    assert respond["waiting_peak"] < stay["waiting_peak"]  # fewer wait at the port
    # Staged drivers are called only as the holding area frees up: never more than it takes.
    assert respond["holding_peak"] <= respond["holding_capacity"]
    recs = respond_run.records  # type: ignore[attr-defined]
    staged = recs["release"] != recs["arrival"]
    assert np.all(recs["release"][staged & ~np.isnan(recs["release"])] >= 18 * 3600)
    # Same traffic before the weather (common random numbers)
    base = stay_run.records["arrival"]  # type: ignore[attr-defined]
    early = base < 6 * 3600
    assert np.array_equal(recs["arrival"][: int(early.sum())], base[early])


def test_trucks_take_more_room_than_cars(tmp_path: Path) -> None:
    only = ["active_ports=[nangang]", "horizon_hours=24"]
    base = load_scenario(ROOT / "scenarios" / "baseline.yaml", only)
    light = load_scenario(ROOT / "scenarios" / "baseline.yaml",
                          [*only, "ports.nangang.ferry.lane_units.cargo_truck=1"])  # fmt: skip
    heavy = compute_kpis(simulate(base))["ports"]["nangang"]["ferry"]
    same = compute_kpis(simulate(light))["ports"]["nangang"]["ferry"]
    assert heavy["load_factor"] > same["load_factor"]
    assert heavy["boarding_wait_s"]["mean"] >= same["boarding_wait_s"]["mean"]


@pytest.mark.parametrize(
    ("override", "path", "message"),
    [
        ("ports.xinhai.ferry.lane_units.cargo_truck=200",
         "ports.xinhai.ferry.lane_units.cargo_truck", "would never board"),
        ("ports.xinhai.ferry.timetables=[{start: 2026-03-10, end: 2026-03-12, sailings_per_hour: "
         f"{FLAT}}}, {{start: 2026-03-12, end: 2026-03-13, sailings_per_hour: {FLAT}}}]",
         "ports.xinhai.ferry.timetables.1.start", "overlaps"),
        ("ports.xinhai.ferry.extra_sailings=[{start: 2026-04-01T00:00:00, "
         "end: 2026-04-01T06:00:00, sailings: 3}]", "ports.xinhai.ferry.extra_sailings.0.start",
         "outside the simulated period"),
        ("ports.xinhai.ferry.closure_response={postpone_share: 0.7, staging_share: 0.5}",
         "ports.xinhai.ferry.closure_response.staging_share", "must be <= 1"),
        ("events.weather=[{ports: [xinhai], start: 2026-03-10T06:00:00, duration_hours: 2, "
         "sailing_share: 1}]", "events.weather.0.sailing_share", "less than 1"),
    ],
)  # fmt: skip
def test_strait_data_errors_name_the_field(override: str, path: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(FERRY, [override])
    assert info.value.path == path and message in info.value.message, str(info.value)
