"""Issue #12, point 3 (part): accepted but odd input is said before it is recorded.

On the scenario at its end: po.brown (on-hyb) and po.chen (on-max) are on leave; po.adams and
mai.evans work at on-hyb. Coverage of po.brown by po.chen is odd twice (po.chen is away, and at
another site); by mai.evans (on-hyb, at work) it is not; coverage of po.adams (at work) is odd:
it counts for nothing until their leave. In the form, the first Ctrl+S says why and records
nothing; the second records it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label

from caseledger.application.oddities import oddities
from caseledger.domain.events import catalogue as p
from caseledger.domain.store.application import open_application
from caseledger.domain.store.views import StoreView
from caseledger.tui.forms import RecordScreen
from tests.support.tui_helpers import make_app, scenario_url
from tests.tui.test_tui import fill_and_record, form_closed, newest, run, settle


def test_coverage_by_someone_away_or_elsewhere_or_of_someone_at_work_is_odd(tmp_path: Path) -> None:
    view = StoreView(open_application(scenario_url(tmp_path)))
    assert oddities(view, p.CoverageStarted(officer="po.brown", covering_officer="po.chen")) == [
        "po.chen is on leave: their coverage counts for nothing while they are away",
        "po.chen works at on-max, po.brown at on-hyb",
    ]
    assert oddities(view, p.CoverageStarted(officer="po.brown", covering_officer="mai.evans")) == []
    assert oddities(view, p.CoverageStarted(officer="po.adams", covering_officer="mai.evans")) == [
        "po.adams is not on leave: coverage counts only while they are (record their leave first)"
    ]


def test_the_form_says_it_first_and_records_on_the_second_ctrl_s(tmp_path: Path) -> None:
    url = scenario_url(tmp_path)
    head = open_application(url).head_position()

    async def scenario() -> None:
        app = make_app(url, None)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await fill_and_record(pilot, "CoverageStarted", {"officer": "po.adams", "covering_officer": "mai.evans"})
            form = app.screen
            assert isinstance(form, RecordScreen)
            message = str(form.query_one("#record-message", Label).render())
            assert message == "Check: po.adams is not on leave: coverage counts only while they are (record their leave first). Ctrl+S again records it."
            assert open_application(url).head_position() == head
            await pilot.press("ctrl+s")
            await form_closed(pilot)

    run(scenario())
    event = newest(url)
    assert (event.type, event.position) == ("CoverageStarted", head + 1)
