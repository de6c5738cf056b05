"""Credit tiers of every entity on any date, computed from a whole :class:`EventTable` at once.

The scalar rule (``sim.rules.credit.classify``) reads one entity's history and a date. Asking it
for a million entities on sixty month-ends would be sixty million calls, so this module restates
the same rule as *intervals*:

- a category 2 event (smuggling penalty, serious-dishonesty or other legal-ground listing, an
  individual's violation) lists the entity on ``[day, lapse(day))`` (:func:`lapse_days`, three
  years counted as the Civil Code counts them); overlapping intervals from recurrences merge,
  which is "a recurrence restarts the clock"; a ``serious_dishonesty_removed`` event cuts short
  the serious-dishonesty listings before it;
- a department's rating at a listing grade (one the mutual-recognition table maps to the
  unified lowest level) lists the entity from that rating's day until that department's next
  rating (category 1 lapses when the rating rises above the lowest);
- an event that certifies AEO (``aeo_certified``, a customs rating at an AEO grade) makes the
  entity AEO until its next event that certifies or ends AEO (``aeo_revoked``, another customs
  rating).

An entity is on the key-attention list on day ``d`` when any listing interval contains ``d``
(any active ground keeps it listed); otherwise it is AEO when an AEO interval contains ``d``;
otherwise it is on the whitelist. Key attention outranks AEO, as the credit rules assume. Each
listing interval keeps its ground's source (the listing event, or the rating's department), so
the active grounds on a day are known too (:meth:`TierTimeline.grounds_at`), as
``classify(...).grounds`` would name them.

Counting over many dates uses difference arrays: each interval adds +1 at the first query date
it covers and -1 after the last, a cumulative sum along the dates gives the number of active
grounds per entity and date. Only entities with at least one interval get a row.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from sim.population.events import CATEGORY2_EVENTS, EVENTS, EventTable
from sim.results.lists import KindSizes, count_lists
from sim.rules.tiers import TIERS

__all__ = [
    "TIERS",
    "TierTimeline",
    "add_years",
    "day_number",
    "from_day_number",
    "lapse_days",
]


_NEVER = np.iinfo(np.int64).max
_EPOCH = date(1970, 1, 1).toordinal()


def day_number(d: date) -> int:
    """Days since 1970-01-01."""
    return d.toordinal() - _EPOCH


def from_day_number(day: int) -> date:
    """The date ``day`` days after 1970-01-01."""
    return date.fromordinal(int(day) + _EPOCH)


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """The same calendar day ``years`` later; 29 February becomes 28 February in common years."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month).astype(np.int64)
    target = month + np.timedelta64(12 * years, "M")
    month_length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]")
                    - target.astype("datetime64[D]")).astype(np.int64)
    shifted = target.astype("datetime64[D]") + np.minimum(day_of_month, month_length - 1)
    result: np.ndarray = shifted.astype(np.int64)
    return result


def lapse_days(days: np.ndarray, years: int) -> np.ndarray:
    """The first day a time-limited listing made on ``days`` no longer holds.

    As the credit rules count periods (PRC Civil Code art. 201): the period ends on the
    corresponding day ``years`` later (28 February for 29 February in a common year) and the
    listing has lapsed the next day.
    """
    return add_years(days, years) + 1


def _next_in_group(keys: tuple[np.ndarray, ...], day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order events by (keys..., day, input order); return the order and each one's next day.

    The next day is that of the following event with the same keys, or ``_NEVER``.
    """
    order = np.lexsort((np.arange(len(day)), day, *reversed(keys)))
    sorted_day = day[order]
    same = np.ones(len(order), dtype=bool)
    for key in keys:
        k = key[order]
        same[:-1] &= k[1:] == k[:-1]
    same[-1:] = False
    nxt = np.full(len(order), _NEVER, dtype=np.int64)
    nxt[:-1] = np.where(same[:-1], sorted_day[1:], _NEVER)
    return order, nxt


class TierTimeline:
    """Every entity's tier as intervals, queryable on any day or series of days.

    Args:
        n_entities: number of entities (rows) the events refer to.
        events: their credit-history events.
        removal_years: years after which a category 2 ground lapses (3).
    """

    def __init__(self, n_entities: int, events: EventTable, removal_years: int = 3) -> None:
        self.n_entities = n_entities
        code = events.event
        # Ground sources: category-2 events by name, then the departments (category 1).
        self.ground_names: tuple[str, ...] = (*CATEGORY2_EVENTS, *events.departments)
        event_ground = np.full(len(EVENTS), -1, dtype=np.int64)
        for g, name in enumerate(CATEGORY2_EVENTS):
            event_ground[EVENTS.index(name)] = g
        starts, ends, owners, labels = [], [], [], []
        timed = np.isin(code, [EVENTS.index(e) for e in CATEGORY2_EVENTS])
        timed &= code != EVENTS.index("serious_dishonesty_listed")
        starts.append(events.day[timed])
        ends.append(lapse_days(events.day[timed], removal_years))
        owners.append(events.entity[timed])
        labels.append(event_ground[code[timed]])
        # Serious dishonesty: as above, but a removal ends the listings before it at once.
        serious = np.isin(code, [EVENTS.index("serious_dishonesty_listed"),
                                 EVENTS.index("serious_dishonesty_removed")])
        if serious.any():
            ent, day = events.entity[serious], events.day[serious]
            order, _ = _next_in_group((ent,), day)
            ent, day = ent[order], day[order]
            removal = code[serious][order] == EVENTS.index("serious_dishonesty_removed")
            positions = np.arange(len(day))
            removal_at = np.where(removal, positions, len(day))
            # Position of the first removal strictly after each event (len(day) if none).
            suffix_min = np.minimum.accumulate(removal_at[::-1])[::-1]
            next_removal = np.append(suffix_min[1:], len(day))
            ok = next_removal < len(day)
            cut = np.full(len(day), _NEVER, dtype=np.int64)
            nr = np.minimum(next_removal, len(day) - 1)
            cut[ok] = np.where(ent[nr[ok]] == ent[ok], day[nr[ok]], _NEVER)
            listing = ~removal
            starts.append(day[listing])
            ends.append(np.minimum(lapse_days(day[listing], removal_years), cut[listing]))
            owners.append(ent[listing])
            labels.append(np.full(int(listing.sum()),
                                  CATEGORY2_EVENTS.index("serious_dishonesty_listed")))
        rating = code == EVENTS.index("rating")
        if rating.any():
            ent, dept, day = events.entity[rating], events.department[rating], events.day[rating]
            order, nxt = _next_in_group((ent, dept.astype(np.int64)), day)
            low = events.lowest[rating][order]
            starts.append(day[order][low])
            ends.append(nxt[low])
            owners.append(ent[order][low])
            labels.append(len(CATEGORY2_EVENTS) + dept[order][low].astype(np.int64))
        self._list = self._intervals(starts, ends, owners)
        label = np.concatenate(labels) if labels else np.zeros(0, np.int64)
        self._list_source = label[self._kept(starts, ends)]
        aeo = events.aeo_effect != 0
        ent, day = events.entity[aeo], events.day[aeo]
        order, nxt = _next_in_group((ent,), day)
        certified = events.aeo_effect[aeo][order] > 0
        self._aeo = self._intervals([day[order][certified]], [nxt[certified]],
                                    [ent[order][certified]])

    @staticmethod
    def _intervals(
        starts: list[np.ndarray], ends: list[np.ndarray], owners: list[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        start = np.concatenate(starts) if starts else np.zeros(0, np.int64)
        end = np.concatenate(ends) if ends else np.zeros(0, np.int64)
        owner = np.concatenate(owners) if owners else np.zeros(0, np.int64)
        keep = end > start
        return start[keep].astype(np.int64), end[keep].astype(np.int64), owner[keep]

    @staticmethod
    def _kept(starts: list[np.ndarray], ends: list[np.ndarray]) -> np.ndarray:
        """Which of the concatenated intervals :meth:`_intervals` keeps (the non-empty ones)."""
        start = np.concatenate(starts) if starts else np.zeros(0, np.int64)
        end = np.concatenate(ends) if ends else np.zeros(0, np.int64)
        kept: np.ndarray = end > start
        return kept

    @staticmethod
    def _covering(
        intervals: tuple[np.ndarray, np.ndarray, np.ndarray], day: int, n: int
    ) -> np.ndarray:
        start, end, owner = intervals
        hit = np.zeros(n, dtype=bool)
        hit[owner[(start <= day) & (day < end)]] = True
        return hit

    def tiers_at(self, day: int | date) -> np.ndarray:
        """The tier code (index into :data:`TIERS`) of every entity on ``day``."""
        if isinstance(day, date):
            day = day_number(day)
        tiers = np.full(self.n_entities, TIERS.index("whitelist"), dtype=np.int8)
        tiers[self._covering(self._aeo, day, self.n_entities)] = TIERS.index("aeo")
        tiers[self._covering(self._list, day, self.n_entities)] = TIERS.index("key_attention")
        return tiers

    def grounds_at(self, day: int | date) -> dict[int, tuple[str, ...]]:
        """The active listing grounds on ``day`` of every listed entity: row -> sorted sources.

        A source is the listing event of a category-2 ground or the department of a category-1
        ground, as ``sim.rules.oracle.listing_grounds`` names a classification's; entities not
        listed that day are absent.
        """
        return self.grounds_of(None, day)

    def grounds_of(self, rows: np.ndarray | None, day: int | date) -> dict[int, tuple[str, ...]]:
        """:meth:`grounds_at` for the entities ``rows`` only (all of them if None).

        A year's draws of travellers ask for a few thousand people a day among hundreds of
        thousands listed: asking for those only is what keeps drawing a year quick.
        """
        if isinstance(day, date):
            day = day_number(day)
        start, end, owner = self._list
        on = (start <= day) & (day < end)
        if rows is not None:
            on &= np.isin(owner, rows)
        pairs = np.unique(np.stack([owner[on], self._list_source[on]]), axis=1)
        found: dict[int, set[str]] = {}
        for row, source in pairs.T.tolist():
            found.setdefault(row, set()).add(self.ground_names[source])
        return {row: tuple(sorted(names)) for row, names in found.items()}

    def aeo_at(self, day: int | date) -> np.ndarray:
        """Whether each entity holds an AEO certification on ``day`` (listed or not)."""
        if isinstance(day, date):
            day = day_number(day)
        return self._covering(self._aeo, day, self.n_entities)

    def list_sizes(self, first_day: int | date, days: int, *, aeo: bool = True) -> KindSizes:
        """How many entities are on each list, tier and listing ground on each of ``days`` days
        from ``first_day`` (see :func:`sim.results.lists.count_lists`).

        Args:
            first_day: the first day counted.
            days: how many days.
            aeo: whether the entities can be AEO (False for individuals: no AEO tier counted).
        """
        if isinstance(first_day, date):
            first_day = day_number(first_day)
        return count_lists(
            self.n_entities, self._list, self._list_source, self.ground_names,
            self._aeo if aeo else None, first_day, days,
        )

    def listed_entities(self) -> np.ndarray:
        """Rows of the entities listed on some day (sorted, unique)."""
        return np.unique(self._list[2])

    def _active(
        self, intervals: tuple[np.ndarray, np.ndarray, np.ndarray], days: np.ndarray,
        rows: np.ndarray,
    ) -> np.ndarray:
        """Boolean matrix (len(rows), len(days)): some interval of the row's entity covers it."""
        start, end, owner = intervals
        q = len(days)
        local = np.searchsorted(rows, owner)
        valid = (local < len(rows)) & (rows[np.minimum(local, len(rows) - 1)] == owner)
        first = np.searchsorted(days, start[valid], side="left")
        after = np.searchsorted(days, end[valid], side="left")
        width = q + 1
        flat = local[valid] * width
        diff = np.bincount(flat + first, minlength=len(rows) * width)
        diff = diff - np.bincount(flat + after, minlength=len(rows) * width)
        counts = np.cumsum(diff.reshape(len(rows), width), axis=1)[:, :q]
        active: np.ndarray = counts > 0
        return active

    def series(self, days: np.ndarray, chunk: int = 100_000) -> dict[str, np.ndarray]:
        """List sizes and flows over a sorted series of days.

        Args:
            days: sorted query days (e.g. month ends); the first is the baseline.
            chunk: entities per block, bounding memory to about ``chunk * len(days)`` bytes x 16.

        Returns:
            ``key_attention``, ``aeo``, ``whitelist``: entities in each tier on each day;
            ``listings``/``removals``: entities that joined/left the key-attention list since the
            previous day (0 on the first day). ``key_attention[t] = key_attention[t-1] +
            listings[t] - removals[t]`` holds exactly.
        """
        days = np.asarray(days, dtype=np.int64)
        q = len(days)
        listed_n = np.zeros(q, np.int64)
        aeo_n = np.zeros(q, np.int64)
        joins = np.zeros(q, np.int64)
        leaves = np.zeros(q, np.int64)
        rows_all = np.unique(np.concatenate([self._list[2], self._aeo[2]]))
        for lo in range(0, len(rows_all), chunk):
            rows = rows_all[lo : lo + chunk]
            listed = self._active(self._list, days, rows)
            aeo = self._active(self._aeo, days, rows) & ~listed
            listed_n += listed.sum(axis=0)
            aeo_n += aeo.sum(axis=0)
            joins[1:] += (listed[:, 1:] & ~listed[:, :-1]).sum(axis=0)
            leaves[1:] += (~listed[:, 1:] & listed[:, :-1]).sum(axis=0)
        return {
            "key_attention": listed_n,
            "aeo": aeo_n,
            "whitelist": self.n_entities - listed_n - aeo_n,
            "listings": joins,
            "removals": leaves,
        }
