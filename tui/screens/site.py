"""*Site*: the supervisor's view — one row per officer at the site (cases against the ratio,
estimated hours against the week, overtime, leave, covering, add-ons, uncovered cases, overdue
deadlines), those needing action first and over-limit cells marked; ``s`` shows every site the
view may see as one row each (its cases counted once, however many cover them), with totals;
``p`` staffing under the current and the proposed rules side by side; a total over sites shows
what is short and what is spare apart, never one net against the other. Enter on an officer
opens their *Due* list (a supervisor sees the site's deadlines so)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Label

from caseledger.application.ledger import site_rows
from caseledger.application.supervisor import OFFICER_HEADER, SITE_HEADER, STAFFING_HEADER, Cell, officer_row, site_rows_with_totals, staffing_rows
from caseledger.application.text import for_terminal
from caseledger.tui.screens.base import DataScreen, RecordContext
from caseledger.tui.widgets.legend import Legend
from caseledger.tui.widgets.tables import LedgerTable, fill_table


def shown(cell: Cell) -> Text:
    """A cell as text (never markup), bold red when over a limit."""
    return Text(for_terminal(cell.text), style="bold red" if cell.over else "")


OFFICERS_WORDS = "Enter: their Due list · s: sites · p: staffing · red: over the ratio or the week (contracted hours), cases nobody carries, overdue deadlines"
SITES_WORDS = "s: officers · p: staffing · cases: the officers' own caseloads, each case once · capacity: the ratios of those not on leave · red: over a limit"
STAFFING_WORDS = "p: officers · cases: offenders located at the site · FTE needed, short, spare under the current (now) and proposed (prop.) rules · red: short"
"""What each view's figures count, over its table: the sites' "cases" (caseloads) and the staffing's
(offenders located at the site) differ, and each says so."""


class SiteScreen(DataScreen):
    TITLE = "Site"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "toggle_all", "All sites", id="site.all", show=False),
        Binding("p", "toggle_staffing", "Staffing", id="site.staffing", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all_sites = False
        self.staffing = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="site-message")
        yield Legend(id="site-legend")
        yield LedgerTable(id="site-table", cursor_type="row")
        yield Footer()

    def request(self) -> bool:
        return self.staffing

    def fetch(self, request: bool) -> Any:
        return self.ledger.session.staffing() if request else self.ledger.session.officers()

    def show(self, rows: Any) -> None:
        table = self.query_one(DataTable)
        message = self.query_one("#site-message", Label)
        legend = self.query_one(Legend)
        if isinstance(rows, tuple):
            filled = [(tuple(map(shown, cells)), None) for cells in staffing_rows(*rows)]
            fill_table(table, STAFFING_HEADER, filled)
            self.sub_title = "staffing now: current and proposed rules"
            message.update(STAFFING_WORDS)
            legend.explain(filled, *STAFFING_HEADER)
            return
        if self.all_sites:
            filled = [(tuple(map(shown, cells)), None) for cells in site_rows_with_totals(rows)]
            fill_table(table, SITE_HEADER, filled)
            self.sub_title = "every site you may see, with totals"
            message.update(SITES_WORDS)
            legend.explain(filled, *SITE_HEADER)
            return
        mine, officers = site_rows(rows, self.ledger.officer, all_sites=False)
        filled = [(tuple(map(shown, officer_row(row))), row["officer"]) for row in officers]
        fill_table(table, OFFICER_HEADER, filled)
        self.sub_title = f"site {mine}" if mine else "every site"
        message.update(OFFICERS_WORDS)
        legend.explain(filled, *OFFICER_HEADER)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on an officer's row: their *Due* list (and the officer screens show them until
        another is chosen); a site's row or a staffing row leads nowhere."""
        if event.row_key.value is not None and not self.all_sites and not self.staffing:
            self.ledger.show_officer(str(event.row_key.value))

    def record_context(self) -> RecordContext:
        """The selected officer (coverage, leave, an assignment to them)."""
        table = self.query_one(DataTable)
        if self.all_sites or self.staffing or not table.row_count:
            return None, {}
        return None, {"officer": str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)}

    def action_toggle_all(self) -> None:
        self.all_sites, self.staffing = not self.all_sites, False
        self.reload()

    def action_toggle_staffing(self) -> None:
        self.staffing, self.all_sites = not self.staffing, False
        self.reload()
