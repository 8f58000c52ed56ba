"""Issue #11 in the terminal UI: it opens on the login's linked officer, offers only what the
view's roles allow (keys, footer, palette), says why a refused entry was not recorded, and an
auditor's is read-only.

People on the scenario store (granted by its admin, hq.admin): mai is linked to po.brown with the
officer role; aud is an auditor; ana an analyst; eve holds no role.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Label

from caseledger.application.ledger import Ledger
from caseledger.domain.errors import AccessRefused
from caseledger.domain.model.clock import Clock
from caseledger.domain.store.application import open_application
from caseledger.tui.forms import QuickAddOnScreen, RecordScreen
from caseledger.tui.screens.audit import AuditScreen
from caseledger.tui.screens.casefile import CaseFileScreen
from caseledger.tui.screens.export import ExportScreen
from caseledger.tui.screens.site import SiteScreen
from caseledger.tui.screens.week import WeekScreen
from tests.support.commands import ScriptedService
from tests.support.tui_helpers import NOW, SCENARIO_ADMIN, AnyPilot, Drive, fill_and_record, make_app, scenario_url, settle


def people(folder: Path) -> str:
    url = scenario_url(folder)
    admin = ScriptedService(open_application(url), SCENARIO_ADMIN)
    admin.link("mai", "po.brown", occurred_at="2026-03-20")
    admin.grant("mai", "officer", occurred_at="2026-03-20")
    admin.grant("aud", "auditor", occurred_at="2026-03-20")
    admin.grant("ana", "analyst", occurred_at="2026-03-20")
    return url


def test_the_ui_opens_on_the_linked_officer_and_records_as_the_login(tmp_path: Path, drive: Drive) -> None:
    url = people(tmp_path)
    app = make_app(url, None, login="mai")

    async def scenario(pilot: AnyPilot) -> None:
        assert (app.officer, app.sub_title) == ("po.brown", "mai (officer) · showing po.brown")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, QuickAddOnScreen)

    drive(app, scenario)


def test_a_refused_entry_says_which_rule_and_records_nothing(tmp_path: Path, drive: Drive) -> None:
    url = people(tmp_path)
    head = open_application(url).head_position()
    app = make_app(url, None, login="mai")

    async def scenario(pilot: AnyPilot) -> None:
        await fill_and_record(pilot, "AddOnTaskLogged", {"officer": "po.chen", "category": "clerical", "minutes": "15"})
        form = app.screen
        assert isinstance(form, RecordScreen)
        offered = set(form.kinds)  # an officer's form: no registrations, roles, assignments or coverage
        assert {"AddOnTaskLogged", "EventRetracted", "ReleasePlanStep"} <= offered
        assert not offered & {"SiteRegistered", "RoleGranted", "CaseAssigned", "CoverageStarted", "OffenderAdmitted"}
        message = str(form.query_one("#record-message", Label).render())
        assert "refused: only officer po.chen (their own login), a supervisor of on-max or an admin may record AddOnTaskLogged" in message

    drive(app, scenario)
    assert open_application(url).head_position() == head


def test_an_auditors_ui_is_read_only(tmp_path: Path, drive: Drive) -> None:
    url = people(tmp_path)
    head = open_application(url).head_position()
    app = make_app(url, None, login="aud")

    async def scenario(pilot: AnyPilot) -> None:
        for key in ("a", "n"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, WeekScreen)
        commands = {command.title for command in app.get_system_commands(app.screen)}
        assert not commands & {"Log an add-on task", "Record an event"}
        assert not {active.binding.action for active in app.active_bindings.values() if active.enabled} & {"quick_addon", "record"}
        await pilot.press("6")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)  # no retraction form
        assert "Retract the selected event" not in {command.title for command in app.get_system_commands(app.screen)}
        assert "Record" not in {title for title, _keys, _note in app.help_sections()}  # the help offers only what the view may do
        app.open_case("off-001")
        await settle(pilot)
        offender = app.screen.query_one("#offender-input", Input)
        app.screen.query_one(DataTable).focus()
        await pilot.press("n", "a", "x")  # record, add-on, retract: keys of others, not the start of an offender id
        await settle(pilot)
        assert (isinstance(app.screen, CaseFileScreen), offender.value) == (True, "off-001")
        assert "retracts" not in str(app.screen.query_one("#casefile-message", Label).render())

    drive(app, scenario)
    assert open_application(url).head_position() == head


def test_an_analyst_reads_sites_and_exports_only_and_nobody_borrows_a_view_without_being_admin(tmp_path: Path, drive: Drive) -> None:
    url = people(tmp_path)
    app = make_app(url, None, login="ana")

    async def scenario(pilot: AnyPilot) -> None:
        assert isinstance(app.screen, SiteScreen)  # no officer's week or caseload: they name offenders
        for key in ("1", "2", "3", "4", "6"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, SiteScreen)
        await pilot.press("7")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)

    drive(app, scenario)
    impostor = make_app(url, "aud", login="mai")  # only an admin opens another user's view

    async def borrowed(pilot: AnyPilot) -> None:
        assert impostor.seat.viewer == "mai" and impostor.seat.notice == "only an admin opens another user's view: showing mai's"

    drive(impostor, borrowed)


def test_an_officer_reads_their_own_week_and_caseload_not_a_colleagues(tmp_path: Path) -> None:
    """What the screens ask of the session, refused below the UI: mai (officer, linked to
    po.brown) reads po.brown's week and caseload, not po.chen's; aud (auditor) reads both."""
    url = people(tmp_path)
    session = Ledger.open(url, None, clock=Clock(NOW), login="mai")
    session.take_seat()
    assert session.week("po.brown").officer == "po.brown"
    assert {row.offender for row in session.caseload("po.brown")} == {"off-002"}
    for read in (session.week, session.caseload):
        with pytest.raises(AccessRefused, match=r"only officer po.chen \(their own login\), a supervisor of their site, an auditor or an admin"):
            read("po.chen")
    auditor = Ledger.open(url, None, clock=Clock(NOW), login="aud")
    auditor.take_seat()
    assert auditor.week("po.chen").officer == "po.chen"


def test_a_login_with_no_role_is_told_how_to_get_one(tmp_path: Path, drive: Drive) -> None:
    url = people(tmp_path)
    app = make_app(url, None, login="eve")

    async def scenario(pilot: AnyPilot) -> None:
        for _ in range(200):  # no screen loads for eve: wait for the start worker instead
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.ready:
                break
        messages = [notification.message for notification in app._notifications]
        assert "eve holds no role in this store: an admin grants one (caseledger admin grant eve officer)" in messages
        assert not app.seat.records

    drive(app, scenario, wait=False)
