"""*Caseload*: the officer's cases — location, complexity, SIU days, plan status, next dates.
Enter opens the case file."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Label

from caseledger.application.ledger import CaseRow
from caseledger.application.text import choice_words
from caseledger.tui.screens.base import CaseListScreen
from caseledger.tui.widgets.tables import fill_table


class CaseloadScreen(CaseListScreen):
    TITLE = "Caseload"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("o", "open_case", "Open case", id="caseload.open")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            "next dates: hearing · release (granted) · DP/FP day/full parole eligibility · SR statutory release · WED warrant expiry", id="caseload-legend"
        )
        yield DataTable(id="caseload-table", cursor_type="row")
        yield Footer()

    def fetch(self, request: None) -> list[CaseRow]:
        return self.ledger.session.caseload(self.ledger.officer)

    def show(self, rows: list[CaseRow]) -> None:
        fill_table(
            self.query_one(DataTable),
            ("offender", "next dates", "release plan", "whose", "location", "SIU days", "complexity"),
            [
                (
                    (
                        row.offender,
                        row.next_dates,
                        row.plan,
                        row.whose,
                        row.location,
                        "—" if row.siu_days is None else f"{row.siu_days} days",
                        choice_words(row.complexity),
                    ),
                    row.offender,
                )
                for row in rows
            ],
        )
        self.sub_title = f"{len(rows)} cases of {self.ledger.officer}"
