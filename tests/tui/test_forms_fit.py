"""Issue #24, point 1 (and the retract dialog of point 2): the record form fits and leads.

At 120×40 and at 80×24, for every event type the admin may record, the Record button, the message
line and the focused field lie inside the screen and the dialog (the fields scroll, the foot never
does); a refusal is said whole; required fields come first; a type picked puts the focus on its
first field and what is typed at once lands there (even in a burst, as a terminal delivers keys);
choices show the letter that picks them; Esc asks before it throws away what was typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Select, Static

from caseledger.application.suggestions import Offers
from caseledger.domain.events import catalogue as p
from caseledger.domain.store.application import open_application
from caseledger.tui.forms import DiscardScreen, QuickAddOnScreen, RecordScreen, RetractScreen, payload_fields
from caseledger.tui.screens.base import DataScreen
from tests.support.tui_helpers import AnyPilot, Drive, make_app, scenario_url, settle

SIZES = [(120, 40), (80, 24)]


def inside(outer: Region, widget: Widget, what: str) -> None:
    """``widget`` lies wholly within ``outer`` (a screen, a dialog's content, the scrolling fields)."""
    assert widget.region.area > 0 and outer.contains_region(widget.region), f"{what}: {widget.region} not within {outer}"


def fits(form: RecordScreen, kind: str) -> None:
    """The Record button and the message within the screen and the dialog's content; the focused
    field within the visible part of the scrolling fields."""
    screen = Region(0, 0, *form.app.size)
    dialog = form.query_one("#record-dialog").content_region
    fields = form.query_one("#record-fields").region
    for selector in ("#record-submit", "#record-message"):
        widget = form.query_one(selector)
        inside(screen, widget, f"{kind} {selector}")
        inside(dialog, widget, f"{kind} {selector}")
    focused = form.app.focused
    assert focused is not None and focused.has_class("field"), (kind, focused)
    inside(fields, focused, f"{kind} focused {focused.id}")
    inside(screen, focused, f"{kind} focused {focused.id}")


@pytest.mark.slow  # every type at each size, Tab through every field: seconds
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_every_form_shows_its_button_its_message_and_the_focused_field(tmp_path: Path, drive: Drive, size: tuple[int, int]) -> None:
    """For every type the admin may record: opened, its type set; then Tab through every field
    to *note* (each scrolled into view, *occurred at* reached); then every field emptied and
    Ctrl+S: "Not recorded — …" is said whole (its text fits the lines it is given, within the
    dialog) and the refused field's warning is scrolled into view."""
    url = scenario_url(tmp_path)
    head = open_application(url).head_position()
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        kinds = list(app.seat.recordable)
        assert len(kinds) == len(p.PAYLOAD_TYPES)  # the admin records every type
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen)
        for kind in kinds:
            form.query_one("#record-type", Select).value = kind
            await settle(pilot)
            assert form.kind == kind
            fits(form, kind)
            names = [(field.id or "").removeprefix("field-") for field in form.query(".field")]
            assert names[-2:] == ["occurred_at", "note"], kind
            for _ in names[1:]:
                await pilot.press("tab")
                await pilot.pause()
                fits(form, kind)
            assert app.focused is form.query_one("#field-note")
            for field in form.query(".field"):
                if isinstance(field, Input):
                    field.value = ""
                else:
                    assert isinstance(field, Select)
                    field.clear()
            await pilot.press("ctrl+s")
            await settle(pilot)
            message = form.query_one("#record-message", Label)
            text = str(message.render())
            assert text.startswith("Not recorded — "), (kind, text)
            fits(form, kind)
            assert len(text) <= message.content_size.width * message.content_size.height, (kind, text, message.content_size)
            refused = [error for error in form.query(".field-error").results(Static) if error.has_class("shown")]
            assert len(refused) == 1, kind
            inside(form.query_one("#record-fields").region, refused[0], f"{kind} warning")

    drive(app, scenario, size=size)
    assert open_application(url).head_position() == head


def test_a_long_check_is_said_whole_at_80x24(tmp_path: Path, drive: Drive) -> None:
    """mai.evans to cover po.brown, whom po.adams already covers: the "Check: …" message (two
    wrapped lines and more at 80×24) lies whole within the dialog, beside the Record button."""
    url = scenario_url(tmp_path)
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen)
        form.query_one("#record-type", Select).value = "CoverageStarted"
        await settle(pilot)
        form.query_one("#field-officer", Input).value = "po.brown"
        form.query_one("#field-covering_officer", Input).value = "mai.evans"
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = form.query_one("#record-message", Label)
        text = str(message.render())
        assert text.startswith("Check: ") and message.region.height >= 2, text
        assert len(text) <= message.content_size.width * message.content_size.height
        fits(form, "CoverageStarted")

    drive(app, scenario, size=(80, 24))


def test_required_fields_come_first_then_the_optional_ones_then_occurred_at_and_note(tmp_path: Path, drive: Drive) -> None:
    """Checked on every type against the catalogue's required flags (no type of today's
    catalogue lists an optional field before a required one: this keeps the form's order when
    one does)."""
    url = scenario_url(tmp_path)
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen)
        for kind, payload_type in p.PAYLOAD_TYPES.items():
            form.query_one("#record-type", Select).value = kind
            await settle(pilot)
            required = {field.name: field.required for field in payload_fields(payload_type)}
            shown = [(field.id or "").removeprefix("field-") for field in form.query(".field")]
            flags = [required[name] for name in shown[:-2]]
            assert flags == sorted(flags, reverse=True) and shown[-2:] == ["occurred_at", "note"], (kind, shown)
            assert sorted(shown[:-2]) == sorted(required), kind

    drive(app, scenario)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_typing_right_after_picking_a_type_lands_in_its_first_field(tmp_path: Path, drive: Drive, size: tuple[int, int]) -> None:
    """po.adams's view: n, Ctrl+T, "cove" finds "Coverage started", Enter, then "po.brown" typed
    at once: it lands in *officer* (the first field, pre-filled with po.adams and selected, so
    replaced), not in *covering officer* (the first empty one)."""
    url = scenario_url(tmp_path)
    app = make_app(url)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen)
        await pilot.press("ctrl+t", *"cove", "enter", *"po.brown")
        await settle(pilot)
        assert form.kind == "CoverageStarted"
        assert (form.query_one("#field-officer", Input).value, form.query_one("#field-covering_officer", Input).value) == ("po.brown", "")
        assert app.focused is form.query_one("#field-officer")

    drive(app, scenario, size=size)


def test_no_key_of_a_burst_is_lost_while_the_fields_change(tmp_path: Path, drive: Drive) -> None:
    """A terminal hands the app keys faster than the form rebuilds its fields: Ctrl+T, then c c
    Enter x y z posted at once (no wait between them, as tmux send-keys does): "cc" finds "CCLO
    contact recorded", Enter picks it, and "xyz" lands in its first field, the offender (before,
    the list's own search swallowed x y z)."""
    url = scenario_url(tmp_path)
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen)
        await pilot.press("ctrl+t")
        await settle(pilot)
        for key, character in [("c", "c"), ("c", "c"), ("enter", None), ("x", "x"), ("y", "y"), ("z", "z")]:
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert form.kind == "CcloContactRecorded"
        assert form.query_one("#field-offender", Input).value == "xyz"

    drive(app, scenario)


def test_the_hint_says_letters_pick_and_each_choice_shows_its_letter(tmp_path: Path, drive: Drive) -> None:
    """Leave kinds: annual, sick, secondment, training, other — "sick" and "secondment" share s:
    the list shows "(s) sick" and "(s s) secondment", and s pressed twice on the closed list picks
    secondment (once: sick)."""
    url = scenario_url(tmp_path)
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen)
        assert "a letter picks a choice, again the next with it" in str(form.query_one("#record-keys", Label).render())
        form.query_one("#record-type", Select).value = "LeaveStarted"
        await settle(pilot)
        kind = form.query_one("#field-kind", Select)
        listed = kind.query_one(OptionList)
        prompts = [str(listed.get_option_at_index(index).prompt) for index in range(listed.option_count)]
        assert prompts[1:] == ["(a) annual", "(s) sick", "(s s) secondment", "(t) training", "(o) other"]
        kind.focus()
        await pilot.press("s")
        assert kind.value == "sick"
        await pilot.press("s")
        assert kind.value == "secondment"

    drive(app, scenario)


def test_esc_asks_before_discarding_a_touched_form_and_closes_an_untouched_one(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    head = open_application(url).head_position()
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DataScreen)  # untouched: closed at once
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen)
        form.query_one("#field-note", Input).focus()
        await pilot.press(*"half done", "escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen_stack[-1] is form and form.query_one("#field-note", Input).value == "half done"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, DataScreen)

    drive(app, scenario)
    assert open_application(url).head_position() == head


def test_esc_on_the_quick_add_on_asks_only_once_minutes_are_typed(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    head = open_application(url).head_position()
    app = make_app(url)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("a", "2", "escape")
        await settle(pilot)
        assert isinstance(app.screen, DataScreen)  # a category alone: closed at once
        await pilot.press("a", "2", *"25", "escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, QuickAddOnScreen)
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, DataScreen)

    drive(app, scenario)
    assert open_application(url).head_position() == head


def test_an_officer_field_is_filled_only_from_what_the_caller_knows(tmp_path: Path, drive: Drive) -> None:
    """The offers (the officers the ledger knows) complete, never fill: with nothing known the
    officer fields open empty; with the caller's officer, that one."""
    url = scenario_url(tmp_path)
    app = make_app(url, None)
    offers = Offers(values={"officer": ["po.adams", "po.brown"], "covering_officer": ["po.chen"]})

    async def opened(pilot: AnyPilot, known: dict[str, str]) -> dict[str, str]:
        form = RecordScreen(app.record, app.session.clock.today_in(None), "CoverageStarted", known=known, offer=lambda: offers)
        app.push_screen(form)
        await settle(pilot)
        values = form.values()
        form.dismiss(None)
        await settle(pilot)
        return values

    async def scenario(pilot: AnyPilot) -> None:
        empty = await opened(pilot, {})
        assert (empty["officer"], empty["covering_officer"]) == ("", "")
        known = await opened(pilot, {"officer": "po.brown"})
        assert (known["officer"], known["covering_officer"]) == ("po.brown", "")

    drive(app, scenario)


def test_the_retract_dialog_says_which_event_as_text(tmp_path: Path, drive: Drive) -> None:
    """The caller's words for the event are shown as typed (brackets are not markup); the
    position alone still opens it (callers that give no words)."""
    url = scenario_url(tmp_path)
    app = make_app(url, None)
    words = "Add-on task: po.adams, clerical, 45 minutes, 2026-03-19 — recorded by po.adams [b]note[/b]"

    async def scenario(pilot: AnyPilot) -> None:
        app.push_screen(RetractScreen(34, event=words))
        await settle(pilot)
        assert str(app.screen.query_one("#retract-event", Static).render()) == words
        app.screen.dismiss(None)
        await settle(pilot)
        app.push_screen(RetractScreen(34))
        await settle(pilot)
        assert not app.screen.query("#retract-event")
        assert "position 34" in str(app.screen.query_one(".panel-title", Label).render())

    drive(app, scenario)
