"""Identifier checks at registration: the USCC and the resident identity number.

An enterprise registers under its unified social credit code (GB 32100-2015: 18 characters
from a 31-character alphabet, the last a weighted modulo-31 check character); an individual
under a resident identity number (GB 11643-1999: 17 digits and a modulo-11 check digit, ``X``
for ten). A code that fails either is refused with the reason, before anything is stored.
"""

from __future__ import annotations

__all__ = ["check_code"]

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def _uscc_problem(code: str) -> str | None:
    if len(code) != 18:
        return "a unified social credit code has 18 characters"
    if any(ch not in _USCC_ALPHABET for ch in code):
        return "a unified social credit code uses digits and A-Y without I, O, S, V, Z"
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(code, _USCC_WEIGHTS, strict=False))
    expected = _USCC_ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"the check character of this unified social credit code should be {expected}"
    return None


def _id_problem(code: str) -> str | None:
    if len(code) != 18 or not code[:17].isdigit() or code[17] not in "0123456789X":
        return "a resident identity number is 17 digits and a check digit (0-9 or X)"
    total = sum(int(ch) * w for ch, w in zip(code, _ID_WEIGHTS, strict=False))
    value = (12 - total % 11) % 11
    expected = "X" if value == 10 else str(value)
    if code[17] != expected:
        return f"the check digit of this resident identity number should be {expected}"
    return None


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
