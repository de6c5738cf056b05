"""USCC and resident ID number check characters, from published examples."""

from __future__ import annotations

import pytest

from refplatform.identifiers import check_code


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91110000600037341L", "91440300708461136T"],
)
def test_published_usccs_pass(code: str) -> None:
    assert check_code("enterprise", code) is None


def test_uscc_faults_are_named() -> None:
    assert "18 characters" in (check_code("enterprise", "9135010") or "")
    assert "without I, O, S, V, Z" in (check_code("enterprise", "91350100M000100I43") or "")
    assert "should be 3" in (check_code("enterprise", "91350100M000100Y4A") or "")


@pytest.mark.parametrize("code", ["11010519491231002X", "440524188001010014"])
def test_published_id_numbers_pass(code: str) -> None:
    assert check_code("individual", code) is None
    assert check_code("individual", code.lower()) is None


def test_id_number_faults_are_named() -> None:
    assert "should be X" in (check_code("individual", "110105194912310021") or "")
    assert "17 digits" in (check_code("individual", "1101051949123100") or "")
