"""The dotted paths of a scenario schema, and the nearest valid one to a key that is not there.

A user names a field by its dotted path (``ports.xinhai.resources.customs_channels``) in a
``--set`` override, and by nesting in a file. Both reach pydantic only as plain data, so a
misspelt or misplaced key is reported as ``unknown key``. This module walks the schema's *types*
(not a dumped default: a field that defaults to ``null``, like a seaport's ``ferry``, still has
paths below it) to answer two questions:

- :func:`resolve`: does a dotted path name a field of the schema, and of what type? List items
  are addressed by their index (``events.weather.0.start``), mapping values by their key
  (``goods.port_shares.xinhai``).
- :func:`nearest_path`: for an unknown key, the closest valid path *under the same parent*,
  searching a few levels down, so ``ports.xinhai.channels`` suggests
  ``ports.xinhai.resources.customs_channels``. Keys that were renamed are answered from
  :data:`RENAMED` with their new name.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

__all__ = ["RENAMED", "field_paths", "nearest_path", "resolve"]

RENAMED: dict[str, str] = {
    "vehicles_per_sailing": "lane_units_per_sailing",
}
"""Keys renamed in the schema: old name -> new name (same place in the tree)."""

_SEARCH_DEPTH = 3
_CUTOFF = 0.75


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation allows (``X | None`` -> [X]; a union -> its members)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                out.extend(_unwrap(arg))
        return out
    return [annotation]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _children(tp: Any) -> dict[str, list[Any]]:
    """The named children of a model type: field name (and alias) -> the types it allows."""
    fields = tp.model_fields
    out: dict[str, list[Any]] = {}
    for name, info in fields.items():
        # A field with an alias (a distribution's ``mean``) is written by its alias.
        out[info.alias or name] = _unwrap(info.annotation)
    return out


def _step(candidates: list[Any], part: str) -> list[Any]:
    """The types reached from ``candidates`` by one path segment (empty when none)."""
    reached: list[Any] = []
    for tp in candidates:
        origin = typing.get_origin(tp)
        if _is_model(tp):
            reached.extend(_children(tp).get(part, []))
        elif origin in (list, tuple) and part.isdigit():
            args = typing.get_args(tp)
            if args:
                reached.extend(_unwrap(args[0]))
        elif origin is dict:
            args = typing.get_args(tp)
            if len(args) == 2:
                reached.extend(_unwrap(args[1]))
    return reached


def resolve(schema: type[BaseModel], parts: list[str]) -> list[Any]:
    """The types the field at ``parts`` may hold, or ``[]`` when the path names no field."""
    candidates: list[Any] = [schema]
    for part in parts:
        candidates = _step(candidates, part)
        if not candidates:
            return []
    return candidates


def field_paths(tp: Any, depth: int) -> Iterator[tuple[str, ...]]:
    """Relative paths of the named fields below a type, ``depth`` levels deep (items skipped)."""
    if depth <= 0:
        return
    for candidate in _unwrap(tp):
        if not _is_model(candidate):
            continue
        for name, allowed in _children(candidate).items():
            yield (name,)
            for sub in allowed:
                for rest in field_paths(sub, depth - 1):
                    yield (name, *rest)


def _contains(want: list[str], have: list[str]) -> bool:
    n = len(want)
    return any(have[i : i + n] == want for i in range(len(have) - n + 1))


def _singular(words: list[str]) -> list[str]:
    return [w[:-1] if w.endswith("s") else w for w in words]


def _score(unknown: str, key: str) -> float:
    """How close ``key`` is to ``unknown``: 1 for equal, over 0.9 when it contains its words.

    Containing the unknown key's words (``channels`` in ``customs_channels``) beats any
    spelling likeness; containing them up to a plural (``officers`` in ``officer_shifts``)
    comes next; otherwise the string similarity decides.
    """
    if unknown == key:
        return 1.0
    want, have = unknown.lower().split("_"), key.lower().split("_")
    share = len(want) / max(len(have), len(want))
    ratio = difflib.SequenceMatcher(None, unknown.lower(), key.lower()).ratio()
    if _contains(want, have):
        # More of the key covered is better; a key that starts with the words better still.
        return max(ratio, 0.97 + 0.02 * share + (0.01 if have[: len(want)] == want else 0.0))
    if _contains(_singular(want), _singular(have)):
        return max(ratio, 0.93 + 0.02 * share)
    return ratio


def nearest_path(schema: type[BaseModel], path: str) -> str | None:
    """The valid dotted path nearest to the unknown ``path``, or None when nothing is close.

    Args:
        schema: the root model (e.g. :class:`sim.scenario.Scenario`).
        path: the full dotted path of the unknown key, as the loader reports it.

    Returns:
        A full dotted path, under the same parent as ``path``.
    """
    parts = path.split(".")
    unknown, parent = parts[-1], parts[:-1]
    where = resolve(schema, parent)
    if unknown in RENAMED:
        renamed = [*parent, RENAMED[unknown]]
        if resolve(schema, renamed):
            return ".".join(renamed)
    best: tuple[float, int, str] | None = None
    for tp in where:
        for rel in field_paths(tp, _SEARCH_DEPTH):
            score = _score(unknown, rel[-1])
            if score < _CUTOFF:
                continue
            # Higher score first, then the shallower path, then alphabetical (deterministic).
            key = (-score, len(rel), ".".join(rel))
            if best is None or key < best:
                best = key
    if best is None:
        return None
    return ".".join([*parent, best[2]])
