"""The officer's *Due* screen, the deadline alerts on *My week* and the supervisor's overdue counts,
driven on the hand-checked deadlines scenario (``fixtures/deadlines_expected.md``) at 2026-06-30."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import DataTable, Input, Select, Static

from caseledger.application.imports import import_lines
from caseledger.application.ledger import Ledger
from caseledger.domain.model.clock import Clock
from caseledger.domain.store.application import open_application
from caseledger.tui.app import CaseLedgerApp
from caseledger.tui.forms import RecordScreen
from caseledger.tui.screens.casefile import CaseFileScreen
from caseledger.tui.screens.due import DueScreen
from tests.support.commands import ScriptedService
from tests.support.paths import FIXTURES
from tests.support.tui_helpers import AnyPilot, Drive, form_closed, settled, table_rows

NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
ADMIN = "hq.admin"


def deadlines_store(folder: Path) -> str:
    url = f"sqlite:///{folder}/due.db"
    import_lines(open_application(url), (FIXTURES / "deadlines_scenario.jsonl").read_bytes().splitlines(), ADMIN)
    return url


def test_the_due_screen_lists_what_the_officer_carries_overdue_first_and_opens_the_case(tmp_path: Path, drive: Drive) -> None:
    url = deadlines_store(tmp_path)
    app = CaseLedgerApp(url, "po-b", clock=Clock(NOW), poll_seconds=0, login=ADMIN)

    async def scenario(pilot: AnyPilot) -> None:
        alerts = str(app.screen.query_one("#alerts-panel", Static).render())
        assert "Overdue: off-2 start the release plan, due 2026-06-04 (26 days ago)" in alerts
        assert "Overdue: off-2 preliminary assessment, due 2026-06-26 (4 days ago)" in alerts
        assert "Due soon: off-2 SIU review by the institutional head, due 2026-07-06 (in 6 days)" in alerts
        assert "correctional plan" not in alerts  # open, not yet pressing
        await pilot.press("2")
        await settled(pilot)
        assert isinstance(app.screen, DueScreen)
        rows = [[str(cell) for cell in row[:5]] for row in table_rows(app.screen.query_one(DataTable))]
        assert rows == [
            ["overdue", "2026-06-04", "26 days late", "start the release plan", "off-2"],
            ["overdue", "2026-06-26", "4 days late", "preliminary assessment", "off-2"],
            ["due soon", "2026-07-06", "in 6 days", "SIU review by the institutional head", "off-2"],
            ["open", "2026-08-28", "in 59 days", "SIU review by the Commissioner", "off-2"],
            ["open", "2026-09-20", "in 82 days", "correctional plan", "off-2"],
        ]
        assert app.screen.sub_title == "5 open deadlines of po-b: 2 overdue, 1 due soon"
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, CaseFileScreen)
        assert app.screen.query_one("#offender-input", Input).value == "off-2"

    drive(app, scenario)


def test_the_supervisor_sees_each_officers_overdue_deadlines(tmp_path: Path) -> None:
    """po-a carries off-1's overdue correctional plan (off-3, off-4, off-5 have none open and overdue);
    po-b carries off-2's two; po-c and po-d (off-6, off-7) none."""
    session = Ledger.open(deadlines_store(tmp_path), clock=Clock(NOW), login=ADMIN)
    assert {row["officer"]: row["overdue"] for row in session.officers()} == {"po-a": 1, "po-b": 2, "po-c": 0, "po-d": 0}


def test_enter_on_an_officers_site_row_opens_their_due_list(tmp_path: Path, drive: Drive) -> None:
    """From po-a's view, the Site screen lists po-a's site (on-inst: po-a alone); Enter on the row
    opens po-a's Due list — off-1's overdue correctional plan, then the rescheduled hearing's open
    Board-information deadline."""
    url = deadlines_store(tmp_path)
    app = CaseLedgerApp(url, "po-a", clock=Clock(NOW), poll_seconds=0, login=ADMIN)

    async def scenario(pilot: AnyPilot) -> None:
        assert [str(row[0]) for row in table_rows(app.screen.query_one(DataTable))] == ["po-a"]
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, DueScreen)
        rows = [[str(cell) for cell in row[:5]] for row in table_rows(app.screen.query_one(DataTable))]
        assert rows == [
            ["overdue", "2026-06-10", "20 days late", "correctional plan", "off-1"],
            ["open", "2026-07-20", "in 20 days", "information to the Board", "off-1"],
        ]
        assert app.officer == "po-a"

    drive(app, scenario, screen="site")


def test_a_covering_officer_carries_the_absent_officers_overdue_deadlines_on_the_site_screen(tmp_path: Path) -> None:
    """po-a goes on leave on 2026-06-29 and po-b covers them: at 2026-06-30 po-b carries off-2's
    two overdue deadlines and po-a's one (off-1's correctional plan) — 3, as po-b's Due list shows;
    po-a still has their own 1."""
    url = deadlines_store(tmp_path)
    service = ScriptedService(open_application(url), ADMIN)
    service.start_leave("po-a", "sick", occurred_at="2026-06-29")
    service.start_coverage("po-a", "po-b", occurred_at="2026-06-29")
    session = Ledger.open(url, clock=Clock(NOW), login=ADMIN)
    assert {row["officer"]: row["overdue"] for row in session.officers()} == {"po-a": 1, "po-b": 3, "po-c": 0, "po-d": 0}
    assert sum(1 for row in session.due("po-b") if row.status == "overdue") == 3


def test_n_on_a_due_row_opens_the_entry_that_completes_it_and_ctrl_s_records_it(tmp_path: Path, drive: Drive) -> None:
    """po-b's first row is off-2's overdue release-plan start: n opens "Release plan started" for
    off-2 (release type and destination still to fill); the second row, the preliminary
    assessment, opens "Case task completed" with the task chosen: Ctrl+S alone records it, and the
    row leaves the Due list (done late) with the cursor still on the list."""
    url = deadlines_store(tmp_path)
    app = CaseLedgerApp(url, "po-b", clock=Clock(NOW), poll_seconds=0, login=ADMIN)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settled(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen) and form.kind == "ReleasePlanStarted"
        assert form.query_one("#field-offender", Input).value == "off-2"
        await pilot.press("escape")
        await settled(pilot)
        await pilot.press("down", "n")
        await settled(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen) and form.kind == "CaseTaskCompleted"
        assert (form.query_one("#field-offender", Input).value, form.query_one("#field-task", Select).value) == ("off-2", "preliminary_assessment")
        await pilot.press("ctrl+s")
        await form_closed(pilot)
        await settled(pilot)
        assert isinstance(app.screen, DueScreen)
        deadlines = [str(row[3]) for row in table_rows(app.screen.query_one(DataTable))]
        assert "preliminary assessment" not in deadlines and len(deadlines) == 4

    drive(app, scenario, screen="due")
