"""Issue #12, point 3 (part): the record form knows its context — the open case's offender and the
view's officer are filled in, the first field left empty has the focus, and the form opens on the
type last recorded."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select

from caseledger.tui.forms import RecordScreen
from tests.support.tui_helpers import make_app, scenario_url
from tests.tui.test_tui import newest, run, settle


def test_the_form_fills_in_the_open_case_and_the_officer_and_remembers_the_type(tmp_path: Path) -> None:
    url = scenario_url(tmp_path)

    async def scenario() -> None:
        app = make_app(url, None)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
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
            assert app.focused is form.query_one("#field-factor", Input)  # the first field the context did not fill
            await pilot.press(*"gang", "ctrl+s")
            for _ in range(100):
                await settle(pilot)
                if not isinstance(app.screen, RecordScreen):
                    break
            await pilot.press("n")
            await settle(pilot)
            again = app.screen
            assert isinstance(again, RecordScreen) and again.kind == "ComplexityFlagged"

    run(scenario())
    event = newest(url)
    assert (event.type, event.envelope.data.offender, event.envelope.data.factor) == ("ComplexityFlagged", "off-007", "gang")
