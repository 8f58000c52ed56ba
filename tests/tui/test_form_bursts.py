"""Issue #24, point 1 (the keys a terminal hands over at once): a burst of keys — tmux send-keys,
a paste, fast typing — reaches the app before it has acted on the first of them. A Tab in the
burst moves the focus, and what is typed after it lands in the field the Tab went to, never in
the one it left (a text box there took the characters) nor nowhere (a closed list let them fall).

A burst is posted the way the terminal's driver posts it: every key queued before any is handled
(``app.post_message``, no wait between them)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, Select

from caseledger.domain.events import catalogue as p
from caseledger.tui.forms import RecordScreen
from tests.support.tui_helpers import AnyPilot, Drive, make_app, newest, scenario_url, settle

SIZES = [(120, 40), (80, 24)]


def burst(pilot: AnyPilot, keys: Sequence[str]) -> None:
    """Queue ``keys`` at once, as a terminal's driver does (a one-character key is its character)."""
    for key in keys:
        pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))


def form_of(pilot: AnyPilot) -> RecordScreen:
    form = pilot.app.screen
    assert isinstance(form, RecordScreen)
    return form


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_tab_then_typing_in_one_burst_lands_in_the_next_field(tmp_path: Path, drive: Drive, size: tuple[int, int]) -> None:
    """The form opens on "Case assigned" with the offender (empty) focused and the officer filled
    in (po.adams): Tab x y at once — "xy" replaces po.adams in *officer* (the Tab's field, its
    value selected on focus), and the offender stays empty."""
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        form = form_of(pilot)
        assert app.focused is form.query_one("#field-offender")
        burst(pilot, ["tab", "x", "y"])
        await settle(pilot)
        assert (form.values()["offender"], form.values()["officer"]) == ("", "xy")
        assert app.focused is form.query_one("#field-officer")

    drive(app, scenario, size=size)


def test_keys_typed_while_the_form_is_being_built_wait_for_it(tmp_path: Path, drive: Drive) -> None:
    """The form opened (what ``n`` does) and Tab x y queued in the same moment, before its fields
    exist: they wait for them, then act as if typed once it showed — *officer* holds "xy"."""
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        app.action_record()
        burst(pilot, ["tab", "x", "y"])
        await settle(pilot)
        form = form_of(pilot)
        assert (form.values()["offender"], form.values()["officer"]) == ("", "xy")

    drive(app, scenario)


def test_tab_after_picking_a_type_in_the_same_burst(tmp_path: Path, drive: Drive) -> None:
    """The type list open (Ctrl+T), then c o v e Enter Tab x y at once: "Coverage started" is
    picked, the focus goes to its first field (*officer*, po.adams), Tab to *covering officer*,
    which holds "xy"."""
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n", "ctrl+t")
        await settle(pilot)
        burst(pilot, ["c", "o", "v", "e", "enter", "tab", "x", "y"])
        await settle(pilot)
        form = form_of(pilot)
        assert form.kind == "CoverageStarted"
        assert (form.values()["officer"], form.values()["covering_officer"]) == ("po.adams", "xy")

    drive(app, scenario)


def test_a_letter_a_tab_and_digits_from_a_closed_list(tmp_path: Path, drive: Drive) -> None:
    """A CCLO contact with the focus on *purpose* (a closed list): i Tab 4 5 at once — i picks
    "information sharing", Tab goes to *minutes*, which holds 45 (before, the digits reached the
    list after the Tab and were dropped there)."""
    app = make_app(scenario_url(tmp_path), "po.adams")
    app.last_kind = "CcloContactRecorded"

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        form = form_of(pilot)
        form.query_one("#field-purpose", Select).focus()
        await settle(pilot)
        burst(pilot, ["i", "tab", "4", "5"])
        await settle(pilot)
        assert (form.values()["purpose"], form.values()["minutes"]) == ("information_sharing", "45")
        assert app.focused is form.query_one("#field-minutes", Input)

    drive(app, scenario)


def test_shift_tab_and_two_tabs_in_a_burst(tmp_path: Path, drive: Drive) -> None:
    """From the offender of "Case assigned": Tab Tab z (to *occurred at*, its date replaced), then
    Shift+Tab w (back to *officer*): each character where the focus was when it was typed."""
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        form = form_of(pilot)
        burst(pilot, ["tab", "tab", "z", "shift+tab", "w"])
        await settle(pilot)
        values = form.values()
        assert (values["offender"], values["officer"], values["occurred_at"]) == ("", "w", "z")

    drive(app, scenario)


@pytest.mark.parametrize("opener", ["n", "4"])
def test_keys_typed_in_the_burst_of_the_key_that_opens_a_screen_go_to_that_screen(tmp_path: Path, drive: Drive, opener: str) -> None:
    """On *Due* (its table focused) ``n`` then x y at once: the record form opens (on the selected
    row's completing entry or the last type) and "xy" is typed into it — none of it reaches Due or
    the screen under the form. ``4`` then x y at once: the Case file opens and "xy" is in its
    Offender box (the keys a screen takes once it shows)."""
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("2")
        await settle(pilot)
        burst(pilot, [opener, "x", "y"])
        await settle(pilot)
        if opener == "n":
            form = form_of(pilot)
            assert "xy" in form.values().values(), form.values()
        else:
            assert pilot.app.current_mode == "casefile"
            assert pilot.app.screen.query_one("#offender-input", Input).value == "xy"

    drive(app, scenario)


def test_the_quick_add_on_typed_in_one_burst_is_recorded(tmp_path: Path, drive: Drive) -> None:
    """``a 2 2 5 Enter`` at once (the README's quick add-on, as tmux or a fast typist sends it):
    the dialog opens, 2 picks scanning and faxing, 25 are the minutes, Enter records — 25 minutes
    of scanning and faxing for po.adams, the view's officer."""
    url = scenario_url(tmp_path)
    app = make_app(url, "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        burst(pilot, ["a", "2", "2", "5", "enter"])
        await settle(pilot)
        await pilot.pause(0.6)  # the longest the keys behind "a" may wait (tui/bursts.py)
        await settle(pilot)

    drive(app, scenario)
    event = newest(url)
    assert (event.type, event.envelope.data) == ("AddOnTaskLogged", p.AddOnTaskLogged(officer="po.adams", category="scanning_faxing", minutes=25))
