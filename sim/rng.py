"""One seeded random source per run, and named independent streams derived from it.

A simulation draws random numbers for many independent purposes: arrivals at each port, service
times, risk scores, the synthetic population. If they all shared one generator, changing a policy
(say, the scan rate) would shift every later draw and change the traffic too, so two scenarios
could not be compared draw for draw. Here every purpose asks for a *named stream*; the name is
hashed into the spawn key of a NumPy :class:`~numpy.random.SeedSequence` built from the run's
seed, so each stream is statistically independent, stable across runs and platforms, and
unaffected by how much any other stream is used. That is what makes common random numbers work.

Example:
    >>> streams = RandomStreams(42)
    >>> a = streams.generator("arrivals.xinhai.cargo_truck").random()
    >>> b = RandomStreams(42).generator("arrivals.xinhai.cargo_truck").random()
    >>> a == b
    True
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["RandomStreams", "stream_key"]


def stream_key(name: str) -> tuple[int, ...]:
    """Map a stream name to a stable spawn key (four 32-bit words of its SHA-256)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


class RandomStreams:
    """The run's random source: a seed and the named streams derived from it.

    Args:
        seed: the run's seed (a non-negative integer).
        replication: index of an independent replication; replication ``r`` of seed ``s`` is
            independent of replication ``r'`` and of every other seed.
    """

    def __init__(self, seed: int, replication: int = 0) -> None:
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be non-negative")
        self.seed = seed
        self.replication = replication
        self._generators: dict[str, np.random.Generator] = {}

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        """A fresh SeedSequence for ``name``; the same arguments always give the same sequence."""
        return np.random.SeedSequence(
            entropy=self.seed, spawn_key=(self.replication, *stream_key(name))
        )

    def generator(self, name: str) -> np.random.Generator:
        """The generator for stream ``name``, created on first use and then shared."""
        gen = self._generators.get(name)
        if gen is None:
            gen = np.random.Generator(np.random.PCG64(self.seed_sequence(name)))
            self._generators[name] = gen
        return gen

    def integer_seed(self, name: str) -> int:
        """A 63-bit integer seed for libraries that take one (Faker, ``random.Random``)."""
        return int(self.seed_sequence(name).generate_state(2, np.uint64)[0] >> np.uint64(1))
