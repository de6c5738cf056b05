"""The operations table: unique names, paths filled in safely, writes keyed and created."""

from __future__ import annotations

import pytest

from sim.api.operations import (
    ACCEPT_TRANSFER,
    DECLARE,
    GET_BOOK,
    HEALTH,
    OPERATIONS,
    RECORD_INSPECTION,
    REJECT_TRANSFER,
    REVOKE_TOKEN,
    WITHDRAW_TRANSFER,
    find_operation,
    operation,
)


def test_names_and_routes_are_unique() -> None:
    assert len({op.name for op in OPERATIONS}) == len(OPERATIONS) == 36
    assert len({(op.method, op.path) for op in OPERATIONS}) == len(OPERATIONS)


def test_writes_have_bodies_and_reads_have_none() -> None:
    for op in OPERATIONS:
        assert (op.body is not None) == op.writes, op.name
        # Every write creates something (201) except those changing what exists: recording an
        # inspection result, revoking a token, deciding a pending transfer.
        changes = (
            RECORD_INSPECTION, REVOKE_TOKEN, ACCEPT_TRANSFER, REJECT_TRANSFER, WITHDRAW_TRANSFER
        )
        assert op.status == (201 if op.writes and op not in changes else 200), op.name


def test_only_health_needs_no_token() -> None:
    assert [op.name for op in OPERATIONS if not op.auth] == [HEALTH.name]


def test_path_parameters_are_read_from_the_template() -> None:
    assert GET_BOOK.path_params == ("book_id",)
    assert operation("book_entry").path_params == ("book_id", "entry_id")
    assert DECLARE.path_params == ()


def test_a_path_parameter_is_one_percent_encoded_segment() -> None:
    assert GET_BOOK.url_path({"book_id": "2026/B 1"}) == "/v1/books/2026%2FB%201"
    assert operation("get_declaration").url_path({"declaration_id": 7}) == "/v1/declarations/7"


def test_a_missing_path_parameter_is_named() -> None:
    with pytest.raises(KeyError, match="'entry_id' is missing"):
        operation("book_entry").url_path({"book_id": "B1"})


def test_an_unknown_operation_is_named_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown operation 'declar'.*declare"):
        operation("declar")


def test_answers_are_parsed_into_the_contracts_models() -> None:
    health = HEALTH.answer.validate_json(b'{"status":"ok"}')
    assert health.status == "ok"
    listed = operation("list_declarations").answer.validate_json(b"[]")
    assert listed == []


def test_a_recorded_request_is_matched_to_its_operation() -> None:
    assert find_operation("post", "/v1/books/B%2F1/entries/E1/booking") is operation("book_entry")
    assert operation("book_entry").match("POST", "/v1/books/B%2F1/entries/E1/booking") == {
        "book_id": "B/1",
        "entry_id": "E1",
    }
    assert find_operation("GET", "/v1/entities/E1/tier?as_of=2026-01-01") is operation("get_tier")
    assert find_operation("GET", "/v1/declarations?book=B1") is operation("list_declarations")
    assert find_operation("GET", "/v1/declarations/7") is operation("get_declaration")
    assert find_operation("DELETE", "/v1/declarations/7") is None
    assert find_operation("GET", "/v1/books/B1/extra") is None
    for op in OPERATIONS:  # every template matches itself, and only itself
        filled = op.url_path({name: "x" for name in op.path_params})
        assert find_operation(op.method, filled) is op
