"""Issue #12, point 3 (part), and issue #21, point 4: accepted but odd input is said before it is
recorded.

On the scenario at its end (``fixtures/scenario_expected.md``, T = 2026-03-20): po.brown (on-hyb)
and po.chen (on-max) are on leave; po.adams and mai.evans work at on-hyb. po.adams covers po.brown
(#50), whose own caseload is off-002 alone: 1 case. po.chen's coverage of po.adams (#29) was never
ended, so it is still active (it counts again when po.adams is next on leave); po.adams's own
caseload is off-007 alone: 1 case.

- Coverage of po.brown by po.chen is odd three times: po.chen is away, at another site, and
  po.brown is already covered by po.adams.
- Coverage of po.brown by mai.evans (on-hyb, at work): already covered by po.adams — both would
  carry off-002; to hand over, end po.adams's coverage.
- Coverage of po.brown by po.adams again changes nothing.
- Coverage of po.adams (at work) by mai.evans: it counts for nothing until their leave, and
  po.chen still covers them.
- Coverage of po.chen (away, covered by nobody) by po.adams (at on-hyb): only the other site.

Assignments (scenario rows #39, #45): off-007 is po.adams's (#39), so assigning it to mai.evans
reassigns it from po.adams to mai.evans, and assigning it to po.adams again changes nothing;
off-005's assignment to po.chen ended with its transfer to pa-kent (#45), so assigning it to anyone
is a first assignment, not odd.

In the form, the first Ctrl+S says why (wrapped, in sight at 80×24) and records nothing; the
second records it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Label

from caseledger.application.ledger import Ledger
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.clock import Clock
from caseledger.domain.store.application import open_application
from caseledger.tui.forms import RecordScreen
from tests.support.tui_helpers import NOW, SCENARIO_ADMIN, AnyPilot, Drive, fill_and_record, form_closed, make_app, newest, scenario_url, settle, table_rows

BROWN_BY_EVANS = "po.brown is already covered by po.adams: both will carry the 1 case; to hand over, end po.adams's coverage"


def test_coverage_by_someone_away_or_elsewhere_or_of_someone_at_work_or_already_covered_is_odd(tmp_path: Path) -> None:
    session = Ledger.open(scenario_url(tmp_path), clock=Clock(NOW), login=SCENARIO_ADMIN)
    assert session.oddities(p.CoverageStarted(officer="po.brown", covering_officer="po.chen")) == [
        "po.chen is on leave: their coverage counts for nothing while they are away",
        "po.chen works at on-max, po.brown at on-hyb",
        "po.brown is already covered by po.adams: both will carry the 1 case; to hand over, end po.adams's coverage",
    ]
    assert session.oddities(p.CoverageStarted(officer="po.brown", covering_officer="mai.evans")) == [BROWN_BY_EVANS]
    assert session.oddities(p.CoverageStarted(officer="po.brown", covering_officer="po.adams")) == [
        "po.adams already covers po.brown: recording it again changes nothing"
    ]
    assert session.oddities(p.CoverageStarted(officer="po.adams", covering_officer="mai.evans")) == [
        "po.adams is not on leave: coverage counts only while they are (record their leave first)",
        "po.adams is already covered by po.chen: both will carry the 1 case; to hand over, end po.chen's coverage",
    ]
    assert session.oddities(p.CoverageStarted(officer="po.chen", covering_officer="po.adams")) == ["po.adams works at on-hyb, po.chen at on-max"]


def test_a_reassignment_says_the_move_and_a_first_assignment_is_not_odd(tmp_path: Path) -> None:
    session = Ledger.open(scenario_url(tmp_path), clock=Clock(NOW), login=SCENARIO_ADMIN)
    assert session.oddities(p.CaseAssigned(offender="off-007", officer="mai.evans")) == ["reassigns off-007 from po.adams to mai.evans"]
    assert session.oddities(p.CaseAssigned(offender="off-007", officer="po.adams")) == [
        "off-007 is already assigned to po.adams: recording it again changes nothing"
    ]
    assert session.oddities(p.CaseAssigned(offender="off-005", officer="po.chen")) == []


@pytest.mark.parametrize(
    ("kind", "values", "said"),
    [
        ("CaseAssigned", {"offender": "off-007", "officer": "mai.evans"}, "reassigns off-007 from po.adams to mai.evans"),
        ("CoverageStarted", {"officer": "po.chen", "covering_officer": "po.adams"}, "po.adams works at on-hyb, po.chen at on-max"),
    ],
    ids=["reassignment", "coverage-elsewhere"],
)
def test_the_form_says_it_first_and_records_on_the_second_ctrl_s(tmp_path: Path, drive: Drive, kind: str, values: dict[str, str], said: str) -> None:
    url = scenario_url(tmp_path)
    head = open_application(url).head_position()
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        await fill_and_record(pilot, kind, values)
        form = app.screen
        assert isinstance(form, RecordScreen)
        assert str(form.query_one("#record-message", Label).render()) == f"Check: {said}. Ctrl+S again records it."
        assert open_application(url).head_position() == head
        await pilot.press("ctrl+s")
        await form_closed(pilot)

    drive(app, scenario)
    event = newest(url)
    assert (event.type, event.position) == (kind, head + 1)
    assert {name: getattr(event.envelope.data, name) for name in values} == values


def test_a_second_coverage_is_said_in_sight_at_80x24_then_recorded_and_the_site_still_counts_each_case_once(tmp_path: Path, drive: Drive) -> None:
    """mai.evans covers po.brown, whom po.adams already covers: the form says so (the whole
    message on screen, wrapped, at 80×24) and records nothing; the second Ctrl+S records it. Then
    the Site screen shows mai.evans and po.adams each carrying po.brown's 1 case, and ``s`` shows
    on-hyb's 2 cases (off-002 of po.brown, off-007 of po.adams), not 3."""
    url = scenario_url(tmp_path)
    head = open_application(url).head_position()
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        await fill_and_record(pilot, "CoverageStarted", {"officer": "po.brown", "covering_officer": "mai.evans"})
        form = app.screen
        assert isinstance(form, RecordScreen)
        label = form.query_one("#record-message", Label)
        assert str(label.render()) == f"Check: {BROWN_BY_EVANS}. Ctrl+S again records it."
        assert label.region.height > 1 and label.region.bottom <= app.size.height  # wrapped, every line on screen
        for y in range(label.region.y, label.region.bottom):
            assert app.screen.get_widget_at(label.region.x, y)[0] is label  # and nothing drawn over it
        assert open_application(url).head_position() == head
        await pilot.press("ctrl+s")
        await form_closed(pilot)
        await pilot.press("5")
        await settle(pilot)
        officers = {str(row[0]): str(row[8]) for row in table_rows(app.screen.query_one(DataTable))}
        assert officers == {"po.adams": "1 case", "mai.evans": "1 case", "po.brown": ""}
        await pilot.press("s")
        await settle(pilot)
        sites = {str(row[0]): str(row[1]) for row in table_rows(app.screen.query_one(DataTable))}
        assert sites["on-hyb"] == "2 / 25"

    drive(app, scenario, size=(80, 24))
    event = newest(url)
    assert (event.type, event.position, event.envelope.data.covering_officer) == ("CoverageStarted", head + 1, "mai.evans")
