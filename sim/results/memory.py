"""Giving freed memory back to the operating system between the phases of a long run.

A long run frees a great deal as it goes: the arrays drawn while building the ports, each day's
journeys once written, each port's records once its KPIs are computed. Freed is not returned:
glibc's ``malloc`` keeps freed heap pages for reuse (and, having seen large arrays freed, raises
its threshold for giving big blocks their own mapping, so later arrays of up to 32 MB land on the
heap too), and Arrow's allocator keeps its own. The process's resident memory then stays at its
high-water mark plus whatever comes next. :func:`release_memory` asks both to hand their free
pages back (``malloc_trim``, Arrow's ``release_unused``); it costs milliseconds, so it is called
at phase boundaries (each simulated midnight of a streamed run, each port's KPIs), not in loops.
It changes no value, only where free memory sits. Where ``malloc_trim`` does not exist (not
glibc) only Arrow's pool is asked.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

import pyarrow as pa

__all__ = ["release_memory"]


@functools.cache  # looked up on first release, not at import: finding libc runs ldconfig
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


def release_memory() -> None:
    """Return the allocators' free pages to the operating system (values are untouched)."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
