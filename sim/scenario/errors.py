"""The one error a user's scenario can cause, and how it reads.

Every problem with a scenario a user wrote (a missing file, broken YAML, an unknown key, a value
of the wrong type or out of range, a bad ``--set`` override) becomes a :class:`ScenarioError`
naming the file, the dotted path of the field and the offending value, so the CLI can print one
line, ``error: FILE: dotted.path: what is wrong (got VALUE)``, and exit with status 2.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MISSING", "ScenarioError", "format_value"]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def format_value(value: Any, limit: int = 80) -> str:
    """Render a value for an error line: short, on one line."""
    text = repr(value) if isinstance(value, str) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ScenarioError(Exception):
    """A user's mistake in a scenario, located by file and dotted path.

    Attributes:
        file: the file the value came from (or ``--set`` for a command-line override).
        path: the dotted path of the field (``ports.xinhai.channels``), or ``""`` for the file.
        message: what is wrong, in words.
        value: the offending value, or :data:`MISSING` when there is none to show.
    """

    def __init__(self, file: str, path: str, message: str, value: Any = MISSING) -> None:
        self.file = file
        self.path = path
        self.message = message
        self.value = value
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}: " if self.path else f"{self.file}: "
        got = "" if self.value is MISSING else f" (got {format_value(self.value)})"
        return f"{where}{self.message}{got}"
