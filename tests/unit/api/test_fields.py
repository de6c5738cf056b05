"""Field types: the ten ports as an enum, reachable ids, strict numbers, plausible dates,
database-sized ids."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from sim.api import DeclarationIn, EntryIn
from sim.api.fields import MAX_DB_ID, Cursor, Day, DbId, Fen, Id, Port, Qty
from sim.rules.ports import PORT_IDS

PORT = TypeAdapter(Port)


def test_port_schema_lists_the_ten_ports() -> None:
    assert PORT.json_schema()["enum"] == list(PORT_IDS) and len(PORT_IDS) == 10


@pytest.mark.parametrize("port", PORT_IDS)
def test_every_port_is_accepted(port: str) -> None:
    assert PORT.validate_python(port) == port


def test_an_unknown_port_is_refused_naming_the_ten() -> None:
    with pytest.raises(ValidationError) as exc:
        PORT.validate_python("atlantis")
    message = exc.value.errors()[0]["msg"]
    assert all(f"'{port}'" in message for port in PORT_IDS)


@pytest.mark.parametrize(
    ("field", "bad"),
    [(Qty, 0), (Qty, 10**12 + 1), (Fen, -1), (Id, ""), (Id, "a b"), (Id, "x" * 65)],
)
def test_bounds_and_alphabets_are_enforced(field: object, bad: object) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(field).validate_python(bad)


def test_ids_may_carry_colons_and_dots_between_names() -> None:
    for good in ("2026-02:R-1.a_b", "0202.30:zero_tariff", "BK-91460000000000001A"):
        assert TypeAdapter(Id).validate_python(good) == good


@pytest.mark.parametrize("bad", ["a/b", "/", ".", "..", "a..b", ".hidden", "trailing.", "a/../b"])
def test_ids_that_could_never_be_reached_in_a_path_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Id).validate_python(bad)
    assert TypeAdapter(Id).json_schema()["pattern"]  # documented, so clients know it


LINE = {"book": "B1", "port": "xinhai", "date": "2026-02-01"}


@pytest.mark.parametrize("qty", [True, "1", 1.0, 1.5, None])
def test_quantities_are_strict_json_integers(qty: Any) -> None:
    body = {**LINE, "lines": [{"item": "beef", "qty": qty}]}
    with pytest.raises(ValidationError) as exc:
        DeclarationIn.model_validate_json(json.dumps(body))
    assert exc.value.errors()[0]["loc"][-1] == "qty"
    with pytest.raises(ValidationError):
        DeclarationIn.model_validate(body)
    assert DeclarationIn.model_validate({**LINE, "lines": [{"item": "beef", "qty": 1}]})


@pytest.mark.parametrize(
    "day", [0, 20260101, "0", "2026-1-1", "2026-01-01T00:00:00", "9999-12-20", "1066-10-14"]
)
def test_dates_are_iso_days_in_the_plausible_window(day: Any) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Day).validate_python(day)


def test_dates_in_the_window_are_accepted_as_text_or_dates() -> None:
    day = TypeAdapter(Day)
    assert day.validate_python("2026-02-01") == dt.date(2026, 2, 1)
    assert day.validate_python(dt.date(2099, 12, 31)) == dt.date(2099, 12, 31)
    entry = {"entry_id": "E", "item": "i", "code": "0202.30", "qty": 1, "value_fen": 1}
    with pytest.raises(ValidationError):
        EntryIn.model_validate({**entry, "released": "9999-12-20"})


@pytest.mark.parametrize("value", [0, -1, MAX_DB_ID + 1, 2**64])
def test_database_ids_fit_the_database(value: int) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(DbId).validate_python(value)
    assert TypeAdapter(DbId).validate_python(MAX_DB_ID) == MAX_DB_ID
    assert TypeAdapter(Cursor).validate_python(0) == 0
