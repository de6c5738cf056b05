"""Check characters of credit codes and identity numbers, against published examples."""

from __future__ import annotations

from datetime import date

import pytest

from sim.rules.identifiers import (
    USCC_ALPHABET,
    is_valid_organization_code,
    is_valid_resident_id,
    is_valid_uscc,
    organization_code_check_char,
    resident_id_birth_date,
    resident_id_check_char,
    uscc_check_char,
    uscc_region,
)

# The example of GB 32100-2015 and codes published on business licences of well-known companies.
PUBLISHED_USCC = [
    "91350100M000100Y43",  # GB 32100-2015 worked example
    "914403001922038216",  # Huawei Technologies Co., Ltd.
    "91440300708461136T",  # Shenzhen Tencent Computer Systems Co., Ltd.
    "91330100799655058B",  # Alibaba (China) Co., Ltd.
    "91110000600037341L",
]
# The worked example of GB 11643-1999 and a widely reproduced specimen.
PUBLISHED_IDS = ["11010519491231002X", "440524188001010014"]


@pytest.mark.parametrize("code", PUBLISHED_USCC)
def test_published_credit_codes_are_valid(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]
    assert is_valid_uscc(code)


def test_alphabet_has_31_symbols_without_confusables() -> None:
    assert len(USCC_ALPHABET) == 31
    assert not set("IOZSV") & set(USCC_ALPHABET)


@pytest.mark.parametrize("code", PUBLISHED_USCC)
def test_every_single_substitution_is_caught(code: str) -> None:
    for pos in range(17):
        for ch in USCC_ALPHABET:
            if ch == code[pos] or (2 <= pos < 8 and not ch.isdigit()):
                continue
            assert not is_valid_uscc(code[:pos] + ch + code[pos + 1 :]), (pos, ch)


@pytest.mark.parametrize("code", PUBLISHED_USCC)
def test_adjacent_transpositions_are_caught(code: str) -> None:
    for pos in range(16):
        a, b = code[pos], code[pos + 1]
        if a != b:
            swapped = code[:pos] + b + a + code[pos + 2 :]
            assert not is_valid_uscc(swapped), pos


@pytest.mark.parametrize(
    "bad",
    ["", "91350100M000100Y4", "91350100M000100Y433", "91350100M000100I43", "913501O0M000100Y43"],
)
def test_malformed_credit_codes_are_invalid(bad: str) -> None:
    assert not is_valid_uscc(bad)


def test_check_char_rejects_characters_outside_the_alphabet() -> None:
    with pytest.raises(ValueError, match="alphabet"):
        uscc_check_char("9135010OM000100Y4")
    with pytest.raises(ValueError, match="17"):
        uscc_check_char("123")


def test_region_is_positions_3_to_8() -> None:
    assert uscc_region("91460100MA5T00011K") == "460100"


@pytest.mark.parametrize(("code", "valid"), [("192203821", True), ("708461136", True),
                                             ("192203822", False), ("M000100Y4", True)])
def test_organization_codes(code: str, valid: bool) -> None:
    assert is_valid_organization_code(code) is valid


def test_organization_check_writes_10_as_x_and_11_as_0() -> None:
    # Sum 164 -> 11 - 10 = 1; search bodies whose check is X or 0 and confirm the mapping.
    seen = {organization_code_check_char(f"{n:08d}") for n in range(0, 400)}
    assert "X" in seen and "0" in seen
    assert seen <= set("0123456789X")


@pytest.mark.parametrize("number", PUBLISHED_IDS)
def test_published_identity_numbers_are_valid(number: str) -> None:
    assert resident_id_check_char(number[:17]) == number[17]
    assert is_valid_resident_id(number)


@pytest.mark.parametrize("number", PUBLISHED_IDS)
def test_every_single_digit_change_and_transposition_is_caught(number: str) -> None:
    for pos in range(17):
        for digit in "0123456789":
            if digit != number[pos]:
                assert not is_valid_resident_id(number[:pos] + digit + number[pos + 1 :])
    for pos in range(16):
        a, b = number[pos], number[pos + 1]
        if a != b:
            assert not is_valid_resident_id(number[:pos] + b + a + number[pos + 2 :])


def test_identity_number_birth_date_and_bad_dates() -> None:
    assert resident_id_birth_date("11010519491231002X") == date(1949, 12, 31)
    body = "11010519490230002"  # 30 February
    assert not is_valid_resident_id(body + resident_id_check_char(body))
    leap = "46010520000229123"
    assert is_valid_resident_id(leap + resident_id_check_char(leap))


@pytest.mark.parametrize("bad", ["", "11010519491231002x", "1101051949123100X2", "a" * 18])
def test_malformed_identity_numbers_are_invalid(bad: str) -> None:
    assert not is_valid_resident_id(bad)
