"""Refusals: every way the goods and account-book rules can say "no", as one closed set of codes.

A rule that refuses an operation raises :class:`Refusal` carrying a :class:`Reason`, a stable
snake_case string the reference platform returns in its problem+json body and the workload
generator predicts. The codes split in two kinds, and :data:`HTTP_STATUS` maps each to the status
a platform should answer:

- **409 Conflict** — the request is well-formed but the state of the book, the enterprise or the
  calendar forbids it (not enough balance, batch exit suspended, a declaration is late ...);
- **422 Unprocessable** — the request itself is wrong whatever the state (a non-positive quantity,
  an unknown tariff line, shipments from two different years in one declaration ...).

Refusals are expected outcomes, not bugs: the model counts them, drills assert them. A refusal
never leaves a half-applied change behind, because every operation returns a new book and the
old one is untouched.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = ["HTTP_STATUS", "Reason", "Refusal"]


class Reason(StrEnum):
    """Why an operation was refused. The value is the code the platform returns."""

    # -- state conflicts (409) ----------------------------------------------------------------
    INSUFFICIENT_BALANCE = "insufficient_balance"
    """The book holds fewer units of the item than the operation needs."""
    NOT_ELIGIBLE = "not_eligible"
    """The entity does not qualify (zero-tariff: Hainan-registered non-individual; batch exit:
    AEO or whitelist tier; processing value-added: encouraged industry)."""
    NOT_QUALIFIED = "not_qualified"
    """No qualification filing on record for the entity (book filing needs one)."""
    RELAXED_TRADE_NO_TRANSFER = "relaxed_trade_no_transfer"
    """Relaxed-trade goods stay with their named end user: no transfer, no consumption for sale."""
    RELAXED_TRADE_NO_EXIT = "relaxed_trade_no_exit"
    """Relaxed-trade goods may not be sold to the mainland."""
    BOOKING_OVERDUE = "booking_overdue"
    """A direct-release entry was not booked within 14 days of release."""
    ENTRY_NOT_OVERDUE = "entry_not_overdue"
    """Back-payment of an unbooked entry was requested while it could still be booked."""
    BATCH_EXIT_NOT_ENABLED = "batch_exit_not_enabled"
    """The enterprise has not been admitted to batch exit."""
    BATCH_EXIT_SUSPENDED = "batch_exit_suspended"
    """Batch exit is suspended (tier lost, late declaration or missing permit)."""
    LATE_CONSOLIDATED_DECLARATION = "late_consolidated_declaration"
    """A monthly consolidated declaration is past its due date (the 25th of the next month)."""
    MISSING_PERMIT = "missing_permit"
    """The goods need a permit before entering the mainland and none was presented."""
    TIER_LOST = "tier_lost"
    """The enterprise is no longer AEO or whitelist (a suspension cause)."""
    ALREADY_DECLARED = "already_declared"
    """The month's consolidated declaration was already filed."""
    PERIOD_NOT_ENDED = "period_not_ended"
    """A month can only be consolidated once it is over."""
    NOTHING_TO_DECLARE = "nothing_to_declare"
    """No batch-exit shipments are waiting in that month."""
    NOT_SUSPENDED = "not_suspended"
    """Reinstatement was requested but batch exit is not suspended."""
    DUPLICATE_ID = "duplicate_id"
    """An entry, shipment or book with that identifier already exists."""
    ITEM_MISMATCH = "item_mismatch"
    """The item exists with another tariff code, regime or processing status."""
    # -- bad requests (422) -------------------------------------------------------------------
    UNKNOWN_ITEM = "unknown_item"
    """The item (or entry, or shipment) is not in the book."""
    UNKNOWN_TARIFF_LINE = "unknown_tariff_line"
    """The tariff code is not in the tariff table."""
    INVALID_QUANTITY = "invalid_quantity"
    """Quantities must be positive integers, values non-negative integers (fen)."""
    INVALID_REGIME = "invalid_regime"
    """The regime cannot be used for this operation (e.g. booking processed goods at entry)."""
    MISSING_PRICE = "missing_price"
    """Processed goods leaving the book need their sale price (the value-added rule uses it)."""
    SPANS_TWO_YEARS = "spans_two_years"
    """A consolidated declaration may not cover shipments from two years."""
    SPANS_TWO_MONTHS = "spans_two_months"
    """A consolidated declaration covers exactly one month."""
    SAME_BOOK = "same_book"
    """A transfer from a book to itself."""
    INVALID_DATE = "invalid_date"
    """A date before the event it refers to (e.g. booking before release)."""
    INCOMPLETE_DECLARATION = "incomplete_declaration"
    """A consolidated declaration must cover every shipment of its month."""
    UNKNOWN_RISK_INDICATOR = "unknown_risk_indicator"
    """A declaration names a risk indicator the risk model does not have."""


_UNPROCESSABLE = {
    Reason.UNKNOWN_ITEM,
    Reason.UNKNOWN_TARIFF_LINE,
    Reason.INVALID_QUANTITY,
    Reason.INVALID_REGIME,
    Reason.MISSING_PRICE,
    Reason.SPANS_TWO_YEARS,
    Reason.SPANS_TWO_MONTHS,
    Reason.SAME_BOOK,
    Reason.INVALID_DATE,
    Reason.INCOMPLETE_DECLARATION,
    Reason.UNKNOWN_RISK_INDICATOR,
}

HTTP_STATUS: dict[Reason, int] = {r: (422 if r in _UNPROCESSABLE else 409) for r in Reason}
"""The HTTP status a platform answers for each reason: 422 for a bad request, 409 otherwise."""


class Refusal(Exception):
    """An operation the rules refuse.

    Attributes:
        reason: the machine-readable code.
        detail: a one-line human explanation.
        context: plain JSON-safe facts about the refusal (item, quantities, dates as ISO strings).
    """

    def __init__(self, reason: Reason, detail: str, **context: Any) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.context = context

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable (process-pool executors): rebuild through a helper taking the keywords.
        return (_rebuild, (self.reason, self.detail, self.context))

    @property
    def http_status(self) -> int:
        """The HTTP status for this refusal (see :data:`HTTP_STATUS`)."""
        return HTTP_STATUS[self.reason]

    def to_dict(self) -> dict[str, Any]:
        """The refusal as a plain dict (the platform's problem+json extension members)."""
        return {"reason": self.reason.value, "detail": self.detail, **self.context}


def _rebuild(reason: Reason, detail: str, context: dict[str, Any]) -> Refusal:
    return Refusal(reason, detail, **context)
