"""A transfer as the oracle keeps it: asked for, then pending, done, rejected or withdrawn.

Into another enterprise's book a transfer waits for the receiving enterprise
(:func:`sim.rules.ledger.accept_transfer`): it is *pending* when asked for, *done* when the
receiver accepts it (the goods move then), *rejected* by the receiver or *withdrawn* by the
sender (nothing moves). A sale out of the regime, or a transfer between two books of one
enterprise, is *done* at once. :class:`TransferRecord` is what the platform must show of one
(``GET /v1/transfers/{id}`` without the id it chose); the drill's audit holds the stored
transfers against these records at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sim.api.books import TransferStatus
from sim.drill.registry import as_json_dict

__all__ = ["DECIDED", "TransferRecord"]

DECIDED: dict[str, TransferStatus] = {
    "accept_transfer": "done", "reject_transfer": "rejected", "withdraw_transfer": "withdrawn"}
"""Where a decided transfer stands, by the drill operation that decided it."""


@dataclass(frozen=True)
class TransferRecord:
    """A transfer as the platform must keep it.

    Attributes:
        book: the sending book; ``to_book`` the receiving one (None: sold out of the regime).
        item: the goods; ``qty`` how many units.
        asked: the day it was asked for.
        status: where it stands; ``decided_on`` the day it was accepted, rejected or withdrawn
            (the day asked for when done at once; None while pending).
        duties: the taxes it made due (a sale out of the regime only).
    """

    book: str
    to_book: str | None
    item: str
    qty: int
    asked: date
    status: TransferStatus
    decided_on: date | None
    duties: dict[str, int]

    def answer(self) -> dict[str, Any]:
        """The platform's answer about it, as JSON data (without the platform's id)."""
        return as_json_dict({
            "book": self.book, "item": self.item, "qty": self.qty, "to_book": self.to_book,
            "on": self.asked.isoformat(), "status": self.status,
            "decided_on": None if self.decided_on is None else self.decided_on.isoformat(),
            "duties": self.duties})
