"""Pointing a cross-field error at the field that is wrong.

A pydantic model validator sees the whole section, so a plain ``ValueError`` raised there is
reported at the section's path (``ports.xinhai``), not at the field the user must fix
(``ports.xinhai.resources.officer_shifts``). :func:`field_error` builds a validation error located
at a path *relative to the model being validated*; pydantic prefixes the outer path as the error
bubbles up, so the loader can print the full dotted path and the offending value.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

__all__ = ["field_error"]


def field_error(loc: tuple[str | int, ...], message: str, value: Any) -> ValidationError:
    """A validation error at ``loc`` (relative to the model being validated).

    Args:
        loc: the path of the offending field inside the model, e.g. ``("resources", "scanners")``.
        message: what is wrong, in words.
        value: the offending value, shown after the message as ``(got VALUE)``.

    Returns:
        The error, to be raised from a model validator.
    """
    error = ValueError(message)
    detail = {"type": "value_error", "loc": loc, "input": value, "ctx": {"error": error}}
    return ValidationError.from_exception_data("scenario", [detail])  # type: ignore[list-item]
