"""Who moves goods in the goods flow: the enterprises it simulates, and how they are sampled.

Each enterprise of the goods flow (:mod:`sim.model.goods_flow`) is a :class:`GoodsEnterprise`:
an identity, a credit tier (which qualifies it for batch exit), an encouraged-industry flag (the
value-added policy), whether it uses batch exit, and optionally its own planted violation rate.
They come either from the scenario's own shares (:func:`draw_enterprises`, the reduction the
model uses on its own) or from the synthetic population's enterprise table
(:func:`enterprises_from_columns`, which :mod:`sim.world` calls).

In both, an enterprise uses batch exit when it is AEO or whitelist and its own fixed uniform
draw is below ``goods.batch_exit_adoption``: raising the adoption adds users without
reshuffling anyone (common random numbers for the what-if).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.rules import batch_exit as bx
from sim.rules.tiers import TIERS
from sim.scenario.goods import GoodsConfig

__all__ = ["GoodsEnterprise", "draw_enterprises", "enterprises_from_columns"]




@dataclass(frozen=True)
class GoodsEnterprise:
    """One sampled enterprise: identity, credit tier, industry and whether it uses batch exit.

    ``violation_rate`` is the planted probability that one of its declarations violates the
    rules (from the population); None means the rate of its tier in ``policy.tiers``.
    """

    entity_id: str
    tier: str
    encouraged: bool
    batch_exit: bool
    violation_rate: float | None = None


def draw_enterprises(cfg: GoodsConfig, rng: np.random.Generator) -> list[GoodsEnterprise]:
    """The sample of enterprises, drawn from the section's shares.

    Batch exit is used by AEO/whitelist enterprises whose uniform draw is below the adoption
    share, so a higher adoption keeps every earlier user (common random numbers).
    """
    n = cfg.enterprises
    shares = cfg.tier_shares
    tiers = rng.choice(3, size=n, p=[shares.aeo, shares.whitelist, shares.key_attention])
    encouraged = rng.random(n) < cfg.encouraged_share
    uptake = rng.random(n)
    out = []
    for i in range(n):
        tier = TIERS[int(tiers[i])]
        uses = tier in bx.BATCH_EXIT_TIERS and bool(uptake[i] < cfg.batch_exit_adoption)
        out.append(GoodsEnterprise(f"HN{i:05d}", tier, bool(encouraged[i]), uses))
    return out


def enterprises_from_columns(
    ids: Sequence[str],
    tiers: Sequence[str],
    encouraged: Sequence[bool],
    zero_tariff: Sequence[bool],
    cfg: GoodsConfig,
    rng: np.random.Generator,
    violation_rate: Sequence[float] | None = None,
) -> list[GoodsEnterprise]:
    """A sample of the population's zero-tariff-eligible enterprises for the goods flow.

    The columns are those of the population's enterprise table (``uscc``, the tier on the start
    date, ``encouraged``, ``zero_tariff``, and optionally ``violation_rate``); up to
    ``cfg.enterprises`` eligible rows are sampled without replacement, in table order.
    Batch-exit use follows ``cfg.batch_exit_adoption`` (the goods section owns the what-if),
    with the same monotone uptake draw as :func:`draw_enterprises`.
    """
    eligible = np.flatnonzero(np.asarray(zero_tariff, dtype=bool))
    n = min(cfg.enterprises, len(eligible))
    rows = np.sort(rng.choice(eligible, size=n, replace=False)) if n else eligible[:0]
    uptake = rng.random(len(rows))
    out = []
    for row, u in zip(rows.tolist(), uptake.tolist(), strict=True):
        tier = str(tiers[row])
        uses = tier in bx.BATCH_EXIT_TIERS and u < cfg.batch_exit_adoption
        rate = None if violation_rate is None else float(violation_rate[row])
        out.append(GoodsEnterprise(str(ids[row]), tier, bool(encouraged[row]), uses, rate))
    return out
