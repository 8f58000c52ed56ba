"""Issue #24, points 2–4 in the terminal UI: toasts in words, ``u`` to undo one's last entry (the
dialog saying what it is), no stale row after a recording, a palette of actions by name, and a
view that opens with no refusal shown unasked.

On the scenario store (72 events): the app shows po.adams and records as hq.admin (an admin);
ana is an analyst. po.adams's quick add-on of 25 minutes of scanning and faxing (the second
category: travel logistics, scanning and faxing, …) is position 73.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from caseledger.application.ledger import Ledger
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.clock import Clock
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import read_log
from caseledger.tui.app import CaseLedgerApp
from caseledger.tui.forms import RetractScreen
from caseledger.tui.screens.base import DataScreen
from tests.support.tui_helpers import NOW, SCENARIO_ADMIN, AnyPilot, Drive, make_app, scenario_url, settle, table_rows

ADDON_WORDS = "Add-on task logged: officer: po.adams; category: scanning and faxing; minutes: 25"


async def _quick_addon(pilot: AnyPilot) -> None:
    await pilot.press("a", "2", "2", "5", "enter")
    await settle(pilot)


def _notes(pilot: AnyPilot) -> list[str]:
    return [str(notification.message) for notification in pilot.app._notifications]


def test_a_toast_says_what_was_recorded_in_words(tmp_path: Path, drive: Drive) -> None:
    app = make_app(scenario_url(tmp_path))

    async def scenario(pilot: AnyPilot) -> None:
        await _quick_addon(pilot)
        assert f"Recorded — {ADDON_WORDS} (position 73)" in _notes(pilot)

    drive(app, scenario)


def test_u_retracts_the_viewers_last_entry_after_saying_what_it_is(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = make_app(url)

    async def scenario(pilot: AnyPilot) -> None:
        await _quick_addon(pilot)
        await pilot.press("u")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, RetractScreen) and dialog.position == 73
        assert dialog.event.startswith(f"{ADDON_WORDS} — occurred 2026-03-20, recorded by {SCENARIO_ADMIN} (position 73)")
        for key in "typo":
            await pilot.press(key)
        await pilot.press("enter")
        await settle(pilot)
        assert "Recorded — retracted position 73 (position 74)" in _notes(pilot)

    drive(app, scenario)
    last = list(read_log(open_application(url), after=73))
    assert [event.envelope.data for event in last] == [p.EventRetracted(position=73, reason="typo")]


def test_u_with_nothing_to_undo_says_so(tmp_path: Path, drive: Drive) -> None:
    """The scenario's entries were recorded in March: none is within 24 hours."""
    app = make_app(scenario_url(tmp_path))

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("u")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, RetractScreen)
        assert any(note.startswith("Nothing to undo") for note in _notes(pilot))

    drive(app, scenario)


def test_a_stale_reload_covers_the_tables_until_the_new_rows_show(tmp_path: Path, drive: Drive) -> None:
    app = make_app(scenario_url(tmp_path))

    async def scenario(pilot: AnyPilot) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, DataScreen)
        tables = list(screen.query(DataTable))
        assert tables
        screen.reload(stale=True)
        assert all(table.loading for table in tables)  # before the worker's rows can arrive
        await settle(pilot)
        assert not any(table.loading for table in tables)

    drive(app, scenario, screen="due")


def test_the_palette_offers_every_action_by_name(tmp_path: Path, drive: Drive) -> None:
    app = make_app(scenario_url(tmp_path))

    async def scenario(pilot: AnyPilot) -> None:
        commands = {command.title: command.help for command in pilot.app.get_system_commands(pilot.app.screen)}
        for wanted in ("Undo: retract your last entry", "Record: case assigned", "Record: coverage started", "Record: event retracted"):
            assert wanted in commands, sorted(commands)
        assert "assign" in commands["Record: case assigned"] and "cover" in commands["Record: coverage started"]
        assert any(title.startswith("Staffing") for title in commands) and any(title.startswith("Export") for title in commands)
        assert {"Filter this table", "Sort this table by a column"} <= set(commands)  # their keys are not in the footer

    drive(app, scenario, screen="due")


def test_the_palette_verifies_the_log_for_those_who_may(tmp_path: Path, drive: Drive) -> None:
    """The scenario's 72 events and ana's grant (73), all chained: "Verify the log", found by
    typing "verify" in the palette, says them intact up to position 73. An analyst may not verify:
    the palette does not offer it."""
    url = scenario_url(tmp_path)
    Ledger.open(url, clock=Clock(NOW), login=SCENARIO_ADMIN).grant("ana", "analyst")
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("ctrl+p", *"verify the log")
        await settle(pilot)
        await pilot.press("enter")
        for _ in range(50):
            await settle(pilot)
            said = [str(note.message) for note in pilot.app._notifications if "intact" in str(note.message)]
            if said:
                break
        assert said and said[0].startswith("intact: 73 events, head position 73, head "), said

    drive(app, scenario)
    analyst = make_app(url, None, login="ana")

    async def not_offered(pilot: AnyPilot) -> None:
        titles = [command.title for command in pilot.app.get_system_commands(pilot.app.screen)]
        assert "Verify the log" not in titles, titles

    drive(analyst, not_offered)


def test_an_analysts_view_opens_with_no_refusal_and_lists_only_the_keys_that_work(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    Ledger.open(url, clock=Clock(NOW), login=SCENARIO_ADMIN).grant("ana", "analyst")
    app = make_app(url, None, login="ana")

    async def scenario(pilot: AnyPilot) -> None:
        assert pilot.app.current_mode == "site"
        notes = pilot.app._notifications
        assert not [note.message for note in notes if note.severity == "error"]
        assert "showing" not in pilot.app.sub_title
        assert isinstance(app, CaseLedgerApp)
        listed = {key for _title, keys, _note in app.help_sections() for key, _what in keys}
        assert {"5", "7"} <= listed and not {"1", "2", "3", "4", "6", "a", "n", "u"} & listed, listed
        titles = [command.title for command in pilot.app.get_system_commands(pilot.app.screen)]
        assert not [title for title in titles if title.startswith(("Record", "Undo", "Log an"))], titles

    drive(app, scenario)


def test_the_audit_shows_when_an_add_on_happened_in_its_sites_time(tmp_path: Path, drive: Drive) -> None:
    """The quick add-on records the instant (2026-03-20 23:00 at -04:00, stored as 2026-03-21
    03:00 UTC); po.adams's site on-hyb is in America/Toronto (EDT, -04:00, on 20 March), so the
    Audit's "occurred (site time)" says 2026-03-20 23:00-04:00, not 03:00+00:00 the next day."""
    app = make_app(scenario_url(tmp_path))

    async def scenario(pilot: AnyPilot) -> None:
        await _quick_addon(pilot)
        await pilot.press("6")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#jump", Input).value = "73"
        await screen.query_one("#jump", Input).action_submit()
        await settle(pilot)
        row = table_rows(screen.query_one(DataTable))[0]
        assert (row[0], str(row[3])) == (73, "2026-03-20 23:00-04:00")

    drive(app, scenario)


def test_while_a_box_has_the_keys_the_footer_says_how_to_leave_it(tmp_path: Path, drive: Drive) -> None:
    """The Case file opens with the Offender box focused: it takes every letter and digit, so the
    footer's screen keys do nothing there and are not shown — Esc is, and once it has taken the
    keys back to the table the screen keys show again and Esc leaves the footer."""
    app = make_app(scenario_url(tmp_path))

    def footer_keys() -> set[str]:
        return {active.binding.key for active in app.active_bindings.values() if active.binding.show and active.enabled}

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.focused, Input)
        assert "escape" in footer_keys() and "1" not in footer_keys()
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.focused, Input)
        assert "escape" not in footer_keys() and {"1", "q"} <= footer_keys()

    drive(app, scenario)
