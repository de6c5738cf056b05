"""Probability distributions declared as data.

A scenario never names a Python function: a service time is written as data, for example
``{kind: triangular, low: 30, mode: 60, high: 120}`` (seconds), validated when the scenario is
loaded, and turned into draws only by the model. Every distribution knows its theoretical
``mean()`` so tests can check the sampler against it, and samples in vectorised blocks through a
NumPy generator from a named stream (see :mod:`sim.rng`).

Kinds: ``exponential``, ``deterministic``, ``uniform``, ``triangular``, ``lognormal`` (given by
its mean and standard deviation, as an analyst would state it), ``gamma`` (shape and scale) and
``empirical`` (values with weights).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Deterministic",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "LogNormal",
    "Triangular",
    "Uniform",
]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def mean(self) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class Exponential(_Dist):
    """Exponential with the given mean (rate = 1/mean)."""

    kind: Literal["exponential"]
    mean_: float = Field(alias="mean", gt=0, description="mean (seconds for durations)")

    def mean(self) -> float:
        return self.mean_

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean_, size)


class Deterministic(_Dist):
    """Always the same value."""

    kind: Literal["deterministic"]
    value: float = Field(ge=0)

    def mean(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, self.value)


class Uniform(_Dist):
    """Uniform on [low, high]."""

    kind: Literal["uniform"]
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high must be >= low (got low={self.low}, high={self.high})")
        return self

    def mean(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)


class Triangular(_Dist):
    """Triangular with minimum ``low``, mode ``mode`` and maximum ``high``."""

    kind: Literal["triangular"]
    low: float = Field(ge=0)
    mode: float = Field(ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            got = f"{self.low}, {self.mode}, {self.high}"
            raise ValueError(f"need low <= mode <= high and low < high (got {got})")
        return self

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, size)


class LogNormal(_Dist):
    """Log-normal given by the mean and standard deviation of the variable itself."""

    kind: Literal["lognormal"]
    mean_: float = Field(alias="mean", gt=0)
    sd: float = Field(gt=0, description="standard deviation of the variable (not of its log)")

    def _params(self) -> tuple[float, float]:
        sigma2 = math.log1p((self.sd / self.mean_) ** 2)
        return math.log(self.mean_) - sigma2 / 2, math.sqrt(sigma2)

    def mean(self) -> float:
        return self.mean_

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        mu, sigma = self._params()
        return rng.lognormal(mu, sigma, size)


class Gamma(_Dist):
    """Gamma with ``shape`` k and ``scale`` theta (mean k * theta)."""

    kind: Literal["gamma"]
    shape: float = Field(gt=0)
    scale: float = Field(gt=0)

    def mean(self) -> float:
        return self.shape * self.scale

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.gamma(self.shape, self.scale, size)


class Empirical(_Dist):
    """A discrete distribution over ``values`` with relative ``weights`` (default: equal)."""

    kind: Literal["empirical"]
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Empirical:
        if any(v < 0 for v in self.values):
            raise ValueError("values must be >= 0")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights must have one entry per value ({len(self.values)}), "
                    f"got {len(self.weights)}"
                )
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be >= 0 and not all zero")
        return self

    def _probabilities(self) -> np.ndarray:
        if self.weights is None:
            return np.full(len(self.values), 1 / len(self.values))
        w = np.asarray(self.weights, dtype=float)
        probabilities: np.ndarray = w / w.sum()
        return probabilities

    def mean(self) -> float:
        return float(np.dot(self.values, self._probabilities()))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        values = np.asarray(self.values, dtype=float)
        drawn: np.ndarray = rng.choice(values, size=size, p=self._probabilities())
        return drawn


Distribution = Annotated[
    Exponential | Deterministic | Uniform | Triangular | LogNormal | Gamma | Empirical,
    Field(discriminator="kind"),
]
"""Any distribution, chosen by its ``kind`` key."""
