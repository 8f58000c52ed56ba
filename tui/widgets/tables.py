"""Filling a DataTable in one step, with every column sized to its content at once.

A DataTable left to size itself measures new cells on its next idle event, so a screen
captured (or read by a person on a busy machine) before that idle shows columns as wide as
their headers only: "travel_l" for "travel_logistics". Sizing columns when the rows are added
makes what is shown depend only on the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text
from textual.widgets import DataTable

from caseledger.application.text import for_terminal

Row = tuple[Sequence[Any], str | None]
"""A row's cells and its key (None for rows nothing refers back to)."""


def fill_table(table: DataTable[Any], header: Sequence[str], rows: Sequence[Row]) -> None:
    """Replace the table's columns and rows; each column as wide as its widest cell or label. The
    cursor stays on the row it was on (by key) when that row is still there: a screen reloaded
    after a form closes keeps the person's place, and Enter opens what they had selected."""
    selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
    table.clear(columns=True)
    for index, label in enumerate(header):
        width = max([cell_len(label), *(cell_len(for_terminal(str(cells[index]))) for cells, _key in rows)])
        table.add_column(label, width=width)
    for cells, key in rows:
        table.add_row(*(plain(cell) for cell in cells), key=key)
    if selected is not None and any(key == selected for _cells, key in rows):
        table.move_cursor(row=table.get_row_index(selected))


def plain(value: Any) -> Any:
    """Text shown as it is: markup escaped (a reason may hold ``[/]``; a table cell and a label
    read their text as markup) and control characters made visible; numbers stay numbers; styled
    text (:func:`struck`) is already plain."""
    return escape(for_terminal(value)) if isinstance(value, str) else value


def struck(value: Any) -> Text:
    """A cell of a retracted event: struck through and dimmed, its text shown as typed (a Text is
    never read as markup)."""
    return Text(for_terminal(str(value)), style="strike dim")
