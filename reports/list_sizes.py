"""Credit-list sizes in the reports: panels over the days of a run and a table of the lists.

A run's ``kpis.json`` has a ``list_sizes`` section (:mod:`sim.results.lists`) when its declarants
are a synthetic population: for enterprises and individuals, how many are on each tier (AEO,
whitelist, key attention) and on the key-attention list on each ground, day by day, with the
listings and automatic removals. The run report (and the rehearsal's model section, which
reuses it) shows them as small multiples, one panel per kind and list with its own scale (the
whitelist is nearly everyone and would flatten the others, so it is in the table only), and as a
table of the first and last day, the peak, listings and removals; a run over two calendar months
or more also gets the listings on and automatic removals from the key-attention list per month
(DESIGN §5), as bars. A replication set or a
comparison carries the same lists as daily series (:func:`sim.results.lists.list_series`); the
replications of one world share its population, so their interval bands are empty, while the
arms of a comparison may differ (e.g. more AEO certification).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from reports import plots
from sim.results.lists import DAILY_SUFFIX, LIST_SIZES_KEY, list_series

__all__ = ["list_panels", "list_rows", "monthly_flows", "run_list_context"]

_KINDS = (("enterprise", "enterprises"), ("individual", "individuals"))
_COUNT = f"count{DAILY_SUFFIX}"


def _ground_label(name: str) -> str:
    return name.replace("_", " ")


def list_panels(
    series: Sequence[tuple[str, Mapping[str, tuple[Sequence[float], Sequence[float] | None]]]],
) -> list[tuple[str, list[plots.Line]]]:
    """Panels of list sizes per kind: the key-attention list (and its grounds) and AEO.

    Args:
        series: per arm, its label ('' for a single run) and its daily lists by metric
            (``list_sizes.enterprise.key_attention.count_daily`` ...) -> (values, half-widths).
    """
    panels: list[tuple[str, list[plots.Line]]] = []
    for kind, kind_label in _KINDS:
        prefix = f"{LIST_SIZES_KEY}.{kind}."
        listed: list[plots.Line] = []
        aeo: list[plots.Line] = []
        for arm, lists in series:
            tag = f"{arm}: " if arm else ""
            total = lists.get(f"{prefix}key_attention.{_COUNT}")
            if total is not None:
                listed.append(plots.Line(f"{tag}all grounds", total[0], total[1]))
            grounds = sorted(
                m for m in lists if m.startswith(f"{prefix}by_ground.") and m.endswith(_COUNT)
            )
            if len(grounds) > 1:  # a single ground is the whole list
                for metric in grounds:
                    name = metric[len(f"{prefix}by_ground.") : -len(_COUNT) - 1]
                    values, half = lists[metric]
                    listed.append(plots.Line(f"{tag}{_ground_label(name)}", values, half))
            certified = lists.get(f"{prefix}aeo.{_COUNT}")
            if certified is not None:
                aeo.append(plots.Line(f"{tag}AEO" if tag else "AEO", certified[0], certified[1]))
        if listed:
            panels.append((f"{kind_label} on the key-attention list", listed))
        if aeo:
            panels.append((f"{kind_label}: advanced certified (AEO)", aeo))
    return panels


def list_rows(section: Mapping[str, Any]) -> list[tuple[str, str, int, int, int, str, str]]:
    """Rows (kind, list, first day, last day, peak, listings, removals) of a ``list_sizes``
    section; listings and removals are those of the key-attention list ('' elsewhere)."""
    rows = []
    for kind, kind_label in _KINDS:
        part = section.get(kind)
        if not isinstance(part, Mapping):
            continue
        for tier in ("aeo", "whitelist", "key_attention"):
            sizes = part.get(tier)
            if not isinstance(sizes, Mapping):
                continue
            moved = ("", "")
            if tier == "key_attention":
                moved = (str(part["listings"]["total"]), str(part["removals"]["total"]))
            rows.append((kind_label, _ground_label(tier), int(sizes["first"]),
                         int(sizes["last"]), int(sizes["peak"]), *moved))
        for ground, sizes in sorted(part.get("by_ground", {}).items()):
            rows.append((kind_label, f"key attention: {_ground_label(ground)}",
                         int(sizes["first"]), int(sizes["last"]), int(sizes["peak"]), "", ""))
    return rows


def monthly_flows(
    section: Mapping[str, Any],
) -> tuple[list[str], list[plots.Bars]]:
    """Listings on and removals from the key-attention list per calendar month of the run, per
    kind: (months ``YYYY-MM``, one group of bars per kind and flow); no months when the run
    lies within one month."""
    first = date.fromisoformat(str(section["first_day"]))
    days = int(section["days"])
    month_of = [(first + timedelta(days=i)).strftime("%Y-%m") for i in range(days)]
    months = sorted(set(month_of))
    if len(months) < 2:
        return [], []
    index = [months.index(m) for m in month_of]
    groups = []
    for kind, kind_label in _KINDS:
        part = section.get(kind)
        if not isinstance(part, Mapping):
            continue
        for flow, verb in (("listings", "listed"), ("removals", "removed")):
            totals = [0.0] * len(months)
            for i, n in zip(index, part[flow][_COUNT], strict=True):
                totals[i] += n
            groups.append(plots.Bars(f"{kind_label} {verb}", totals))
    return months, groups


def run_list_context(kpis: Mapping[str, Any]) -> dict[str, Any]:
    """What the run report shows of the lists: ``lists_plot``, ``list_rows`` and
    ``list_period`` (empty when the run has no ``list_sizes`` section)."""
    section = kpis.get(LIST_SIZES_KEY)
    if not isinstance(section, Mapping):
        return {"lists_plot": "", "list_rows": [], "list_period": "", "list_flows_plot": ""}
    first = date.fromisoformat(str(section["first_day"]))
    days = int(section["days"])
    lists = {s.metric: (s.values, None) for s in list_series(kpis)}
    period = first.isoformat() if days == 1 else f"{first.isoformat()}, {days} days"
    months, flows = monthly_flows(section)
    return {
        "lists_plot": plots.daily_panels(
            list_panels([("", lists)]), ylabel="entities", first_day=first
        ),
        "list_rows": list_rows(section),
        "list_period": period,
        "list_flows_plot": plots.bars(
            [date.fromisoformat(f"{m}-01").strftime("%b\n%Y") for m in months], flows,
            ylabel="entities",
            title="listings on and automatic removals from the key-attention list, per month",
        ),
    }
