"""The decision oracle: what the platform must answer, decided once, for everyone who asks.

Three questions reach a second-line platform that the harness must be able to answer itself,
identically in the simulation, in the reference platform and in a workload's expectations:

* **a second-line declaration** (:func:`decide_declaration`): the declarant's tier (and, when
  key-attention, its listing grounds) as of the declaration date, the goods written off the
  account book with the duties due (or the refusal and its reason), the risk score of the
  indicators it shows, the random-selection number fixed by its reference, and the channel —
  release, scan or inspection (a key-attention declarant is treated as its strictest ground);
* **a duty-free departure check** (:func:`sim.rules.dutyfree.check_departure`, re-exported):
  within the annual quota, over it, or under age;
* **a tier query** (:func:`tier_as_of`): an entity's classification on a date from its history.

And one check on what follows a declaration: an inspection result is dated no earlier than the
declaration it is about (:func:`check_inspection_date`).

Each is a pure function of the facts (book, history, purchases) and the configuration
(:class:`~sim.rules.config.RulesConfig`). The model calls them when its enterprises ship goods
and its travellers leave; the reference platform's routes only parse, authorise, call them,
store and answer; the workload generator records their answers as each call's expectation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sim.rules.account_book import Book, ExitDeclaration, ExitLine
from sim.rules.config import RulesConfig
from sim.rules.credit_classify import Classification, classify
from sim.rules.credit_table import CreditTable
from sim.rules.dates import not_before
from sim.rules.dutyfree import DepartureDecision, check_departure
from sim.rules.history import CreditEvent, EntityKind
from sim.rules.ledger import declare_exit, with_tier
from sim.rules.risk import RiskAssessment, Route, assess_risk
from sim.rules.tiers import WHITELIST, Tier

__all__ = [
    "DeclarationDecision",
    "DeclarationRequest",
    "DepartureDecision",
    "check_departure",
    "check_inspection_date",
    "decide_declaration",
    "listing_grounds",
    "tier_as_of",
]


@dataclass(frozen=True, slots=True)
class DeclarationRequest:
    """A second-line exit declaration as filed.

    Attributes:
        reference: the declarant's reference (unique; it also fixes the random selection).
        port: the second-line port of exit.
        on: the declaration date (local).
        lines: the goods declared (item, quantity, sale price of processed goods, permit).
        risk_indicators: the risk indicators the declaration shows.
    """

    reference: str
    port: str
    on: date
    lines: tuple[ExitLine, ...]
    risk_indicators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeclarationDecision:
    """The whole decision on an accepted declaration.

    Attributes:
        tier: the declarant's tier on the declaration date.
        risk: the risk check (score, random-selection number, channel).
        declaration: the goods written off, per line, with the duties due.
        book: the account book after the write-off (its holder's tier set to ``tier``).
    """

    tier: Tier
    risk: RiskAssessment
    declaration: ExitDeclaration
    book: Book

    @property
    def channel(self) -> Route:
        """``release``, ``scan`` or ``inspection``."""
        return self.risk.channel


def decide_declaration(
    book: Book,
    tier: Tier,
    request: DeclarationRequest,
    config: RulesConfig,
    grounds: Sequence[str] = (),
) -> DeclarationDecision:
    """Decide a second-line declaration against the declarant's account book.

    Args:
        book: the account book the goods are declared from, as it stands.
        tier: the declarant's tier on ``request.on`` (see :func:`tier_as_of`).
        request: the declaration.
        config: the risk model and the tariff.
        grounds: the declarant's active listing grounds on ``request.on``
            (:func:`listing_grounds` of its classification); a key-attention declarant is
            routed as its strictest ground (``config.risk.grounds``), as its tier without them.

    Returns:
        The decision; nothing is changed unless the caller keeps ``decision.book``.

    Raises:
        Refusal: an unknown risk indicator (checked first: the declaration is malformed), or
            any refusal of :func:`sim.rules.ledger.declare_exit` (``insufficient_balance``,
            ``unknown_item``, ``missing_permit``, ``missing_price`` ...).
    """
    risk = assess_risk(request.risk_indicators, tier, request.reference, config.risk, grounds)
    current = book if book.holder.tier == tier else with_tier(book, tier)
    after, declaration = declare_exit(
        current, request.reference, request.lines, request.on, request.port, config.tariff_table
    )
    return DeclarationDecision(tier, risk, declaration, after)


def listing_grounds(classification: Classification) -> tuple[str, ...]:
    """The sources of a classification's active listing grounds, sorted (what
    :func:`decide_declaration` takes as ``grounds``): department keys for category 1, listing
    events for category 2; empty off the key-attention list."""
    return tuple(sorted({g.source for g in classification.grounds}))


def tier_as_of(
    entity: str,
    kind: EntityKind,
    history: Sequence[CreditEvent],
    as_of: date,
    table: CreditTable,
) -> Classification:
    """An entity's classification on ``as_of`` from its history.

    Args:
        entity: the entity's key.
        kind: ``enterprise`` or ``individual``.
        history: its events in recording order (same-day events apply in that order); events
            after ``as_of`` are ignored.
        as_of: the date.
        table: the credit scale table (``RulesConfig.credit``).

    Returns:
        The classification; an entity without history is on the whitelist with no grounds.
    """
    if not history:
        return Classification(entity, kind, as_of, WHITELIST, ())
    return classify(history, as_of, table)


def check_inspection_date(declared: date, on: date, declaration: object = None) -> None:
    """Refuse an inspection result dated before the declaration it is about.

    Args:
        declared: the declaration's date.
        on: the result's date.
        declaration: the declaration's id, for the refusal's context.

    Raises:
        Refusal: ``invalid_date``.
    """
    not_before(on, declared, "the declaration", declaration=declaration)
