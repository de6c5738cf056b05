"""The batch-exit counts of the goods block add up, and each counts what it says.

A month whose consolidated declaration is not filed by the 25th of the next month is overdue on
the 26th; customs suspends the facility that day. Its late declaration, if filed within the run,
is a late consolidated declaration; otherwise the month is still overdue at the end. So the
suspensions for lateness equal the late declarations plus the months overdue at the end (less
late months that found the facility already suspended for lateness, which this run avoids: one
late month at most per enterprise between reinstatements).
"""

from __future__ import annotations

from pathlib import Path

from sim.model import simulate
from sim.results import compute_kpis
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[3]


def test_suspensions_for_lateness_are_late_declarations_plus_months_overdue_at_the_end() -> None:
    scenario = load_scenario(
        ROOT / "scenarios" / "batch_exit_adoption.yaml",
        ["active_ports=[boao]", "goods.enterprises=300", "goods.late_declaration_rate=0.3",
         "horizon_hours=1464", "policy.declarants=shares"],  # 1 Jan - 2 Mar: two month ends
    )  # fmt: skip
    batch = compute_kpis(simulate(scenario))["goods"]["batch_exit"]
    late = batch["late_consolidated_declarations"]
    overdue = batch["overdue_at_end"]
    assert late > 0 and overdue > 0  # January's late filings came; February's are still due
    assert batch["suspensions_by_cause"]["late_consolidated_declaration"] == late + overdue
    assert batch["suspensions"] == sum(batch["suspensions_by_cause"].values())
