"""Textbook queueing results the model is checked against.

M/M/c (Erlang C): with arrival rate lambda, service rate mu per server, c servers and offered load
a = lambda/mu < c, the probability that an arrival waits is

    C(c, a) = [a^c / c! * c/(c - a)] / [sum_{k<c} a^k/k! + a^c / c! * c/(c - a)]

and the mean wait in queue is Wq = C(c, a) / (c mu - lambda). For M/M/1 the sojourn time is
exponential with rate mu - lambda, so its p-quantile is -ln(1 - p) / (mu - lambda); the p90 is
ln(10) / (mu - lambda).

Non-preemptive priority (Cobham, 1954): classes 1..K arrive as independent Poisson streams; a
free server takes the waiting customer of the lowest class number, first come first served
within a class, and never interrupts one in service. The mean wait in queue of class k is

    W_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k)),   sigma_k = sum_{i<=k} rho_i,

where W0 is the mean work a new arrival finds in service before a server frees: for one server
with any service times (M/G/1), W0 = sum_i lambda_i E[S_i^2] / 2; for c servers with one
exponential rate mu for every class (M/M/c), W0 = C(c, a) / (c mu), and rho_i = lambda_i / (c mu).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def erlang_c(c: int, lam: float, mu: float) -> float:
    """Probability that an arrival to an M/M/c queue has to wait."""
    a = lam / mu
    if a >= c:
        raise ValueError("unstable queue: lambda / mu must be below c")
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def mmc_wq(c: int, lam: float, mu: float) -> float:
    """Mean waiting time in queue of an M/M/c queue."""
    return erlang_c(c, lam, mu) / (c * mu - lam)


def mm1_sojourn_quantile(p: float, lam: float, mu: float) -> float:
    """The p-quantile of the sojourn time in an M/M/1 queue."""
    return -math.log(1 - p) / (mu - lam)


def t_interval(values: list[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval over independent replications."""
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    half = float(stats.t.ppf((1 + level) / 2, arr.size - 1) * arr.std(ddof=1) / math.sqrt(arr.size))
    return mean, mean - half, mean + half


def bulk_service_left_behind(a: float, b: int) -> float:
    """Mean number left behind by a departure of a bulk-service queue with periodic service.

    Departures every T take up to ``b`` customers; arrivals are Poisson, ``a`` = lambda T per
    period. The number left after a departure is the Markov chain N' = max(N + A - b, 0),
    A ~ Poisson(a). Its stationary distribution solves pi = pi P on a state space truncated
    far beyond where it has mass (a < b), as a linear system.
    """
    if a >= b:
        raise ValueError("unstable queue: lambda T must be below b")
    size = int(60 * math.sqrt(a) + 20 * a / (b - a)) + 50
    pmf = stats.poisson.pmf(np.arange(size + b), a)
    p = np.zeros((size, size))
    for i in range(size):
        # from i: i + A - b = j for A = j + b - i (j >= 1); j = 0 collects A <= b - i
        low = b - i
        p[i, 0] = pmf[: max(low + 1, 0)].sum()
        js = np.arange(1, size)
        ks = js + low
        ok = (ks >= 0) & (ks < len(pmf))
        p[i, js[ok]] = pmf[ks[ok]]
    p /= p.sum(axis=1, keepdims=True)  # the truncated tail goes back into the kept states
    system = p.T - np.eye(size)
    system[-1, :] = 1.0  # replace one balance equation by sum(pi) = 1
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    pi = np.linalg.solve(system, rhs)
    return float(np.dot(np.arange(size), pi))


def cobham_mmc(c: int, lams: list[float], mu: float) -> list[float]:
    """Mean wait in queue of each class of an M/M/c non-preemptive priority queue (class 1 first).

    Every class is served at rate ``mu`` per server; ``lams`` are the classes' arrival rates.
    """
    lam = sum(lams)
    w0 = erlang_c(c, lam, mu) / (c * mu)
    return _cobham(w0, [x / (c * mu) for x in lams])


def cobham_mg1(lams: list[float], mean_s: list[float], second_moment_s: list[float]) -> list[float]:
    """Mean wait in queue of each class of an M/G/1 non-preemptive priority queue (class 1 first).

    Args:
        lams: the classes' arrival rates.
        mean_s: their mean service times E[S_i].
        second_moment_s: their service times' second moments E[S_i^2].
    """
    rho = sum(x * m for x, m in zip(lams, mean_s, strict=True))
    if rho >= 1:
        raise ValueError("unstable queue: the utilisation must be below 1")
    w0 = sum(x * m2 for x, m2 in zip(lams, second_moment_s, strict=True)) / 2
    return _cobham(w0, [x * m for x, m in zip(lams, mean_s, strict=True)])


def _cobham(w0: float, rhos: list[float]) -> list[float]:
    if sum(rhos) >= 1:
        raise ValueError("unstable queue: the utilisation must be below 1")
    waits, below = [], 0.0
    for r in rhos:
        waits.append(w0 / ((1 - below) * (1 - below - r)))
        below += r
    return waits
