"""Distributions as data: each sampler's mean agrees with its theoretical mean."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from sim.scenario.distributions import Distribution

ADAPTER: TypeAdapter[Distribution] = TypeAdapter(Distribution)

CASES = [
    ({"kind": "exponential", "mean": 60}, 60.0),
    ({"kind": "deterministic", "value": 45}, 45.0),
    ({"kind": "uniform", "low": 30, "high": 90}, 60.0),
    ({"kind": "triangular", "low": 60, "mode": 120, "high": 300}, 160.0),
    ({"kind": "lognormal", "mean": 1800, "sd": 900}, 1800.0),
    ({"kind": "gamma", "shape": 2.5, "scale": 40}, 100.0),
    ({"kind": "empirical", "values": [60, 120, 600], "weights": [0.7, 0.2, 0.1]}, 126.0),
    ({"kind": "empirical", "values": [10, 20]}, 15.0),
]


@pytest.mark.parametrize(("data", "expected"), CASES, ids=[c[0]["kind"] for c in CASES])
def test_sample_mean_matches_theory(data: dict[str, object], expected: float) -> None:
    dist = ADAPTER.validate_python(data)
    assert dist.mean() == pytest.approx(expected)
    draws = dist.sample(np.random.default_rng(7), 200_000)
    assert draws.shape == (200_000,)
    assert (draws >= 0).all()
    # Five standard errors of the sample mean: fails for a wrong sampler, not by chance.
    stderr = float(draws.std()) / math.sqrt(draws.size)
    assert abs(float(draws.mean()) - expected) <= 5 * stderr + 1e-9


def test_lognormal_matches_requested_spread() -> None:
    dist = ADAPTER.validate_python({"kind": "lognormal", "mean": 100, "sd": 50})
    draws = dist.sample(np.random.default_rng(3), 400_000)
    assert float(draws.std()) == pytest.approx(50, rel=0.03)


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "exponential", "mean": 0},
        {"kind": "exponential", "mean": -5},
        {"kind": "uniform", "low": 10, "high": 5},
        {"kind": "triangular", "low": 10, "mode": 5, "high": 20},
        {"kind": "empirical", "values": [1, 2], "weights": [1]},
        {"kind": "empirical", "values": []},
        {"kind": "gamma", "shape": 0, "scale": 1},
        {"kind": "normal", "mean": 3},
        {"kind": "exponential", "mean": 3, "rate": 2},
    ],
)
def test_invalid_distributions_are_rejected(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(data)


def test_same_stream_same_draws() -> None:
    dist = ADAPTER.validate_python({"kind": "triangular", "low": 1, "mode": 2, "high": 5})
    a = dist.sample(np.random.default_rng(11), 10)
    b = dist.sample(np.random.default_rng(11), 10)
    assert np.array_equal(a, b)
