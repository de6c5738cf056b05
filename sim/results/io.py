"""Writing run outputs: ``kpis.json`` byte for byte reproducible, ``records.parquet`` columnar.

Reproducibility is a property of the bytes: keys are sorted, floats are rounded to a fixed number
of significant digits (so the last-bit noise of summation order cannot leak into the file), NaN
becomes ``null``, and nothing time-dependent (no timestamp, no host) is written. Both files are
written to a temporary file in the target directory and renamed into place, so a crash or an
interrupted run never leaves a half-written output.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.results.records import CATEGORY_COLUMNS, RECORD_COLUMNS, STRING_COLUMNS, Records

__all__ = [
    "canonical_json",
    "publish_directory",
    "read_records",
    "records_from_table",
    "records_table",
    "stage_directory",
    "stage_file",
    "write_atomic",
    "write_kpis",
    "write_outputs",
    "write_records",
    "write_text_atomic",
]

_DICTIONARY = frozenset({*CATEGORY_COLUMNS, "book", "risk_indicators"})
"""String columns with few distinct values, stored dictionary-encoded."""

SIGNIFICANT = 10
"""Significant digits kept for floats in kpis.json."""


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        if not math.isfinite(x):
            return None
        return float(f"{x:.{SIGNIFICANT}g}")
    return value


def canonical_json(data: Any) -> str:
    """``data`` as canonical JSON text: sorted keys, rounded floats, NaN as null, final newline."""
    text = json.dumps(_clean(data), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return text + "\n"


def stage_file(path: Path, write: Callable[[Path], object]) -> Path:
    """Write through ``write`` into a temporary file beside ``path``; return the temporary.

    Rename it onto ``path`` (``os.replace``) when complete; remove it on failure.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would survive the rename
    try:
        write(Path(tmp))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def stage_directory(out: Path) -> Path:
    """A new temporary directory beside ``out`` to write a set of outputs into.

    Publish it with :func:`publish_directory`; remove it (``shutil.rmtree``) in any case after,
    so an error leaves ``out`` as it was.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's 0700 would survive the rename
    return tmp


def publish_directory(tmp: Path, out: Path, names: Sequence[str]) -> None:
    """Move the finished files ``names`` from ``tmp`` into ``out`` (the whole directory if new)."""
    if not out.exists():
        os.replace(tmp, out)
        return
    for name in names:
        os.replace(tmp / name, out / name)


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write ``path`` whole or not at all: through ``write`` into a staged file, then renamed."""
    os.replace(stage_file(path, write), path)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``, atomically."""
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_kpis(path: Path, kpis: dict[str, Any]) -> None:
    """Write ``kpis`` as canonical JSON to ``path``, atomically."""
    write_text_atomic(path, canonical_json(kpis))


def records_table(records: Records) -> pa.Table:
    """The records as an Arrow table: categories dictionary-encoded, identities as strings."""
    arrays = []
    for name in RECORD_COLUMNS:
        col = records[name]
        if name in _DICTIONARY:
            arrays.append(pa.array(col.tolist(), type=pa.string()).dictionary_encode())
        elif name in STRING_COLUMNS:
            arrays.append(pa.array(col.tolist(), type=pa.string()))
        else:
            arrays.append(pa.array(col))
    return pa.Table.from_arrays(arrays, names=list(RECORD_COLUMNS))


def write_records(path: Path, records: Records) -> None:
    """Write the records table as Parquet to ``path``, atomically (NaN kept as NaN)."""
    table = records_table(records)
    write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def write_outputs(directory: Path, kpis: dict[str, Any], records: Records) -> None:
    """Write ``kpis.json`` and ``records.parquet`` into ``directory``, both or neither.

    Both files are staged as temporaries first; only when both are complete are they renamed into
    place, so a failure (disk full, bad data) leaves the previous outputs untouched.
    """
    text = canonical_json(kpis)
    table = records_table(records)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, write in (
            ("records.parquet", lambda tmp: pq.write_table(table, tmp, compression="zstd")),
            ("kpis.json", lambda tmp: tmp.write_text(text, encoding="utf-8")),
        ):
            staged.append((stage_file(directory / name, write), directory / name))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, final in staged:
        os.replace(tmp, final)


def _strings(column: pa.ChunkedArray) -> np.ndarray:
    """A string column as an object array; a dictionary column shares one str per value."""
    if not pa.types.is_dictionary(column.type):
        return np.asarray(column.to_pylist(), dtype=object)
    parts = []
    for chunk in column.chunks:
        words = np.asarray(chunk.dictionary.to_pylist(), dtype=object)
        codes = chunk.indices.to_numpy(zero_copy_only=False)
        parts.append(words[codes] if len(words) else np.empty(len(codes), dtype=object))
    return np.concatenate(parts) if parts else np.empty(0, dtype=object)


def read_records(
    path: Path,
    *,
    filters: list[tuple[str, str, Any]] | None = None,
    columns: Sequence[str] | None = None,
) -> Records:
    """Read a records table written by :func:`write_records` (or streamed by row groups).

    Args:
        path: the Parquet file.
        filters: keep only rows matching every ``(column, op, value)`` (pyarrow's filters),
            e.g. ``[("port", "=", "xinhai")]``; the rest is never held in memory.
        columns: read only these (default: every column of ``RECORD_COLUMNS``).
    """
    names = list(RECORD_COLUMNS if columns is None else columns)
    return records_from_table(pq.read_table(path, filters=filters, columns=names))


def records_from_table(table: pa.Table) -> Records:
    """Records from an Arrow table of record columns (any subset of ``RECORD_COLUMNS``)."""
    cols: dict[str, np.ndarray] = {}
    for name in list(table.column_names):
        column = table.column(name)
        if name in STRING_COLUMNS:
            cols[name] = _strings(column)
        else:
            cols[name] = column.to_numpy()
        del column
        table = table.drop_columns([name])  # its Arrow buffers go as soon as NumPy has it
    return Records(cols)
