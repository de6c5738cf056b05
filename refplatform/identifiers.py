"""Identifier checks at registration, worded for the client: USCC and resident ID number.

The rules are :mod:`sim.rules.identifiers` (GB 32100-2015 credit codes, GB 11643-1999 identity
numbers, with their check characters); this module only turns a failed check into the sentence
a problem+json ``detail`` carries, naming what is wrong (length, alphabet, birth date or the
check character that was expected), before anything is stored.
"""

from __future__ import annotations

from sim.rules.identifiers import (
    USCC_ALPHABET,
    is_valid_resident_id,
    is_valid_uscc,
    resident_id_birth_date,
    resident_id_check_char,
    uscc_check_char,
)

__all__ = ["check_code"]


def _uscc_problem(code: str) -> str | None:
    if is_valid_uscc(code):
        return None
    if len(code) != 18:
        return "a unified social credit code has 18 characters"
    if any(ch not in USCC_ALPHABET for ch in code):
        return "a unified social credit code uses digits and A-Y without I, O, S, V, Z"
    if not code[2:8].isdigit():
        return "characters 3-8 of a unified social credit code are a division code (digits)"
    expected = uscc_check_char(code[:17])
    return f"the check character of this unified social credit code should be {expected}"


def _id_problem(code: str) -> str | None:
    if is_valid_resident_id(code):
        return None
    if len(code) != 18 or not code[:17].isdigit() or code[17] not in "0123456789X":
        return "a resident identity number is 17 digits and a check digit (0-9 or X)"
    try:
        resident_id_birth_date(code)
    except ValueError:
        return "digits 7-14 of a resident identity number are a birth date (YYYYMMDD)"
    expected = resident_id_check_char(code[:17])
    return f"the check digit of this resident identity number should be {expected}"


def check_code(kind: str, code: str) -> str | None:
    """Why ``code`` is not a valid identifier for an entity of ``kind``, or None if it is.

    Args:
        kind: ``enterprise`` (USCC) or ``individual`` (resident identity number).
        code: The identifier; letters are compared upper-case.

    Returns:
        A sentence naming the problem, or None.
    """
    code = code.upper()
    return _uscc_problem(code) if kind == "enterprise" else _id_problem(code)
