"""Issue #12, point 3 (part): the record form knows its context — the open case's offender and the
view's officer are filled in, the first field left empty has the focus when the form opens (the
first field of all once a type is picked: issue #24), and the form opens on the type last
recorded."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, Input, Select

from caseledger.domain.events import catalogue as p
from caseledger.domain.store.application import open_application
from caseledger.tui.forms import QuickAddOnScreen, RecordScreen, choices_of
from tests.support.commands import ScriptedService
from tests.support.tui_helpers import SCENARIO_ADMIN, AnyPilot, Drive, data_screen, form_closed, make_app, newest, scenario_url, screen_key, settle


def test_the_form_fills_in_the_open_case_and_the_officer_and_remembers_the_type(tmp_path: Path, drive: Drive) -> None:
    """po.adams's view (opened by the admin): the view's officer is po.adams, filled in."""
    url = scenario_url(tmp_path)
    app = make_app(url, "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        app.open_case("off-007")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen) and form.kind == "CaseAssigned"
        assert (form.query_one("#field-offender", Input).value, form.query_one("#field-officer", Input).value) == ("off-007", "po.adams")
        form.query_one("#record-type", Select).value = "ComplexityFlagged"
        await settle(pilot)
        assert form.query_one("#field-offender", Input).value == "off-007"
        assert app.focused is form.query_one("#field-offender", Input)  # a type picked: its first field, filled or not
        await pilot.press("tab", *"gang", "ctrl+s")
        await form_closed(pilot)
        await pilot.press("n")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, RecordScreen) and again.kind == "ComplexityFlagged"

    drive(app, scenario)
    event = newest(url)
    assert (event.type, event.envelope.data.offender, event.envelope.data.factor) == ("ComplexityFlagged", "off-007", "gang")


async def form_opened_by(pilot: AnyPilot, key: str) -> tuple[str, str]:
    """The type and officer of the record form ``key`` opens (then closed untouched with Esc)."""
    await pilot.press(key)
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, RecordScreen)
    opened = (form.kind, form.query_one("#field-officer", Input).value)
    await pilot.press("escape")
    await settle(pilot)
    return opened


def test_an_officer_nobody_chose_is_never_filled_in_and_one_chosen_on_site_is(tmp_path: Path, drive: Drive) -> None:
    """The admin's own view (hq.admin: no linked officer, not an officer) shows the first parole
    officer, po.adams, whom nobody chose: the record form leaves *officer* empty (a hurried Ctrl+S
    says "officer: needed", it assigns under nobody) and ``a`` opens the form on an add-on, officer
    to fill in, instead of logging po.adams's time. Enter on po.brown's Site row shows po.brown: now
    the form (from My week, which has no selection of its own) fills in po.brown and ``a`` is the
    quick add-on for po.brown."""
    url = scenario_url(tmp_path)
    head = open_application(url).head_position()
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        assert await form_opened_by(pilot, "n") == ("CaseAssigned", "")
        assert await form_opened_by(pilot, "a") == ("AddOnTaskLogged", "")
        await pilot.press(screen_key("site"))
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("po.brown"))
        await pilot.press("enter", screen_key("week"))  # po.brown's Due, then their week (Due's n completes a row)
        await settle(pilot)
        assert await form_opened_by(pilot, "n") == ("CaseAssigned", "po.brown")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, QuickAddOnScreen) and app.screen.officer == "po.brown"

    drive(app, scenario)
    assert open_application(url).head_position() == head


def test_the_case_file_shows_the_case_as_the_ledger_knew_it(tmp_path: Path, drive: Drive) -> None:
    """off-001's CaseAssigned (position 12) is retracted at 2026-03-22 (recorded now, after the
    scenario's recording times of 2026-03-21): known at 2026-03-21 12:30 UTC it is not struck,
    known now it is."""
    url = scenario_url(tmp_path)
    ScriptedService(open_application(url), SCENARIO_ADMIN).retract(12, "wrong officer", occurred_at="2026-03-20")

    def struck_rows(known_at: str) -> list[int]:
        app = make_app(url, None)

        async def scenario(pilot: AnyPilot) -> list[int]:
            app.open_case("off-001")
            await settle(pilot)
            screen = data_screen(app.screen)
            screen.query_one("#known-at-input", Input).value = known_at
            screen.reload()
            await settle(pilot)
            table = screen.query_one("#history-table", DataTable)
            return [int(str(row[0])) for row in (table.get_row_at(index) for index in range(table.row_count)) if isinstance(row[0], Text)]

        return drive(app, scenario, size=(160, 40))

    assert struck_rows("") == [12]
    assert struck_rows("2026-03-21T12:30:00+00:00") == []


def test_choices_keep_the_catalogues_order_and_lists_stay_text_boxes() -> None:
    """Release-plan steps in the order the process takes them (msgspec would sort them
    alphabetically: assessment_for_decision_submitted first); a list of levels stays typed."""
    assert choices_of(p.ReleasePlanStep, "step") == (
        "community_assessment_requested",
        "community_assessment_received",
        "assessment_for_decision_submitted",
        "housing_secured",
        "travel_booked",
    )
    assert choices_of(p.SiteRegistered, "security_levels") is None
    assert choices_of(p.ReleasePlanStarted, "destination_site") is None


def test_ids_complete_from_what_the_ledger_knows_the_caseload_first(tmp_path: Path, drive: Drive) -> None:
    """po.adams carries off-007 (own) and off-002 (covering po.brown): "off-00" completes to their
    own case first; "sub" to the factor seen in the scenario (substance_use); in a list, the last
    item completes from the factors not listed yet; → accepts a completion; a new id can still be
    typed in full."""
    url = scenario_url(tmp_path)
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen)
        form.query_one("#record-type", Select).value = "ComplexityFlagged"
        await settle(pilot)
        offender = form.query_one("#field-offender", Input)
        assert offender.placeholder == "identifier: off-007, off-002"
        offender.focus()
        await pilot.press(*"off-00")
        await settle(pilot)
        await pilot.press("right")
        assert offender.value == "off-007"
        factor = form.query_one("#field-factor", Input)
        factor.focus()
        await pilot.press(*"sub")
        await settle(pilot)
        await pilot.press("right")
        assert factor.value == "substance_use"
        form.query_one("#record-type", Select).value = "OffenderAdmitted"
        await settle(pilot)
        complexity = form.query_one("#field-complexity", Input)
        complexity.focus()
        await pilot.press(*"substance_use, s")
        await settle(pilot)
        await pilot.press("right")
        assert complexity.value == "substance_use, s"  # nothing else starts with s: no second substance_use
        await pilot.press("backspace", "m")
        await settle(pilot)
        await pilot.press("right")
        assert complexity.value == "substance_use, mental_health"
        new = form.query_one("#field-offender", Input)
        new.value = ""
        new.focus()
        await pilot.press(*"off-999", "right")
        assert new.value == "off-999"

    drive(app, scenario)


def test_a_second_cclo_contact_takes_eight_keys_and_its_free_text(tmp_path: Path, drive: Drive) -> None:
    """With the form on "CCLO contact recorded" (the last type) and off-007's case open: the
    liaison officer completes from "cclo" (→), their police service fills itself in, Tab Tab to the
    purpose, "j" picks "joint home visit" without opening the list, Tab, the minutes, Ctrl+S:
    n → Tab Tab j Tab Ctrl+S = 7 keys, plus "cclo" and "45"."""
    url = scenario_url(tmp_path)

    app = make_app(url, None)
    app.last_kind = "CcloContactRecorded"

    async def scenario(pilot: AnyPilot) -> None:
        app.open_case("off-007")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordScreen) and app.focused is form.query_one("#field-cclo", Input)
        await pilot.press(*"cclo")
        await settle(pilot)
        await pilot.press("right", "tab", "tab", "j", "tab", *"45", "ctrl+s")
        await form_closed(pilot)

    drive(app, scenario)
    data = newest(url).envelope.data
    assert isinstance(data, p.CcloContactRecorded)
    assert (data.offender, data.cclo, data.police_service, data.purpose, data.minutes) == ("off-007", "cclo.kps-07", "Kingston Police", "joint_home_visit", 45)


def test_a_release_plan_step_from_the_open_case_takes_seven_keys(tmp_path: Path, drive: Drive) -> None:
    """n, Ctrl+T (the type list, open), r (Release plan step, the first type starting with r),
    Enter (the focus on its first field, the offender the open case filled in), Tab, h (housing
    secured, picked without opening the list), Ctrl+S."""
    url = scenario_url(tmp_path)
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        app.open_case("off-007")
        await settle(pilot)
        for key in ("n", "ctrl+t", "r", "enter", "tab", "h", "ctrl+s"):
            await pilot.press(key)
            await settle(pilot)
        await form_closed(pilot)

    drive(app, scenario)
    data = newest(url).envelope.data
    assert isinstance(data, p.ReleasePlanStep) and (data.offender, data.step) == ("off-007", "housing_secured")
