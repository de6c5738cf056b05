"""Vectorised codes: every generated code passes the scalar validators, and codes are unique."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.population.codes import (
    AffinePermutation,
    civil_from_days,
    plate_array,
    resident_id_array,
    to_arrow_strings,
    uscc_array,
)
from sim.population.regions import HAINAN_REGIONS, REGIONS
from sim.rules.identifiers import (
    is_valid_organization_code,
    is_valid_resident_id,
    is_valid_uscc,
    resident_id_birth_date,
    uscc_region,
)


def test_affine_permutation_is_a_bijection() -> None:
    perm = AffinePermutation(31**3, np.random.default_rng(5))
    image = perm(np.arange(31**3))
    assert np.array_equal(np.sort(image), np.arange(31**3))
    with pytest.raises(ValueError, match="serials"):
        perm(np.array([31**3]))


def test_every_generated_credit_code_is_valid_unique_and_in_its_region() -> None:
    rng = np.random.default_rng(1)
    n = 50_000
    codes_by_region = np.array([r.code for r in REGIONS])
    region = codes_by_region[rng.integers(0, len(REGIONS), n)]
    codes = to_arrow_strings(
        uscc_array(region, np.arange(n), AffinePermutation(31**8, rng))
    ).to_pylist()
    assert len(set(codes)) == n
    assert all(is_valid_uscc(c) for c in codes)
    assert all(is_valid_organization_code(c[8:17]) for c in codes)
    assert [int(uscc_region(c)) for c in codes] == region.tolist()
    assert all(c.startswith("91") for c in codes)


def test_every_generated_identity_number_is_valid_and_encodes_its_parts() -> None:
    rng = np.random.default_rng(2)
    n = 50_000
    region = np.array([r.code for r in HAINAN_REGIONS])[rng.integers(0, len(HAINAN_REGIONS), n)]
    birth = rng.integers(-25_000, 20_000, n)  # 1901 .. 2024
    seq = rng.integers(0, 1000, n)
    numbers = to_arrow_strings(resident_id_array(region, birth, seq)).to_pylist()
    assert all(is_valid_resident_id(x) for x in numbers)
    expected = birth.astype("datetime64[D]").tolist()
    assert [resident_id_birth_date(x) for x in numbers] == expected
    assert [int(x[:6]) for x in numbers] == region.tolist()
    assert [int(x[14:17]) for x in numbers] == seq.tolist()


def test_civil_from_days_matches_numpy_calendar() -> None:
    days = np.arange(-200_000, 200_000, 7)
    year, month, day = civil_from_days(days)
    d = days.astype("datetime64[D]")
    assert np.array_equal(year, d.astype("datetime64[Y]").astype(int) + 1970)
    assert np.array_equal(month, d.astype("datetime64[M]").astype(int) % 12 + 1)
    assert np.array_equal(day, (d - d.astype("datetime64[M]")).astype(int) + 1)


def test_plates_are_well_formed_and_unique() -> None:
    rng = np.random.default_rng(3)
    n = 40_000
    nev = rng.random(n) < 0.3
    plates = plate_array(
        ("琼", "粤"), rng.integers(0, 2, n), rng.integers(65, 70, n).astype(np.uint8),
        np.arange(n), AffinePermutation(34**5, rng), nev,
    ).to_pylist()
    assert len(set(plates)) == n
    ordinary = re.compile(r"[琼粤][A-E][0-9A-HJ-NP-Z]{5}")
    green = re.compile(r"[琼粤][A-E][DF][0-9A-HJ-NP-Z]{5}")
    for plate, is_nev in zip(plates, nev, strict=True):
        assert (green if is_nev else ordinary).fullmatch(plate), plate
