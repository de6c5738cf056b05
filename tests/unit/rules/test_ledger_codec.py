"""Books as plain data: a round trip is exact, a malformed document fails on its dotted path."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from sim.rules.batch_exit import admit_batch_exit, file_batch_shipment, review_batch_exit
from sim.rules.goods import default_tariff
from sim.rules.ledger import (
    BillOfMaterials,
    Book,
    book_entry,
    file_book,
    file_qualification,
    process,
    purchase_domestic,
    release_first_line,
)
from sim.rules.ledger_codec import book_from_dict, book_to_dict

T = default_tariff()


def _busy_book() -> Book:
    q = file_qualification("E1", hainan_registered=True, individual=False, encouraged=True,
                           tier="aeo", on=date(2026, 1, 1))
    b = file_book("B1", q, date(2026, 1, 1))
    b, _ = release_first_line(b, "en1", "beef", "0202.30", 100, 10_000, date(2026, 1, 2), T)
    b, _ = book_entry(b, "en1", date(2026, 1, 3))
    b, _ = release_first_line(b, "en2", "beef", "0202.30", 5, 500, date(2026, 1, 4), T)
    b, _ = purchase_domestic(b, "salt", "3926.90", 10, 700, T)
    b, _ = process(b, "po", BillOfMaterials({"beef": 2, "salt": 1}, {"jerky": ("1602.50", 1)}),
                   10, date(2026, 1, 5), T)
    b = admit_batch_exit(b, date(2026, 1, 5))
    b, _ = file_batch_shipment(b, "S1", "jerky", 3, date(2026, 1, 6), "xinhai", T,
                               price_fen=9_000)
    return review_batch_exit(b, date(2026, 3, 1))


def test_round_trip_is_exact_through_json() -> None:
    b = _busy_book()
    doc = json.loads(json.dumps(book_to_dict(b)))
    assert book_from_dict(doc) == b
    assert b.batch.suspended  # the round trip covered a suspension and its date
    assert doc["positions"]["jerky"]["regime"] == "processing_value_added"


def _broken(path: str, value: Any) -> dict[str, Any]:
    doc = book_to_dict(_busy_book())
    *parents, last = path.split(".")
    node = doc
    for p in parents:
        node = node[p]
    node[last] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("format", 99, "book.format"),
        ("positions.beef.qty", -1, "book.positions.beef.qty"),
        ("positions.beef.qty", 1.5, "book.positions.beef.qty"),
        ("positions.beef.regime", "duty_free", "book.positions.beef.regime"),
        ("pending.en2.released", "yesterday", "book.pending.en2.released"),
        ("shipments.S1.vat_fen", "0", "book.shipments.S1.vat_fen"),
        ("holder.encouraged", "yes", "book.holder.encouraged"),
        ("declared", "2026-01", "book.declared"),
        ("batch.suspended", None, "book.batch.suspended"),
        ("positions", [], "book.positions"),
    ],
)
def test_malformed_documents_name_the_path(path: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        book_from_dict(_broken(path, value))
    assert str(exc.value).startswith(message)


def test_missing_field_is_named() -> None:
    doc = book_to_dict(_busy_book())
    del doc["holder"]["tier"]
    with pytest.raises(ValueError, match=r"book\.holder\.tier: missing"):
        book_from_dict(doc)


def test_outcomes_become_json_safe_data() -> None:
    from sim.rules.batch_exit import declare_consolidated
    from sim.rules.ledger import ExitLine, declare_exit
    from sim.rules.ledger_codec import to_plain

    b = _busy_book()
    _, decl = declare_exit(b, "D1", [ExitLine("jerky", 2, 9_000)], date(2026, 3, 2), "xinhai", T)
    plain = json.loads(json.dumps(to_plain(decl)))
    line = plain["lines"][0]
    assert line["regime"] == "processing_value_added"
    # inputs of 2 jerky: 4 beef (400 fen) + 2 salt (140 fen) -> (9000 - 540) / 540
    assert line["value_added"]["num"] * 540 == line["value_added"]["den"] * 8_460
    assert line["duty_exempt"] is True
    assert plain["duties"]["total_fen"] == plain["duties"]["vat_fen"] == 1_170
    assert plain["on"] == "2026-03-02"
    _, cons = declare_consolidated(b, 2026, 1, date(2026, 3, 2))
    assert to_plain(cons)["late"] is True and to_plain(cons)["shipment_ids"] == ["S1"]
    with pytest.raises(TypeError):
        to_plain(object())
