"""A book ready for declarations (register, qualify, file, enter, book goods); their bodies."""

from __future__ import annotations

from typing import Any

from tests.e2e.platform.platform_support import ADMIN

BEEF = "0202.30"  # frozen boneless bovine meat: zero tariff, not on the taxed list


def ready_book(api: Any, entity: str, book: str, qty: int, value_fen: int = 0) -> dict[str, str]:
    """An enterprise with book ``book`` holding ``qty`` units of ``beef``; its headers."""
    client = api.client
    own: dict[str, str] = api.enterprise(entity)
    r = client.post("/v1/qualifications", headers=own, json={"entity": entity, "on": "2026-01-05"})
    assert r.status_code == 201, r.text
    r = client.post(
        "/v1/books", headers=own, json={"id": book, "entity": entity, "on": "2026-01-05"}
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"/v1/books/{book}/entries",
        headers=own,
        json={
            "entry_id": f"{book}-IN1",
            "item": "beef",
            "code": BEEF,
            "qty": qty,
            "value_fen": value_fen or qty * 10_000,
            "released": "2026-01-06",
        },
    )
    assert r.status_code == 201 and r.json()["pending"] is True, r.text
    r = client.post(
        f"/v1/books/{book}/entries/{book}-IN1/booking", headers=own, json={"on": "2026-01-10"}
    )
    assert r.status_code == 201, r.text
    return own


def balance(client: Any, book: str, item: str = "beef") -> int:
    """Units of ``item`` in ``book`` (0 when the ledger has dropped the emptied position)."""
    state = client.get(f"/v1/books/{book}", headers=ADMIN).json()["state"]
    position = state["positions"].get(item)
    return int(position["qty"]) if position else 0


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
