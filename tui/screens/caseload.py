"""*Caseload*: the officer's cases — location, complexity, SIU days, plan status, next dates —
their own and those of colleagues they cover (``v`` cycles: all, own only, covered only).
Enter opens the case file."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header

from caseledger.application.ledger import CaseRow
from caseledger.application.text import choice_words
from caseledger.tui.screens.base import CaseListScreen
from caseledger.tui.widgets.legend import Legend
from caseledger.tui.widgets.rowview import Shown
from caseledger.tui.widgets.tables import LedgerTable, fill_table

HEADER = ("offender", "next dates", "release plan", "whose", "location", "SIU days", "complexity")


class CaseloadScreen(CaseListScreen):
    TITLE = "Caseload"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_case", "Open", id="caseload.open", show=False),
        Binding("v", "cycle_view", "Own/covered/all", id="caseload.view", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.showing = "all"
        """Which cases show: ``all`` (own and covered), ``own`` or ``covered`` (see :data:`VIEWS`)."""
        self.case_rows: list[CaseRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Legend("Enter: open the case · v: all, own or covered · next dates ahead, soonest first; release: the granted release", id="caseload-legend")
        yield LedgerTable(id="caseload-table", cursor_type="row")
        yield Footer()

    def fetch(self, request: None) -> list[CaseRow]:
        return self.ledger.session.caseload(self.ledger.officer)

    def show(self, rows: list[CaseRow]) -> None:
        self.case_rows = rows
        kept = [row for row in rows if VIEWS[self.showing][1](row)]
        shown = [
            (
                (
                    row.offender,
                    row.next_dates,
                    row.plan,
                    row.whose,
                    row.location,
                    "—" if row.siu_days is None else Shown(f"{row.siu_days} days", row.siu_days),
                    choice_words(row.complexity),
                ),
                row.offender,
            )
            for row in kept
        ]
        fill_table(self.query_one(DataTable), HEADER, shown)
        self.query_one(Legend).explain(shown, *HEADER)
        words, _keeps = VIEWS[self.showing]
        self.sub_title = f"{len(kept)} cases of {self.ledger.officer}: {words} · v: {VIEWS[following(self.showing)][0]}"

    def action_cycle_view(self) -> None:
        """All, then own only, then covered only, then all again (no new read: the rows are here)."""
        self.showing = following(self.showing)
        self.show(self.case_rows)


VIEWS: dict[str, tuple[str, Callable[[CaseRow], bool]]] = {
    "all": ("own and covered", lambda row: True),
    "own": ("own only", lambda row: row.whose == "own"),
    "covered": ("covered only", lambda row: row.whose != "own"),
}
"""Each view of the caseload: its words and which rows it keeps (a covered case's *whose* names
the absent colleague: "covering PO02")."""


def following(view: str) -> str:
    names = list(VIEWS)
    return names[(names.index(view) + 1) % len(names)]
