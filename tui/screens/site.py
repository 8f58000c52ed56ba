"""*Site*: every officer's workload row at the user's site (all sites for someone who is not an
officer), uncovered caseloads first, then the most over-ratio."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header

from caseledger.application.exports import columns_of
from caseledger.application.officer import site_rows
from caseledger.tui.screens.base import DataScreen
from caseledger.tui.widgets.tables import fill_table

COLUMNS = columns_of("workload")


class SiteScreen(DataScreen):
    TITLE = "Site"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("s", "toggle_all", "All sites", id="site.all")]

    def __init__(self) -> None:
        super().__init__()
        self.all_sites = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="site-table", cursor_type="row")
        yield Footer()

    def fetch(self, request: None) -> list[dict[str, Any]]:
        return self.ledger.session.officers()

    def show(self, rows: list[dict[str, Any]]) -> None:
        mine, shown = site_rows(rows, self.ledger.officer, all_sites=self.all_sites)
        fill_table(self.query_one(DataTable), COLUMNS, [(tuple("—" if row[c] is None else row[c] for c in COLUMNS), None) for row in shown])
        self.sub_title = "all sites" if self.all_sites or mine is None else f"site {mine}"

    def action_toggle_all(self) -> None:
        self.all_sites = not self.all_sites
        self.reload()
