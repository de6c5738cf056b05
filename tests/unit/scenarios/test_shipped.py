"""Every shipped scenario parses, runs shortened, and shows the outcome it was written for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model import simulate
from sim.model.arrivals import hour_blocks, hourly_rates
from sim.results import compute_kpis
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))


def test_the_five_scenarios_are_shipped() -> None:
    names = {p.relative_to(ROOT / "scenarios").as_posix() for p in SCENARIOS}
    assert {
        "baseline.yaml",
        "spring_festival_peak.yaml",
        "fog_closure.yaml",
        "scanner_outage.yaml",
        "theory/mmc.yaml",
        "aeo_expansion.yaml",
        "strict_key_attention.yaml",
        "fog_in_the_rush.yaml",
        "xinhai_more_channels.yaml",
    } <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_parses_and_runs_shortened(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    # Dated things would fall outside three hours: drop them (events, extra sailings, reports).
    dated = [f"ports.{p}.ferry.extra_sailings=[]" for p, c in scenario.ports.items()
             if c.ferry is not None and c.ferry.extra_sailings]  # fmt: skip
    short = load_scenario(path, ["horizon_hours=3", "warmup_hours=0", "events.weather=[]",
                                 "events.scanner_outages=[]", "observed=[]", *dated])  # fmt: skip
    kpis = compute_kpis(simulate(short))
    assert sum(sum(p["flows"].values()) for p in kpis["ports"].values()) > 0


def test_baseline_file_is_the_embedded_default() -> None:
    loaded = load_scenario(ROOT / "scenarios/baseline.yaml")
    assert loaded.model_copy(update={"description": ""}) == Scenario()


def _expected(scenario: Scenario, flow: str, ports: list[str]) -> float:
    blocks = hour_blocks(scenario.start, scenario.horizon_hours * 3600)
    total = 0.0
    for port in ports:
        spec = getattr(scenario.ports.get(port).flows, flow)
        rates = hourly_rates(blocks, spec, scenario.calendar, flow, port)
        total += float(np.sum(rates * (blocks.end_s - blocks.start_s)))
    return total


def test_peak_day_volumes_match_15_feb_2024() -> None:
    """39k vehicles and 188k passengers across the strait (60% leaving), 111k air departures."""
    peak = load_scenario(ROOT / "scenarios/spring_festival_peak.yaml")
    strait = ["xinhai", "nangang"]
    # supervised trucks are the goods flow's shipments (goods.drives_trucks): enterprises x
    # shipments a day x port share x the calendar's cargo_truck factor
    goods, day = peak.goods, peak.start.date()
    trucks = sum(goods.enterprises * goods.shipments_per_day * goods.port_shares[p]
                 * peak.calendar.factor(day, "cargo_truck", p) for p in strait)  # fmt: skip
    assert peak.goods.drives_trucks and peak.horizon_hours == 24
    vehicles = _expected(peak, "vehicle", strait) + trucks
    assert vehicles == pytest.approx(0.6 * 39_000, rel=0.03)
    assert _expected(peak, "passenger", strait) == pytest.approx(0.6 * 188_000, rel=0.03)
    air = _expected(peak, "passenger", ["meilan", "phoenix", "boao"])
    assert air == pytest.approx(111_000, rel=0.03)


def test_fog_fills_the_holding_area_and_stops_sailings() -> None:
    fog = load_scenario(ROOT / "scenarios/fog_closure.yaml", ["horizon_hours=80"])
    result = simulate(fog)
    kpis = compute_kpis(result)
    start = (fog.events.weather[0].start - fog.start).total_seconds()
    end = start + fog.events.weather[0].duration_hours * 3600
    rec = result.records
    boarded = rec["boarding"][~np.isnan(rec["boarding"])]
    assert not np.any((boarded >= start) & (boarded < end))  # no sailing in the fog
    for port in ("xinhai", "nangang"):
        # when the fog lifts, the vehicles cleared but not yet boarded exceed the holding area
        mine = rec.select((rec["port"] == port) & ~np.isnan(rec["release"]))
        mine = mine.select(np.isin(mine["flow"], ["cargo_truck", "vehicle"]))
        waiting = np.sum((mine["release"] <= end) & ~(mine["boarding"] < end))
        assert waiting > fog.ports.get(port).ferry.holding_capacity  # type: ignore[union-attr]
        ferry = kpis["ports"][port]["ferry"]
        assert ferry["sailings_cancelled"] > 0
        assert ferry["waiting_peak"] > ferry["holding_capacity"] == ferry["holding_peak"]
        assert ferry["overflow"] > 0 and ferry["outside_peak"] > 0
        assert ferry["passengers_arriving_while_suspended"] > 0
    # without the fog the same traffic fits: same arrivals, far less overflow
    clear = simulate(fog.model_copy(update={"events": Scenario().events}))
    assert np.array_equal(clear.records["arrival"], rec["arrival"])
    clear_ferry = compute_kpis(clear)["ports"]["xinhai"]["ferry"]
    assert clear_ferry["waiting_peak"] < kpis["ports"]["xinhai"]["ferry"]["waiting_peak"] / 5
    assert clear_ferry["overflow"] < kpis["ports"]["xinhai"]["ferry"]["overflow"] / 3


def test_scanner_outage_raises_xinhai_clearance_on_the_same_traffic() -> None:
    only = ["active_ports=[xinhai]"]
    base = simulate(load_scenario(ROOT / "scenarios/baseline.yaml", only))
    outage_scenario = load_scenario(ROOT / "scenarios/scanner_outage.yaml", only)
    outage = simulate(outage_scenario)
    assert np.array_equal(base.records["arrival"], outage.records["arrival"])
    # Only the scanned trucks (a few percent) wait: the tail and the mean move, the median not.
    times = [compute_kpis(r)["ports"]["xinhai"]["clearance_time_s"] for r in (base, outage)]
    assert times[1]["p99"] > times[0]["p99"] and times[1]["mean"] > times[0]["mean"]
    assert times[1]["p50"] == times[0]["p50"]
    event = outage_scenario.events.scanner_outages[0]
    t0 = (event.start - outage_scenario.start).total_seconds()
    scans = outage.records["scan_start"]
    scans = scans[~np.isnan(scans)]
    assert len(scans) and not np.any((scans >= t0) & (scans < t0 + 4 * 3600))


def test_mmc_scenario_is_a_pure_channel_queue() -> None:
    mmc = load_scenario(ROOT / "scenarios/theory/mmc.yaml", ["horizon_hours=48"])
    result = simulate(mmc)
    rec = result.records
    assert result.ports == ("yangpu",)
    assert set(rec["route"]) == {"release"} and np.all(np.isnan(rec["scan_start"]))
    gaps = np.diff(rec["arrival"])
    assert gaps.mean() == pytest.approx(86400 / 4608, rel=0.05)  # Poisson at the set rate
    assert np.std(gaps) / gaps.mean() == pytest.approx(1.0, abs=0.05)  # exponential gaps
    service = rec["channel_end"] - rec["channel_start"]
    assert np.nanmean(service) == pytest.approx(60, rel=0.05)
