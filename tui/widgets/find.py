"""The filter bar (``/``) and the sort prompt (``r``) of a :class:`~caseledger.tui.widgets.tables.LedgerTable`,
each shown just below its table, in whatever screen holds it.

The bar narrows the table's rows at each keystroke and stays in sight while a filter is on,
saying what it holds and how many rows of how many are shown; Enter returns to the table with
the filter kept, Esc clears it. The prompt names each column with the key that sorts by it."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from caseledger.application.text import for_terminal

if TYPE_CHECKING:
    from caseledger.tui.widgets.tables import LedgerTable

COLUMN_KEYS = "123456789" + string.ascii_lowercase
"""The key that sorts by each column, in column order ("0": the screen's own order)."""


def below(table: LedgerTable, kind: type[Widget]) -> Widget | None:
    """The ``kind`` widget shown below ``table`` (None when there is none)."""
    parent = table.parent
    if parent is None:
        return None
    return next((child for child in parent.children if isinstance(child, kind) and getattr(child, "table", None) is table), None)


class FindInput(Input):
    """The filter's text box: Esc clears the filter and returns to the table."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "clear", "Clear filter", id="filter.clear")]

    leaving = False
    """Enter was pressed: keys typed after it, which reach the box before the table has the
    focus, go to the table (``r`` after ``/corr`` Enter sorts; it is not typed into the filter)."""

    def on_key(self, event: events.Key) -> None:
        bar = self.parent
        if self.leaving and isinstance(bar, FindBar):
            event.stop()
            event.prevent_default()
            bar.table.post_message(events.Key(event.key, event.character))

    def on_focus(self, event: events.Focus) -> None:
        self.leaving = False

    def action_clear(self) -> None:
        bar = self.parent
        if isinstance(bar, FindBar):
            FindBar.close_for(bar.table)


class FindBar(Horizontal):
    """Below a table while a filter is typed or on: the text, and how many rows of how many show."""

    DEFAULT_CSS = """
    FindBar { height: 1; background: $boost; }
    FindBar > Label { width: auto; padding: 0 1; }
    FindBar > FindInput { border: none; height: 1; width: 1fr; padding: 0 1; }
    FindBar > FindInput:focus { border: none; }
    """

    def __init__(self, table: LedgerTable) -> None:
        self.table = table
        self.box = FindInput(table.filter_text, placeholder="text in any cell · Enter: back to the table · Esc: clear", select_on_focus=False)
        self.count = Label(self.counted(), classes="find-count")
        super().__init__(Label("filter /", classes="find-label"), self.box, self.count)

    def counted(self) -> str:
        table = self.table
        return f"{table.shown_count} of {len(table.given_rows)} rows"

    @classmethod
    async def open_for(cls, table: LedgerTable) -> None:
        """Show the bar below ``table`` (or return to it) with the focus in its text box — before
        the next key is handled, so text typed at once after ``/`` lands in the box."""
        bar = below(table, cls)
        if not isinstance(bar, FindBar):
            bar = FindBar(table)
            await table.parent.mount(bar, after=table)  # type: ignore[union-attr]  # a mounted table has a parent
        bar.box.focus()
        for early in table.early_keys:
            cls.type_key(table, early)
        table.early_keys.clear()

    @classmethod
    def close_for(cls, table: LedgerTable) -> None:
        """Clear ``table``'s filter, remove its bar, and return to the table."""
        bar = below(table, cls)
        if bar is not None:
            bar.remove()
        table.filter_by("")
        table.focus()

    @classmethod
    def count_for(cls, table: LedgerTable) -> None:
        """Say again how many rows ``table`` shows (after a filter, a sort or a reload)."""
        bar = below(table, cls)
        if isinstance(bar, FindBar) and bar.is_mounted:
            bar.count.update(bar.counted())

    @classmethod
    def type_key(cls, table: LedgerTable, event: events.Key) -> None:
        """A key that reached ``table`` before its bar had the focus: typed into the bar."""
        bar = below(table, cls)
        if not isinstance(bar, FindBar) or not bar.is_mounted:
            table.early_keys.append(event)
            return
        box = bar.box
        if box.leaving:  # typed after Enter: the table's
            table.post_message(events.Key(event.key, event.character))
        elif event.key == "escape":
            box.action_clear()
        elif event.key == "enter":
            box.leaving = True
            table.keys_to = None
            bar.post_message(Input.Submitted(box, box.value))
        else:
            box.insert_text_at_cursor(event.character or "")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()  # the screen's own boxes (Audit's filters) do not hear this one
        self.table.filter_by(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.box.leaving = True
        if not event.value:
            FindBar.close_for(self.table)
        else:
            self.table.focus()


class SortPrompt(Static, can_focus=True):
    """Below a table after ``r``: each column's label with its key; that key sorts by the column
    (the same again reverses), ``0`` brings back the screen's own order, Esc leaves it as it is."""

    DEFAULT_CSS = """
    SortPrompt { height: auto; background: $boost; padding: 0 1; }
    """

    def __init__(self, table: LedgerTable) -> None:
        super().__init__(self.words(table))
        self.table = table

    @staticmethod
    def words(table: LedgerTable) -> str:
        columns = " · ".join(f"[b]{key}[/b] {escape(for_terminal(label))}" for key, label in zip(COLUMN_KEYS, table.given_header, strict=False))
        return f"sort by: {columns} · [b]0[/b] {escape(table.order_words)} · the same key again reverses · Esc: leave as is"

    @classmethod
    async def open_for(cls, table: LedgerTable) -> None:
        """Show the prompt below ``table``, focused before the next key is handled."""
        prompt = below(table, cls)
        if not isinstance(prompt, SortPrompt):
            prompt = SortPrompt(table)
            await table.parent.mount(prompt, after=table)  # type: ignore[union-attr]  # a mounted table has a parent
        prompt.focus()
        for early in table.early_keys:
            prompt.on_key(early)
        table.early_keys.clear()

    @classmethod
    def choose_key(cls, table: LedgerTable, event: events.Key) -> None:
        """A key that reached ``table`` before its prompt had the focus: the prompt's choice."""
        prompt = below(table, cls)
        if isinstance(prompt, SortPrompt) and prompt.is_mounted:
            prompt.on_key(event)
        else:
            table.early_keys.append(event)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Its choices are its own (``0`` and the columns' keys, digits among them: never a screen's)."""
        return key == "0" or (character is not None and character in COLUMN_KEYS[: len(self.table.given_header)])

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.key == "0":
            self.table.sort_by(None)
        elif event.character and event.character in COLUMN_KEYS[: len(self.table.given_header)]:
            self.table.sort_by(COLUMN_KEYS.index(event.character))
        elif event.key != "escape":
            return  # not a choice: the prompt waits
        self.table.focus()
        self.remove()

    def on_blur(self, event: events.Blur) -> None:
        """Clicking elsewhere leaves the order as it is."""
        self.remove()
