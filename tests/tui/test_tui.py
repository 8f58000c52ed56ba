"""The terminal UI, driven as a person would (Textual's Pilot) against a real SQLite store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Input, Label, Select

from caseledger.domain.events.catalogue import PAYLOAD_TYPES
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import read_log
from caseledger.tui.app import CaseLedgerApp
from caseledger.tui.forms import RecordScreen
from caseledger.tui.screens.audit import AuditScreen
from caseledger.tui.screens.casefile import CaseFileScreen
from caseledger.tui.screens.week import WeekScreen
from tests.support.commands import ScriptedService
from tests.support.tampering import sql
from tests.support.tui_helpers import (
    SCENARIO_ADMIN,
    AnyPilot,
    Drive,
    data_screen,
    fill_and_record,
    make_app,
    newest,
    reloaded,
    scenario_url,
    settle,
    table_rows,
)


def test_quick_addon_log_is_three_keys_and_the_minutes(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = make_app(url, "po.brown")

    async def scenario(pilot: AnyPilot) -> None:
        week = data_screen(app.screen)
        before = {row[0]: row[1] for row in table_rows(week.query_one("#addons-table", DataTable))}
        loads = week.loads
        await pilot.press("a", "2")
        await pilot.press("2", "5", "enter")
        await reloaded(pilot, week, loads)
        assert isinstance(app.screen, WeekScreen)
        after = {row[0]: row[1] for row in table_rows(app.screen.query_one("#addons-table", DataTable))}
        assert after.get("scanning and faxing", 0) == before.get("scanning and faxing", 0) + 25  # categories in words

    drive(app, scenario)
    event = newest(url)
    assert (event.type, event.envelope.data.category, event.envelope.data.minutes, event.envelope.recorded_by) == (
        "AddOnTaskLogged",
        "scanning_faxing",
        25,
        SCENARIO_ADMIN,  # the login records, whoever's view it is (issue #11)
    )


EVERY_TYPE: list[tuple[str, dict[str, str]]] = [
    ("SiteRegistered", {"site": "on-new", "name": "New CCC", "kind": "ccc", "region": "ontario", "timezone": "America/Toronto", "province": "ON"}),
    ("OfficerRegistered", {"officer": "po.new", "name": "New Officer", "site": "on-new", "role": "ccc_po", "weekly_hours": "30"}),
    ("OfficerMoved", {"officer": "po.new", "site": "on-cpo"}),
    ("LeaveStarted", {"officer": "po.new", "kind": "sick"}),
    ("CoverageStarted", {"officer": "po.new", "covering_officer": "po.diaz"}),
    ("CoverageEnded", {"officer": "po.new", "covering_officer": "po.diaz"}),
    ("LeaveEnded", {"officer": "po.new"}),
    ("AddOnTaskLogged", {"officer": "po.brown", "category": "clerical", "minutes": "15"}),
    (
        "OffenderAdmitted",
        {
            "offender": "off-100",
            "site": "on-hyb",
            "security_level": "minimum",
            "sentence_start": "2025-01-01",
            "statutory_release": "2027-01-01",
            "warrant_expiry": "2028-01-01",
            "complexity": "mental_health, medical",
        },
    ),
    ("CaseAssigned", {"offender": "off-100", "officer": "po.brown"}),
    ("CaseTaskCompleted", {"offender": "off-100", "task": "preliminary_assessment"}),
    ("SecurityLevelChanged", {"offender": "off-100", "security_level": "medium"}),
    ("ComplexityFlagged", {"offender": "off-100", "factor": "language"}),
    ("ComplexityCleared", {"offender": "off-100", "factor": "language"}),
    ("SIUPlacementStarted", {"offender": "off-100", "reason": "safety"}),
    ("SIUReviewHeld", {"offender": "off-100", "level": "institutional_head", "outcome": "maintain"}),
    ("TransferRequested", {"offender": "off-100", "to_site": "on-max", "kind": "involuntary", "reason": "SIU"}),
    ("SIUPlacementEnded", {"offender": "off-100", "outcome": "transfer"}),
    ("TransferCompleted", {"offender": "off-100"}),
    ("TransferRequested", {"offender": "off-100", "to_site": "on-hyb", "kind": "voluntary", "reason": "back"}),
    ("TransferCancelled", {"offender": "off-100", "reason": "no bed"}),
    ("ReleasePlanStarted", {"offender": "off-100", "release_type": "full_parole", "destination": "Kingston", "destination_site": "on-cpo"}),
    ("ReleasePlanStep", {"offender": "off-100", "step": "housing_secured"}),
    ("HearingScheduled", {"offender": "off-100", "hearing_date": "2026-04-20", "review_type": "full parole review"}),
    ("ReleaseDecisionRecorded", {"offender": "off-100", "decision": "granted", "release_type": "full_parole", "release_date": "2026-04-25"}),
    ("OffenderReleased", {"offender": "off-100", "release_type": "full_parole", "destination_site": "on-cpo"}),
    ("CcloContactRecorded", {"offender": "off-100", "cclo": "cclo1", "police_service": "Kingston Police", "purpose": "information_sharing", "minutes": "30"}),
    ("WarrantIssued", {"offender": "off-100", "reason": "breach"}),
    ("OffenderApprehended", {"offender": "off-100"}),
    ("EventRetracted", {"position": "75", "reason": "entered twice"}),
    ("UserLinked", {"user": "po.brown", "officer": "po.brown"}),
    ("RoleGranted", {"user": "po.brown", "role": "supervisor", "site": "on-hyb"}),
    ("RoleRevoked", {"user": "po.brown", "role": "supervisor", "site": "on-hyb"}),
]


@pytest.mark.slow
def test_every_event_type_records_through_its_form_and_reaches_store_and_projections(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    assert {kind for kind, _ in EVERY_TYPE} == set(PAYLOAD_TYPES)
    app = make_app(url, "po.brown")

    async def scenario(pilot: AnyPilot) -> None:
        for kind, values in EVERY_TYPE:
            await fill_and_record(pilot, kind, values)
            assert not isinstance(app.screen, RecordScreen), (kind, str(app.screen.query_one("#record-message", Label).render()))
            event = newest(url)
            assert (event.type, event.envelope.recorded_by) == (kind, SCENARIO_ADMIN)
        positions = app.session.projector.positions()
        assert set(positions.values()) == {open_application(url).head_position()}

    drive(app, scenario)
    transfers = [e for e in read_log(open_application(url)) if e.type == "TransferCompleted"]
    assert transfers[-1].envelope.at_site == "on-max"


def test_a_refused_form_shows_the_rule_under_its_field_and_records_nothing(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    head = open_application(url).head_position()
    app = make_app(url, "po.brown")

    async def scenario(pilot: AnyPilot) -> None:
        await fill_and_record(pilot, "TransferRequested", {"offender": "off-002", "to_site": "on-hyb", "kind": "voluntary", "reason": "x"})
        form = app.screen
        assert isinstance(form, RecordScreen)
        assert "already at 'on-hyb'" in str(form.query_one("#error-to_site").render())
        await fill_and_record_in_place(pilot, form, {"to_site": "on-max"})
        assert not isinstance(app.screen, RecordScreen)

    async def fill_and_record_in_place(pilot: Any, form: RecordScreen, values: dict[str, str]) -> None:
        for name, value in values.items():
            form.query_one(f"#field-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)

    drive(app, scenario)
    assert open_application(url).head_position() == head + 1


def test_audit_filters_and_pages(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = make_app(url)

    async def scenario(pilot: AnyPilot) -> None:
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        table = screen.query_one(DataTable)
        assert [row[0] for row in table_rows(table)][:3] == [1, 2, 3]
        screen.query_one("#type-filter", Select).value = "CaseAssigned"
        await settle(pilot)
        assert {row[2] for row in table_rows(table)} == {"Case assigned"}  # types in words
        screen.query_one("#type-filter", Select).value = Select.NULL
        screen.query_one("#actor-filter", Input).value = "po.adams"
        await pilot.press("tab")
        screen.query_one("#actor-filter", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert {row[1] for row in table_rows(table)} == {"po.adams"}
        screen.query_one("#actor-filter", Input).value = ""
        screen.query_one("#from-filter", Input).value = "2026-03-02"
        screen.query_one("#to-filter", Input).value = "2026-03-02"
        screen.query_one("#to-filter", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert {row[3][:10] for row in table_rows(table)} == {"2026-03-02"}  # the Pacific arrival counts locally
        screen.query_one("#from-filter", Input).value = ""
        screen.query_one("#to-filter", Input).value = ""
        screen.query_one("#jump", Input).value = "60"
        screen.query_one("#jump", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert table_rows(table)[0][0] == 60

    drive(app, scenario, screen="audit")


def test_case_file_shows_retractions_and_retracts_with_a_reason(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = make_app(url)

    async def scenario(pilot: AnyPilot) -> None:
        app.open_case("off-001")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseFileScreen)
        table = screen.query_one(DataTable)
        first = table_rows(table)[0]
        assert first[4] == "Offender admitted" and first[3] == "mai.evans"  # occurred, recorded and by side by side (the scenario says mai.evans)
        position = first[0]
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#retract-reason", Input).value = "wrong date"
        await pilot.press("enter")
        await settle(pilot)
        retracted = table_rows(screen.query_one(DataTable))[0]
        retraction = newest(url).position
        assert str(retracted[5]) == f"retracted at {retraction}: wrong date"
        assert all(isinstance(cell, Text) and cell.style == "strike dim" for cell in retracted)  # struck through, every cell
        assert str(retracted[0]) == str(position)

    drive(app, scenario)
    event = newest(url)
    assert event.type == "EventRetracted" and event.envelope.data.reason == "wrong date"


def test_export_screen_writes_a_deidentified_file(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    target = tmp_path / "out.jsonl"
    app = make_app(url)

    async def scenario(pilot: AnyPilot) -> None:
        screen = app.screen
        screen.query_one("#export-projection", Select).value = "transfers"
        screen.query_one("#export-format", Select).value = "jsonl"
        await settle(pilot)
        screen.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export-run")
        await settle(pilot)
        assert "Wrote 3 rows" in str(screen.query_one("#export-message", Label).render())

    drive(app, scenario, screen="export")
    content = target.read_text()
    assert json.loads((tmp_path / "out.jsonl.meta.json").read_text())["deidentified"] is True and "off-00" not in content


def test_events_from_another_process_appear_without_a_restart(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = make_app(url, "po.brown", poll_seconds=0.2)

    async def scenario(pilot: AnyPilot) -> None:
        other = ScriptedService(open_application(url), SCENARIO_ADMIN)
        position = other.log_addon_task("po.chen", "clerical", 10, occurred_at="2026-03-20")
        for _ in range(40):
            await asyncio.sleep(0.05)
            await pilot.pause()
            if app.seen_head == position:
                break
        assert app.seen_head == position
        assert app.session.projector.positions()["addons"] == position
        await settle(pilot)
        audit = app.screen.query_one(DataTable)
        assert audit.get_row_at(0)[0] == 1  # the screen reloaded (and still pages from the start)

    drive(app, scenario, screen="audit")


def test_the_palette_offers_what_fits_the_screen(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = make_app(url)

    async def scenario(pilot: AnyPilot) -> None:
        on_week = {command.title for command in app.get_system_commands(app.screen)}
        await pilot.press("6")
        await settle(pilot)
        on_audit = {command.title for command in app.get_system_commands(app.screen)}
        assert "Next page of the log" in on_audit and "Next page of the log" not in on_week
        assert "Go to My week" in on_audit and "Go to My week" not in on_week
        assert {"Log an add-on task", "Record an event"} <= on_week & on_audit

    drive(app, scenario)


def test_bindings_have_ids() -> None:
    assert all(isinstance(binding, Binding) and binding.id for binding in CaseLedgerApp.BINDINGS)


def test_markup_and_control_characters_in_a_reason_are_shown_as_typed(tmp_path: Path, drive: Drive) -> None:
    """A retraction reason holding markup (``[/]``, ``[bold]``) and an escape sequence crashed the
    Case file and Audit screens (MarkupError) or could restyle them: both now show it as typed,
    the escape made visible."""
    url = scenario_url(tmp_path)
    reason = "typo [/] [bold]x \x1b[2K"
    ScriptedService(open_application(url), SCENARIO_ADMIN).retract(2, reason, occurred_at="2026-03-20")
    app = make_app(url)

    async def scenario(pilot: AnyPilot) -> None:
        app.open_case("off-001")
        await settle(pilot)
        case_rows = table_rows(app.screen.query_one(DataTable))
        await pilot.press("6")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        audit_rows = table_rows(app.screen.query_one(DataTable))
        shown = [str(cell) for row in case_rows + audit_rows for cell in row]
        assert any("typo \\[/] \\[bold]x \\x1b[2K" in cell for cell in shown), shown
        assert not any("\x1b" in cell for cell in shown)

    drive(app, scenario, size=(160, 40))


def test_a_deleted_read_model_row_is_noticed_once_the_screen_shows_and_the_week_is_honest(tmp_path: Path, drive: Drive) -> None:
    """My week reads po.adams' add-on rows through their index: a row deleted there just vanished.
    Once the first screen shows, the app counts every table against its seal (in a worker), says
    what failed and reloads from read models rebuilt from the log — and says so too when My week
    met the failure first and the read models were rebuilt then (its stderr is under the TUI)."""
    url = scenario_url(tmp_path)

    async def minutes_shown(pilot: AnyPilot) -> list[tuple[Any, ...]]:
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        table = pilot.app.screen.query_one("#addons-table", DataTable)
        shown = [tuple(table.get_row_at(index)) for index in range(table.row_count)]
        notes = [str(notification.message) for notification in pilot.app._notifications]
        return [*shown, *[(note,) for note in notes if "rebuilt" in note]]

    honest = drive(make_app(url), minutes_shown)
    assert honest and all(len(row) == 2 for row in honest)
    sql(url, "DELETE FROM cl_addons WHERE officer = 'po.adams' AND category = 'travel_logistics'")
    after = drive(make_app(url), minutes_shown)
    assert after[: len(honest)] == honest
    # the count in the background, or My week itself (its tasks checked against the totals), finds
    # it first: either way it is said once, and the week is honest
    assert len(after) == len(honest) + 1 and "read model cl_addons: " in after[-1][0], after
