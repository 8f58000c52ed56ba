"""The Case file shows the case's state above its events (issue #24, point 5): now, and as the
ledger knew it at a known-at instant.

The TUI's scenario store records scenario line N at 2026-03-21T12:00:00Z + (N − 1) seconds
(``tests.support.tui_helpers.stamped``). Known at 12:00:25Z: lines 1–26, every one of which
occurred earlier. off-001 then: assigned to po.adams (line 12), in custody at on-hyb (line 11),
factors housing instability and mental health (line 11), the plan restarted by line 26 (full
parole to "private residence, Kingston", on-cpo, 2026-01-26); open deadlines at T = 12:00:25Z
(2026-03-21 in Toronto): the preliminary assessment (due 2023-04-17, overdue) and the correctional
plan (due 2026-01-06 + 90 = 2026-04-06, 16 days ahead: open). Now (every line): released to on-cpo
(line 47), assigned to po.diaz (line 48), mental health and substance use (lines 40, 52), no open
deadline (the release made them moot)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Static

from caseledger.tui.screens.casefile import CaseFileScreen
from tests.support.tui_helpers import AnyPilot, Drive, make_app, scenario_url, settle, table_rows


def _panel(screen: CaseFileScreen) -> tuple[str, str]:
    panel = screen.query_one("#case-state", Static)
    assert panel.display
    return str(panel.border_title), str(panel.render())


def test_the_case_file_shows_the_state_as_known_at_a_date_above_the_events(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = make_app(url)

    async def scenario(pilot: AnyPilot) -> None:
        app.open_case("off-001")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseFileScreen)
        title, now = _panel(screen)
        assert title == "The case now"
        assert "assigned to po.diaz · released, at on-cpo (community office)" in now
        assert "complexity: mental health, substance use" in now and "open deadlines: none" in now
        known_at = screen.query_one("#known-at-input", Input)
        known_at.value = "2026-03-21T12:00:25Z"
        known_at.focus()
        await pilot.press("enter")
        await settle(pilot)
        title, then = _panel(screen)
        assert title == "The case as known at 2026-03-21 12:00:25 UTC"
        assert "assigned to po.adams · in custody at on-hyb (institution)" in then
        assert "complexity: housing instability, mental health · SIU: none · transfer pending: none" in then
        assert "release plan: full parole to private residence, Kingston (on-cpo), started 2026-01-26; last step: none yet" in then
        assert "open deadlines: preliminary assessment overdue (due 2023-04-17) · correctional plan open (due 2026-04-06)" in then
        assert [row[0] for row in table_rows(screen.query_one(DataTable))] == [11, 12, 23, 26]  # the events known then, below it
        assert screen.query_one("#case-state").region.y < screen.query_one(DataTable).region.y

    drive(app, scenario)


def test_a_refusal_hides_the_panel(tmp_path: Path, drive: Drive) -> None:
    app = make_app(scenario_url(tmp_path))

    async def scenario(pilot: AnyPilot) -> None:
        app.open_case("off-001")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseFileScreen)
        screen.query_one("#offender-input", Input).value = "off-999"
        screen.query_one("#offender-input", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert not screen.query_one("#case-state", Static).display

    drive(app, scenario)
