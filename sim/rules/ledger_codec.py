"""Account books and outcomes as plain data: JSON-safe dicts the platform stores and answers.

``book_from_dict(book_to_dict(b)) == b`` for every book; :func:`to_plain` turns any outcome
(entry, transfer, processing, declaration, shipment ...) into JSON-safe data for an HTTP answer.
The book dict uses only str, int, bool, None, lists and dicts; dates are ISO strings, regimes
their string values, money integer fen. Loading checks the shape and refuses a malformed document
with ``ValueError`` naming the dotted path, so a corrupted row never becomes a book silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from enum import Enum
from fractions import Fraction
from typing import Any

from sim.rules.account_book import BatchExit, Book, Pending, Position, Qualification, Shipment
from sim.rules.goods import Duties, Regime

__all__ = ["FORMAT_VERSION", "book_from_dict", "book_to_dict", "to_plain"]

FORMAT_VERSION = 1
"""Bumped whenever the dict layout changes incompatibly."""


def book_to_dict(book: Book) -> dict[str, Any]:
    """The book as a JSON-safe dict."""
    h = book.holder
    b = book.batch
    return {
        "format": FORMAT_VERSION,
        "book_id": book.book_id,
        "holder": {"entity_id": h.entity_id, "encouraged": h.encouraged, "tier": h.tier,
                   "filed": h.filed.isoformat()},
        "opened": book.opened.isoformat(),
        "positions": {
            item: {"code": p.code, "regime": p.regime.value, "processed": p.processed,
                   "qty": p.qty, "imported_fen": p.imported_fen, "domestic_fen": p.domestic_fen,
                   "since": p.since.isoformat() if p.since else None}
            for item, p in book.positions.items()
        },
        "pending": {
            eid: {"item": e.item, "code": e.code, "regime": e.regime.value, "qty": e.qty,
                  "value_fen": e.value_fen, "released": e.released.isoformat()}
            for eid, e in book.pending.items()
        },
        "shipments": {
            sid: {"item": s.item, "code": s.code, "regime": s.regime.value, "qty": s.qty,
                  "base_fen": s.base_fen, "duty_fen": s.duties.duty_fen,
                  "vat_fen": s.duties.vat_fen, "consumption_fen": s.duties.consumption_fen,
                  "filed": s.filed.isoformat(), "port": s.port}
            for sid, s in book.shipments.items()
        },
        "declared": sorted(book.declared),
        "batch": {"enabled": b.enabled, "suspended": sorted(b.suspended),
                  "suspended_on": b.suspended_on.isoformat() if b.suspended_on else None},
    }


class _Reader:
    """Typed field access with dotted-path errors."""

    def __init__(self, doc: Mapping[str, Any], path: str) -> None:
        if not isinstance(doc, Mapping):
            raise ValueError(f"{path}: expected a mapping (got {doc!r})")
        self.doc = doc
        self.path = path

    def _get(self, key: str) -> Any:
        if key not in self.doc:
            raise ValueError(f"{self.path}.{key}: missing")
        return self.doc[key]

    def _fail(self, key: str, what: str) -> ValueError:
        return ValueError(f"{self.path}.{key}: expected {what} (got {self.doc[key]!r})")

    def text(self, key: str) -> str:
        v = self._get(key)
        if not isinstance(v, str):
            raise self._fail(key, "a string")
        return v

    def integer(self, key: str) -> int:
        v = self._get(key)
        if type(v) is not int or v < 0:
            raise self._fail(key, "an integer >= 0")
        return v

    def flag(self, key: str) -> bool:
        v = self._get(key)
        if not isinstance(v, bool):
            raise self._fail(key, "true or false")
        return v

    def day(self, key: str) -> date:
        try:
            return date.fromisoformat(self.text(key))
        except ValueError:
            raise self._fail(key, "an ISO date") from None

    def optional_day(self, key: str) -> date | None:
        """A date, or None when the member is absent or null (written by an older layout)."""
        return None if self.doc.get(key) is None else self.day(key)

    def regime(self, key: str) -> Regime:
        try:
            return Regime(self.text(key))
        except ValueError:
            raise self._fail(key, "a regime") from None

    def sub(self, key: str) -> dict[str, _Reader]:
        v = self._get(key)
        if not isinstance(v, Mapping):
            raise self._fail(key, "a mapping")
        return {str(k): _Reader(x, f"{self.path}.{key}.{k}") for k, x in v.items()}


def book_from_dict(doc: Mapping[str, Any]) -> Book:
    """Rebuild a book from :func:`book_to_dict` output.

    Raises:
        ValueError: ``book.dotted.path: expected ... (got VALUE)`` on a malformed document.
    """
    r = _Reader(doc, "book")
    if doc.get("format") != FORMAT_VERSION:
        raise ValueError(f"book.format: expected {FORMAT_VERSION} (got {doc.get('format')!r})")
    h = _Reader(r._get("holder"), "book.holder")
    holder = Qualification(h.text("entity_id"), h.flag("encouraged"), h.text("tier"),
                           h.day("filed"))
    positions = {
        item: Position(p.text("code"), p.regime("regime"), p.flag("processed"), p.integer("qty"),
                       p.integer("imported_fen"), p.integer("domestic_fen"),
                       p.optional_day("since"))
        for item, p in r.sub("positions").items()
    }
    pending = {
        eid: Pending(e.text("item"), e.text("code"), e.regime("regime"), e.integer("qty"),
                     e.integer("value_fen"), e.day("released"))
        for eid, e in r.sub("pending").items()
    }
    shipments = {
        sid: Shipment(s.text("item"), s.text("code"), s.regime("regime"), s.integer("qty"),
                      s.integer("base_fen"),
                      Duties(s.integer("duty_fen"), s.integer("vat_fen"),
                             s.integer("consumption_fen")),
                      s.day("filed"), s.text("port"))
        for sid, s in r.sub("shipments").items()
    }
    declared = r._get("declared")
    if not isinstance(declared, list) or not all(isinstance(x, str) for x in declared):
        raise ValueError(f"book.declared: expected a list of 'YYYY-MM' (got {declared!r})")
    b = _Reader(r._get("batch"), "book.batch")
    suspended = b._get("suspended")
    if not isinstance(suspended, list) or not all(isinstance(x, str) for x in suspended):
        raise ValueError(f"book.batch.suspended: expected a list of codes (got {suspended!r})")
    since = None if b._get("suspended_on") is None else b.day("suspended_on")
    batch = BatchExit(b.flag("enabled"), frozenset(suspended), since)
    return Book(r.text("book_id"), holder, r.day("opened"), positions, pending, shipments,
                frozenset(declared), batch)


def to_plain(value: Any) -> Any:
    """Any rules value as JSON-safe data.

    NamedTuples and dataclasses become dicts (a :class:`~sim.rules.goods.Duties` gains its
    ``total_fen``), enums their value, dates ISO strings, fractions ``{"num", "den", "value"}``
    (the float only for display: the exact ratio is num/den), mappings, sets and sequences
    their plain counterparts (sets sorted).
    """
    if isinstance(value, Duties):
        return {**value._asdict(), "total_fen": value.total_fen}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return {"num": value.numerator, "den": value.denominator, "value": float(value)}
    if isinstance(value, Book):
        return book_to_dict(value)
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: to_plain(v) for k, v in value._asdict().items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(to_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    raise TypeError(f"cannot make {type(value).__name__} plain")
