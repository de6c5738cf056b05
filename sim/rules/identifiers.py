"""Check characters of the two identifiers every Chinese entity carries.

**Unified social credit code (统一社会信用代码), GB 32100-2015.** Eighteen characters::

    9 1 460100 MA5T1234X Y
    | | |      |         `- 18: check character
    | | |      `----------- 9-17: organisation code (GB 11714: 8 body characters + its own check)
    | | `------------------ 3-8: division code of the registering authority (46xxxx = Hainan)
    | `-------------------- 2: organisation type (1 = enterprise for authority 9)
    `---------------------- 1: registration authority (9 = market regulation)

Every character comes from a 31-symbol alphabet: the ten digits and the capital letters without
I, O, Z, S and V (too easily confused with 1, 0, 2, 5 and U). A character's value is its index in
that alphabet. Position ``i`` (0-based) weighs ``3**i mod 31``; the check character is the one
whose value is ``(31 - sum(value * weight) mod 31) mod 31``.

**Organisation code, GB 11714-1997.** Eight body characters (digits and capital letters, value
0-9 then A=10 ... Z=35) weighted 3, 7, 9, 10, 5, 8, 4, 2, and a check ``11 - sum mod 11`` written
as a digit, ``X`` for 10 and ``0`` for 11. It sits at positions 9-17 of the credit code.

**Resident identity number (公民身份号码), GB 11643-1999.** Eighteen characters: a six-digit
address code (where the number was first issued), the birth date ``YYYYMMDD``, a three-digit
sequence (odd for men, even for women) and a check character by ISO 7064 MOD 11-2: position ``i``
weighs ``2**(17 - i) mod 11``, and the check is ``(12 - sum mod 11) mod 11``, written ``X`` for 10.

These are pure functions on strings; the vectorised generators in :mod:`sim.population.codes`
compute the same check characters on whole arrays and are cross-checked against these.
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "ORG_CODE_WEIGHTS",
    "RESIDENT_ID_WEIGHTS",
    "USCC_ALPHABET",
    "USCC_WEIGHTS",
    "is_valid_organization_code",
    "is_valid_resident_id",
    "is_valid_uscc",
    "organization_code_check_char",
    "resident_id_birth_date",
    "resident_id_check_char",
    "uscc_check_char",
    "uscc_region",
]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 symbols of GB 32100-2015, in value order (no I, O, Z, S, V)."""

USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
"""Weights of positions 1-17: 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28."""

ORG_CODE_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
"""Weights of the eight body characters of a GB 11714 organisation code."""

RESIDENT_ID_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
"""Weights of positions 1-17: 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2."""

_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_ORG_VALUE = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_ID_CHECK = "10X98765432"  # indexed by (weighted sum mod 11)


def uscc_check_char(first17: str) -> str:
    """The check character (position 18) of a unified social credit code.

    Args:
        first17: the first 17 characters, from :data:`USCC_ALPHABET`.

    Raises:
        ValueError: if ``first17`` is not 17 characters of the alphabet.
    """
    if len(first17) != 17:
        raise ValueError(f"need the first 17 characters (got {len(first17)})")
    try:
        total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not in the GB 32100 alphabet") from None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def organization_code_check_char(body8: str) -> str:
    """The check character of a GB 11714 organisation code from its eight body characters.

    Raises:
        ValueError: if ``body8`` is not eight digits or capital letters.
    """
    if len(body8) != 8:
        raise ValueError(f"need the 8 body characters (got {len(body8)})")
    try:
        total = sum(_ORG_VALUE[ch] * w for ch, w in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not a digit or capital letter") from None
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def is_valid_organization_code(code: str) -> bool:
    """Whether ``code`` is nine characters with a correct GB 11714 check character."""
    if len(code) != 9:
        return False
    try:
        return organization_code_check_char(code[:8]) == code[8]
    except ValueError:
        return False


def is_valid_uscc(code: str) -> bool:
    """Whether ``code`` is a well-formed unified social credit code with the right check character.

    Well-formed: 18 characters of the GB 32100 alphabet, a six-digit division code at positions
    3-8. The embedded organisation code's own check is not required here (see
    :func:`is_valid_organization_code`), because codes issued before 2015 carried over
    organisation codes as they were.
    """
    if len(code) != 18 or not code[2:8].isdigit() or not code[2:8].isascii():
        return False
    try:
        return uscc_check_char(code[:17]) == code[17]
    except ValueError:
        return False


def uscc_region(code: str) -> str:
    """The six-digit administrative division code of a credit code (``46xxxx`` is Hainan)."""
    return code[2:8]


def resident_id_check_char(first17: str) -> str:
    """The check character (digit, or ``X`` for 10) of a resident identity number.

    Raises:
        ValueError: if ``first17`` is not 17 ASCII digits.
    """
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError(f"need the first 17 digits (got {first17!r})")
    total = sum(int(ch) * w for ch, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_birth_date(number: str) -> date:
    """The birth date encoded in positions 7-14.

    Raises:
        ValueError: if those positions are not a real calendar date.
    """
    text = number[6:14]
    if len(text) != 8 or not text.isdigit() or not text.isascii():
        raise ValueError(f"positions 7-14 are not a date (got {text!r})")
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def is_valid_resident_id(number: str) -> bool:
    """Whether ``number`` is an 18-character identity number with a real birth date and check.

    The check character may be a digit or a capital ``X``.
    """
    if len(number) != 18:
        return False
    try:
        resident_id_birth_date(number)
        return resident_id_check_char(number[:17]) == number[17]
    except ValueError:
        return False
