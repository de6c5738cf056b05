"""Batch exit and consolidated declaration: who may use it, the 25th, the year end, suspension."""

from __future__ import annotations

from datetime import date

import pytest

from sim.rules.batch_exit import (
    admit_batch_exit,
    batch_exit_status,
    declare_consolidated,
    due_date,
    file_batch_shipment,
    reinstate_batch_exit,
    review_batch_exit,
    suspend_batch_exit,
    suspension_causes,
)
from sim.rules.goods import Duties, default_tariff, load_tariff
from sim.rules.ledger import (
    Book,
    book_entry,
    file_book,
    file_qualification,
    release_first_line,
    with_tier,
)
from sim.rules.refusals import Reason, Refusal

T = default_tariff()


def _book(tier: str = "whitelist", released: date = date(2025, 12, 1)) -> Book:
    q = file_qualification("E1", hainan_registered=True, individual=False, tier=tier,
                           on=date(2025, 11, 1))
    b = file_book("B1", q, date(2025, 11, 1))
    b, _ = release_first_line(b, "en1", "beef", "0202.30", 1_000, 10_000_000, released, T)
    b, _ = book_entry(b, "en1", released)
    return b


def _admitted(**kw: object) -> Book:
    return admit_batch_exit(_book(**kw), date(2025, 12, 1))  # type: ignore[arg-type]


def _ship(b: Book, sid: str, on: date, qty: int = 10, **kw: object) -> Book:
    b, _ = file_batch_shipment(b, sid, "beef", qty, on, "xinhai", T, **kw)  # type: ignore[arg-type]
    return b


def _refused(reason: Reason, fn: object, *args: object, **kwargs: object) -> Refusal:
    with pytest.raises(Refusal) as exc:
        fn(*args, **kwargs)  # type: ignore[operator]
    assert exc.value.reason is reason, exc.value
    return exc.value


@pytest.mark.parametrize(
    ("year", "month", "due"),
    [(2026, 1, date(2026, 2, 25)), (2025, 12, date(2026, 1, 25)), (2028, 2, date(2028, 3, 25)),
     (2028, 1, date(2028, 2, 25))],
)
def test_due_by_the_25th_of_the_next_month(year: int, month: int, due: date) -> None:
    assert due_date(year, month) == due


@pytest.mark.parametrize(("tier", "ok"), [("aeo", True), ("whitelist", True),
                                          ("key_attention", False)])
def test_only_aeo_and_whitelist_enterprises_are_admitted(tier: str, ok: bool) -> None:
    if ok:
        assert admit_batch_exit(_book(tier), date(2025, 12, 1)).batch.enabled
    else:
        _refused(Reason.NOT_ELIGIBLE, admit_batch_exit, _book(tier), date(2025, 12, 1))


def test_shipment_needs_admission() -> None:
    _refused(Reason.BATCH_EXIT_NOT_ENABLED, _ship, _book(), "S1", date(2026, 1, 3))


def test_january_declared_on_the_25th_of_february_is_on_time() -> None:
    b = _ship(_ship(_admitted(), "S1", date(2026, 1, 3)), "S2", date(2026, 1, 31), qty=5)
    assert b.positions["beef"].qty == 985  # the goods left when the lists were filed
    b, decl = declare_consolidated(b, 2026, 1, date(2026, 2, 25))
    assert not decl.late and decl.due == date(2026, 2, 25)
    assert decl.shipment_ids == ("S1", "S2") and decl.qty == 15
    # 15 kg of 10,000 fen/kg beef: 12% duty on 150,000 -> 18,000; 9% VAT on 168,000 -> 15,120
    assert decl.duties == Duties(18_000, 15_120, 0)
    assert not suspension_causes(b, date(2026, 2, 26))
    assert "2026-01" in b.declared and not b.shipments


def test_january_declared_on_the_26th_of_february_is_late_and_suspends() -> None:
    b = _ship(_admitted(), "S1", date(2026, 1, 3))
    b, decl = declare_consolidated(b, 2026, 1, date(2026, 2, 26))
    assert decl.late  # accepted: the tax is owed anyway
    assert decl.duties.total_fen > 0
    assert b.batch.suspended == {"late_consolidated_declaration"}
    err = _refused(Reason.BATCH_EXIT_SUSPENDED, _ship, b, "S2", date(2026, 2, 27))
    assert err.context["causes"] == ["late_consolidated_declaration"]


def test_an_undeclared_overdue_month_suspends_even_before_it_is_recorded() -> None:
    b = _ship(_admitted(), "S1", date(2026, 1, 3))
    b = _ship(b, "S2", date(2026, 2, 25))  # still on time on the 25th
    _refused(Reason.BATCH_EXIT_SUSPENDED, _ship, b, "S3", date(2026, 2, 26))
    reviewed = review_batch_exit(b, date(2026, 2, 26))
    assert reviewed.batch.suspended == {"late_consolidated_declaration"}
    assert reviewed.batch.suspended_on == date(2026, 2, 26)
    assert review_batch_exit(b, date(2026, 2, 25)) is b
    status = batch_exit_status(reviewed, date(2026, 2, 26))
    assert status["suspended"] == ["late_consolidated_declaration"]
    assert status["open_periods"] == [
        {"period": "2026-01", "due": "2026-02-25", "overdue": True},
        {"period": "2026-02", "due": "2026-03-25", "overdue": False},
    ]


def test_reinstatement_once_the_late_month_is_declared() -> None:
    b = review_batch_exit(_ship(_admitted(), "S1", date(2026, 1, 3)), date(2026, 3, 1))
    _refused(Reason.LATE_CONSOLIDATED_DECLARATION, reinstate_batch_exit, b, date(2026, 3, 1))
    b, decl = declare_consolidated(b, 2026, 1, date(2026, 3, 2))
    assert decl.late
    b = reinstate_batch_exit(b, date(2026, 3, 3))
    assert not b.batch.suspended and b.batch.suspended_on is None
    b = _ship(b, "S2", date(2026, 3, 4))
    assert "S2" in b.shipments
    _refused(Reason.NOT_SUSPENDED, reinstate_batch_exit, b, date(2026, 3, 5))


def test_december_shipments_cannot_be_consolidated_with_january() -> None:
    b = _ship(_ship(_admitted(), "S-dec", date(2025, 12, 31)), "S-jan", date(2026, 1, 1))
    _refused(Reason.SPANS_TWO_YEARS, declare_consolidated, b, 2026, 1, date(2026, 2, 1),
             shipment_ids=["S-jan", "S-dec"])
    _refused(Reason.SPANS_TWO_YEARS, declare_consolidated, b, 2025, 12, date(2026, 1, 2),
             shipment_ids=["S-dec", "S-jan"])
    b, dec = declare_consolidated(b, 2025, 12, date(2026, 1, 25), shipment_ids=["S-dec"])
    assert dec.shipment_ids == ("S-dec",) and not dec.late
    b, jan = declare_consolidated(b, 2026, 1, date(2026, 2, 25))
    assert jan.shipment_ids == ("S-jan",)


def test_one_declaration_per_month() -> None:
    b = _ship(_ship(_admitted(), "S1", date(2026, 1, 3)), "S2", date(2026, 2, 3))
    _refused(Reason.SPANS_TWO_MONTHS, declare_consolidated, b, 2026, 1, date(2026, 3, 1),
             shipment_ids=["S1", "S2"])
    _refused(Reason.INCOMPLETE_DECLARATION, declare_consolidated, b, 2026, 1, date(2026, 3, 1),
             shipment_ids=[])
    _refused(Reason.UNKNOWN_ITEM, declare_consolidated, b, 2026, 1, date(2026, 3, 1),
             shipment_ids=["S9"])
    _refused(Reason.PERIOD_NOT_ENDED, declare_consolidated, b, 2026, 1, date(2026, 1, 31))
    b, _ = declare_consolidated(b, 2026, 1, date(2026, 2, 1))
    _refused(Reason.ALREADY_DECLARED, declare_consolidated, b, 2026, 1, date(2026, 2, 2))
    _refused(Reason.NOTHING_TO_DECLARE, declare_consolidated, b, 2026, 3, date(2026, 4, 2))
    _refused(Reason.INVALID_DATE, declare_consolidated, b, 2026, 13, date(2027, 4, 2))


def test_leap_february_is_declared_by_the_25th_of_march() -> None:
    b = _ship(_admitted(released=date(2028, 2, 1)), "S1", date(2028, 2, 29))
    _refused(Reason.PERIOD_NOT_ENDED, declare_consolidated, b, 2028, 2, date(2028, 2, 29))
    assert not suspension_causes(b, date(2028, 3, 25))
    assert suspension_causes(b, date(2028, 3, 26)) == {"late_consolidated_declaration"}
    _, decl = declare_consolidated(b, 2028, 2, date(2028, 3, 25))
    assert not decl.late


def test_lost_tier_suspends_and_reinstatement_waits_for_the_tier() -> None:
    b = _ship(_admitted(tier="aeo"), "S1", date(2026, 1, 3))
    b = with_tier(b, "key_attention")
    _refused(Reason.BATCH_EXIT_SUSPENDED, _ship, b, "S2", date(2026, 1, 4))
    b = review_batch_exit(b, date(2026, 1, 4))
    assert b.batch.suspended == {"tier_lost"}
    _refused(Reason.TIER_LOST, reinstate_batch_exit, b, date(2026, 1, 5))
    b = reinstate_batch_exit(with_tier(b, "whitelist"), date(2026, 2, 1))
    assert not suspension_causes(b, date(2026, 2, 1))


def test_missing_permit_refuses_the_shipment_and_customs_suspends() -> None:
    strict = load_tariff(overrides={"0202.30": {"permit_required": True}})
    b = _admitted()
    with pytest.raises(Refusal) as exc:
        file_batch_shipment(b, "S1", "beef", 1, date(2026, 1, 3), "xinhai", strict, permit=False)
    assert exc.value.reason is Reason.MISSING_PERMIT
    b = suspend_batch_exit(b, Reason.MISSING_PERMIT, date(2026, 1, 3))
    assert suspend_batch_exit(b, Reason.MISSING_PERMIT, date(2026, 1, 4)) is b
    _refused(Reason.MISSING_PERMIT, reinstate_batch_exit, b, date(2026, 1, 5))
    b = reinstate_batch_exit(b, date(2026, 1, 5), permits_in_order=True)
    b, s = file_batch_shipment(b, "S1", "beef", 1, date(2026, 1, 6), "yangpu", strict)
    assert s.port == "yangpu" and s.qty == 1


def test_shipment_refusals_leave_the_book_untouched() -> None:
    b = _ship(_admitted(), "S1", date(2026, 1, 3))
    _refused(Reason.DUPLICATE_ID, _ship, b, "S1", date(2026, 1, 4))
    _refused(Reason.INSUFFICIENT_BALANCE, _ship, b, "S2", date(2026, 1, 4), qty=991)
    assert b.positions["beef"].qty == 990 and list(b.shipments) == ["S1"]
