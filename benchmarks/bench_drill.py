"""What a drill adds to the calls it sends, measured against the same calls sent unchecked.

The whole drill catalogue at all ten ports against the reference platform (SQLite, one worker),
two ways, each on a freshly started platform and in the same process:

- **baseline**: every request of the plan sent in order with the typed client's raw call, as
  its actor, with its idempotency key, the answer read and thrown away;
- **drill**: ``sim.drill.run_drill`` on the same plan: every answer compared with the oracle's
  expectation, timed, recorded as a step result, then the audit (books and declarations read
  back).

Planning (casting the entities, deciding every step with the rules) is timed apart. Each way is
run ``--repeats`` times, interleaved, and the best time kept (the least disturbed by other work
on a shared machine). Printed: the drill's time per step against the baseline's, the audit's
share, and the plan's time per step. Target: the drill costs at most 1.5x the bare calls
(``drill overhead ratio <= 1.5``): checking every answer is cheap next to the HTTP round trip.

Run: ``make bench`` or ``python benchmarks/bench_drill.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.client import PlatformClient
from sim.drill import connect, drill_population, load_catalogue, plan_drill, run_drill
from sim.drill.operations import EARLIER_ID
from sim.drill.plan import DrillPlan
from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent


def _bare(plan: DrillPlan, rules: dict[str, object]) -> float:
    """Send every request of the plan unchecked on a fresh platform; seconds taken."""
    with connect(None, rules) as platform, PlatformClient(
            platform.base_url, admin_token=platform.admin_token) as client:
        ids: dict[tuple[str, str, int], object] = {}
        started = time.perf_counter()
        for step in plan.steps():
            if step.request is None:
                continue
            path = step.request.path
            if step.depends_on is not None:
                path = path.replace(EARLIER_ID,
                                    str(ids[step.process, step.port, step.depends_on]))
            view = (client.as_actor(step.actor_role, step.actor_entity)
                    if step.actor_role in ("enterprise", "department")
                    else client.as_actor(step.actor_role))
            answer = view.raw(step.request.method, path, step.request.body,
                              params=step.request.query or None,
                              idempotency_key=step.idempotency_key or False)
            if step.operation in ("declare", "transfer") and isinstance(answer.body, dict):
                ids[step.process, step.port, step.index] = answer.body.get("id")
        return time.perf_counter() - started


def _drill(plan: DrillPlan, rules: dict[str, object]) -> tuple[float, float, str]:
    """Run the drill on a fresh platform: (seconds, seconds of the audit, verdict)."""
    with connect(None, rules) as platform:
        started = time.perf_counter()
        summary = run_drill(plan, platform)
        total = time.perf_counter() - started
    steps_s = sum(s.duration_ms for s in summary.steps) / 1000
    return total, max(total - steps_s, 0.0), summary.verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    scenario = Scenario()
    rules = scenario.rules_config()
    catalogue = load_catalogue([ROOT / "scenarios" / "drills"])
    processes = catalogue.select(None)
    t0 = time.perf_counter()
    population = drill_population(scenario.population, scenario.credit, scenario.seed,
                                  min(p.start for p in processes))
    plan = plan_drill(processes, population, rules, seed=scenario.seed)
    plan_s = time.perf_counter() - t0
    steps = sum(1 for s in plan.steps() if s.request is not None)
    data = rules.model_dump(mode="json")
    bare, drilled, audits = [], [], []
    verdict = ""
    for _ in range(args.repeats):
        bare.append(_bare(plan, data))
        total, audit_s, verdict = _drill(plan, data)
        drilled.append(total)
        audits.append(audit_s)
    bare_s, drill_s = min(bare), min(drilled)
    print(f"drill catalogue: {len(plan.runs)} runs at {len(plan.ports)} ports, {steps} requests, "
          f"best of {args.repeats} (verdict {verdict})")
    print(f"  plan (population, casting, oracle): {plan_s:6.2f} s  "
          f"{plan_s / steps * 1000:.2f} ms per step")
    print(f"  baseline (requests sent unchecked): {bare_s:6.2f} s  "
          f"{bare_s / steps * 1000:.2f} ms per step")
    print(f"  drill (checked, timed, audited):    {drill_s:6.2f} s  "
          f"{drill_s / steps * 1000:.2f} ms per step (audit {min(audits):.2f} s)")
    print(f"drill overhead ratio: {drill_s / bare_s:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
