"""Population declarants are inspected as their tier and listing grounds say, in the whole model.

One strait port with Poisson trucks declared by the synthetic population (frequent penalties, so
many trucks come from listed enterprises): every truck's chance of being stopped is known exactly
from its tier, grounds and planted violation (:func:`sim.rules.risk_rates.control_rates`), so the
stops counted per group must match the sum of those chances within sampling error, and the
``kpis.json`` block per listing ground must count the same trucks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.results import compute_kpis
from sim.rules.risk_rates import control_rates
from sim.scenario import load_scenario
from sim.world import run_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_stops_by_tier_and_ground_match_the_exact_rates() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", [
        "horizon_hours=24", "active_ports=[xinhai]", "goods.drives_trucks=false",
        "ports.xinhai.flows.cargo_truck.per_day=12000",
        "population.enterprises.count=4000", "population.individuals.count=2000",
        "population.enterprises.history.smuggling_penalty_per_year=0.08",
        "population.enterprises.history.ratings.customs.lowest_per_year=0.02",
    ])  # fmt: skip
    result = run_scenario(scenario)
    recs = result.records
    trucks = recs["flow"] == "cargo_truck"
    model = scenario.policy.risk_model()
    tier, grounds = recs["tier"][trucks], recs["grounds"][trucks]
    violation = recs["violation"][trucks]
    stopped = recs["route"][trucks] != "release"
    cache: dict[tuple[str, str, bool], float] = {}
    chance = np.empty(int(trucks.sum()))
    for i, key in enumerate(zip(tier.tolist(), grounds.tolist(), violation.tolist(), strict=True)):
        if key not in cache:
            names = tuple(key[1].split(",")) if key[1] else ()
            cache[key] = control_rates(model, key[0], names, float(key[2])).stop
        chance[i] = cache[key]
    dishonest = np.array(["customs" in g.split(",") or "smuggling_penalty" in g.split(",")
                          for g in grounds.tolist()])  # fmt: skip
    groups = {
        "aeo": tier == "aeo",
        "whitelist": tier == "whitelist",
        "key_attention, a dishonesty ground": (tier == "key_attention") & dishonest,
        "key_attention, other grounds": (tier == "key_attention") & ~dishonest,
    }
    for name, sel in groups.items():
        expected, sd = chance[sel].sum(), np.sqrt((chance[sel] * (1 - chance[sel])).sum())
        assert sel.sum() > 200, name
        assert abs(stopped[sel].sum() - expected) < 4 * sd + 1, (name, stopped[sel].sum(), expected)
    assert stopped[groups["key_attention, a dishonesty ground"]].mean() > 0.78
    assert stopped[groups["key_attention, other grounds"]].mean() < 0.6
    by_ground = compute_kpis(result)["tiers"]["key_attention"]["by_ground"]
    for ground in ("customs", "smuggling_penalty", "tax"):
        holds = np.array([ground in g.split(",") for g in grounds.tolist()])
        window = recs["arrival"][trucks] >= result.warmup_s
        assert by_ground[ground]["declarations"] == int((holds & window).sum())
        assert by_ground[ground]["inspected"] == int((holds & window & stopped).sum())
    low, _ = by_ground["smuggling_penalty"]["inspection_rate_ci95"]
    assert low > 0.75
