"""The synthetic population: enterprises and individuals with dated credit histories.

Everything is columnar (NumPy arrays, Arrow tables) and drawn from named random streams of one
seed; Faker only fills small name pools. Entry points:

- :func:`generate_population` -> :class:`Population` in memory, whose ``traders()`` and
  ``travellers()`` are :class:`EntityPool` objects the port model draws from (row, tier on a
  date, planted violation);
- :func:`write_population`: the three files of ``customs-sim population``, atomically, and
  :func:`load_population` to read them back;
- :func:`simulate_dynamics`: monthly list sizes, listings and removals over years;
- :class:`TierTimeline`: vectorised credit tiers of many entities on any date.
"""

from sim.population.build import Population, generate_population, load_population
from sim.population.output import write_population
from sim.population.pool import Draw, EntityPool, PoolTierSource
from sim.population.timeline import TIERS, TierTimeline

__all__ = [
    "TIERS",
    "Draw",
    "EntityPool",
    "PoolTierSource",
    "Population",
    "TierTimeline",
    "generate_population",
    "load_population",
    "write_population",
]
