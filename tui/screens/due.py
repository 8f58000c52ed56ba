"""*Due*: the deadlines of the cases the officer carries — overdue first, then by due date — with
how many days are left (or how late), whose case it is and the rule's source; Enter opens the
case, and ``n`` opens the record form on the entry that completes the selected deadline, filled
in (Ctrl+S records it). Nobody types a due date: each comes from the events already recorded
(the ``deadlines`` projection)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header

from caseledger.application.ledger import DueRow, completing_entry
from caseledger.application.text import DEADLINE_WORDS, STATUS_WORDS
from caseledger.tui.screens.base import CaseListScreen, RecordContext
from caseledger.tui.widgets.legend import Legend
from caseledger.tui.widgets.rowview import Shown
from caseledger.tui.widgets.tables import LedgerTable, fill_table

STYLES = {"overdue": "bold red", "due_soon": "bold yellow", "open": ""}
URGENCY = {"overdue": 0, "due_soon": 1, "open": 2}
"""Statuses sorted most pressing first."""

ORDER = "overdue first, then by due date"


def when(row: DueRow) -> str:
    """How far off the due date is, in words."""
    days = abs(row.days_left)
    unit = "day" if days == 1 else "days"
    if row.days_left < 0:
        return f"{days} {unit} late"
    return "today" if days == 0 else f"in {days} {unit}"


class DueScreen(CaseListScreen):
    TITLE = "Due"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("o", "open_case", "Open", id="due.open")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Legend(id="due-legend")
        yield LedgerTable(id="due-table", cursor_type="row", order_words=ORDER)
        yield Footer()

    def record_context(self) -> RecordContext:
        """The entry that completes the selected deadline, for its case: ``n`` then Ctrl+S."""
        key = self.selected()
        if key is None:
            return None, {}
        offender, deadline, _opened = key.split(" ")
        kind, values = completing_entry(deadline)
        return kind, {"offender": offender, **values}

    def fetch(self, request: None) -> list[DueRow]:
        return self.ledger.session.due(self.ledger.officer)

    def show(self, rows: list[DueRow]) -> None:
        shown = [
            (
                (
                    Shown(Text(STATUS_WORDS[row.status], style=STYLES[row.status]), URGENCY[row.status]),
                    str(row.due_on),
                    Shown(when(row), row.days_left),
                    DEADLINE_WORDS.get(row.deadline, row.deadline),
                    row.offender,
                    row.whose,
                    str(row.opened_on),
                    row.source,
                ),
                f"{row.offender} {row.deadline} {row.opened_on}",
            )
            for row in rows
        ]
        fill_table(self.query_one(DataTable), ("status", "due", "when", "deadline", "offender", "whose", "opened", "source"), shown)
        self.query_one(Legend).explain(shown)
        overdue = sum(1 for row in rows if row.status == "overdue")
        soon = sum(1 for row in rows if row.status == "due_soon")
        self.sub_title = f"{len(rows)} open deadlines of {self.ledger.officer}: {overdue} overdue, {soon} due soon"
