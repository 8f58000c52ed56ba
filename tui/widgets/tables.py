"""Filling a DataTable in one step, with every column sized to its content at once and fitted
into the width the screen has; and the table every screen shows (:class:`LedgerTable`), which
keeps the rows it was given so ``/`` can filter them and ``r`` sort them, through every reload.

A DataTable left to size itself measures new cells on its next idle event, so a screen
captured (or read by a person on a busy machine) before that idle shows columns as wide as
their headers only: "travel_l" for "travel_logistics". Sizing columns when the rows are added
makes what is shown depend only on the data. A table wider than its screen is cut at the edge
("pla" for "placeholder"): the widest columns are narrowed and their cells wrapped instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from caseledger.application.text import for_terminal
from caseledger.tui.widgets.find import FindBar, SortPrompt
from caseledger.tui.widgets.rowview import Order, Shown, fit_rest, fit_widths, floor_width, shown_text, view_rows, word_floor

Row = tuple[Sequence[Any], str | None]
"""A row's cells and its key (None for rows nothing refers back to)."""

NARROWEST = 16
"""Free text is wrapped at no fewer cells than this (narrower, it reads a word a line)."""

MOST_LINES = 3
"""Where the table does not fit even with its free text wrapped (80×24), a row is at most this
many lines tall (the rest of a long cell is not shown; the table scrolls sideways)."""

TABLE_NOTE = "/ then text: only the rows holding it (Enter keeps it, Esc clears); r then a column's key: sort by it (again: reversed; 0: the screen's order)"
"""What the help says of every table's keys."""

REST_LEAST = 40
"""A table's column of free text (:attr:`LedgerTable.rest_column`) is given at least this many
cells where the others can be narrowed to leave them (a line of "name: value; …" reads whole)."""

PADDING = 2
"""Cells a DataTable column adds to its width (one space either side)."""


def fill_table(table: DataTable[Any], header: Sequence[str], rows: Sequence[Row]) -> None:
    """Replace the table's columns and rows: a :class:`LedgerTable` keeps them and shows those its
    filter and sort let through; any other table shows them all (:func:`show_rows`)."""
    if isinstance(table, LedgerTable):
        table.fill(header, rows)
    else:
        show_rows(table, header, rows)


def show_rows(table: DataTable[Any], header: Sequence[str], rows: Sequence[Row]) -> None:
    """Replace the table's columns and rows; each column as wide as its widest cell or label, the
    widest narrowed (their cells wrapped) when the table is wider than the room it has. The
    cursor stays on the row it was on (by key) when that row is still there: a screen reloaded
    after a form closes keeps the person's place, and Enter opens what they had selected."""
    selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None
    table.clear(columns=True)
    texts = [[for_terminal(shown_text(cell)) for cell in cells] for cells, _key in rows]
    natural = [max([cell_len(label), *(cell_len(row[index]) for row in texts)]) for index, label in enumerate(header)]
    widths, most_lines = natural, 0
    room = table.size.width - table.styles.scrollbar_size_vertical - PADDING * len(header)
    if table.size.width and header:
        columns = [[row[index] for row in texts] for index in range(len(header))]
        floors = [floor_width(label, column, NARROWEST) for label, column in zip(header, columns, strict=True)]
        rest = table.rest_column if isinstance(table, LedgerTable) else None
        if sum(floors) > room or rest is not None:  # many short columns (Site), or a column of free text to widen: wrap at words, labels too
            floors = [word_floor(label, column) for label, column in zip(header, columns, strict=True)]
        widths = fit_widths(natural, floors, room) if rest is None else fit_rest(natural, floors, room, rest, REST_LEAST)
        most_lines = 0 if sum(widths) <= room else MOST_LINES  # too narrow even wrapped (80×24): long cells end "…"
    table.header_height = max(lines(table, label, width) for label, width in zip(header, widths, strict=True)) if header else 1
    for label, width in zip(header, widths, strict=True):
        table.add_column(label, width=width)
    narrowed = [index for index, (width, whole) in enumerate(zip(widths, natural, strict=True)) if width < whole]
    for (cells, key), row in zip(rows, texts, strict=True):
        height = max([1, *(lines(table, row[index], widths[index]) for index in narrowed)])
        shown = [plain(cell.text if isinstance(cell, Shown) else cell) for cell in cells]
        table.add_row(*shown, key=key, height=min(height, most_lines) if most_lines else height)
    if selected is not None and any(key == selected for _cells, key in rows):
        table.move_cursor(row=table.get_row_index(selected))


def lines(table: DataTable[Any], text: str, width: int) -> int:
    """How many lines ``text`` takes wrapped to ``width`` cells (a DataTable wraps a cell whose
    row is taller than one line)."""
    return len(Text(text).wrap(table.app.console, width)) if cell_len(text) > width else 1


def plain(value: Any) -> Any:
    """Text shown as it is: markup escaped (a reason may hold ``[/]``; a table cell and a label
    read their text as markup) and control characters made visible; numbers stay numbers; styled
    text (:func:`struck`) is already plain."""
    return escape(for_terminal(value)) if isinstance(value, str) else value


def struck(value: Any) -> Text:
    """A cell of a retracted event: struck through and dimmed, its text shown as typed (a Text is
    never read as markup)."""
    return Text(for_terminal(str(value)), style="strike dim")


class LedgerTable(DataTable[Any]):
    """A table that keeps every row its screen gave (:func:`fill_table`) and shows those holding
    the text typed after ``/`` (letter case ignored), sorted by the column chosen after ``r``;
    both hold through the screen's reloads (another process recorded). ``order_words`` says what
    the screen's own order is (chosen again with ``r`` ``0``). The two keys are not in the footer,
    which at 80 columns has room only for the keys that record and switch screens: ``?`` lists
    them ("Any table"), and the palette offers both by name."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "find", "Filter", id="table.find", show=False),
        Binding("r", "sort", "Sort", id="table.sort", show=False),
        Binding("escape", "clear_find", "Clear filter", id="table.clear"),
    ]

    def __init__(self, *, order_words: str = "as listed", rest_column: int | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.order_words = order_words
        self.rest_column = rest_column
        """The column of free text that takes the width the others leave (None: every column is
        narrowed alike); the others' labels and cells wrap at words first."""
        self.given_header: tuple[str, ...] = ()
        self.given_rows: list[Row] = []
        self.filter_text = ""
        self.order = Order()
        self.shown_count = 0
        self.keys_to: Callable[[LedgerTable, events.Key], None] | None = None
        """Where keys the table receives go while the filter bar or the sort prompt is opening."""
        self.early_keys: list[events.Key] = []
        """Keys that came before the bar or the prompt was there (given to it once it is)."""

    def fill(self, header: Sequence[str], rows: Sequence[Row]) -> None:
        """Keep ``rows`` and show those the filter and the sort let through."""
        self.given_header, self.given_rows = tuple(header), list(rows)
        self.show_view()

    def show_view(self) -> None:
        shown = view_rows(self.given_rows, self.filter_text, self.order)
        labels = [f"{label} {'▼' if self.order.descending else '▲'}" if index == self.order.column else label for index, label in enumerate(self.given_header)]
        show_rows(self, labels, shown)
        self.shown_count = len(shown)
        FindBar.count_for(self)

    def filter_by(self, text: str) -> None:
        """Show only the rows holding ``text`` ('' shows them all)."""
        self.filter_text = text
        self.show_view()
        self.refresh_bindings()

    def sort_by(self, column: int | None) -> None:
        """Sort by ``column`` (the same again: reversed; None: the screen's own order)."""
        self.order = self.order.pressed(column)
        self.show_view()

    async def action_find(self) -> None:
        self.keys_to = FindBar.type_key
        await FindBar.open_for(self)

    async def action_sort(self) -> None:
        self.keys_to = SortPrompt.choose_key
        await SortPrompt.open_for(self)

    def on_key(self, event: events.Key) -> None:
        """Keys typed at once after ``/`` or ``r`` reach the table before the focus has moved to
        the bar or the prompt: they go where the person meant them (never to the table's or
        the screen's keys: "co" after ``/`` must not open a case)."""
        if self.keys_to is None:  # the key that opens the bar: the keys queued behind it go there too
            self.keys_to = {"slash": FindBar.type_key, "r": SortPrompt.choose_key}.get(event.key) if self.check_action("find", ()) else None
            self.early_keys.clear()
        elif event.is_printable or event.key in ("enter", "escape"):
            event.stop()
            event.prevent_default()
            self.keys_to(self, event)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """While its filter bar or sort prompt is opening, the printable keys typed behind ``/`` or
        ``r`` are theirs (see :meth:`on_key`)."""
        return self.keys_to is not None and character is not None and character.isprintable()

    def on_focus(self, event: events.Focus) -> None:
        self.keys_to = None

    def action_clear_find(self) -> None:
        FindBar.close_for(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape clears a filter only when one is on (otherwise it is the app's key)."""
        return bool(self.filter_text) if action == "clear_find" else True

    def on_resize(self, event: events.Resize) -> None:
        """Fit the columns again into the new width."""
        if self.given_header:
            self.show_view()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a column's label sorts by it (again: reversed)."""
        event.stop()
        self.sort_by(event.column_index)
