"""Every dated operation of an account book is checked against the facts it depends on.

Worked cases with their dates: the second line opened on 2025-12-18, the book on 2026-01-05, the
beef was released on 2026-01-06 and booked on 2026-01-07. Each refusal is ``invalid_date`` with
the two dates in its context, and leaves the book as it was. Also: an emptied position is known
to the book (balance 0), so taking from it is ``insufficient_balance``, never ``unknown_item``.
"""

from __future__ import annotations

from datetime import date

import pytest

from sim.rules import batch_exit as bx
from sim.rules.dates import SECOND_LINE_OPENED, is_plausible, not_before
from sim.rules.goods import default_tariff
from sim.rules.ledger import (
    BillOfMaterials,
    Book,
    ExitLine,
    accept_transfer,
    book_entry,
    declare_exit,
    file_book,
    file_qualification,
    process,
    purchase_domestic,
    release_first_line,
    transfer,
    transfer_out,
)
from sim.rules.ledger_codec import book_from_dict, book_to_dict
from sim.rules.oracle import check_inspection_date
from sim.rules.refusals import Reason, Refusal

T = default_tariff()
OPENED = date(2026, 1, 5)
RELEASED = date(2026, 1, 6)


def _book(book_id: str = "B1", opened: date = OPENED) -> Book:
    q = file_qualification(f"E-{book_id}", hainan_registered=True, individual=False,
                           encouraged=True, tier="aeo", on=opened)
    return file_book(book_id, q, opened)


def _stocked(book_id: str = "B1") -> Book:
    b, _ = release_first_line(_book(book_id), "en1", "beef", "0202.30", 10, 100_000, RELEASED, T)
    b, _ = book_entry(b, "en1", date(2026, 1, 7))
    return b


def _invalid_date(fn: object, *args: object, **kwargs: object) -> Refusal:
    with pytest.raises(Refusal) as exc:
        fn(*args, **kwargs)  # type: ignore[operator]
    assert exc.value.reason is Reason.INVALID_DATE, exc.value
    assert {"on", "earliest"} <= set(exc.value.context)
    return exc.value


def test_a_declaration_before_the_second_line_opened_is_refused() -> None:
    b = _book(opened=date(2025, 11, 1))
    b, _ = release_first_line(b, "en1", "beef", "0202.30", 10, 100_000, date(2025, 11, 2), T)
    b, _ = book_entry(b, "en1", date(2025, 11, 3))
    refused = _invalid_date(declare_exit, b, "D1", [ExitLine("beef", 1)], date(2025, 12, 17),
                            "xinhai", T)
    assert refused.context["earliest"] == SECOND_LINE_OPENED.isoformat() == "2025-12-18"
    after, _ = declare_exit(b, "D1", [ExitLine("beef", 1)], SECOND_LINE_OPENED, "xinhai", T)
    assert after.positions["beef"].qty == 9


def test_a_declaration_before_its_book_opened_or_its_goods_entered_is_refused() -> None:
    b = _stocked()
    assert b.positions["beef"].since == RELEASED
    refused = _invalid_date(declare_exit, b, "D1", [ExitLine("beef", 1)], date(2026, 1, 4),
                            "xinhai", T)
    assert refused.context["earliest"] == "2026-01-05"  # the book's opening
    refused = _invalid_date(declare_exit, b, "D1", [ExitLine("beef", 1)], OPENED, "xinhai", T)
    assert refused.context == {"on": "2026-01-05", "earliest": "2026-01-06", "item": "beef"}
    assert declare_exit(b, "D1", [ExitLine("beef", 1)], RELEASED, "xinhai", T)[0] != b


def test_an_entry_released_before_the_book_opened_is_refused() -> None:
    refused = _invalid_date(release_first_line, _book(), "en1", "beef", "0202.30", 1, 1,
                            date(2020, 6, 1), T)
    assert refused.context["earliest"] == "2026-01-05"


def test_a_booking_before_the_release_is_refused() -> None:
    b, _ = release_first_line(_book(), "en1", "beef", "0202.30", 10, 1, RELEASED, T)
    refused = _invalid_date(book_entry, b, "en1", OPENED)
    assert refused.context["earliest"] == "2026-01-06"


def test_goods_are_used_no_earlier_than_they_entered_the_book() -> None:
    b = _stocked()
    early = OPENED
    _invalid_date(transfer_out, b, "beef", 1, early, T)
    _invalid_date(transfer, b, _book("B2"), "beef", 1, early)
    b2, _ = purchase_domestic(b, "salt", "3926.90", 5, 500, T, on=date(2026, 1, 10))
    bom = BillOfMaterials({"beef": 1, "salt": 1}, {"jerky": ("1602.50", 1)})
    refused = _invalid_date(process, b2, "P1", bom, 1, date(2026, 1, 8), T)
    assert refused.context["item"] == "salt"  # bought on the 10th
    made, _ = process(b2, "P1", bom, 1, date(2026, 1, 10), T)
    assert made.positions["jerky"].since == date(2026, 1, 10)  # made that day
    _invalid_date(purchase_domestic, b, "salt", "3926.90", 1, 1, T, on=date(2026, 1, 1))


def test_a_transfer_arrives_on_its_date_and_is_accepted_no_earlier_than_asked() -> None:
    src, dst = _stocked("B1"), _book("B2")
    _invalid_date(accept_transfer, src, dst, "beef", 1, date(2026, 1, 20), date(2026, 1, 19))
    _, received, _ = accept_transfer(src, dst, "beef", 4, date(2026, 1, 20), date(2026, 1, 21))
    assert received.positions["beef"].since == date(2026, 1, 21)
    late_book = _book("B3", opened=date(2026, 3, 1))
    refused = _invalid_date(transfer, src, late_book, "beef", 1, date(2026, 2, 1))
    assert refused.context["to_book"] == "B3"


def test_batch_exit_steps_are_dated_after_the_facts() -> None:
    b = bx.admit_batch_exit(_stocked(), date(2026, 1, 10))
    _invalid_date(bx.admit_batch_exit, _stocked(), date(2026, 1, 1))
    _invalid_date(bx.file_batch_shipment, b, "S1", "beef", 1, date(2026, 1, 5), "yangpu", T)
    early = _book(opened=date(2025, 11, 1))
    early, _ = release_first_line(early, "en1", "beef", "0202.30", 5, 5, date(2025, 11, 2), T)
    early, _ = book_entry(early, "en1", date(2025, 11, 2))
    early = bx.admit_batch_exit(early, date(2025, 11, 2))
    refused = _invalid_date(bx.file_batch_shipment, early, "S1", "beef", 1, date(2025, 12, 1),
                            "yangpu", T)
    assert refused.context["earliest"] == "2025-12-18"
    _invalid_date(bx.suspend_batch_exit, b, Reason.MISSING_PERMIT, date(2026, 1, 1))
    _invalid_date(bx.reinstate_batch_exit, b, date(2026, 1, 1))


def test_an_inspection_result_follows_its_declaration() -> None:
    _invalid_date(check_inspection_date, date(2026, 2, 1), date(2026, 1, 31), 7)
    check_inspection_date(date(2026, 2, 1), date(2026, 2, 1), 7)


def test_an_emptied_position_is_insufficient_balance_not_unknown() -> None:
    b = _stocked()
    b, _ = declare_exit(b, "D1", [ExitLine("beef", 10)], RELEASED, "xinhai", T)
    assert b.positions["beef"].qty == 0
    with pytest.raises(Refusal) as exc:
        declare_exit(b, "D2", [ExitLine("beef", 1)], RELEASED, "xinhai", T)
    assert exc.value.reason is Reason.INSUFFICIENT_BALANCE and exc.value.http_status == 409
    assert exc.value.context == {"item": "beef", "balance": 0, "requested": 1}
    with pytest.raises(Refusal) as never:
        declare_exit(b, "D3", [ExitLine("veal", 1)], RELEASED, "xinhai", T)
    assert never.value.reason is Reason.UNKNOWN_ITEM  # never in the book: still unknown
    # Refilled, the position counts its age from the new units.
    b, _ = release_first_line(b, "en2", "beef", "0202.30", 3, 30, date(2026, 2, 1), T)
    b, _ = book_entry(b, "en2", date(2026, 2, 2))
    assert (b.positions["beef"].qty, b.positions["beef"].since) == (3, date(2026, 2, 1))
    assert book_from_dict(book_to_dict(b)) == b


def test_the_plausible_window_and_the_check() -> None:
    assert is_plausible(date(2026, 1, 1)) and not is_plausible(date(9999, 12, 20))
    not_before(date(2026, 1, 2), None, "nothing known")  # no fact, nothing to check
    with pytest.raises(Refusal, match="2026-01-01 is before the book was opened"):
        not_before(date(2026, 1, 1), OPENED, "the book was opened")
