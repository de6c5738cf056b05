"""Whole-model properties: reproducible, common random numbers, conservation, M/M/c sanity."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np

from sim.model import simulate
from sim.results import canonical_json, compute_kpis
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[3]


def _short(**update: object) -> Scenario:
    return Scenario(horizon_hours=8, **update)  # type: ignore[arg-type]


def test_same_seed_same_bytes_other_seed_other_traffic() -> None:
    a = canonical_json(compute_kpis(simulate(_short())))
    b = canonical_json(compute_kpis(simulate(_short())))
    c = canonical_json(compute_kpis(simulate(_short(seed=99))))
    assert a == b
    assert a != c


def test_replications_are_independent() -> None:
    r0 = simulate(_short(active_ports=["yangpu"]), replication=0).records["arrival"]
    r1 = simulate(_short(active_ports=["yangpu"]), replication=1).records["arrival"]
    assert len(r0) and len(r1) and not np.array_equal(r0, r1)


def test_policy_change_keeps_the_traffic() -> None:
    """Common random numbers: a higher scan rate changes routes, not arrivals or service draws."""
    base = _short()
    strict = base.model_copy(deep=True)
    strict.policy.tiers.whitelist.random_floor = 0.5
    a, b = simulate(base).records, simulate(strict).records
    assert np.array_equal(a["arrival"], b["arrival"])
    assert np.array_equal(a["port"], b["port"]) and np.array_equal(a["tier"], b["tier"])
    trucks = a["flow"] == "cargo_truck"
    scanned_a = np.sum(a["route"][trucks] != "release")
    scanned_b = np.sum(b["route"][trucks] != "release")
    assert scanned_b > 3 * scanned_a
    # the same truck takes the same time in its channel under both policies
    chan_a = (a["channel_end"] - a["channel_start"])[trucks]
    chan_b = (b["channel_end"] - b["channel_start"])[trucks]
    done = ~np.isnan(chan_a) & ~np.isnan(chan_b)
    assert done.sum() > 100 and np.allclose(chan_a[done], chan_b[done])


def test_other_ports_do_not_change_a_ports_traffic() -> None:
    alone = simulate(_short(active_ports=["xinhai"])).records
    together = simulate(_short()).records
    mine = together.select(together["port"] == "xinhai")
    assert np.array_equal(alone["arrival"], mine["arrival"])


def test_every_truck_moves_forward_in_time() -> None:
    rec = simulate(Scenario()).records
    trucks = rec.select(rec["flow"] == "cargo_truck")
    chain = ["arrival", "channel_start", "channel_end", "release"]
    done = ~np.isnan(trucks["release"])
    for a, b in itertools.pairwise(chain):
        assert np.all(trucks[b][done] >= trucks[a][done] - 1e-9), (a, b)
    released_only = trucks["route"] == "release"
    assert np.all(np.isnan(trucks["scan_start"][released_only]))
    inspected = done & (trucks["route"] == "inspection")
    assert inspected.any() and np.all(
        trucks["inspection_end"][inspected] <= trucks["release"][inspected]
    )
    # strait trucks board a ferry after their release, never before
    strait = done & np.isin(trucks["port"], ["xinhai", "nangang"]) & ~np.isnan(trucks["boarding"])
    assert strait.any() and np.all(trucks["boarding"][strait] >= trucks["release"][strait])


def test_closed_ports_serve_nobody_at_night() -> None:
    rec = simulate(
        Scenario(active_ports=["basuo", "sanya_port", "qinglan"], horizon_hours=48)
    ).records
    hour = (rec["channel_start"][~np.isnan(rec["channel_start"])] / 3600.0) % 24
    assert len(hour) and np.all((hour >= 8) & (hour < 20))


def test_mmc_reduction_is_close_to_erlang_c() -> None:
    """A sanity check only (one run); the theory suite tests this with replications and CIs."""
    scenario = load_scenario(ROOT / "scenarios/theory/mmc.yaml", ["horizon_hours=120"])
    result = simulate(scenario)
    rec = result.records
    w = rec["arrival"] >= result.warmup_s
    wait = (rec["channel_start"] - rec["arrival"])[w]
    lam, mu, c = 4608 / 86400, 1 / 60, 4
    a = lam / mu
    top = a**c / math.factorial(c) / (1 - a / c)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    wq = p_wait / (c * mu - lam)
    assert abs(np.nanmean(wait) - wq) < 0.2 * wq
    assert abs(np.mean(wait > 0) - p_wait) < 0.05
    kpis = compute_kpis(result)
    assert abs(kpis["ports"]["yangpu"]["utilisation"]["customs_channels"] - 0.8) < 0.03
    ll = kpis["littles_law"]["yangpu"]
    assert abs(ll["L"] - ll["lambda_W"]) < 0.03 * ll["L"]


def test_progress_reports_fractions_up_to_one() -> None:
    seen: list[float] = []
    result = simulate(Scenario(active_ports=["yangpu"], horizon_hours=2), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 10
    assert result.local_time(3600.0).isoformat() == "2026-03-10T01:00:00+08:00"
