"""The decision oracle: whole declarations, departure checks and tier queries, as dated cases."""

from __future__ import annotations

from datetime import date

import pytest

from sim.rules.config import RulesConfig, default_rules
from sim.rules.credit import CreditEvent
from sim.rules.dutyfree import ANNUAL_QUOTA_FEN, check_departure, departure_decision
from sim.rules.goods import default_tariff
from sim.rules.ledger import (
    Book,
    ExitLine,
    book_entry,
    declare_exit,
    file_book,
    file_qualification,
    release_first_line,
)
from sim.rules.oracle import DeclarationRequest, decide_declaration, tier_as_of
from sim.rules.refusals import Reason, Refusal
from sim.rules.risk import (
    RiskModel,
    assess_risk,
    packaged_risk_model,
    packaged_risk_model_data,
    selection_draw,
)

D0 = date(2026, 1, 5)
RULES = default_rules()


def _book(tier: str = "whitelist") -> Book:
    q = file_qualification("E1", hainan_registered=True, individual=False, tier=tier,
                           on=date(2026, 1, 2))
    book = file_book("B1", q, date(2026, 1, 2))
    book, _ = release_first_line(book, "en1", "beef", "0202.30", 1_000, 10_000_000, D0,
                                 default_tariff())
    book, _ = book_entry(book, "en1", D0)
    return book


def _request(
    ref: str = "DC1", qty: int = 100, indicators: tuple[str, ...] = ()
) -> DeclarationRequest:
    lines = (ExitLine("beef", qty),)
    return DeclarationRequest(ref, "xinhai", date(2026, 2, 1), lines, indicators)


def test_a_declaration_is_written_off_with_duties_and_routed() -> None:
    book = _book()
    decided = decide_declaration(book, "whitelist", _request(indicators=("prior_record",)), RULES)
    _, plain = declare_exit(book, "DC1", [ExitLine("beef", 100)], date(2026, 2, 1), "xinhai",
                            default_tariff())
    assert decided.declaration == plain  # the ledger's write-off and duties, unchanged
    assert decided.book.positions["beef"].qty == 900
    assert decided.risk.score == 2.5  # prior_record's weight
    # 2.5 x 1.0 < 3: released unless the reference's random draw is under the 2% floor
    expected = "scan" if selection_draw(RULES.risk.selection_seed, "DC1") < 0.02 else "release"
    assert decided.channel == expected
    assert decided.tier == "whitelist"


@pytest.mark.parametrize(
    ("tier", "indicators", "channel"),
    [
        ("whitelist", ("declared_value_mismatch",), "scan"),  # 3.0 >= 3
        ("whitelist", ("declared_value_mismatch", "high_risk_commodity", "route_anomaly"),
         "inspection"),  # 6.5 >= 6
        ("aeo", ("declared_value_mismatch", "high_risk_commodity", "route_anomaly"), "release"),
        ("key_attention", ("high_risk_commodity",), "inspection"),  # 2 x 3 = 6
    ],
)
def test_the_channel_follows_the_tier_of_the_day(
    tier: str, indicators: tuple[str, ...], channel: str
) -> None:
    # a reference whose draw is above every floor, so only the score decides
    ref = next(f"R{i}" for i in range(1000) if selection_draw(RULES.risk.selection_seed,
                                                                f"R{i}") > 0.5)
    decided = decide_declaration(_book("whitelist"), tier, _request(ref, 10, indicators), RULES)  # type: ignore[arg-type]
    assert decided.channel == channel
    assert decided.book.holder.tier == tier  # the book carries the tier of the day


def test_refusals_leave_nothing_and_an_unknown_indicator_is_refused_first() -> None:
    book = _book()
    with pytest.raises(Refusal) as exc:
        decide_declaration(book, "whitelist", _request(qty=5_000), RULES)
    assert exc.value.reason is Reason.INSUFFICIENT_BALANCE
    with pytest.raises(Refusal) as exc:
        decide_declaration(book, "whitelist", _request(qty=5_000, indicators=("astrology",)), RULES)
    assert exc.value.reason is Reason.UNKNOWN_RISK_INDICATOR and exc.value.http_status == 422
    assert book.positions["beef"].qty == 1_000


def test_random_selection_is_fixed_by_the_reference_and_uniform() -> None:
    seed = "hainan-second-line"
    assert selection_draw(seed, "DC1") == selection_draw(seed, "DC1")
    assert selection_draw(seed, "DC1") != selection_draw("other", "DC1")
    draws = [selection_draw(seed, f"S1R0-DC-{i}") for i in range(20_000)]
    assert all(0.0 <= u < 1.0 for u in draws)
    assert abs(sum(u < 0.02 for u in draws) / len(draws) - 0.02) < 0.004  # the 2% floor holds
    assert abs(sum(draws) / len(draws) - 0.5) < 0.01


def test_a_floor_of_one_scans_everything_unflagged() -> None:
    data = packaged_risk_model_data()
    data["tiers"]["whitelist"]["random_floor"] = 1.0
    model = RiskModel.model_validate(data)
    assert all(assess_risk([], "whitelist", f"R{i}", model).channel == "scan" for i in range(50))


def test_the_packaged_model_is_the_default_of_scenario_and_rules() -> None:
    from sim.scenario import Scenario

    assert Scenario().rules_config() == default_rules()
    assert RulesConfig.model_validate_json(RULES.model_dump_json()) == RULES
    assert packaged_risk_model().tiers["aeo"].multiplier == 0.2
    bad = packaged_risk_model_data()
    bad["inspection_threshold"] = 1.0
    with pytest.raises(ValueError, match="inspection_threshold must be >= scan_threshold"):
        RiskModel.model_validate(bad)
    del bad["tiers"]["aeo"]
    with pytest.raises(ValueError):
        RiskModel.model_validate(bad)


def test_a_tariff_change_reaches_the_duties() -> None:
    cheaper = RulesConfig(tariff={"0202.30": {"duty": 0.0}})
    book = _book()
    # zero-tariff beef leaving for the mainland pays import duty unless the rate is zero
    paid = decide_declaration(book, "whitelist", _request(), RULES).declaration.duties
    free = decide_declaration(book, "whitelist", _request(), cheaper).declaration.duties
    assert paid.duty_fen > 0 and free.duty_fen == 0
    assert 0 < free.vat_fen < paid.vat_fen  # import VAT is levied on the value plus the duty


# -- tier queries -------------------------------------------------------------------------------


def test_tier_as_of_a_date_from_the_history() -> None:
    ev = [
        CreditEvent("E1", "enterprise", date(2023, 3, 1), "smuggling_penalty", "anti_smuggling"),
        CreditEvent("E1", "enterprise", date(2024, 1, 10), "aeo_certified", "customs"),
    ]

    def tier(history: list[CreditEvent], day: date) -> str:
        return tier_as_of("E1", "enterprise", history, day, RULES.credit).tier

    assert tier([], date(2026, 1, 1)) == "whitelist"
    assert tier(ev, date(2023, 2, 28)) == "whitelist"
    assert tier(ev, date(2023, 3, 1)) == "key_attention"
    # listed for three full years (through 2026-03-01); the certification then shows
    assert tier(ev, date(2026, 3, 1)) == "key_attention"
    assert tier(ev, date(2026, 3, 2)) == "aeo"


# -- departure checks ---------------------------------------------------------------------------

ADULT = "460100199001011234"  # born 1990-01-01 (the check character is not the rule's concern)
MINOR = "460100201001011234"  # born 2010-01-01


@pytest.mark.parametrize(
    ("number", "on", "amounts", "before", "decision", "excess"),
    [
        (ADULT, date(2026, 3, 1), [5_000_000], 5_000_000, "pass", 0),  # exactly the quota
        (ADULT, date(2026, 3, 1), [5_000_001], 5_000_000, "over_quota", 1),
        (ADULT, date(2026, 3, 1), [100], 12_000_000, "over_quota", 100),  # earlier excess once
        (MINOR, date(2027, 12, 31), [100], 0, "underage", 0),  # 17 the day before turning 18
        (MINOR, date(2028, 1, 1), [100], 0, "pass", 0),
        ("not-a-number", date(2026, 3, 1), [100], 0, "pass", 0),  # no birth date: not judged
    ],
)
def test_departure_checks(
    number: str, on: date, amounts: list[int], before: int, decision: str, excess: int
) -> None:
    d = check_departure(number, on, amounts, before, ANNUAL_QUOTA_FEN)
    assert d.decision == decision and d.excess_fen == excess
    assert d.used_fen == before + sum(amounts)
    assert d.remaining_fen == max(ANNUAL_QUOTA_FEN - d.used_fen, 0)
    # the decision alone (a workload's expectations) is the same rule's
    assert departure_decision(number, on, sum(amounts), before, ANNUAL_QUOTA_FEN) == decision


def test_departure_check_refuses_impossible_amounts() -> None:
    with pytest.raises(ValueError, match="positive"):
        check_departure(ADULT, D0, [0], 0)
    with pytest.raises(ValueError, match="negative"):
        check_departure(ADULT, D0, [1], -1)
    with pytest.raises(ValueError, match="negative"):
        departure_decision(ADULT, D0, -1, 0)
    with pytest.raises(ValueError, match="negative"):
        departure_decision(ADULT, D0, 1, -1)
