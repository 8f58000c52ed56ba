"""The terminal UI on a Sunday evening in Toronto, Vancouver and St. John's, on a UTC host whose
clock already says Monday (``tests/support/evening.py``): today is the site's Sunday everywhere —
the record form's date, My week's week, table and chart, the Due screen's days — and an entry made
that evening is dated that Sunday, so the deadline it completes is met, not late."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from caseledger.application.imports import import_lines
from caseledger.domain.model.clock import Clock
from caseledger.domain.model.times import zone
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import read_log
from caseledger.tui.app import CaseLedgerApp
from caseledger.tui.forms import RecordScreen
from caseledger.tui.screens.due import DueScreen
from caseledger.tui.screens.week import WeekScreen
from tests.support.evening import ADMIN, EVENINGS, SUNDAY, SUNDAY_WEEK, UTC_MONDAY_WEEK, Evening, evening_lines
from tests.support.tui_helpers import AnyPilot, Drive, form_closed, reloaded, settled, table_rows


@pytest.fixture
def utc_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The host's own time zone is UTC (as on a server), whatever the machine running the tests says."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.slow
@pytest.mark.parametrize("place", EVENINGS, ids=lambda place: place.zone)
def test_a_sunday_evening_is_sunday_on_every_screen_and_in_what_is_recorded(tmp_path: Path, utc_host: None, place: Evening, drive: Drive) -> None:
    url = f"sqlite:///{tmp_path}/evening.db"
    import_lines(open_application(url), evening_lines(), ADMIN)
    assert place.host_utc.date() > SUNDAY  # the host's (UTC) date is already Monday
    app = CaseLedgerApp(url, place.officer, clock=Clock(place.host_utc), poll_seconds=0, login=ADMIN)

    async def scenario(pilot: AnyPilot) -> None:
        week = app.screen
        assert isinstance(week, WeekScreen)
        addons = week.query_one("#addons-table", DataTable)
        assert [tuple(row) for row in table_rows(addons)] == [("clerical", 30)]  # Thursday's task: this (W49) week's
        caption = str(week.query_one("#chart-caption", Static).render())
        assert f"… {SUNDAY_WEEK}:" in caption and UTC_MONDAY_WEEK not in caption, caption

        loads = week.loads
        await pilot.press("a", "2", "2", "5", "enter")  # the quick add-on: scanning and faxing, 25 minutes
        await reloaded(pilot, week, loads)
        rows = {row[0]: row[1] for row in table_rows(app.screen.query_one("#addons-table", DataTable))}
        assert rows == {"clerical": 30, "scanning and faxing": 25}  # the add-on and the table agree on the week
        hours = str(app.screen.query_one("#hours-panel", Static).render())
        assert "Add-on hours: 0.92" in hours  # 55 minutes

        await pilot.press("2")
        await settled(pilot)
        due = app.screen
        assert isinstance(due, DueScreen)
        listed = [[str(cell) for cell in row[:5]] for row in table_rows(due.query_one(DataTable))]
        assert listed[0] == ["due soon", "2026-12-06", "today", "correctional plan", place.offender]  # first: the only one pressing
        assert [row[3] for row in listed[1:]] == ["start the release plan"]  # due in 2028

        await pilot.press("n")  # the entry that completes the selected deadline, filled in
        await settled(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen)
        assert form.query_one("#field-occurred_at", Input).value == SUNDAY.isoformat()
        await pilot.press("ctrl+s")
        await form_closed(pilot)
        await settled(pilot)
        assert [str(row[3]) for row in table_rows(app.screen.query_one(DataTable))] == ["start the release plan"]  # the plan was met

    drive(app, scenario)
    events = list(read_log(open_application(url)))
    quick, completion = events[-2], events[-1]
    local = zone(place.zone)
    assert quick.type == "AddOnTaskLogged" and quick.envelope.occurred_at.astimezone(local).date() == SUNDAY
    assert completion.type == "CaseTaskCompleted" and completion.envelope.occurred_at.astimezone(local).date() == SUNDAY
