"""Issue #12, point 5: keys and focus that never surprise.

Every binding on every screen is pressed (including ``?``, whose help text once held ``]`` and
``[`` and crashed the app with a MarkupError — and exited 0); the app must still be running after
each. Then the focus rules: Escape leaves a text box, letters typed in the Case file's table go to
the Offender box, Ctrl+E runs the export from inside a text box, and a crash exits non-zero."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.binding import Binding
from textual.widgets import DataTable, Input

from caseledger.tui import app as app_module
from caseledger.tui.app import SCREEN_CLASSES, CaseLedgerApp
from caseledger.tui.forms import HelpScreen
from caseledger.tui.screens.casefile import CaseFileScreen
from caseledger.tui.screens.export import ExportScreen
from tests.support.tui_helpers import AnyPilot, Drive, back_to, make_app, scenario_url, settle


def first_key(binding: Binding) -> str:
    return binding.key.split(",")[0].strip()


@pytest.mark.slow  # presses every binding on every screen
def test_every_binding_on_every_screen_leaves_the_app_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drive: Drive) -> None:
    monkeypatch.setenv("CASELEDGER_EXPORT_DIR", str(tmp_path))  # Ctrl+E on the Export screen writes its default file name here
    url = scenario_url(tmp_path)
    pressed: list[str] = []
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        for mode in SCREEN_CLASSES:
            await back_to(pilot, mode)
            bindings = [b for b in (*app.BINDINGS, *app.screen.BINDINGS) if isinstance(b, Binding) and b.action != "quit"]
            for binding in bindings:
                await pilot.press(first_key(binding))
                await pilot.pause()
                assert app.is_running and app.return_code is None, f"{mode}: {binding.key} stopped the app"
                pressed.append(f"{mode}:{binding.id}")
                await back_to(pilot, mode)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = str(app.screen.query_one("Static").render())
        assert "] Next page" in help_text and "[ Previous page" in help_text  # the keys that broke the markup, shown as typed
        await pilot.press("escape", "q")
        await pilot.pause()

    drive(app, scenario)
    assert app.return_code == 0
    assert (tmp_path / "workload.csv").read_text().count("\n") > 1  # Ctrl+E exported, as pressed (the file named after the projection)
    assert len(pressed) == len(SCREEN_CLASSES) * sum(1 for b in CaseLedgerApp.BINDINGS if isinstance(b, Binding) and b.action != "quit") + sum(
        sum(1 for b in screen.BINDINGS if isinstance(b, Binding)) for screen in SCREEN_CLASSES.values()
    )


def test_escape_leaves_a_text_box_and_letters_in_the_case_table_find_an_offender(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        offender = app.screen.query_one("#offender-input", Input)
        assert app.focused is offender
        await pilot.press("4", "1")  # digits in a text box are text, not screen keys
        assert (isinstance(app.screen, CaseFileScreen), offender.value) == (True, "41")
        await pilot.press("escape")
        assert isinstance(app.focused, DataTable)
        await pilot.press("o", "f", "f")  # in the table: no screen key, so it starts an offender id
        assert (app.focused, offender.value) == (offender, "off")
        await pilot.press("minus", "0", "0", "3", "enter")
        await settle(pilot)
        table = app.screen.query_one("#history-table", DataTable)
        assert app.focused is table
        for char in "FPS0000064":  # typed faster than the focus moves: every key reaches the table first, 6 and 4 too
            table.post_message(events.Key(char, char))
        await pilot.pause()
        assert (offender.value, type(app.screen)) == ("FPS0000064", CaseFileScreen)
        offender.value = "off-003"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#history-table", DataTable).row_count > 0
        await pilot.press("escape", "7")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)

    drive(app, scenario, screen="casefile")


def test_ctrl_e_runs_the_export_from_inside_a_text_box(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    target = tmp_path / "from-a-text-box.csv"
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        path = app.screen.query_one("#export-path", Input)
        path.value = str(target)
        path.focus()
        await pilot.press("ctrl+e")
        for _ in range(100):
            await settle(pilot)
            if target.exists():
                break

    drive(app, scenario, screen="export")
    assert target.read_text().count("\n") > 1


class Exploding(CaseLedgerApp):
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    def action_toggle_dark(self) -> None:
        raise RuntimeError("a bug")


def test_a_crash_exits_non_zero(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = Exploding(url, None, login="hq.admin", poll_seconds=0)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("t")
        await pilot.pause()

    with pytest.raises(RuntimeError, match="a bug"):  # the test harness re-raises what the app printed
        drive(app, scenario)
    assert app.return_code == 1


def test_a_filter_applied_with_enter_hands_the_keys_back_to_the_audit_table(tmp_path: Path, drive: Drive) -> None:
    """Typed in the actor box, Enter applies the filter and the table takes the focus: the next
    digit switches screens instead of landing in the filter."""
    url = scenario_url(tmp_path)
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        actor = app.screen.query_one("#actor-filter", Input)
        actor.focus()
        await pilot.press(*"po.adams", "enter")
        await settle(pilot)
        assert isinstance(app.focused, DataTable) and actor.value == "po.adams"
        await pilot.press("4")
        await settle(pilot)
        assert (isinstance(app.screen, CaseFileScreen), actor.value) == (True, "po.adams")

    drive(app, scenario, screen="audit")
