"""The resolved scenario, written out: what the model will run after ``extends:`` and ``--set``.

A scenario file states only what differs from the embedded defaults, possibly through a chain of
``extends:`` and a few ``--set`` overrides, so the values a run uses are spread over several
places. :func:`resolved_yaml` writes the whole validated scenario as one YAML document (every
default filled in, in schema order), optionally only the part under a dotted path, so a user
can read "Xinhai has eight customs channels" without following the files. The output is itself a
valid scenario file: loading it gives the same scenario.
"""

from __future__ import annotations

from typing import Any

import yaml

from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario

__all__ = ["resolved_yaml", "select"]


class _Dumper(yaml.SafeDumper):
    """Block style for mappings, flow style for short lists of plain values (profiles)."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, dict | list) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def select(doc: Any, path: str, label: str = "--only") -> Any:
    """The part of a plain document under the dotted ``path`` (``""``: all of it).

    Raises:
        ScenarioError: the path names nothing in the document.
    """
    node = doc
    walked: list[str] = []
    for part in path.split(".") if path else []:
        walked.append(part)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            from sim.scenario.loading import unknown_key_message

            message = unknown_key_message(Scenario, ".".join(walked))
            if node is None:
                message = "the scenario has nothing here (null above it)"
            raise ScenarioError(label, ".".join(walked), message)
    return node


def resolved_yaml(scenario: Scenario, path: str = "") -> str:
    """The scenario (or its part under ``path``) as a YAML document.

    Args:
        scenario: a validated scenario.
        path: a dotted path such as ``ports.xinhai.resources``; empty for the whole scenario.

    Returns:
        YAML text; for the whole scenario, a file that loads back to the same scenario.
    """
    doc = scenario.model_dump(mode="json", by_alias=True)
    part = select(doc, path)
    keys = path.split(".") if path else []
    header = ""
    if any(k.isdigit() for k in keys):
        header = f"# {path}\n"  # a list item: shown on its own, under a comment naming it
    else:
        for key in reversed(keys):  # nest the part under its keys, as in a scenario file
            part = {key: part}
    text: str = yaml.dump(part, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + text
