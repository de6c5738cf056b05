"""Field types: the ten ports as an enum in the schema, refused with the list of the ten."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from sim.api.fields import Fen, Id, Port, Qty
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
    assert "unknown second-line port 'atlantis'" in message
    assert all(port in message for port in PORT_IDS)


@pytest.mark.parametrize(
    ("field", "bad"),
    [(Qty, 0), (Qty, 10**12 + 1), (Fen, -1), (Id, ""), (Id, "a b"), (Id, "x" * 65)],
)
def test_bounds_and_alphabets_are_enforced(field: object, bad: object) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(field).validate_python(bad)


def test_ids_may_carry_slashes_and_colons() -> None:
    assert TypeAdapter(Id).validate_python("2026/02:R-1.a_b") == "2026/02:R-1.a_b"
