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
    assert x.inputs_of(book, "beef", 3) == 3000 and x.inputs_of(book, "beef", 7) is None


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
