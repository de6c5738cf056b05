"""Offshore duty-free: the departure check of a traveller's purchases against the annual quota.

Since 1 July 2020 each traveller may take off Hainan island offshore duty-free goods worth up to
100,000 CNY per calendar year [S] (:data:`ANNUAL_QUOTA_FEN`), and only buyers aged 18 or more
may buy [S] (:data:`ADULT_AGE`; the age is read from the birth date inside the resident identity
number, GB 11643). At a departure the purchases presented are added to what the traveller already
used that year:

* ``underage`` when the buyer is under 18 on the day (whatever the amount);
* ``over_quota`` when the year's total passes the quota, with the excess;
* ``pass`` otherwise.

The purchases count in every case (they were bought), so the next check of the year sees them.
This is the one statement of the rule: the simulation decides its travellers with it and the
reference platform answers with it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sim.rules.identifiers import resident_id_birth_date

__all__ = [
    "ADULT_AGE",
    "ANNUAL_QUOTA_FEN",
    "DECISIONS",
    "DepartureDecision",
    "age_on",
    "check_departure",
    "departure_decision",
]

ANNUAL_QUOTA_FEN = 10_000_000
"""100,000 CNY per person per calendar year, in fen [S] (in force since 1 July 2020)."""

ADULT_AGE = 18
"""Offshore duty-free buyers must be at least this old [S]."""

Decision = Literal["pass", "over_quota", "underage"]
DECISIONS: tuple[Decision, ...] = ("pass", "over_quota", "underage")


@dataclass(frozen=True, slots=True)
class DepartureDecision:
    """The answer of a departure check (all amounts in fen).

    Attributes:
        decision: ``pass``, ``over_quota`` or ``underage``.
        amount_fen: the purchases presented now.
        quota_fen: the annual quota applied.
        used_before_fen: what the traveller had used that year before this check.
        used_fen: used before plus this check's purchases.
        remaining_fen: what is left of the quota (never negative).
        excess_fen: how far this check takes the traveller past the quota (0 unless
            ``over_quota``; an earlier excess is not counted again).
    """

    decision: Decision
    amount_fen: int
    quota_fen: int
    used_before_fen: int
    used_fen: int
    remaining_fen: int
    excess_fen: int


def age_on(born: date, on: date) -> int:
    """Completed years of age on ``on`` for someone born on ``born``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


_birth_date = functools.lru_cache(maxsize=1 << 16)(resident_id_birth_date)
"""The birth date in an identity number, remembered: a traveller is checked again and again."""


def _underage(id_number: str, on: date) -> bool:
    """Whether the number's holder is under 18 on ``on`` (False without a readable birth date)."""
    try:
        born = _birth_date(id_number)
    except ValueError:
        return False
    return age_on(born, on) < ADULT_AGE


def departure_decision(
    id_number: str,
    on: date,
    amount_fen: int,
    used_before_fen: int,
    quota_fen: int = ANNUAL_QUOTA_FEN,
) -> Decision:
    """The decision of a departure check, alone: the rule :func:`check_departure` applies.

    For a caller that needs only the decision, checks by the ten thousand (a workload's
    expectations): no :class:`DepartureDecision` is made.

    Args:
        id_number: the traveller's resident identity number (see :func:`check_departure`).
        on: the date of the departure.
        amount_fen: the purchases presented, in all.
        used_before_fen: the traveller's duty-free purchases earlier in ``on``'s calendar year.
        quota_fen: the annual quota.

    Raises:
        ValueError: a negative amount, or a negative amount used before.
    """
    if amount_fen < 0:
        raise ValueError("the purchases presented cannot be negative")
    if used_before_fen < 0:
        raise ValueError("the amount used before cannot be negative")
    if _underage(id_number, on):
        return "underage"
    return "over_quota" if used_before_fen + amount_fen > quota_fen else "pass"


def check_departure(
    id_number: str,
    on: date,
    amounts_fen: Sequence[int],
    used_before_fen: int,
    quota_fen: int = ANNUAL_QUOTA_FEN,
) -> DepartureDecision:
    """Decide a departure check.

    Args:
        id_number: the traveller's resident identity number (its birth date gives the age; a
            number without a readable birth date is not judged on age).
        on: the date of the departure.
        amounts_fen: the purchases presented, each a positive amount in fen.
        used_before_fen: the traveller's duty-free purchases earlier in ``on``'s calendar year.
        quota_fen: the annual quota.

    Raises:
        ValueError: a non-positive amount, or a negative amount used before.
    """
    amount = 0
    for a in amounts_fen:
        if a <= 0:
            raise ValueError("every purchase amount must be positive")
        amount += a
    decision = departure_decision(id_number, on, amount, used_before_fen, quota_fen)
    used = used_before_fen + amount
    # conditionals rather than max(): the model checks every traveller of a run with this
    if used > quota_fen:
        excess = used - (quota_fen if quota_fen > used_before_fen else used_before_fen)
        remaining = 0
    else:
        excess, remaining = 0, quota_fen - used
    return DepartureDecision(
        decision, amount, quota_fen, used_before_fen, used, remaining, excess
    )
