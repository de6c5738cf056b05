"""Credit-list sizes day by day over a run: how many entities are on each list or tier.

The credit rules classify an entity on a date from its history (``sim.rules.oracle.tier_as_of``):
key attention while any listing ground holds, else AEO while certified, else the whitelist. The
population hands its credit histories over as *intervals* of days, ``[start, end)`` per entity,
each listing interval labelled with its ground (a category-2 listing event such as
``smuggling_penalty``, or the department whose lowest rating is a category-1 ground), exactly
as :class:`sim.population.TierTimeline` derives them. This module counts them per day of a run
without ever asking for an entity's tier on a date, so a year of a million entities costs a few
sorts over the intervals, not 365 passes over the population:

1. intervals are clipped to the run's days, sorted by (entity, start) and *merged* per entity
   (an entity listed on two overlapping grounds is listed once; a recurrence that starts before
   the previous listing lapses extends it): a running maximum of the ends within each entity
   tells where a new merged interval begins;
2. the merged intervals are counted per day with a difference array (+1 on the first day,
   -1 on the day it lapses) and a cumulative sum;
3. key attention is the merged listing intervals; AEO-tier is (listed or certified) minus listed
   (key attention outranks AEO); whitelist is everyone else; per ground, the intervals are
   merged per (entity, ground), so an entity listed on two grounds counts under each;
4. *listings* on day ``t`` are merged listing intervals starting that day and *removals* those
   lapsing that day (the first day off the list), so ``key_attention[t] = key_attention[t-1] +
   listings[t] - removals[t]``; day 0 is the baseline (no listings or removals counted).

:class:`ListSizes` is what a :class:`~sim.results.run.RunResult` carries: one
:class:`KindSizes` per kind of entity (``enterprise``, ``individual``). In ``kpis.json`` it is
the ``list_sizes`` section (:meth:`ListSizes.as_kpis`): the daily counts as lists named
``*_daily`` beside scalar summaries (size on the first and last day, peak, listings and removals
over the run) that become KPI rows; :func:`list_series` reads the daily lists back as
:class:`~sim.results.rows.KpiSeries` for experiments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from sim.results.rows import KpiSeries
from sim.rules.tiers import AEO, KEY_ATTENTION, TIERS, WHITELIST

__all__ = [
    "DAILY_SUFFIX",
    "LIST_SIZES_KEY",
    "KindSizes",
    "ListSizes",
    "count_lists",
    "describe_lists",
    "list_series",
    "merge_intervals",
]

LIST_SIZES_KEY = "list_sizes"
"""The section of ``kpis.json`` holding the list sizes."""

DAILY_SUFFIX = "_daily"
"""Suffix of the daily lists in that section (one value per day of the run)."""


def merge_intervals(
    owner: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge overlapping or touching intervals ``[start, end)`` of the same owner.

    Args:
        owner: non-negative group key of each interval (an entity row, or a row and a ground).
        start: first day of each interval.
        end: first day after each interval (``end > start``); finite, and small enough that
            ``owner.max() * (end.max() - start.min())`` fits in int64 (clip far-off ends to
            the days of interest first, as :func:`count_lists` does).

    Returns:
        ``(owner, start, end)`` of the merged intervals, sorted by owner and start.
    """
    owner = np.asarray(owner, dtype=np.int64)
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    if len(owner) == 0:
        return owner, start, end
    order = np.lexsort((start, owner))
    o, s, e = owner[order], start[order], end[order]
    # A running maximum of the ends within each owner: shifting each owner's ends into its own
    # band (owner * width) keeps earlier owners' ends below the current owner's.
    low = int(s.min())
    width = int(e.max()) - low + 1
    banded = o * width + (e - low)
    reach = np.maximum.accumulate(banded) - o * width + low  # max end so far (same owner)
    new = np.ones(len(o), dtype=bool)
    new[1:] = (o[1:] != o[:-1]) | (s[1:] > reach[:-1])
    first = np.flatnonzero(new)
    return o[first], s[first], np.maximum.reduceat(e, first)


def _per_day(start: np.ndarray, end: np.ndarray, days: int) -> np.ndarray:
    """How many of the (clipped, offset) intervals cover each of ``days`` days."""
    diff = np.bincount(start, minlength=days + 1) - np.bincount(end, minlength=days + 1)
    counts: np.ndarray = np.cumsum(diff)[:days]
    return counts


def _clip(
    start: np.ndarray, end: np.ndarray, first: int, days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intervals as day offsets from ``first`` clipped to ``[0, days)``, and which were kept."""
    s = np.clip(np.asarray(start, dtype=np.int64) - first, 0, days)
    e = np.clip(np.asarray(end, dtype=np.int64) - first, 0, days)
    keep = e > s
    return s[keep], e[keep], keep


@dataclass(frozen=True)
class KindSizes:
    """The daily list sizes of one kind of entity.

    Attributes:
        entities: how many entities of the kind there are.
        tiers: tier name -> entities in that tier each day (the tiers the kind has).
        listings: entities that joined the key-attention list each day (0 on day 0).
        removals: entities that left it each day, automatically (0 on day 0).
        by_ground: listing ground -> entities listed on that ground each day (an entity on
            two grounds counts under both); grounds that list no one during the run are left out.
    """

    entities: int
    tiers: dict[str, np.ndarray]
    listings: np.ndarray
    removals: np.ndarray
    by_ground: dict[str, np.ndarray]

    def as_kpis(self) -> dict[str, Any]:
        """The JSON-ready section of this kind: daily lists and their summaries."""
        out: dict[str, Any] = {"entities": self.entities}
        for tier, counts in self.tiers.items():
            out[tier] = _summary(counts)
        out["listings"] = {"total": int(self.listings.sum()),
                           f"count{DAILY_SUFFIX}": self.listings.tolist()}
        out["removals"] = {"total": int(self.removals.sum()),
                           f"count{DAILY_SUFFIX}": self.removals.tolist()}
        out["by_ground"] = {g: _summary(c) for g, c in sorted(self.by_ground.items())}
        return out


def _summary(counts: np.ndarray) -> dict[str, Any]:
    return {
        "first": int(counts[0]) if len(counts) else 0,
        "last": int(counts[-1]) if len(counts) else 0,
        "peak": int(counts.max()) if len(counts) else 0,
        f"count{DAILY_SUFFIX}": counts.tolist(),
    }


@dataclass(frozen=True)
class ListSizes:
    """List sizes of a run's population, per kind of entity, for each day of the run.

    Attributes:
        first_day: the run's first day (local date of its start).
        days: number of days covered (every day the run simulates some of).
        kinds: ``enterprise`` / ``individual`` -> its sizes.
    """

    first_day: date
    days: int
    kinds: dict[str, KindSizes]

    def dates(self) -> list[date]:
        """The dates of the days, in order."""
        return [self.first_day + timedelta(days=i) for i in range(self.days)]

    def as_kpis(self) -> dict[str, Any]:
        """The ``list_sizes`` section of ``kpis.json``."""
        return {
            "first_day": self.first_day.isoformat(),
            "days": self.days,
            **{kind: sizes.as_kpis() for kind, sizes in sorted(self.kinds.items())},
        }


def count_lists(
    entities: int,
    listed: tuple[np.ndarray, np.ndarray, np.ndarray],
    grounds: np.ndarray,
    ground_names: Sequence[str],
    certified: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    first_day: int,
    days: int,
) -> KindSizes:
    """Count one kind's entities per list and tier on each of ``days`` days.

    Args:
        entities: how many entities the kind has (rows ``0 .. entities - 1``).
        listed: ``(start, end, owner)`` of every listing interval (days since 1970-01-01,
            ``end`` exclusive, possibly far in the future; ``owner`` the entity row).
        grounds: each listing interval's ground, an index into ``ground_names``.
        ground_names: the grounds' names.
        certified: ``(start, end, owner)`` of every AEO certification interval, or None for a
            kind without AEO (individuals).
        first_day: the first day counted (days since 1970-01-01).
        days: how many days to count (at least 1).

    Returns:
        The daily sizes.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    l_start, l_end, l_owner = listed
    s, e, keep = _clip(l_start, l_end, first_day, days)
    owner = np.asarray(l_owner, dtype=np.int64)[keep]
    ground = np.asarray(grounds, dtype=np.int64)[keep]
    _, ms, me = merge_intervals(owner, s, e)
    key_attention = _per_day(ms, me, days)
    listings = np.bincount(ms, minlength=days)[:days].astype(np.int64)
    listings[0] = 0  # day 0 is the baseline: whoever is listed then was listed before
    removals = np.bincount(me[me < days], minlength=days)[:days].astype(np.int64)
    tiers: dict[str, np.ndarray] = {}
    if certified is not None:
        c_start, c_end, c_owner = certified
        cs, ce, ckeep = _clip(c_start, c_end, first_day, days)
        both = merge_intervals(
            np.concatenate([owner, np.asarray(c_owner, dtype=np.int64)[ckeep]]),
            np.concatenate([s, cs]),
            np.concatenate([e, ce]),
        )
        either = _per_day(both[1], both[2], days)
        tiers[AEO] = either - key_attention
        tiers[WHITELIST] = entities - either
    else:
        tiers[WHITELIST] = entities - key_attention
    tiers[KEY_ATTENTION] = key_attention
    n_grounds = len(ground_names)
    g_owner, gs, ge = merge_intervals(owner * max(n_grounds, 1) + ground, s, e)
    label = g_owner % max(n_grounds, 1)
    width = days + 1
    diff = np.bincount(label * width + gs, minlength=n_grounds * width)
    diff = diff - np.bincount(label * width + ge, minlength=n_grounds * width)
    per_ground = np.cumsum(diff.reshape(n_grounds, width), axis=1)[:, :days]
    by_ground = {
        str(ground_names[g]): per_ground[g].astype(np.int64)
        for g in range(n_grounds)
        if per_ground[g].any()
    }
    ordered: dict[str, np.ndarray] = {t: tiers[t].astype(np.int64) for t in TIERS if t in tiers}
    return KindSizes(entities, ordered, listings, removals, by_ground)


def list_series(kpis: Mapping[str, Any]) -> list[KpiSeries]:
    """The daily list sizes of a ``kpis`` mapping as series (empty without a section).

    The metric is the dotted path of the daily list, e.g.
    ``list_sizes.enterprise.key_attention.count_daily`` or
    ``list_sizes.enterprise.by_ground.smuggling_penalty.count_daily``; one value per day.
    """
    section = kpis.get(LIST_SIZES_KEY)
    if not isinstance(section, Mapping):
        return []
    found: list[KpiSeries] = []
    stack: list[tuple[tuple[str, ...], Any]] = [((LIST_SIZES_KEY,), section)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, Mapping):
            stack.extend(((*path, str(k)), v) for k, v in node.items())
        elif isinstance(node, list) and path[-1].endswith(DAILY_SUFFIX):
            values = tuple(math.nan if v is None else float(v) for v in node)
            found.append(KpiSeries("", "", "", ".".join(path), values))
    found.sort(key=lambda s: s.key)
    return found


def describe_lists(section: Mapping[str, Any]) -> str:
    """One line on a ``list_sizes`` section for the terminal: each kind's key-attention list
    (and AEO) from the first to the last day, with the listings and removals in between."""
    first = date.fromisoformat(str(section["first_day"]))
    last = first + timedelta(days=int(section["days"]) - 1)
    span = first.isoformat() if last == first else f"{first.isoformat()} .. {last.isoformat()}"
    parts = []
    for kind in ("enterprise", "individual"):
        part = section.get(kind)
        if not isinstance(part, Mapping):
            continue
        listed = part[KEY_ATTENTION]
        text = (f"{kind}s on the key-attention list {listed['first']:,} -> {listed['last']:,} "
                f"({part['listings']['total']:,} listed, {part['removals']['total']:,} removed)")
        if isinstance(part.get(AEO), Mapping):
            text += f", AEO {part[AEO]['first']:,} -> {part[AEO]['last']:,}"
        parts.append(text)
    return f"credit lists, {span}: " + "; ".join(parts)
