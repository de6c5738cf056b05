"""Set-up through the typed client (:mod:`sim.client`): enterprises, a book ready for
declarations, balances; and the body of a declaration for tests that send it raw."""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

from sim.api import BookIn, EntityIn, EntryIn, OnIn, QualificationIn
from sim.client import PlatformClient
from tests.e2e.platform.platform_support import uscc

BEEF = "0202.30"  # frozen boneless bovine meat: zero tariff, not on the taxed list


def bearer(view: PlatformClient) -> dict[str, str]:
    """Headers carrying the view's token, for requests sent without the client."""
    return {"Authorization": f"Bearer {view.token()}"}


def register_enterprise(
    platform: PlatformClient, entity_id: str, *, hainan: bool = True
) -> PlatformClient:
    """Register an enterprise (its credit code derived from its id); a client acting as it."""
    platform.register_entity(
        EntityIn(
            id=entity_id,
            kind="enterprise",
            code=uscc(zlib.crc32(entity_id.encode())),
            name=f"企业{entity_id}",
            registered_in_hainan=hainan,
        )
    )
    return platform.as_enterprise(entity_id)


def ready_book(
    platform: PlatformClient, entity: str, book: str, qty: int, value_fen: int = 0
) -> dict[str, str]:
    """An enterprise with book ``book`` holding ``qty`` units of ``beef``; its headers."""
    own = register_enterprise(platform, entity)
    filed = dt.date(2026, 1, 5)
    own.file_qualification(QualificationIn(entity=entity, on=filed))
    own.file_book(BookIn(id=book, entity=entity, on=filed))
    entry = EntryIn(
        entry_id=f"{book}-IN1",
        item="beef",
        code=BEEF,
        qty=qty,
        value_fen=value_fen or qty * 10_000,
        released=dt.date(2026, 1, 6),
    )
    assert own.first_line_entry(book, entry).pending is True
    assert own.book_entry(book, entry.entry_id, OnIn(on=dt.date(2026, 1, 10))).pending is False
    return bearer(own)


def balance(platform: PlatformClient, book: str, item: str = "beef") -> int:
    """Units of ``item`` in ``book`` (0 when the ledger has dropped the emptied position)."""
    position = platform.as_admin().get_book(book).state.positions.get(item)
    return position.qty if position else 0


def declaration(qty: int, book: str = "B1", **extra: Any) -> dict[str, Any]:
    """A second-line declaration of ``qty`` units of ``beef`` from ``book`` at Xinhai.

    Dated 2026-02-01 unless ``extra`` says otherwise; ``extra`` adds or replaces fields.
    """
    return {
        "book": book,
        "port": "xinhai",
        "date": "2026-02-01",
        "lines": [{"item": "beef", "qty": qty}],
        **extra,
    }
