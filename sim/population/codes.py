"""Credit codes, identity numbers and plates for whole arrays at once.

The scalar rules live in :mod:`sim.rules.identifiers`; here the same check characters are computed
on ``(n, 17)`` matrices of character values with one matrix product, so a million codes take
milliseconds. Results are NumPy fixed-width byte strings (``S18``), turned into Arrow string
arrays without copying by :func:`to_arrow_strings`.

Codes must be *unique* within a population (they are the entities' keys), and random draws
collide: a million draws from 31^8 organisation codes collide with probability about 16%. So
the variable part of a code is not drawn but computed from the entity's serial number by an
affine permutation ``(a * serial + b) mod M`` with ``gcd(a, M) = 1``, a bijection of
``[0, M)``: distinct serials give distinct codes, and the codes still look random. ``a`` and
``b`` come from the run's seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from sim.rules.identifiers import (
    ORG_CODE_WEIGHTS,
    RESIDENT_ID_WEIGHTS,
    USCC_ALPHABET,
    USCC_WEIGHTS,
)

__all__ = [
    "PLATE_ALPHABET",
    "AffinePermutation",
    "civil_from_days",
    "plate_array",
    "resident_id_array",
    "to_arrow_strings",
    "uscc_array",
]

PLATE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Characters of a plate's serial: digits and capital letters without I and O (34 symbols)."""

_USCC_ASCII = np.frombuffer(USCC_ALPHABET.encode("ascii"), dtype=np.uint8)
_PLATE_ASCII = np.frombuffer(PLATE_ALPHABET.encode("ascii"), dtype=np.uint8)
# GB 11714 value of each USCC symbol (digits 0-9, letters A=10 ... Z=35).
_ORG_VALUE_OF_USCC = np.array(
    [int(ch) if ch.isdigit() else 10 + ord(ch) - ord("A") for ch in USCC_ALPHABET], dtype=np.int64
)
_USCC_INDEX_OF_X = USCC_ALPHABET.index("X")
_ID_CHECK_ASCII = np.frombuffer(b"10X98765432", dtype=np.uint8)
_ORG_BODY_SPACE = 31**8
_PLATE_SPACE = 34**5


class AffinePermutation:
    """A seeded bijection of ``[0, modulus)``: ``x -> (a * x + b) mod modulus``.

    Args:
        modulus: size of the space.
        rng: generator the multiplier and offset are drawn from.
    """

    def __init__(self, modulus: int, rng: np.random.Generator) -> None:
        self.modulus = modulus
        # A multiplier below 2**31 keeps a * x inside int64 for any x below 2**32.
        while True:
            a = int(rng.integers(2**20, 2**31))
            if math.gcd(a, modulus) == 1:
                break
        self.a = a
        self.b = int(rng.integers(0, modulus))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Map serials (``0 <= x < min(modulus, 2**32)``) to their permuted values."""
        x = np.asarray(x, dtype=np.int64)
        if x.size and (x.min() < 0 or x.max() >= min(self.modulus, 2**32)):
            raise ValueError(f"serials must lie in [0, {min(self.modulus, 2**32)})")
        mapped: np.ndarray = (x * self.a + self.b) % self.modulus
        return mapped


def _base_digits(x: np.ndarray, base: int, width: int) -> np.ndarray:
    """Digits of ``x`` in ``base``, most significant first, as an ``(n, width)`` int64 matrix."""
    out = np.empty((x.shape[0], width), dtype=np.int64)
    rest = x.astype(np.int64, copy=True)
    for col in range(width - 1, -1, -1):
        out[:, col] = rest % base
        rest //= base
    return out


_DIGITS4 = np.array([[int(c) for c in f"{i:04d}"] for i in range(10_000)], dtype=np.int64)
_DIGITS4_U8 = _DIGITS4.astype(np.uint8)


def _decimal_digits(x: np.ndarray, width: int) -> np.ndarray:
    """Decimal digits of ``x`` (most significant first), four at a time from a lookup table."""
    groups = -(-width // 4)
    out = np.empty((x.shape[0], groups * 4), dtype=np.int64)
    rest = x.astype(np.int64, copy=True)
    for g in range(groups - 1, -1, -1):
        out[:, 4 * g : 4 * g + 4] = _DIGITS4[rest % 10_000]
        rest //= 10_000
    return out[:, groups * 4 - width :]


def civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day (1-31) of day numbers since 1970-01-01, in integer arithmetic.

    The proleptic Gregorian algorithm of H. Hinnant ("chrono-compatible low-level date
    algorithms"), much faster on large arrays than converting ``datetime64`` units.
    """
    z = np.asarray(days, dtype=np.int64) + 719_468
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def uscc_array(region: np.ndarray, serial: np.ndarray, perm: AffinePermutation) -> np.ndarray:
    """Unified social credit codes of enterprises (authority 9, type 1), as ``S18`` bytes.

    Args:
        region: six-digit division codes, one per enterprise.
        serial: distinct serial numbers (the enterprises' row numbers); distinct serials give
            distinct codes.
        perm: a permutation of ``[0, 31**8)`` scrambling serials into organisation codes.

    Returns:
        An array of 18-byte codes whose organisation code (positions 9-17) and check character
        (position 18) are valid.
    """
    if perm.modulus != _ORG_BODY_SPACE:
        raise ValueError("perm must permute [0, 31**8)")
    n = len(serial)
    values = np.empty((n, 17), dtype=np.int64)
    values[:, 0] = 9  # registration authority: market regulation
    values[:, 1] = 1  # organisation type: enterprise
    values[:, 2:8] = _decimal_digits(np.asarray(region), 6)
    body = _base_digits(perm(serial), 31, 8)
    values[:, 8:16] = body
    org_sum = (_ORG_VALUE_OF_USCC[body] * np.array(ORG_CODE_WEIGHTS)).sum(axis=1)
    org_check = 11 - org_sum % 11  # 1..11; 10 is written X and 11 is written 0
    values[:, 16] = np.where(org_check == 10, _USCC_INDEX_OF_X, org_check % 11)
    total = values @ np.array(USCC_WEIGHTS, dtype=np.int64)
    check = (31 - total % 31) % 31
    ascii_ = np.empty((n, 18), dtype=np.uint8)
    ascii_[:, :17] = _USCC_ASCII[values]
    ascii_[:, 17] = _USCC_ASCII[check]
    return ascii_.reshape(-1).view("S18")


def resident_id_array(region: np.ndarray, birth: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """Resident identity numbers as ``S18`` bytes.

    Args:
        region: six-digit address codes.
        birth: birth dates as day numbers since 1970-01-01.
        sequence: three-digit sequence numbers, 0-999 (odd for men, even for women).
    """
    year, month, day = civil_from_days(birth)
    # Digits come from small lookup tables per component, far faster than 17 divisions.
    regions, which = np.unique(np.asarray(region, dtype=np.int64), return_inverse=True)
    digits = np.empty((len(year), 17), dtype=np.uint8)
    digits[:, :6] = _decimal_digits(regions, 6).astype(np.uint8)[which]
    digits[:, 6:10] = _DIGITS4_U8[year]
    digits[:, 10:12] = _DIGITS4_U8[month, 2:]
    digits[:, 12:14] = _DIGITS4_U8[day, 2:]
    digits[:, 14:17] = _DIGITS4_U8[np.asarray(sequence, dtype=np.int64), 1:]
    total = np.zeros(len(year), dtype=np.int64)
    for col, weight in enumerate(RESIDENT_ID_WEIGHTS):
        total += digits[:, col] * weight
    ascii_ = np.empty((len(year), 18), dtype=np.uint8)
    ascii_[:, :17] = digits + ord("0")
    ascii_[:, 17] = _ID_CHECK_ASCII[total % 11]
    return ascii_.reshape(-1).view("S18")


def plate_array(
    provinces: Sequence[str],
    province: np.ndarray,
    city: np.ndarray,
    serial: np.ndarray,
    perm: AffinePermutation,
    new_energy: np.ndarray,
) -> pa.Array:
    """Licence plates such as ``琼A3K7Q2`` (ordinary) or ``琼AD12345``-style (new energy).

    Args:
        provinces: provincial abbreviations (one CJK character each) indexed by ``province``.
        province: index into ``provinces`` per vehicle.
        city: ASCII code of the city letter per vehicle.
        serial: distinct serial numbers; distinct serials give distinct plates.
        perm: a permutation of ``[0, 34**5)``.
        new_energy: whether each vehicle is new-energy (green plate, D or F before the serial).

    Returns:
        An Arrow string array.
    """
    if perm.modulus != _PLATE_SPACE:
        raise ValueError("perm must permute [0, 34**5)")
    encoded = [p.encode("utf-8") for p in provinces]
    if any(len(e) != 3 for e in encoded):
        raise ValueError("each province abbreviation must be one CJK character")
    n = len(serial)
    nev = np.asarray(new_energy, dtype=bool)
    scrambled = perm(serial)
    matrix = np.zeros((n, 10), dtype=np.uint8)
    matrix[:, :3] = np.frombuffer(b"".join(encoded), dtype=np.uint8).reshape(-1, 3)[province]
    matrix[:, 3] = city
    chars = _PLATE_ASCII[_base_digits(scrambled, 34, 5)]
    # New-energy small cars: D (battery) or F (hybrid) before the serial.
    prefix = np.where(scrambled % 2 == 0, ord("D"), ord("F")).astype(np.uint8)
    matrix[nev, 4] = prefix[nev]
    matrix[nev, 5:] = chars[nev]
    matrix[~nev, 4:9] = chars[~nev]
    lengths = np.where(nev, 10, 9)
    keep = np.arange(10) < lengths[:, None]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(matrix[keep]))
    )


def to_arrow_strings(fixed: np.ndarray) -> pa.Array:
    """Turn fixed-width ASCII byte strings (``S<k>``, no padding) into an Arrow string array."""
    width = fixed.dtype.itemsize
    n = len(fixed)
    data = pa.py_buffer(np.ascontiguousarray(fixed).view(np.uint8))
    offsets = pa.py_buffer(np.arange(0, (n + 1) * width, width, dtype=np.int32))
    return pa.StringArray.from_buffers(n, offsets, data)
