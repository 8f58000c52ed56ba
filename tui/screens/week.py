"""*My week*: own and covered caseload against the ratio, estimated hours against the week,
add-on minutes by category this week, a chart of recent weeks' estimated hours, and alerts."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from caseledger.application.ledger import WeekData
from caseledger.application.text import ROLE_WORDS, choice_words
from caseledger.tui.screens.base import DataScreen
from caseledger.tui.widgets.tables import LedgerTable, fill_table


class WeekScreen(DataScreen):
    TITLE = "My week"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="week-top"):
            yield Static("Loading…", id="caseload-panel", classes="panel")
            yield Static("", id="hours-panel", classes="panel")
        with Horizontal(id="week-bottom"):
            with Vertical(classes="panel"):
                yield Static("Add-on minutes this week", classes="panel-title")
                yield LedgerTable(id="addons-table", show_cursor=False)
                yield Static("Estimated hours, recent weeks", classes="panel-title")
                yield Sparkline([], id="addon-chart")
                yield Static("", id="chart-caption")
            with VerticalScroll(id="alerts-scroll", classes="panel"):
                yield Static("", id="alerts-panel")
        yield Footer()

    def fetch(self, request: None) -> WeekData:
        return self.ledger.session.week(self.ledger.officer)

    def show(self, data: WeekData) -> None:
        row = data.workload
        caseload = self.query_one("#caseload-panel", Static)
        hours = self.query_one("#hours-panel", Static)
        if row is None:
            caseload.update(f"[b]{data.officer}[/b] is not a registered officer.")
            hours.update("")
        else:
            standard = row["ratio_standard"]
            ratio = (
                f"{row['effective_caseload']} / {standard} ({row['ratio_utilization']:.0%})"
                if standard
                else f"{row['effective_caseload']} (hours-based office)"
            )
            caseload.update(
                f"[b]{row['officer']}[/b] · {ROLE_WORDS.get(row['role'], row['role'])} · {row['site']}{' · [b]on leave[/b]' if row['on_leave'] else ''}\n\n"
                f"Caseload against ratio: [b]{ratio}[/b]\n"
                f"Own cases: {row['own_caseload']}   Covered: {row['covered_caseload']}\n"
                f"Weighted by complexity: {row['weighted_caseload']}"
            )
            over = row["overtime_hours"]
            hours.update(
                f"Estimated hours this week: [b]{row['estimated_weekly_hours']}[/b] of {row['weekly_hours']}\n\n"
                f"Case hours: {row['case_hours']}\n"
                f"Add-on hours: {row['addon_minutes_week'] / 60:.2f}\n" + (f"[b red]Over by {over} h[/b red]" if over else "Within the week")
            )
        categories = list(data.addon_by_category.items()) or [("(none yet)", 0)]
        fill_table(
            self.query_one("#addons-table", DataTable), ("category", "minutes"), [((choice_words(category), minutes), None) for category, minutes in categories]
        )
        self.query_one("#addon-chart", Sparkline).data = [hours for _week, hours in data.weekly_hours]
        if data.weekly_hours and row is not None:
            first, last = data.weekly_hours[0][0], data.weekly_hours[-1][0]
            over = sum(1 for _week, hours in data.weekly_hours if hours > row["weekly_hours"])
            peak = max(hours for _week, hours in data.weekly_hours)
            self.query_one("#chart-caption", Static).update(
                f"{first} … {last}: peak {peak} h; {over} of {len(data.weekly_hours)} weeks over {row['weekly_hours']} h"
            )
        alerts = "\n".join(f"• {escape(alert)}" for alert in data.alerts) or "No alerts."
        due = sum(1 for alert in data.alerts if alert.startswith(("Overdue:", "Due soon:")))
        title = f"[b]Alerts[/b] · {due} deadlines pressing (key 2: Due)" if due else "[b]Alerts[/b]"
        self.query_one("#alerts-panel", Static).update(f"{title}\n\n{alerts}")
