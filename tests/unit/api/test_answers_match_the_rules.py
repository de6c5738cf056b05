"""The answer models describe exactly what the rules' plain-data helpers produce.

The platform answers a book's state with ``sim.rules.ledger_codec.book_to_dict`` and a
batch-exit status with ``sim.rules.batch_exit.batch_exit_status``; the contract's models are
closed, so a member added to (or dropped from) those helpers fails here first.
"""

from __future__ import annotations

from datetime import date

from sim.api.batch_exit import BatchExitStatus
from sim.api.books import BookState
from sim.api.credit import Ground
from sim.api.notifications import NotificationOut
from sim.rules.batch_exit import (
    admit_batch_exit,
    batch_exit_status,
    declare_consolidated,
    file_batch_shipment,
    suspend_batch_exit,
)
from sim.rules.credit import Ground as RuleGround
from sim.rules.goods import default_tariff
from sim.rules.ledger import (
    Book,
    book_entry,
    file_book,
    file_qualification,
    release_first_line,
)
from sim.rules.ledger_codec import book_to_dict
from sim.rules.refusals import Reason

T = default_tariff()


def _busy_book() -> Book:
    """A book with a position, a pending entry, shipments, a declared month and a suspension."""
    q = file_qualification(
        "E1", hainan_registered=True, individual=False, tier="whitelist", on=date(2025, 11, 1)
    )
    book = file_book("B1", q, date(2025, 11, 1))
    book, _ = release_first_line(
        book, "en1", "beef", "0202.30", 100, 1_000_000, date(2025, 12, 1), T
    )
    book, _ = book_entry(book, "en1", date(2025, 12, 2))
    book, _ = release_first_line(book, "en2", "beef", "0202.30", 5, 50_000, date(2025, 12, 3), T)
    book = admit_batch_exit(book, date(2025, 12, 1))
    book, _ = file_batch_shipment(book, "S1", "beef", 3, date(2025, 12, 20), "yangpu", T)
    book, _ = declare_consolidated(book, 2025, 12, date(2026, 1, 10))
    book, _ = file_batch_shipment(book, "S2", "beef", 2, date(2026, 1, 12), "xinhai", T)
    return suspend_batch_exit(book, Reason.MISSING_PERMIT, date(2026, 1, 20))


def test_a_books_state_is_a_book_state() -> None:
    book = _busy_book()
    state = BookState.model_validate(book_to_dict(book))
    assert state.positions["beef"].qty == 95 and set(state.pending) == {"en2"}
    assert set(state.shipments) == {"S2"} and state.declared == ["2025-12"]
    assert state.batch.suspended == [Reason.MISSING_PERMIT]
    # ... and back to the same JSON, member for member.
    assert state.model_dump(mode="json") == book_to_dict(book)


def test_a_batch_exit_status_is_a_batch_exit_status() -> None:
    plain = batch_exit_status(_busy_book(), date(2026, 2, 26))
    status = BatchExitStatus.model_validate(plain)
    assert status.open_periods[0].period == "2026-01" and status.open_periods[0].overdue
    assert status.model_dump(mode="json") == plain


def test_a_ground_is_a_ground() -> None:
    ground = RuleGround(2, "smuggling_penalty", date(2024, 2, 29), date(2027, 2, 28))
    assert Ground.model_validate(ground.to_record()).model_dump(mode="json") == ground.to_record()


def test_notifications_speak_from_and_to() -> None:
    wire = {
        "id": 3,
        "entity": "E1",
        "date": "2026-02-10",
        "from": "whitelist",
        "to": "key_attention",
        "grounds": [],
        "ended": [],
    }
    note = NotificationOut.model_validate(wire)
    assert (note.from_tier, note.to_tier) == ("whitelist", "key_attention")
    assert note.model_dump(mode="json") == wire
