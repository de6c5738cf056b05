"""Experiment designs: the arms of a comparison and the grid of a sweep.

A sweep varies scenario fields over a grid:
``--param ports.xinhai.resources.customs_channels=8,10,12``
``--param policy.tiers.key_attention.random_floor=0.2,1.0`` is six points, each the scenario with
two ``--set`` overrides. Values are YAML, as in ``--set``; the commas that separate them are
those outside brackets and braces, so ``--param path=[1,2],[3,4]`` has two values. Each point is
one arm, labelled by its values; every arm runs on the same replication indices (common random
numbers across the grid).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from sim.scenario import Scenario

__all__ = ["ArmSpec", "DesignError", "grid", "parse_param", "point_label"]


class DesignError(ValueError):
    """A design a user got wrong; the message names the option and the value."""


@dataclass(frozen=True)
class ArmSpec:
    """One arm to run.

    Attributes:
        label: short name (``A``, ``B``, a sweep point's values).
        scenario: the validated scenario.
        params: the overrides that make this arm differ (a sweep point), path -> value text.
    """

    label: str
    scenario: Scenario
    params: dict[str, str] = field(default_factory=dict)


def _split_values(text: str) -> list[str]:
    values: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        if char == "," and depth == 0:
            values.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    values.append("".join(current).strip())
    return values


def parse_param(text: str) -> tuple[str, list[str]]:
    """``dotted.path=v1,v2,...`` as the path and its values (text, read as YAML later).

    Raises:
        DesignError: when the text has no ``=``, an empty path or an empty value.
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or any(not part for part in path.split(".")):
        raise DesignError(f"--param: {text!r}: a parameter must look like dotted.path=v1,v2,...")
    values = _split_values(raw)
    if any(not v for v in values):
        raise DesignError(f"--param: {path}: an empty value in {raw!r}")
    if len(set(values)) != len(values):
        raise DesignError(f"--param: {path}: a value is repeated in {raw!r}")
    return path, values


def grid(params: list[tuple[str, list[str]]]) -> list[dict[str, str]]:
    """Every combination of the parameters' values (the first parameter varies slowest).

    Raises:
        DesignError: when there is no parameter or a path is given twice.
    """
    if not params:
        raise DesignError("--param: a sweep needs at least one parameter")
    paths = [p for p, _ in params]
    for path in paths:
        if paths.count(path) > 1:
            raise DesignError(f"--param: {path}: given twice")
    return [
        dict(zip(paths, combo, strict=True))
        for combo in itertools.product(*(values for _, values in params))
    ]


def point_label(point: dict[str, str]) -> str:
    """A sweep point's label: each path's last segment with its value."""
    return ", ".join(f"{path.rpartition('.')[2]}={value}" for path, value in point.items())
