"""The oracle's registry: entities, their credit histories, and travellers' duty-free use.

The part of the oracle's platform (:mod:`sim.drill.expected`) that knows *who*: the entities
registered (kind, code, name, Hainan registration), each one's credit history in recording
order, and each traveller's duty-free purchases per calendar year. It answers, from the rules
alone, a registration, a credit event (the tier before and after it on its date), a tier query
(:func:`sim.rules.oracle.tier_as_of`) and a departure check
(:func:`sim.rules.oracle.check_departure`), and gives every other part the tier of an entity on
a date. Its answers are :class:`Expectation` values: a status and the answer's fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sim.rules.config import RulesConfig
from sim.rules.credit import (
    Classification,
    CreditEvent,
    EntityKind,
    HistoryError,
    parse_record,
)
from sim.rules.identifiers import is_valid_resident_id, is_valid_uscc
from sim.rules.oracle import check_departure, tier_as_of
from sim.rules.refusals import HTTP_STATUS, Refusal
from sim.rules.tiers import Tier

__all__ = [
    "Expectation",
    "ExpectedRegistry",
    "as_json",
    "as_json_dict",
    "duties_record",
    "problem",
    "refused",
]


@dataclass(frozen=True)
class Expectation:
    """What a step must be answered.

    Attributes:
        status: the HTTP status.
        fields: dotted answer path -> value (a whole object compares as a whole).
        books: the account books an accepted write changes (for the audit).
        declaration: the reference of the declaration an accepted ``declare`` files.
        transfer: the oracle's key of the transfer an accepted ``transfer`` asks for (a later
            step accepts, rejects or withdraws it by this key).
    """

    status: int
    fields: dict[str, Any]
    books: tuple[str, ...] = ()
    declaration: str | None = None
    transfer: str | None = None

    @property
    def accepted(self) -> bool:
        """Whether the request must succeed."""
        return self.status < 300


def as_json(value: Any) -> Any:
    """As JSON data (tuples to lists, ISO dates), exactly as a JSON answer reads back."""
    return json.loads(json.dumps(value, default=str))


def as_json_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    """A mapping as JSON data (see :func:`as_json`)."""
    plain: dict[str, Any] = as_json(value)
    return plain


def problem(status: int, code: str) -> Expectation:
    """An error answer: its status and its problem code."""
    return Expectation(status, {"code": code})


def refused(refusal: Refusal) -> Expectation:
    """A rule's refusal: the status the rules assign and the reason code."""
    return problem(HTTP_STATUS[refusal.reason], refusal.reason.value)


def duties_record(d: Any) -> dict[str, int]:
    """Duties as an answer shows them: the three taxes and their total, in fen."""
    return {"duty_fen": d.duty_fen, "vat_fen": d.vat_fen, "consumption_fen": d.consumption_fen,
            "total_fen": d.total_fen}


def _tier_record(c: Classification) -> dict[str, Any]:
    return {"entity": c.entity, "tier": c.tier, "as_of": c.as_of.isoformat(), "kind": c.kind,
            "aeo_certified": c.aeo_certified, "grounds": [g.to_record() for g in c.grounds]}


@dataclass
class _Entity:
    kind: EntityKind
    code: str
    name: str
    hainan: bool
    history: list[CreditEvent] = field(default_factory=list)


class ExpectedRegistry:
    """Entities, histories and duty-free use as the rules make them (see the module docstring).

    Args:
        rules: the rules' configuration the platform under test is started with.
    """

    def __init__(self, rules: RulesConfig) -> None:
        self.rules = rules
        self._entities: dict[str, _Entity] = {}
        self._duty_free: dict[tuple[str, int], int] = {}

    def classification(self, key: str, on: date) -> Classification:
        """The registered entity ``key``'s classification on ``on``, from its history."""
        e = self._entities[key]
        return tier_as_of(key, e.kind, e.history, on, self.rules.credit)

    def tier(self, key: str, on: date) -> Tier:
        """The registered entity ``key``'s tier on ``on``, from its history."""
        return self.classification(key, on).tier

    def entity(self, key: str) -> tuple[EntityKind, bool] | None:
        """A registered entity's kind and Hainan registration (None: not registered)."""
        e = self._entities.get(key)
        return None if e is None else (e.kind, e.hainan)

    def register_entity(self, body: Mapping[str, Any]) -> Expectation:
        """``POST /v1/entities``."""
        key, kind, code = body["id"], body["kind"], str(body["code"]).upper()
        valid = is_valid_uscc(code) if kind == "enterprise" else is_valid_resident_id(code)
        if not valid:
            return problem(422, "invalid_code")
        if key in self._entities or any(e.code == code for e in self._entities.values()):
            return problem(409, "duplicate_entity")
        hainan = bool(body.get("registered_in_hainan", False))
        self._entities[key] = _Entity(cast(EntityKind, kind), code, body.get("name", ""), hainan)
        return Expectation(201, {"id": key, "kind": kind, "code": code,
                                 "name": body.get("name", ""), "registered_in_hainan": hainan})

    def post_event(self, key: str, body: Mapping[str, Any]) -> Expectation:
        """``POST /v1/entities/{id}/events``.

        An event naming a department is sent by that department (the drill's actor), which
        may record only the kinds the scale table's ``issuers`` give it: 403 ``forbidden``
        otherwise, before the entity is looked up, as the platform checks its caller first.
        """
        department = body.get("department")
        if department is not None and not self.rules.credit.may_record(department,
                                                                       body["event"]):
            return problem(403, "forbidden")
        e = self._entities.get(key)
        if e is None:
            return problem(404, "unknown_entity")
        raw = {"entity": key, "kind": e.kind, "date": body["date"], "event": body["event"]}
        for name in ("department", "grade"):
            if body.get(name) is not None:
                raw[name] = body[name]
        try:
            event = parse_record(raw, 1, self.rules.credit)
        except HistoryError:
            return problem(422, "invalid_event")
        before = self.tier(key, event.date)
        e.history.append(event)
        after = self.tier(key, event.date)
        return Expectation(201, {"entity": key, "date": event.date.isoformat(),
                                 "event": event.event, "department": event.department,
                                 "grade": event.grade, "tier_before": before,
                                 "tier_after": after})

    def get_tier(self, key: str, as_of: date) -> Expectation:
        """``GET /v1/entities/{id}/tier?as_of=``."""
        e = self._entities.get(key)
        if e is None:
            return problem(404, "unknown_entity")
        c = tier_as_of(key, e.kind, e.history, as_of, self.rules.credit)
        return Expectation(200, _tier_record(c))

    def get_entity(self, key: str) -> Expectation:
        """``GET /v1/entities/{id}``."""
        e = self._entities.get(key)
        if e is None:
            return problem(404, "unknown_entity")
        return Expectation(200, {"id": key, "kind": e.kind, "code": e.code, "name": e.name,
                                 "registered_in_hainan": e.hainan})

    def departure_check(self, key: str, body: Mapping[str, Any]) -> Expectation:
        """``POST /v1/travellers/{id}/departure-checks``."""
        e = self._entities.get(key)
        if e is None:
            return problem(404, "unknown_entity")
        if e.kind != "individual":
            return problem(422, "not_an_individual")
        on = date.fromisoformat(body["date"])
        amounts = [p["amount_fen"] for p in body["purchases"]]
        used_before = self._duty_free.get((key, on.year), 0)
        d = check_departure(e.code, on, amounts, used_before, self.rules.duty_free_quota_fen)
        self._duty_free[key, on.year] = used_before + sum(amounts)
        return Expectation(201, {
            "traveller": key, "date": on.isoformat(), "decision": d.decision,
            "amount_fen": d.amount_fen, "quota_fen": d.quota_fen,
            "used_before_fen": d.used_before_fen, "used_fen": d.used_fen,
            "remaining_fen": d.remaining_fen, "excess_fen": d.excess_fen})
