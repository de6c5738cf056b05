"""Summary tables (:class:`sim.results.summary.SummaryTable`) drawn in the terminal with Rich.

The tables are built once in :mod:`sim.results` and drawn here for the terminal and in
:mod:`reports` for the HTML report, so both show the same cells.
"""

from __future__ import annotations

from rich import box
from rich.table import Table

from sim.results.summary import SummaryTable

__all__ = ["rich_table"]


def rich_table(table: SummaryTable) -> Table:
    """``table`` as a Rich table: the first column left-aligned, numbers right-aligned."""
    out = Table(title=table.title, box=box.SIMPLE_HEAD, pad_edge=False, caption=table.caption)
    for i, col in enumerate(table.columns):
        text = i == 0 or col in table.text_columns
        out.add_column(col, justify="left" if text else "right", min_width=len(col), no_wrap=True)
    for i, row in enumerate(table.rows):
        out.add_row(*row, style="bold" if table.highlighted(i) else None)
    return out
