"""The truck lanes never use more than they have: channels, scanners, bays and officers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model import simulate
from sim.results import RunResult
from sim.results.timeseries import step
from sim.scenario import Scenario


def _contended() -> Scenario:
    """Xinhai with few officers and heavy random selection, so every resource has a queue."""
    s = Scenario(active_ports=["xinhai", "basuo"], horizon_hours=30)
    s.policy.tiers.whitelist.random_floor = 0.6
    r = s.ports.xinhai.resources
    r.customs_channels, r.scanners, r.inspection_bays = 2, 1, 2
    r.officer_shifts[0].officers, r.officer_shifts[1].officers, r.officer_shifts[2].officers = (
        1,
        2,
        1,
    )
    return s


def _check_never_above(
    result: RunResult, port: str, pairs: list[tuple[str, str]], limit: Callable[[float], int]
) -> None:
    rec = result.records
    trucks = rec.select((rec["port"] == port) & (rec["flow"] == "cargo_truck"))
    starts = np.concatenate([trucks[a] for a, _ in pairs])
    ends = np.concatenate([trucks[b] for _, b in pairs])
    times, levels = step(starts, ends, result.horizon_s)
    hours = (times / 3600.0) % 24  # the run starts at local midnight
    allowed = np.array([limit(h) for h in hours])
    assert np.all(levels <= allowed + 1e-9), (port, pairs)


def test_resources_are_never_overbooked() -> None:
    scenario = _contended()
    result = simulate(scenario)
    res = scenario.ports.xinhai.resources
    _check_never_above(result, "xinhai", [("channel_start", "channel_end")], lambda h: 2)
    _check_never_above(result, "xinhai", [("scan_start", "scan_end")], lambda h: 1)
    _check_never_above(
        result,
        "xinhai",
        [("review_start", "review_end"), ("inspection_start", "inspection_end")],
        res.officers_at,
    )
    basuo = scenario.ports.basuo
    _check_never_above(
        result,
        "basuo",
        [("channel_start", "channel_end")],
        lambda h: 1 if basuo.is_open(h) else 0,
    )
    rec = result.records
    x = rec.select((rec["port"] == "xinhai") & (rec["flow"] == "cargo_truck"))
    waited = x["review_start"] - x["scan_end"]
    assert np.nanmax(waited) > 60  # officers were contended, so the check had something to catch
    scanned = ~np.isnan(x["scan_end"]) & ~np.isnan(x["review_start"])
    assert np.all(x["review_start"][scanned] >= x["scan_end"][scanned])
