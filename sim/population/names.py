"""Bounded pools of Faker names, combined by index into millions of names.

Faker is slow (tens of microseconds a call) and a population of millions needs a name per entity,
so Faker is called only to fill small pools: surnames, given names and company words, a few
thousand each. Surnames are drawn by Faker with its frequency weights, so common surnames recur in
the pool as they do in life. Entity names are then assembled by sampling pool indices with NumPy
and joining the strings with Arrow compute, one vectorised call per column.

Each pool has its own Faker instance (locale zh_CN) seeded with ``seed_instance`` from a named
stream, so the pools depend only on the run's seed and the pool size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker

from sim.rng import RandomStreams

__all__ = ["INDUSTRY_WORDS", "NamePools", "company_names", "person_names"]

INDUSTRY_WORDS: dict[str, str] = {
    "wholesale_trade": "贸易",
    "processing_manufacturing": "制造",
    "logistics": "物流",
    "electronics": "电子",
    "pharma_medical": "医药",
    "food_agriculture": "农业",
    "petrochemical": "石化",
    "retail_tourism": "商业",
    "marine_equipment": "海洋装备",
}
"""The word an industry puts in a company name; other industries get 实业 (general business)."""

_DEFAULT_INDUSTRY_WORD = "实业"


def _faker(streams: RandomStreams, name: str) -> Faker:
    fake = Faker("zh_CN")
    fake.seed_instance(streams.integer_seed(name))
    return fake


@dataclass(frozen=True)
class NamePools:
    """Pools of name parts as Arrow string arrays."""

    surnames: pa.Array
    given_names: pa.Array
    company_words: pa.Array

    @staticmethod
    def build(streams: RandomStreams, size: int) -> NamePools:
        """Fill each pool with ``size`` Faker draws (one seeded Faker instance per pool)."""
        surname = _faker(streams, "population.names.surnames")
        given = _faker(streams, "population.names.given")
        company = _faker(streams, "population.names.companies")
        return NamePools(
            surnames=pa.array([surname.last_name() for _ in range(size)], pa.string()),
            given_names=pa.array([given.first_name() for _ in range(size)], pa.string()),
            company_words=pa.array([company.company_prefix() for _ in range(size)], pa.string()),
        )


def person_names(pools: NamePools, rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` full names: a pooled surname followed by a pooled given name."""
    surnames = pools.surnames.take(pa.array(rng.integers(0, len(pools.surnames), n)))
    given = pools.given_names.take(pa.array(rng.integers(0, len(pools.given_names), n)))
    joined: pa.Array = pc.binary_join_element_wise(surnames, given, "")
    return joined


def company_names(
    pools: NamePools,
    rng: np.random.Generator,
    places: pa.Array,
    industry_keys: list[str],
    industry: np.ndarray,
) -> pa.Array:
    """Company names: place, pooled word, industry word, 有限公司 (e.g. 海口鸿睿贸易有限公司).

    Args:
        pools: the name pools.
        rng: the stream to sample pool indices from.
        places: the place name of each company.
        industry_keys: industry keys that ``industry`` indexes.
        industry: index of each company's industry.
    """
    words = pools.company_words.take(pa.array(rng.integers(0, len(pools.company_words),
                                                           len(industry))))
    table = pa.array([INDUSTRY_WORDS.get(k, _DEFAULT_INDUSTRY_WORD) for k in industry_keys])
    trade = table.take(pa.array(industry))
    suffix = pa.scalar("有限公司")
    joined: pa.Array = pc.binary_join_element_wise(places, words, trade, suffix, "")
    return joined
