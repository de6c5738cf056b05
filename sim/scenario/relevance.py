"""Settings a scenario's mode ignores: refused when a user sets them, never silently dropped.

Some fields only matter in some modes of a run. ``policy.tier_shares`` draws truck tiers only
when ``policy.declarants`` is ``shares`` *and* trucks are the Poisson process
(``goods.drives_trucks: false``); with the default world (declarants from the synthetic
population, trucks from the goods flow) it has no effect at all, and an analyst who sets
``policy.tier_shares.aeo=0.5`` would get byte-identical outputs and believe AEO coverage does
not matter. So a field the user *set*, to a value other than its default, in a mode that
ignores it, is refused at load time with one line naming the field, the mode and what to set
instead (:func:`ignored_settings`, called by :func:`sim.scenario.load_scenario`).

The three AEO shares are the clearest case; each has one job:

- ``population.enterprises.aeo_share``: the share of the synthetic population certified AEO. It
  sets every tier of a run in the default world (``policy.declarants: population``).
- ``goods.tier_shares``: the tiers of the goods flow's enterprises when the model draws them
  itself (``policy.declarants: shares``), i.e. the tiers of goods-driven trucks there.
- ``policy.tier_shares``: the tiers of Poisson trucks (``goods.drives_trucks: false`` or goods
  disabled) with ``policy.declarants: shares``: the textbook reduction.

"Set" means written by a scenario file (or a file it ``extends``) or a ``--set`` override; the
embedded defaults, and a file restating them, are not settings. The check reads the merged
document *before* pydantic validates it, so a refused setting is named even when it would also
break a cross-field rule (``policy.tier_shares.aeo=0.5`` alone no longer sums to one). The rules
concern a *run* of the model: commands that only read the population or credit sections
(``customs-sim population``, ``credit ...``) load scenarios without this check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sim.rules.ports import PORT_IDS
from sim.scenario.errors import MISSING
from sim.scenario.ports import FLOWS
from sim.scenario.schema import Scenario

__all__ = ["Ignored", "ignored_settings"]


@dataclass(frozen=True)
class Ignored:
    """A setting the scenario's mode ignores.

    Attributes:
        path: the dotted path the user set.
        reason: why it has no effect in this scenario, and what would make it count.
    """

    path: str
    reason: str


@dataclass(frozen=True)
class _Mode:
    """The facts of a scenario that decide which fields a run reads."""

    population: bool
    goods: bool
    drives_trucks: bool
    active_ports: tuple[str, ...]
    flows: Mapping[str, frozenset[str]]  # port -> the flows it has

    def has_flow(self, port: str, flow: str) -> bool:
        return flow in self.flows.get(port, frozenset())


def _mode(doc: Mapping[str, Any]) -> _Mode | None:
    """The mode of a merged document, or None when its mode fields are not readable yet."""
    try:
        declarants = doc["policy"]["declarants"]
        goods, drives = doc["goods"]["enabled"], doc["goods"]["drives_trucks"]
        active = doc["active_ports"]
        ports = doc["ports"]
        flows = {
            port: frozenset(f for f in FLOWS if ports[port]["flows"].get(f) is not None)
            for port in PORT_IDS
        }
    except (KeyError, TypeError, AttributeError):
        return None
    if declarants not in ("population", "shares") or not isinstance(active, list):
        return None
    if not isinstance(goods, bool) or not isinstance(drives, bool):
        return None
    return _Mode(declarants == "population", goods, drives, tuple(map(str, active)), flows)


_Reason = Callable[[_Mode, tuple[str, ...]], str | None]


def _population(s: _Mode) -> bool:
    return s.population


def _goods_drive(s: _Mode) -> bool:
    return s.goods and s.drives_trucks


def _policy_tier_shares(s: _Mode, _: tuple[str, ...]) -> str | None:
    if _population(s):
        return (
            "ignored with policy.declarants: population: tiers come from the synthetic "
            "population (set population.enterprises.aeo_share), or set policy.declarants: shares"
        )
    if _goods_drive(s):
        return (
            "ignored while the goods flow drives the trucks (goods.drives_trucks: true): truck "
            "tiers are the shipping enterprises' (goods.tier_shares)"
        )
    return None


def _violation_rate(s: _Mode, _: tuple[str, ...]) -> str | None:
    if _population(s):
        return (
            "ignored with policy.declarants: population: violations are planted per enterprise "
            "and person by the population (population.enterprises.violation_rate_risky, "
            "violation_rate_other, risky_share)"
        )
    return None


def _grounds(s: _Mode, _: tuple[str, ...]) -> str | None:
    if not _population(s):
        return (
            "ignored with policy.declarants: shares: tiers drawn from shares carry no listing "
            "grounds (key-attention trucks get policy.tiers.key_attention); set "
            "policy.declarants: population"
        )
    return None


def _duty_free_check(s: _Mode, _: tuple[str, ...]) -> str | None:
    if not _population(s):
        return (
            "ignored with policy.declarants: shares: travellers carry no tier and no planted "
            "quota breach to catch; set policy.declarants: population"
        )
    return None


def _goods_off(s: _Mode, path: tuple[str, ...]) -> str | None:
    if not s.goods and path != ("goods", "enabled"):
        return "ignored with goods.enabled: false (no goods flow is simulated)"
    return None


def _goods_drawn(s: _Mode, path: tuple[str, ...]) -> str | None:
    if _population(s) and s.goods:
        return (
            "ignored with policy.declarants: population: the goods enterprises are sampled "
            "from the population with their own tier and industry (population.enterprises)"
        )
    return _goods_off(s, path)


def _truck_volume(s: _Mode, _: tuple[str, ...]) -> str | None:
    if _goods_drive(s):
        return (
            "ignored while the goods flow drives the trucks (goods.drives_trucks: true): their "
            "number is goods.enterprises x goods.shipments_per_day, split by goods.port_shares"
        )
    return None


def _inactive_port(s: _Mode, path: tuple[str, ...]) -> str | None:
    port = path[1]
    if port in s.active_ports:
        return None
    # The goods flow times every shipment, even at ports not simulated, by that port's truck
    # profile and hours: those two fields still move the goods block's KPI window.
    timing = path[2:3] == ("opening_hours",) or (
        path[2:4] == ("flows", "cargo_truck") and path[4:5] != ("per_day",)
    )
    if _goods_drive(s) and timing:
        return None
    return f"ignored: port {port} is not simulated (active_ports: {', '.join(s.active_ports)})"


def _without_flow(flow: str, what: str) -> _Reason:
    def reason(s: _Mode, path: tuple[str, ...]) -> str | None:
        port = path[1]
        if not s.has_flow(port, flow):
            return f"ignored: port {port} has no {flow} flow, so no {what}"
        return None

    return reason


def _run_never_reads(s: _Mode, path: tuple[str, ...]) -> str | None:
    if not _population(s):
        return (
            "ignored by a run with policy.declarants: shares (no population is generated); "
            "it still shapes `customs-sim population` and `credit` commands"
        )
    return None


def _population_batch_exit(_: _Mode, __: tuple[str, ...]) -> str | None:
    return (
        "ignored by a run: the goods flow's batch-exit use is goods.batch_exit_adoption; this "
        "share only fills the batch_exit column of `customs-sim population`"
    )


def _population_shipments(s: _Mode, path: tuple[str, ...]) -> str | None:
    if _population(s) and _goods_drive(s):
        return (
            "ignored while the goods flow drives the trucks (goods.drives_trucks: true): "
            "shipments per enterprise are goods.shipments_per_day"
        )
    return _run_never_reads(s, path)


_TRUCK_ONLY = [
    (("ports", "*", "resources", name), _without_flow("cargo_truck", "truck uses it"))
    for name in ("customs_channels", "scanners", "inspection_bays", "officer_shifts")
] + [
    (("ports", "*", "service", name), _without_flow("cargo_truck", "truck is timed by it"))
    for name in ("channel", "scan", "image_review", "inspection")
]

_RULES: list[tuple[tuple[str, ...], _Reason]] = [
    # Most specific first: the first rule that matches a path and gives a reason decides.
    (("ports", "*"), _inactive_port),
    (("ports", "*", "flows", "cargo_truck", "per_day"), _truck_volume),
    (("ports", "*", "resources", "duty_free_desks"),
     _without_flow("duty_free_traveller", "traveller is checked")),
    (("ports", "*", "service", "duty_free_check"),
     _without_flow("duty_free_traveller", "traveller is checked")),
    *_TRUCK_ONLY,
    (("policy", "tier_shares"), _policy_tier_shares),
    (("policy", "tiers", "*", "violation_rate"), _violation_rate),
    (("policy", "grounds"), _grounds),
    (("policy", "detection", "duty_free_check"), _duty_free_check),
    (("goods", "tier_shares"), _goods_drawn),
    (("goods", "encouraged_share"), _goods_drawn),
    (("goods",), _goods_off),
    (("population", "enterprises", "batch_exit_share"), _population_batch_exit),
    (("population", "enterprises", "shipments_per_month"), _population_shipments),
    (("population",), _run_never_reads),
    (("credit",), _run_never_reads),
]  # fmt: skip


def _matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    if len(path) < len(pattern):
        return False
    return all(p in ("*", q) for p, q in zip(pattern, path, strict=False))


def _at(doc: Any, path: tuple[str, ...]) -> Any:
    node = doc
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


@cache
def _defaults() -> dict[str, Any]:
    return Scenario().model_dump(mode="json", by_alias=True)


def _reason(mode: _Mode, path: tuple[str, ...]) -> str | None:
    for pattern, reason in _RULES:
        if _matches(pattern, path):
            found = reason(mode, path)
            if found is not None:
                return found
    return None


def ignored_settings(doc: Mapping[str, Any], set_paths: Iterable[str]) -> list[Ignored]:
    """The user's settings that the document's mode ignores, in path order.

    Args:
        doc: the merged scenario document (defaults, files and overrides, as plain data), or a
            validated scenario dumped with ``model_dump(mode="json", by_alias=True)``.
        set_paths: dotted paths written by the user's files and overrides (not the defaults).

    Returns:
        One entry per set path whose value differs from the default and has no effect; none
        when the document's mode fields are themselves unreadable (validation reports those).
    """
    mode = _mode(doc)
    if mode is None:
        return []
    defaults = _defaults()
    out: list[Ignored] = []
    for dotted in sorted(set(set_paths)):
        path = tuple(dotted.split(".")) if dotted else ()
        if not path or _at(doc, path) == _at(defaults, path):
            continue
        reason = _reason(mode, path)
        if reason is not None:
            out.append(Ignored(dotted, reason))
    return out
