"""Account books: the rehearsed full process as worked examples, with their dates and refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sim.rules.goods import Duties, Regime, default_tariff, load_tariff
from sim.rules.ledger import (
    BillOfMaterials,
    Book,
    ExitLine,
    book_entry,
    declare_exit,
    file_book,
    file_qualification,
    process,
    purchase_domestic,
    release_first_line,
    settle_overdue_entry,
    transfer,
    transfer_out,
)
from sim.rules.ledger_codec import book_to_dict
from sim.rules.refusals import Reason, Refusal

T = default_tariff()
D0 = date(2026, 1, 5)


def _book(book_id: str = "B1", *, encouraged: bool = True, tier: str = "aeo") -> Book:
    q = file_qualification(f"E-{book_id}", hainan_registered=True, individual=False,
                           encouraged=encouraged, tier=tier, on=date(2026, 1, 2))
    return file_book(book_id, q, date(2026, 1, 2))


def _stocked(item: str = "beef", code: str = "0202.30", qty: int = 1_000,
             value: int = 10_000_000, regime: Regime = Regime.ZERO_TARIFF, **kw: object) -> Book:
    b, _ = release_first_line(_book(**kw), "en1", item, code, qty, value, D0, T,  # type: ignore[arg-type]
                              regime=regime)
    b, _ = book_entry(b, "en1", D0)
    return b


def _refused(reason: Reason, fn: object, *args: object, **kwargs: object) -> Refusal:
    with pytest.raises(Refusal) as exc:
        fn(*args, **kwargs)  # type: ignore[operator]
    assert exc.value.reason is reason, exc.value
    return exc.value


# -- qualification and book filing ----------------------------------------------------------------


@pytest.mark.parametrize(("hainan", "individual"), [(False, False), (True, True), (False, True)])
def test_only_hainan_non_individuals_qualify(hainan: bool, individual: bool) -> None:
    _refused(Reason.NOT_ELIGIBLE, file_qualification, "X", hainan_registered=hainan,
             individual=individual, on=D0)


def test_book_cannot_predate_qualification() -> None:
    q = file_qualification("E", hainan_registered=True, individual=False, on=D0)
    _refused(Reason.INVALID_DATE, file_book, "B", q, D0 - timedelta(days=1))


# -- first line: the 14-day booking window --------------------------------------------------------


@pytest.mark.parametrize(
    ("released", "booked", "ok"),
    [
        (date(2026, 1, 5), date(2026, 1, 5), True),
        (date(2026, 1, 5), date(2026, 1, 19), True),  # day 14: last day allowed
        (date(2026, 1, 5), date(2026, 1, 20), False),  # day 15
        (date(2028, 2, 20), date(2028, 3, 5), True),  # leap year: 29 Feb counts as a day
        (date(2028, 2, 20), date(2028, 3, 6), False),
        (date(2027, 2, 20), date(2027, 3, 6), True),  # no 29 Feb in 2027: 6 March is day 14
        (date(2026, 12, 25), date(2027, 1, 8), True),  # across the year end
        (date(2026, 12, 25), date(2027, 1, 9), False),
    ],
)
def test_booking_window_is_fourteen_days_inclusive(released: date, booked: date, ok: bool) -> None:
    b, out = release_first_line(_book(), "en1", "beef", "0202.30", 10, 1_000, released, T)
    assert out.pending and out.duties == Duties()
    if ok:
        b2, _ = book_entry(b, "en1", booked)
        assert b2.positions["beef"].qty == 10 and not b2.pending
    else:
        err = _refused(Reason.BOOKING_OVERDUE, book_entry, b, "en1", booked)
        assert err.http_status == 409


def test_pending_goods_cannot_be_used_before_booking() -> None:
    b, _ = release_first_line(_book(), "en1", "beef", "0202.30", 10, 1_000, D0, T)
    _refused(Reason.UNKNOWN_ITEM, declare_exit, b, "D", [ExitLine("beef", 1)], D0, "xinhai", T)


def test_overdue_entry_back_pays_its_taxes_and_becomes_ordinary() -> None:
    b, _ = release_first_line(_book(), "en1", "beef", "0202.30", 10, 100_000, D0, T)
    _refused(Reason.ENTRY_NOT_OVERDUE, settle_overdue_entry, b, "en1", D0 + timedelta(14), T)
    b, out = settle_overdue_entry(b, "en1", D0 + timedelta(15), T)
    assert out.duties == Duties(12_000, 10_080, 0)  # 12% duty, 9% VAT on 112,000
    assert b.positions["beef"].regime is Regime.ORDINARY
    b, decl = declare_exit(b, "D", [ExitLine("beef", 10)], D0 + timedelta(16), "xinhai", T)
    assert decl.duties == Duties()  # taxes are assessed once: nothing more at the second line


def test_booking_before_release_is_invalid() -> None:
    b, _ = release_first_line(_book(), "en1", "beef", "0202.30", 10, 1_000, D0, T)
    _refused(Reason.INVALID_DATE, book_entry, b, "en1", D0 - timedelta(days=1))


def test_taxed_list_goods_pay_at_the_first_line_and_go_straight_to_the_balance() -> None:
    b, out = release_first_line(_book(), "en1", "rice", "1006.30", 100, 100_000, D0, T)
    assert not out.pending
    assert out.duties == Duties(65_000, 14_850, 0)  # 65% duty; 9% VAT on 165,000
    assert b.positions["rice"].regime is Regime.ORDINARY


def test_duplicate_pending_entry_refused() -> None:
    b, _ = release_first_line(_book(), "en1", "beef", "0202.30", 10, 1_000, D0, T)
    _refused(Reason.DUPLICATE_ID, release_first_line, b, "en1", "beef", "0202.30", 1, 1, D0, T)


@pytest.mark.parametrize(("qty", "value"), [(0, 1), (-1, 1), (1, -1)])
def test_bad_quantities_are_422(qty: int, value: int) -> None:
    err = _refused(Reason.INVALID_QUANTITY, release_first_line, _book(), "e", "beef", "0202.30",
                   qty, value, D0, T)
    assert err.http_status == 422


# -- circulation ----------------------------------------------------------------------------------


def test_transfer_between_eligible_entities_is_free_and_moves_value() -> None:
    src, dst = _stocked(), _book("B2")
    src, dst, out = transfer(src, dst, "beef", 300, D0)
    assert out.duties == Duties()
    assert (src.positions["beef"].qty, dst.positions["beef"].qty) == (700, 300)
    assert (src.positions["beef"].imported_fen, dst.positions["beef"].imported_fen) == (
        7_000_000, 3_000_000)
    src, dst, _ = transfer(src, dst, "beef", 700, D0)
    assert src.positions["beef"].qty == 0 and dst.positions["beef"].imported_fen == 10_000_000


def test_value_split_conserves_every_fen() -> None:
    src, dst = _stocked(qty=3, value=100), _book("B2")
    src, dst, out = transfer(src, dst, "beef", 1, D0)
    assert out.imported_fen == 33
    assert src.positions["beef"].imported_fen + dst.positions["beef"].imported_fen == 100


def test_zero_tariff_goods_to_a_non_eligible_buyer_pay_all_three_taxes() -> None:
    b = _stocked(item="whisky", code="2208.30", qty=10, value=100_000)
    b, out = transfer_out(b, "whisky", 10, D0, T)
    assert out.duties == Duties(5_000, 17_063, 26_250)
    assert b.positions["whisky"].qty == 0


def test_transfer_refusals() -> None:
    b = _stocked()
    _refused(Reason.INSUFFICIENT_BALANCE, transfer, b, _book("B2"), "beef", 1_001, D0)
    _refused(Reason.UNKNOWN_ITEM, transfer, b, _book("B2"), "pork", 1, D0)
    _refused(Reason.SAME_BOOK, transfer, b, b, "beef", 1, D0)
    other = _stocked(code="0201.30")  # same item name, different tariff line
    _refused(Reason.ITEM_MISMATCH, transfer, b, other._replace(book_id="B9"), "beef", 1, D0)


def test_relaxed_trade_machinery_stays_with_its_end_user() -> None:
    b = _stocked(item="press", code="8462.29", qty=1, value=5_000_000, regime=Regime.RELAXED_TRADE)
    err = _refused(Reason.RELAXED_TRADE_NO_EXIT, declare_exit, b, "D", [ExitLine("press", 1)],
                   D0, "xinhai", T)
    assert err.http_status == 409
    _refused(Reason.RELAXED_TRADE_NO_TRANSFER, transfer, b, _book("B2"), "press", 1, D0)
    _refused(Reason.RELAXED_TRADE_NO_TRANSFER, transfer_out, b, "press", 1, D0, T)
    bom = BillOfMaterials({"press": 1}, {"part": ("3926.90", 1)})
    _refused(Reason.RELAXED_TRADE_NO_TRANSFER, process, b, "po", bom, 1, D0, T)
    assert b.positions["press"].qty == 1


# -- processing and the value-added rule ----------------------------------------------------------


def _jerky(encouraged: bool = True) -> Book:
    """1,000 kg of imported beef (100,000 CNY) and 20,000 CNY of domestic spice -> 500 kg jerky."""
    b = _stocked(encouraged=encouraged)
    b, _ = purchase_domestic(b, "spice", "3926.90", 100, 2_000_000, T)
    bom = BillOfMaterials({"beef": 10, "spice": 1}, {"jerky": ("1602.50", 5)})
    b, out = process(b, "po1", bom, 100, D0, T)
    assert out.consumed == {"beef": 1_000, "spice": 100} and out.produced == {"jerky": 500}
    assert (out.imported_fen, out.domestic_fen) == (10_000_000, 2_000_000)
    return b


@pytest.mark.parametrize(
    ("price", "exempt", "duties"),
    [
        # 156,000 CNY: (156,000 - 100,000 - 20,000) / 120,000 = 30.0% -> no import duty; 13% VAT
        (15_600_000, True, Duties(0, 2_028_000, 0)),
        # 155,880 CNY: 29.9% -> 12% duty 1,870,560; VAT on 17,458,560 = 2,269,612.8 -> 2,269,613
        (15_588_000, False, Duties(1_870_560, 2_269_613, 0)),
    ],
)
def test_beef_jerky_sold_to_the_mainland(price: int, exempt: bool, duties: Duties) -> None:
    b = _jerky()
    assert b.positions["jerky"].regime is Regime.PROCESSING_VALUE_ADDED
    b, decl = declare_exit(b, "D1", [ExitLine("jerky", 500, price)], D0, "xinhai", T)
    (line,) = decl.lines
    assert line.duty_exempt is exempt
    assert line.duties == duties == decl.duties
    assert b.positions["jerky"].qty == 0


def test_jerky_from_a_non_encouraged_maker_is_a_zero_tariff_product_and_pays_duty() -> None:
    b = _jerky(encouraged=False)
    assert b.positions["jerky"].regime is Regime.ZERO_TARIFF
    _, decl = declare_exit(b, "D1", [ExitLine("jerky", 500, 15_600_000)], D0, "xinhai", T)
    assert decl.duties.duty_fen == 1_872_000 and not decl.lines[0].duty_exempt


def test_partial_exit_carries_a_proportional_share_of_the_inputs() -> None:
    b = _jerky()
    b, decl = declare_exit(b, "D1", [ExitLine("jerky", 100, 3_120_000)], D0, "xinhai", T)
    (line,) = decl.lines
    assert (line.imported_fen, line.domestic_fen) == (2_000_000, 400_000)
    assert line.duty_exempt  # 3,120,000 / 2,400,000 - 1 = 30%
    assert b.positions["jerky"].qty == 400


def test_processed_goods_need_a_sale_price() -> None:
    err = _refused(Reason.MISSING_PRICE, declare_exit, _jerky(), "D", [ExitLine("jerky", 1)],
                   D0, "xinhai", T)
    assert err.http_status == 422


def test_domestic_only_inputs_give_ordinary_goods() -> None:
    b, _ = purchase_domestic(_book(), "resin", "3901.10", 10, 1_000, T)
    b, out = process(b, "po", BillOfMaterials({"resin": 1}, {"cup": ("3926.90", 3)}), 10, D0, T)
    assert out.regime is Regime.ORDINARY
    _, decl = declare_exit(b, "D", [ExitLine("cup", 30, 5_000)], D0, "xinhai", T)
    assert decl.duties == Duties()


def test_processing_allocates_value_to_outputs_by_quantity() -> None:
    b = _stocked(qty=10, value=1_001)
    bom = BillOfMaterials({"beef": 1}, {"jerky": ("1602.50", 2), "tallow": ("3926.90", 1)})
    b, _ = process(b, "po", bom, 10, D0, T)
    assert b.positions["jerky"].qty == 20 and b.positions["tallow"].qty == 10
    assert b.positions["jerky"].imported_fen + b.positions["tallow"].imported_fen == 1_001
    assert b.positions["tallow"].imported_fen == 333


def test_processing_refuses_missing_inputs_without_changing_the_book() -> None:
    b = _stocked()
    before = book_to_dict(b)
    bom = BillOfMaterials({"beef": 10, "spice": 1}, {"jerky": ("1602.50", 5)})
    _refused(Reason.UNKNOWN_ITEM, process, b, "po", bom, 1, D0, T)
    _refused(Reason.INSUFFICIENT_BALANCE, process, b, "po",
             BillOfMaterials({"beef": 11}, {"jerky": ("1602.50", 5)}), 100, D0, T)
    _refused(Reason.UNKNOWN_TARIFF_LINE, process, b, "po",
             BillOfMaterials({"beef": 1}, {"jerky": ("0000.00", 5)}), 1, D0, T)
    _refused(Reason.INVALID_QUANTITY, process, b, "po", bom, 0, D0, T)
    assert book_to_dict(b) == before


# -- second line ----------------------------------------------------------------------------------


def test_exit_of_zero_tariff_goods_pays_on_the_booked_customs_value() -> None:
    b = _stocked(qty=1_000, value=10_000_000)
    b, decl = declare_exit(b, "D", [ExitLine("beef", 100), ExitLine("beef", 100)], D0, "nangang", T)
    assert [ln.base_fen for ln in decl.lines] == [1_000_000, 1_000_000]
    assert decl.duties == Duties(240_000, 201_600, 0)  # 12% duty, 9% VAT, on each line
    assert b.positions["beef"].qty == 800


def test_exit_is_all_or_nothing() -> None:
    b = _stocked(qty=10)
    before = book_to_dict(b)
    _refused(Reason.INSUFFICIENT_BALANCE, declare_exit, b, "D",
             [ExitLine("beef", 6), ExitLine("beef", 6)], D0, "xinhai", T)
    assert book_to_dict(b) == before
    _refused(Reason.INVALID_QUANTITY, declare_exit, b, "D", [], D0, "xinhai", T)


def test_permit_required_goods_need_their_permit() -> None:
    strict = load_tariff(overrides={"1602.50": {"permit_required": True}})
    b = _jerky()
    _refused(Reason.MISSING_PERMIT, declare_exit, b, "D",
             [ExitLine("jerky", 1, 40_000, permit=False)], D0, "xinhai", strict)
    _, decl = declare_exit(b, "D", [ExitLine("jerky", 1, 40_000)], D0, "xinhai", strict)
    assert decl.lines[0].qty == 1
    # without the permit flag on the line, no permit is asked for
    _, decl = declare_exit(b, "D", [ExitLine("jerky", 1, 40_000, permit=False)], D0, "xinhai", T)
    assert decl.lines[0].qty == 1
