"""The oracle's platform: decisions the catalogue does not exercise, and the state it keeps."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from sim.drill import ExpectedPlatform
from sim.rules.config import RulesConfig
from sim.rules.identifiers import uscc_check_char

RULES = RulesConfig()


def _uscc(n: int) -> str:
    body = f"91460000MA{n:07d}"
    return body + uscc_check_char(body)


def _stocked(x: ExpectedPlatform, key: str, qty: int = 10) -> str:
    assert x.register_entity({"id": key, "kind": "enterprise", "code": key,
                              "registered_in_hainan": True}).status == 201
    assert x.file_qualification({"entity": key, "on": "2026-01-05"}).status == 201
    book = f"BK-{key}"
    assert x.file_book({"id": book, "entity": key, "on": "2026-01-05"}).status == 201
    entry = {"entry_id": "IN1", "item": "beef", "code": "0202.30", "qty": qty,
             "value_fen": qty * 1000, "released": "2026-01-06"}
    assert x.book_operation("first_line_entry", book, {}, entry).status == 201
    assert x.book_operation("book_entry", book, {"entry_id": "IN1"}, {"on": "2026-01-07"}
                            ).status == 201
    return book


@pytest.mark.parametrize(
    ("inputs", "ratio", "price"),
    [(5_500_000, "0.300", 7_150_000), (5_500_000, "0.299", 7_144_500), (3, "0.3", 4),
     (1000, "0", 1000)],
)
def test_the_price_is_the_lowest_whole_fen_reaching_the_value_added(
    inputs: int, ratio: str, price: int
) -> None:
    got = ExpectedPlatform.price_for(inputs, Fraction(ratio))
    assert got == price
    assert Fraction(got - inputs, inputs) >= Fraction(ratio)
    assert Fraction(got - 1 - inputs, inputs) < Fraction(ratio)


def test_refusals_and_errors_expected_as_the_platform_answers_them() -> None:
    x = ExpectedPlatform(RULES)
    key = _uscc(1)
    book = _stocked(x, key)
    assert (x.register_entity({"id": key, "kind": "enterprise", "code": key}).fields
            == {"code": "duplicate_entity"})
    assert x.register_entity({"id": "E9", "kind": "enterprise", "code": "123"}).status == 422
    assert x.book_operation("purchase", "BK-none", {}, {}).fields == {"code": "unknown_book"}
    too_many = x.declare({"book": book, "port": "xinhai", "date": "2026-01-08",
                          "reference": "R1", "lines": [{"item": "beef", "qty": 11}]})
    assert (too_many.status, too_many.fields) == (409, {"code": "insufficient_balance"})
    unknown = x.declare({"book": book, "port": "xinhai", "date": "2026-01-08", "reference": "R1",
                         "lines": [{"item": "beef", "qty": 1}], "risk_indicators": ["psychic"]})
    assert (unknown.status, unknown.fields) == (422, {"code": "unknown_risk_indicator"})
    same = x.book_operation("transfer", book, {}, {"item": "beef", "qty": 1, "on": "2026-01-08",
                                                   "to_book": book})
    assert (same.status, same.fields) == (422, {"code": "same_book"})
    assert x.departure_check(key, {"date": "2026-01-08", "purchases": [{"amount_fen": 1}]}
                             ).fields == {"code": "not_an_individual"}


def test_only_accepted_requests_change_the_state() -> None:
    x = ExpectedPlatform(RULES)
    book = _stocked(x, _uscc(2))
    before = x.book_state(book)
    refused = x.declare({"book": book, "port": "yangpu", "date": "2026-01-08", "reference": "R",
                         "lines": [{"item": "beef", "qty": 99}]})
    assert refused.status == 409 and x.book_state(book) == before
    accepted = x.declare({"book": book, "port": "yangpu", "date": "2026-01-08", "reference": "R",
                          "lines": [{"item": "beef", "qty": 4}]})
    assert accepted.status == 201 and accepted.declaration == "R" and accepted.books == (book,)
    assert x.book_state(book)["positions"]["beef"]["qty"] == 6
    assert x.declarations_of[book] == ["R"]
    again = x.declare({"book": book, "port": "yangpu", "date": "2026-01-08", "reference": "R",
                       "lines": [{"item": "beef", "qty": 1}]})
    assert (again.status, again.fields) == (409, {"code": "duplicate_id"})
    day = dt.date(2026, 1, 8)
    assert x.inputs_of(book, "beef", 3, day) == 3000 and x.inputs_of(book, "beef", 7, day) is None
    # Probed on the exit's own date: goods cannot leave before they entered the book (the 6th).
    assert x.inputs_of(book, "beef", 3, dt.date(2026, 1, 5)) is None


def test_a_tier_query_reads_the_history_up_to_its_date() -> None:
    x = ExpectedPlatform(RULES)
    key = _uscc(3)
    x.register_entity({"id": key, "kind": "enterprise", "code": key})
    event = x.post_event(key, {"date": "2026-02-01", "event": "smuggling_penalty",
                               "department": "customs"})
    assert (event.fields["tier_before"], event.fields["tier_after"]) == (
        "whitelist", "key_attention")
    assert x.get_tier(key, dt.date(2026, 1, 31)).fields["tier"] == "whitelist"
    listed = x.get_tier(key, dt.date(2026, 2, 1)).fields
    assert listed["grounds"] == [{"category": 2, "source": "smuggling_penalty",
                                  "since": "2026-02-01", "lapses": "2029-02-02"}]
    bad = x.post_event(key, {"date": "2026-02-01", "event": "rating", "department": "tax",
                             "grade": "Z"})
    assert (bad.status, bad.fields) == (422, {"code": "invalid_event"})


def _offer(x: ExpectedPlatform, src: str, dst: str, qty: int, on: str = "2026-01-08"
           ) -> tuple[int, str | None]:
    offer = x.book_operation("transfer", src, {}, {"item": "beef", "qty": qty, "on": on,
                                                   "to_book": dst})
    return offer.status, offer.transfer


def test_a_transfer_to_another_enterprise_moves_nothing_until_the_receiver_accepts() -> None:
    x = ExpectedPlatform(RULES)
    sender, receiver = _uscc(4), _uscc(5)
    src, dst = _stocked(x, sender), _stocked(x, receiver, qty=1)
    status, key = _offer(x, src, dst, 6)
    assert status == 201 and key is not None
    assert x.transfers[key].answer() == {
        "book": src, "item": "beef", "qty": 6, "to_book": dst, "on": "2026-01-08",
        "status": "pending", "decided_on": None,
        "duties": {"duty_fen": 0, "vat_fen": 0, "consumption_fen": 0, "total_fen": 0}}
    assert x.book_state(src)["positions"]["beef"]["qty"] == 10  # checked, not moved
    # Only the receiver decides, not before the transfer was asked for.
    assert x.decide_transfer("accept_transfer", key, sender, {"on": "2026-01-09"}).fields == {
        "code": "forbidden"}
    early = x.decide_transfer("accept_transfer", key, receiver, {"on": "2026-01-07"})
    assert (early.status, early.fields) == (422, {"code": "invalid_date"})
    accepted = x.decide_transfer("accept_transfer", key, receiver, {"on": "2026-01-09"})
    assert (accepted.status, accepted.fields["status"], accepted.fields["decided_on"]) == (
        200, "done", "2026-01-09")
    assert accepted.books == (src, dst)
    assert x.book_state(src)["positions"]["beef"]["qty"] == 4
    assert x.book_state(dst)["positions"]["beef"] == {
        "code": "0202.30", "regime": "zero_tariff", "processed": False, "qty": 7,
        "imported_fen": 7000, "domestic_fen": 0, "since": "2026-01-06"}
    again = x.decide_transfer("reject_transfer", key, receiver, {"on": "2026-01-09"})
    assert (again.status, again.fields) == (409, {"code": "transfer_not_pending"})
    assert x.decide_transfer("accept_transfer", "nope", receiver, {"on": "2026-01-09"}
                             ).fields == {"code": "unknown_transfer"}


def test_a_pending_transfer_is_rejected_withdrawn_or_refused_at_acceptance() -> None:
    x = ExpectedPlatform(RULES)
    sender, receiver = _uscc(6), _uscc(7)
    src, dst = _stocked(x, sender), _stocked(x, receiver)
    assert _offer(x, src, dst, 11)[0] == 409  # over the balance: refused, never pending
    _, rejected = _offer(x, src, dst, 3)
    _, withdrawn = _offer(x, src, dst, 3)
    _, stale = _offer(x, src, dst, 8)
    assert rejected and withdrawn and stale
    no = x.decide_transfer("reject_transfer", rejected, receiver, {"on": "2026-01-08"})
    assert (no.status, no.fields["status"], no.books) == (200, "rejected", ())
    assert x.decide_transfer("withdraw_transfer", withdrawn, receiver, {"on": "2026-01-08"}
                             ).fields == {"code": "forbidden"}  # the sender's to withdraw
    back = x.decide_transfer("withdraw_transfer", withdrawn, sender, {"on": "2026-01-08"})
    assert back.fields["status"] == "withdrawn"
    # The balance is checked again when accepted: 5 left after a declaration, 8 asked for.
    assert x.declare({"book": src, "port": "yangpu", "date": "2026-01-08", "reference": "R",
                      "lines": [{"item": "beef", "qty": 5}]}).status == 201
    late = x.decide_transfer("accept_transfer", stale, receiver, {"on": "2026-01-09"})
    assert (late.status, late.fields) == (409, {"code": "insufficient_balance"})
    assert x.transfers[stale].status == "pending"
    assert x.book_state(dst)["positions"]["beef"]["qty"] == 10


def test_a_department_records_only_the_events_the_scale_table_gives_it() -> None:
    x = ExpectedPlatform(RULES)
    key = _uscc(8)
    x.register_entity({"id": key, "kind": "enterprise", "code": key})
    penalty = {"date": "2026-02-01", "event": "smuggling_penalty"}
    assert x.post_event(key, {**penalty, "department": "tax"}).fields == {"code": "forbidden"}
    # Refused before the entity is looked up, as the platform checks its caller first.
    assert x.post_event("nobody", {**penalty, "department": "tax"}).status == 403
    assert x.post_event(key, {**penalty, "department": "customs"}).status == 201
    assert x.tier(key, dt.date(2026, 2, 1)) == "key_attention"


def test_an_inspection_result_is_not_dated_before_its_declaration() -> None:
    x = ExpectedPlatform(RULES)
    book = _stocked(x, _uscc(9))
    assert x.declare({"book": book, "port": "yangpu", "date": "2026-01-08", "reference": "R",
                      "lines": [{"item": "beef", "qty": 1}]}).status == 201
    result = {"channel": "scan", "result": "clear"}
    early = x.record_inspection("R", {**result, "on": "2026-01-07"})
    assert (early.status, early.fields) == (422, {"code": "invalid_date"})
    assert x.declarations["R"]["inspection"] is None
    same_day = x.record_inspection("R", {**result, "on": "2026-01-08"})
    assert same_day.status == 200 and same_day.fields["inspection"]["on"] == "2026-01-08"
