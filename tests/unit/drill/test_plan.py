"""The planned drill: the shipped catalogue means what its step names say, by the oracle's answers.

The catalogue states no expected answer; the oracle's platform decides each step. These tests
hold the oracle's decisions against the rules as published (dated cases, the tariff's rates), so
a catalogue step that drifted from its intent (a booking no longer on the 14th day, a price no
longer at 30.0% value added) fails here rather than silently testing something else.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from sim.drill import Catalogue, DrillPlan, PlannedStep, plan_drill
from sim.drill.catalogue import PORT_GROUPS, CatalogueError, load_catalogue
from sim.population import Population
from sim.rules.risk import selection_draw
from sim.scenario import Scenario


def _steps(plan: DrillPlan, process: str, name: str) -> list[PlannedStep]:
    found = [s for s in plan.steps() if s.process == process and s.name == name]
    assert found, f"{process}: no step {name!r}"
    return found


def _fields(plan: DrillPlan, process: str, name: str) -> list[dict[str, object]]:
    return [s.expected.fields for s in _steps(plan, process, name) if s.expected]


def test_every_process_runs_at_each_of_its_ports_with_its_own_entities(plan: DrillPlan) -> None:
    runs = Counter(r.process.id for r in plan.runs)
    assert runs == {p: 7 for p in ("full_process", "batch_exit", "vehicle_exit",
                                   "credit_department_grade", "credit_smuggling_penalty",
                                   "aeo_treatment")} | {"duty_free_quota": 3,
                                                        "individual_violation": 3}
    assert {r.port for r in plan.runs} == set(PORT_GROUPS["seaports"] + PORT_GROUPS["airports"])
    keys = [m.key for r in plan.runs for m in r.cast.values()]
    assert len(keys) == len(set(keys)), "an entity plays in two runs"


def test_runs_open_with_registration_and_the_population_history(plan: DrillPlan) -> None:
    for run in plan.runs:
        setup = [s for s in run.steps if s.phase == "setup"]
        history = sum(len(m.history) for m in run.cast.values())
        assert len(setup) == len(run.cast) + history
        assert [s.operation for s in run.steps[: len(setup)]].count("register_entity") == len(
            run.cast)
        assert all(s.expected is not None and s.expected.status == 201 for s in setup)
    assert any(m.history for r in plan.runs for m in r.cast.values()), "no history posted at all"


def test_writes_carry_unique_keys_and_reads_none(plan: DrillPlan) -> None:
    keys = [s.idempotency_key for s in plan.steps() if s.writes]
    assert all(keys) and len(keys) == len(set(keys))
    assert all(s.idempotency_key is None for s in plan.steps() if not s.writes)


def test_bookings_on_the_14th_day_pass_and_on_the_15th_are_refused(plan: DrillPlan) -> None:
    for f in _fields(plan, "full_process", "booking on the 14th day"):
        assert f["pending"] is False
    for s in _steps(plan, "full_process", "late booking on the 15th day"):
        assert s.expected is not None
        assert (s.expected.status, s.expected.fields) == (409, {"code": "booking_overdue"})
    # 2,000 fen a unit of frozen beef (0202.30: 12% duty, then 9% VAT on value + duty)
    for f in _fields(plan, "full_process", "taxes back-paid on the late entry"):
        assert f["duties"] == {"duty_fen": 480_000, "vat_fen": 403_200, "consumption_fen": 0,
                               "total_fen": 883_200}


def test_a_transfer_to_the_partner_waits_for_its_acceptance(plan: DrillPlan) -> None:
    for s in _steps(plan, "full_process", "intra-island transfer"):
        assert s.expected is not None and s.expected.status == 201
        assert (s.expected.fields["status"], s.expected.fields["decided_on"]) == ("pending", None)
        assert s.expected.fields["on"] == "2026-01-22"
    senders = {s.actor_entity for s in _steps(plan, "full_process", "intra-island transfer")}
    for s in _steps(plan, "full_process", "transfer accepted by the partner"):
        assert s.request is not None and s.expected is not None
        assert s.actor_role == "enterprise" and s.actor_entity not in senders
        assert s.request.path == "/v1/transfers/{of}/acceptance" and s.depends_on is not None
        assert (s.expected.status, s.expected.fields["status"],
                s.expected.fields["decided_on"]) == (200, "done", "2026-01-23")
    for s in _steps(plan, "full_process", "second transfer rejected by the partner"):
        assert s.expected is not None
        assert (s.expected.status, s.expected.fields["status"], s.expected.fields["qty"]) == (
            200, "rejected", 100)
    # The accepted 200 units entered the partner's book on the acceptance date; the rejected
    # 100 never left the maker's (1,000 in, 200 out, 500 processed, 150 exported).
    for f in _fields(plan, "full_process", "partner's book at the end"):
        beef = f["state"]["positions"]["beef"]  # type: ignore[index]
        assert (beef["qty"], beef["since"]) == (200, "2026-01-23")
    for f in _fields(plan, "full_process", "maker's book at the end"):
        assert f["state"]["positions"]["beef"]["qty"] == 150  # type: ignore[index]


def test_value_added_of_30_0_percent_passes_and_29_9_fails(plan: DrillPlan) -> None:
    for s in _steps(plan, "full_process", "exit at 30.0% value added"):
        assert s.request is not None and s.expected is not None
        # 100 jerky carry 5,000,000 fen of imported beef and 500,000 of domestic sugar
        assert s.request.body is not None
        assert s.request.body["lines"][0]["price_fen"] == 7_150_000
        line = s.expected.fields["lines"][0]  # type: ignore[index]
        assert line["value_added"] == 0.3 and line["duty_exempt"] is True
        assert line["regime"] == "processing_value_added"
        assert line["duties"]["duty_fen"] == 0 and line["duties"]["vat_fen"] == 929_500
    for s in _steps(plan, "full_process", "exit at 29.9% value added"):
        assert s.request is not None and s.request.body is not None and s.expected is not None
        assert s.request.body["lines"][0]["price_fen"] == 7_144_500
        line = s.expected.fields["lines"][0]  # type: ignore[index]
        assert Fraction(line["value_added"]).limit_denominator(1000) == Fraction(299, 1000)
        assert line["duty_exempt"] is False
        assert line["duties"]["duty_fen"] == 857_340  # 12% of 7,144,500


def test_the_three_channel_paths(plan: DrillPlan) -> None:
    for name, channel in (("exit on the scan path", "scan"),
                          ("exit on the inspection path", "inspection")):
        assert {f["channel"] for f in _fields(plan, "full_process", name)} == {channel}
    _released_unless_picked(plan, "full_process", "exit on the release path")


def _released_unless_picked(plan: DrillPlan, process: str, name: str) -> None:
    """Released without a stop, unless the tier's random selection picks the reference."""
    risk = plan.rules.risk
    for f in _fields(plan, process, name):
        floor = risk.tiers[f["tier"]].random_floor  # type: ignore[index]
        picked = selection_draw(risk.selection_seed, str(f["reference"])) < floor
        assert f["channel"] == ("scan" if picked else "release"), f
    for f in _fields(plan, "full_process", "inspection result recorded"):
        assert f["inspection"] == {"on": "2026-01-26", "channel": "inspection",
                                   "result": "violation", "findings": "undeclared cartons"}


def test_batch_exit_late_declaration_suspends_and_reinstatement(plan: DrillPlan) -> None:
    def codes(name: str) -> set[tuple[int, object]]:
        return {(s.expected.status, s.expected.fields.get("code"))
                for s in _steps(plan, "batch_exit", name) if s.expected}

    assert {f["late"] for f in _fields(plan, "batch_exit", "January declared on time")} == {False}
    assert {f["late"] for f in _fields(plan, "batch_exit", "February declared late")} == {True}
    for name in ("exit list refused while overdue", "exit list refused while suspended"):
        assert codes(name) == {(409, "batch_exit_suspended")}
    assert codes("reinstatement refused without the permits") == {(409, "missing_permit")}
    for name in ("reinstatement", "reinstatement with the permits in order"):
        assert {tuple(f["suspended"]) for f in _fields(plan, "batch_exit", name)} == {()}
    assert {tuple(f["suspended"]) for f in _fields(
        plan, "batch_exit", "status once February is overdue")} == {
        ("late_consolidated_declaration",)}


def test_credit_grounds_list_and_lapse_by_their_dates(plan: DrillPlan) -> None:
    def tiers(process: str, name: str) -> set[object]:
        return {f["tier"] for f in _fields(plan, process, name)}

    grade = "credit_department_grade"
    assert tiers(grade, "tier while listed") == {"key_attention"}
    for f in _fields(plan, grade, "tier while listed"):
        assert [(g["category"], g["source"], g["lapses"]) for g in f["grounds"]] == [  # type: ignore[attr-defined]
            (1, "tax", None)]
    assert tiers(grade, "tier after the better grade") == {"whitelist"}
    assert {f["channel"] for f in _fields(plan, grade, "declaration while listed")} == {"scan"}
    _released_unless_picked(plan, grade, "declaration after removal")
    penalty = "credit_smuggling_penalty"
    assert tiers(penalty, "tier on the last day of the three years") == {"key_attention"}
    assert tiers(penalty, "tier the day the listing lapses") == {"whitelist"}
    assert tiers(penalty, "tier on the old lapse day after the recurrence") == {"key_attention"}
    assert tiers(penalty, "tier the day the restarted clock runs out") == {"whitelist"}
    person = "individual_violation"
    assert tiers(person, "tier while listed") == {"key_attention"}
    assert tiers(person, "tier the day the listing lapses") == {"whitelist"}
    assert tiers(person, "tier on the old lapse day after the recurrence") == {"key_attention"}
    assert tiers(person, "tier the day the restarted clock runs out") == {"whitelist"}


def test_aeo_treatment(plan: DrillPlan) -> None:
    aeo = "aeo_treatment"
    assert {f["tier"] for f in _fields(plan, aeo, "qualification filing (certified)")} == {"aeo"}
    assert {f["tier"] for f in _fields(plan, aeo, "AEO declaration with a value mismatch")} == {
        "aeo"}
    _released_unless_picked(plan, aeo, "AEO declaration with a value mismatch")
    assert {(f["tier"], f["channel"]) for f in _fields(
        plan, aeo, "listed declaration with a value mismatch")} == {
        ("key_attention", "inspection")}
    assert {s.expected.status for s in _steps(plan, aeo, "AEO admitted to batch exit")
            if s.expected} == {201}
    assert {(s.expected.status, s.expected.fields["code"])
            for s in _steps(plan, aeo, "batch exit refused to the listed enterprise")
            if s.expected} == {(409, "not_eligible")}


def test_duty_free_within_at_and_over_the_quota(plan: DrillPlan) -> None:
    quota = "duty_free_quota"

    def decided(name: str) -> set[tuple[object, ...]]:
        return {(f["decision"], f["used_before_fen"], f["remaining_fen"], f["excess_fen"])
                for f in _fields(plan, quota, name)}

    assert decided("departure within the quota") == {("pass", 0, 4_000_000, 0)}
    assert decided("departure reaching the quota exactly") == {("pass", 6_000_000, 0, 0)}
    assert decided("departure over the quota") == {("over_quota", 10_000_000, 0, 250_000)}
    assert decided("departure in the next year") == {("pass", 0, 8_000_000, 0)}
    assert {f["decision"] for f in _fields(plan, quota, "under-age buyer")} == {"underage"}


def test_a_vehicle_leaving_is_not_supported(plan: DrillPlan) -> None:
    for s in _steps(plan, "vehicle_exit", "vehicle leaves by ro-ro ferry"):
        assert s.request is None and s.expected is None
        assert "no operation for vehicles" in s.unsupported


def test_the_plan_is_reproducible_and_the_seed_casts(
    catalogue: Catalogue, population: Population, plan: DrillPlan
) -> None:
    rules = Scenario().rules_config()
    again = plan_drill(catalogue.select(["full_process"]), population, rules, seed=plan.seed,
                       ports=["xinhai"])
    first = next(r for r in plan.runs if r.process.id == "full_process")
    assert [(s.request, s.expected) for s in again.runs[0].steps] == [
        (s.request, s.expected) for s in first.steps]
    other = plan_drill(catalogue.select(["full_process"]), population, rules, seed=plan.seed + 1,
                       ports=["xinhai"])
    assert {m.key for m in other.runs[0].cast.values()} != {m.key for m in first.cast.values()}


def test_excluded_entities_are_not_cast(catalogue: Catalogue, population: Population,
                                        plan: DrillPlan) -> None:
    rules = Scenario().rules_config()
    taken = plan.entity_keys()
    again = plan_drill(catalogue.select(["duty_free_quota"]), population, rules, seed=plan.seed,
                       exclude=sorted(taken))
    assert not again.entity_keys() & taken


@pytest.mark.parametrize("ports", [["meilan"], ["xinhai", "boao"]])
def test_ports_select_the_runs(catalogue: Catalogue, population: Population,
                               ports: list[str]) -> None:
    plan = plan_drill(catalogue.select(["full_process", "duty_free_quota"]), population,
                      Scenario().rules_config(), seed=1, ports=ports)
    assert {(r.process.id, r.port) for r in plan.runs} == {
        (p, port) for p, port in (("full_process", "xinhai"), ("duty_free_quota", "meilan"),
                                  ("duty_free_quota", "boao")) if port in ports}


def test_a_value_added_exit_is_priced_on_its_own_date(
    tmp_path: Path, population: Population
) -> None:
    """The inputs are probed with an exit on the step's date: before the goods entered the
    book (released on day 1; the steps are planned in catalogue order, so they are held by
    then) no exit is possible, so no price either, and the catalogue says which step."""
    doc = textwrap.dedent("""
        processes:
          p:
            title: t
            ports: [xinhai]
            start: 2026-01-05
            roles:
              maker: {kind: enterprise, hainan: true, zero_tariff: true, encouraged: true}
            steps:
              - {name: qualification, op: file_qualification, entity: maker, day: 0}
              - {name: book, op: file_book, entity: maker, day: 0}
              - {name: import, op: first_line_entry, entity: maker, day: 1,
                 body: {entry_id: IN1, item: beef, code: "0202.30", qty: 10, value_fen: 1000}}
              - {name: booking, op: book_entry, entity: maker, day: 2, entry: IN1}
              - {name: exit, op: declare, entity: maker, day: DAY,
                 body: {lines: [{item: beef, qty: 5, value_added: "0.300"}]}}
        """)
    rules = Scenario().rules_config()
    path = tmp_path / "p.yaml"
    path.write_text(doc.replace("DAY", "3"), encoding="utf-8")
    (exit_step,) = _steps(plan_drill(load_catalogue([path]).select(["p"]), population, rules,
                                     seed=5), "p", "exit")
    assert exit_step.request is not None and exit_step.request.body is not None
    assert exit_step.request.body["lines"][0]["price_fen"] == 650  # 500 imported, +30%
    path.write_text(doc.replace("DAY", "0"), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"step 'exit': body.lines: value_added needs 5 "
                       r"units of 'beef' that may leave the book on 2026-01-05"):
        plan_drill(load_catalogue([path]).select(["p"]), population, rules, seed=5)
