"""Priority by tier agrees with Cobham's formula for two classes.

``scenarios/theory/priority_mmc.yaml`` reduces one port's customs channels to an M/M/2 queue in
which 30% of the trucks (AEO) are served first, non-preemptively; ``priority_scanner.yaml``
reduces one H986 scanner to an M/D/1 queue with the same two classes (its arrivals are the
Poisson output of an M/M/infinity channel stage). Over independent replications the mean wait of
each class must contain Cobham's value inside its 95% confidence interval, the interval must be
narrow enough that a wrong discipline could not hide in it, and the classes' waits must average
to the first-come-first-served wait (work conservation). A run with priority switched off must
give both classes the same wait: the difference comes from the discipline, not from the tiers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model import simulate
from sim.results import Records
from sim.scenario import Scenario, load_scenario
from tests.theory.queueing import cobham_mg1, cobham_mmc, mmc_wq, t_interval

ROOT = Path(__file__).resolve().parents[2]
THEORY = ROOT / "scenarios" / "theory"
REPLICATIONS = 6
AEO_SHARE = 0.3


def _run(scenario: Scenario, replication: int) -> Records:
    return simulate(scenario, replication=replication).records


def _class_waits(
    scenario: Scenario, recs: Records, start: str, end: str
) -> dict[str, np.ndarray]:
    """Each class's waits ``start -> end`` of the trucks that arrived after the warm-up."""
    keep = (recs["arrival"] >= scenario.warmup_hours * 3600) & ~np.isnan(recs[end])
    waits = recs[end][keep] - recs[start][keep]
    tiers = recs["tier"][keep]
    return {tier: waits[tiers == tier] for tier in ("aeo", "whitelist")}


def _check(means: list[float], theory: float, name: str, width: float) -> None:
    mean, low, high = t_interval(means)
    shown = f"{name}: {mean:.1f} s, CI [{low:.1f}, {high:.1f}] vs {theory:.1f}"
    assert low <= theory <= high, shown
    assert high - low < width * theory, f"{name}: CI [{low:.1f}, {high:.1f}] too wide"


@pytest.mark.slow
def test_channels_serving_aeo_first_match_cobham_for_mmc() -> None:
    scenario = load_scenario(THEORY / "priority_mmc.yaml")
    port = scenario.ports.get("yangpu")
    assert port.flows.cargo_truck is not None
    c, mu = port.resources.customs_channels, 1 / 60
    lam = port.flows.cargo_truck.per_day / 86_400
    w_aeo, w_other = cobham_mmc(c, [AEO_SHARE * lam, (1 - AEO_SHARE) * lam], mu)
    aeo, other, both = [], [], []
    for replication in range(REPLICATIONS):
        waits = _class_waits(scenario, _run(scenario, replication), "arrival", "channel_start")
        assert abs(len(waits["aeo"]) / (len(waits["aeo"]) + len(waits["whitelist"]))
                   - AEO_SHARE) < 0.01  # fmt: skip
        aeo.append(float(waits["aeo"].mean()))
        other.append(float(waits["whitelist"].mean()))
        both.append(float(np.concatenate([waits["aeo"], waits["whitelist"]]).mean()))
    _check(aeo, w_aeo, "AEO", 0.15)
    _check(other, w_other, "whitelist", 0.15)
    _check(both, mmc_wq(c, lam, mu), "all (conservation)", 0.15)
    assert w_other / w_aeo > 4  # the classes are far apart: a FCFS queue would fail both checks


@pytest.mark.slow
def test_a_scanner_serving_aeo_first_matches_cobham_for_md1() -> None:
    scenario = load_scenario(THEORY / "priority_scanner.yaml")
    port = scenario.ports.get("yangpu")
    assert port.flows.cargo_truck is not None
    lam = port.flows.cargo_truck.per_day / 86_400
    d = 30.0
    assert port.service.scan.model_dump() == {"kind": "deterministic", "value": d}
    lams = [AEO_SHARE * lam, (1 - AEO_SHARE) * lam]
    w_aeo, w_other = cobham_mg1(lams, [d, d], [d * d, d * d])
    aeo, other = [], []
    for replication in range(REPLICATIONS):
        recs = _run(scenario, replication)
        assert np.nanmax(recs["channel_start"] - recs["arrival"]) == 0.0  # channels never queue
        scanned = _class_waits(scenario, recs, "channel_end", "scan_start")
        aeo.append(float(scanned["aeo"].mean()))
        other.append(float(scanned["whitelist"].mean()))
    _check(aeo, w_aeo, "AEO", 0.15)
    _check(other, w_other, "whitelist", 0.2)


@pytest.mark.slow
def test_without_priority_both_classes_wait_alike() -> None:
    """The same scanner queue first come first served: one M/D/1 wait for both classes."""
    scenario = load_scenario(
        THEORY / "priority_scanner.yaml", ["policy.priority.scanners=false", "horizon_hours=96"]
    )
    lam, d = 2304 / 86_400, 30.0
    (fcfs,) = cobham_mg1([lam], [d], [d * d])  # Pollaczek-Khinchine: 48 s
    aeo, other = [], []
    for replication in range(4):
        scanned = _class_waits(scenario, _run(scenario, replication), "channel_end", "scan_start")
        aeo.append(float(scanned["aeo"].mean()))
        other.append(float(scanned["whitelist"].mean()))
    _check(aeo, fcfs, "AEO without priority", 0.5)
    _check(other, fcfs, "whitelist without priority", 0.4)
