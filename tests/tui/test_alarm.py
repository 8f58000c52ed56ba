"""Issue #23, point 3 in the terminal UI: a log that does not authenticate shows the alarm over
every screen — no figure — and only an admin dismisses it.

By hand: the scenario store (72 events), opened once (the read models sealed at 72, and this
user's witness remembers 72). A DBA with no key makes po.brown's 45-minute review (position 33)
700 minutes and recomputes the chain. Opened again, the witness finds another head at 72: the
alarm names position 72; po.adams's week never loads. mai (an officer) cannot dismiss it; the
scenario's admin can, and the screens stay empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from caseledger.domain.store.application import open_application
from caseledger.tui.forms import QuickAddOnScreen
from caseledger.tui.screens.alarm import AlarmScreen
from tests.support.commands import ScriptedService
from tests.support.tampering import rewrite_consistently
from tests.support.tui_helpers import SCENARIO_ADMIN, AnyPilot, Drive, make_app, scenario_url


@pytest.fixture
def tampered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    url = scenario_url(tmp_path)
    admin = ScriptedService(open_application(url), SCENARIO_ADMIN)
    admin.link("mai", "po.brown", occurred_at="2026-03-20")
    admin.grant("mai", "officer", occurred_at="2026-03-20")
    make_app(url).session.catch_up()  # a client saw the log: its witness remembers the head
    rewrite_consistently(url, 33, b'"minutes":45', b'"minutes":700')
    return url


async def quiet(pilot: AnyPilot) -> None:
    """The key handled and every worker it started done."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _alarm_text(pilot: AnyPilot) -> str:
    assert isinstance(pilot.app.screen, AlarmScreen)
    return str(pilot.app.screen.query_one("#alarm-text", Static).render())


def test_an_officer_sees_the_alarm_and_cannot_dismiss_it(tampered: str, drive: Drive) -> None:
    async def scenario(pilot: AnyPilot) -> None:
        text = _alarm_text(pilot)
        assert "ALARM: the log does not authenticate" in text and "at position 74" in text, text
        await pilot.press("ctrl+d")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, AlarmScreen)  # still there: mai is no admin
        assert "no figure" in pilot.app.sub_title

    drive(make_app(tampered, "mai", login="mai"), scenario)


def test_an_admin_dismisses_the_alarm_and_no_figure_loads(tampered: str, drive: Drive) -> None:
    async def scenario(pilot: AnyPilot) -> None:
        assert isinstance(pilot.app.screen, AlarmScreen)
        await pilot.press("ctrl+d")
        await quiet(pilot)  # (no data will ever show to settle on)
        assert not isinstance(pilot.app.screen, AlarmScreen)
        assert all(table.row_count == 0 for table in pilot.app.screen.query(DataTable))
        await pilot.press("a")  # no add-on form: nothing is recorded onto a log that does not authenticate
        await quiet(pilot)
        assert not isinstance(pilot.app.screen, QuickAddOnScreen)

    drive(make_app(tampered), scenario)
