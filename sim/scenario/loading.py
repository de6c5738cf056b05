"""Loading a scenario: YAML files, ``extends``, ``--set`` overrides, one validation.

A scenario file holds only what differs from the embedded defaults (the documented baseline
built into the schema). Loading is a fold of plain documents, each deep-merged onto the last:

1. the defaults, i.e. ``Scenario()`` dumped to plain data;
2. the files named by ``extends`` (a path relative to the file that names it), recursively;
3. the file itself;
4. each ``--set dotted.path=value`` override, its value parsed as YAML (``3``, ``[1, 2]``).

Mappings merge key by key; lists and scalars replace; a mapping whose ``kind`` changes (a
distribution switched from triangular to exponential) replaces the old one whole. The merged
document is validated once by pydantic, and the first problem becomes a :class:`ScenarioError`
that names the file the offending value came from, its dotted path and the value.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.errors import MISSING, ScenarioError
from sim.scenario.paths import RENAMED, nearest_path

__all__ = [
    "apply_override",
    "deep_merge",
    "load_document",
    "load_scenario",
    "parse_override",
    "unknown_key_message",
]

DEFAULTS = "<defaults>"
SET = "--set"
_Model = TypeVar("_Model", bound=BaseModel)


class _Provenance:
    """Which source last wrote each dotted path, to name the right file in an error."""

    def __init__(self) -> None:
        self._source: dict[str, str] = {}

    def record(self, prefix: str, value: Any, source: str) -> None:
        self._source[prefix] = source
        if isinstance(value, Mapping):
            for key, sub in value.items():
                self.record(_join(prefix, str(key)), sub, source)
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                self.record(_join(prefix, str(index)), sub, source)

    def user_paths(self) -> list[str]:
        """Every dotted path a file or an override wrote (not the embedded defaults)."""
        return [path for path, source in self._source.items() if source != DEFAULTS]

    def source_of(self, path: str, fallback: str) -> str:
        parts = path.split(".") if path else []
        for end in range(len(parts), -1, -1):
            found = self._source.get(".".join(parts[:end]))
            if found is not None and found != DEFAULTS:
                return found
        return fallback


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def deep_merge(
    base: Any, update: Any, *, source: str = "", prov: _Provenance | None = None, prefix: str = ""
) -> Any:
    """Merge ``update`` onto ``base`` (both plain data) and return the result; inputs untouched."""
    if (
        isinstance(base, Mapping)
        and isinstance(update, Mapping)
        and not ("kind" in base and "kind" in update and base["kind"] != update["kind"])
    ):
        merged = dict(base)
        for key, value in update.items():
            path = _join(prefix, str(key))
            if key in merged:
                merged[key] = deep_merge(merged[key], value, source=source, prov=prov, prefix=path)
            else:
                merged[key] = copy.deepcopy(value)
                if prov is not None:
                    prov.record(path, value, source)
        return merged
    if prov is not None:
        prov.record(prefix, update, source)
    return copy.deepcopy(update)


def load_document(path: Path, *, _seen: tuple[Path, ...] = ()) -> list[tuple[str, dict[str, Any]]]:
    """Read ``path`` and the chain it ``extends``; return (file, document) pairs, base first."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(label, "", "no such file") from None
    except IsADirectoryError:
        raise ScenarioError(label, "", "is a directory, not a scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(label, "", f"cannot read: {exc}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ScenarioError(label, "", f"{where}broken YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(label, "", f"broken YAML: {exc}") from None
    except RecursionError:
        raise ScenarioError(label, "", "broken YAML: nested too deeply") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ScenarioError(label, "", "a scenario must be a mapping of keys to values", doc)
    chain: list[tuple[str, dict[str, Any]]] = []
    parent = doc.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str) or not parent:
            raise ScenarioError(label, "extends", "must be a path to another scenario file", parent)
        parent_path = (path.parent / parent).resolve()
        if parent_path in _seen or parent_path == path.resolve():
            raise ScenarioError(
                label, "extends", "scenario files extend each other in a cycle", parent
            )
        if not parent_path.exists():
            raise ScenarioError(label, "extends", "no such file", parent)
        chain.extend(load_document(parent_path, _seen=(*_seen, path.resolve())))
    chain.append((label, doc))
    return chain


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``dotted.path=value`` into path segments and a YAML-parsed value."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ScenarioError(SET, key, "an override must look like dotted.path=value", text)
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        raise ScenarioError(SET, key, "the value is not valid YAML", raw) from None
    except RecursionError:
        raise ScenarioError(SET, key, "the value is nested too deeply", raw) from None
    return key.split("."), value


def apply_override(
    doc: dict[str, Any], parts: list[str], value: Any, prov: _Provenance | None = None
) -> dict[str, Any]:
    """Return ``doc`` with the value at ``parts`` replaced (mappings merge, as in files)."""
    update: Any = value
    node: Any = doc
    for depth, part in enumerate(parts[:-1]):
        nxt = node.get(part) if isinstance(node, dict) else _list_item(node, part)
        if isinstance(nxt, list):
            # Lists replace in merges, so set the item inside a copy and write the list back.
            items = copy.deepcopy(nxt)
            rest = parts[depth + 1 :]
            _set_in_list(items, rest, value, ".".join(parts))
            return apply_override(doc, parts[: depth + 1], items, prov)
        node = nxt
    for part in reversed(parts):
        update = {part: update}
    merged: dict[str, Any] = deep_merge(doc, update, source=SET, prov=prov)
    return merged


def _list_item(node: Any, part: str) -> Any:
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None


def _set_in_list(items: list[Any], parts: list[str], value: Any, full: str) -> None:
    head = parts[0]
    if not head.isdigit() or int(head) >= len(items):
        raise ScenarioError(SET, full, f"no item {head} in a list of {len(items)}", value)
    index = int(head)
    if len(parts) == 1:
        items[index] = value
    elif isinstance(items[index], dict):
        items[index] = apply_override(items[index], parts[1:], value)
    elif isinstance(items[index], list):
        _set_in_list(items[index], parts[1:], value, full)
    else:
        raise ScenarioError(SET, full, "cannot set a field inside a plain value", items[index])


def _locate(doc: Any, loc: tuple[int | str, ...]) -> tuple[str, Any]:
    """Turn a pydantic error location into a dotted path and the input value found there.

    Discriminated unions add the tag (``exponential``) to the location although it is no key of
    the input; such parts are skipped, so the path is the one the user wrote.
    """
    parts: list[str] = []
    node: Any = doc
    for part in loc:
        if (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]  # type: ignore[index]
            parts.append(str(part))
        elif (
            isinstance(node, Mapping)
            and isinstance(part, str)
            and part in {str(v) for v in node.values() if isinstance(v, str)}
        ):
            continue  # a union tag
        elif isinstance(part, str) and not part.startswith("function-"):
            parts.append(part)
            node = MISSING
        # other parts (validator names) are not fields
    return ".".join(parts), node


def unknown_key_message(schema: type[BaseModel], path: str) -> str:
    """``unknown key``, with the nearest valid path when one is close (see :mod:`.paths`)."""
    near = nearest_path(schema, path)
    if near is None:
        return "unknown key"
    if path.rsplit(".", 1)[-1] in RENAMED:
        return f"unknown key: renamed, now {near}"
    return f"unknown key; did you mean {near}?"


def _error_from_validation(
    exc: ValidationError,
    doc: dict[str, Any],
    prov: _Provenance,
    top_file: str,
    schema: type[BaseModel],
) -> ScenarioError:
    err = exc.errors(include_url=False)[0]
    path, value = _locate(doc, tuple(err["loc"]))
    message = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if err["type"] == "extra_forbidden":
        message = unknown_key_message(schema, path)
        value = MISSING
    elif err["type"] == "missing":
        value = MISSING
    elif value is MISSING:
        value = err.get("input", MISSING)
    return ScenarioError(prov.source_of(path, top_file), path, message, value)


def load_scenario(
    path: str | Path,
    overrides: Iterable[str] = (),
    *,
    schema: type[_Model] | None = None,
    refuse_ignored: bool = True,
) -> _Model:
    """Load, merge and validate a scenario; raise :class:`ScenarioError` on any user mistake.

    Args:
        path: the scenario file.
        overrides: ``dotted.path=value`` strings, applied in order after the file.
        schema: the pydantic model to validate against (default :class:`sim.scenario.Scenario`).
        refuse_ignored: refuse a setting that the scenario's mode ignores in a run
            (:mod:`sim.scenario.relevance`); False for commands that read only part of a
            scenario (the population and credit commands).
    """
    from sim.scenario.schema import Scenario

    if schema is None:
        schema = Scenario  # type: ignore[assignment]
    assert schema is not None
    path = Path(path)
    prov = _Provenance()
    doc: dict[str, Any] = schema().model_dump(mode="json", by_alias=True)
    prov.record("", doc, DEFAULTS)
    for source, part in load_document(path):
        doc = deep_merge(doc, part, source=source, prov=prov)
    for text in overrides:
        parts, value = parse_override(text)
        doc = apply_override(doc, parts, value, prov)
    ignored: list[Any] = []
    if refuse_ignored and schema is Scenario:
        from sim.scenario.relevance import ignored_settings

        ignored = ignored_settings(doc, prov.user_paths())
    try:
        loaded = schema.model_validate(doc)
    except ValidationError as exc:
        error = _error_from_validation(exc, doc, prov, str(path), schema)
        # A bad value is reported as such; but when an ignored setting breaks a rule of its
        # section (tier shares no longer summing to one), the ignored setting is the news.
        for item in ignored:
            parent = item.path.rsplit(".", 1)[0]
            if error.path != item.path and error.path.startswith(parent + "."):
                raise _ignored_error(item, doc, prov, str(path)) from None
        raise error from None
    if ignored:
        raise _ignored_error(ignored[0], doc, prov, str(path))
    return loaded


def _ignored_error(item: Any, doc: dict[str, Any], prov: _Provenance, top: str) -> ScenarioError:
    _, value = _locate(doc, tuple(item.path.split(".")))
    return ScenarioError(prov.source_of(item.path, top), item.path, item.reason, value)
