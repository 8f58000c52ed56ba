"""Issue #12, point 5: every screen renders markup-like and control characters in every free-text
field as typed — a site's and an officer's name, a note, an SIU reason, a transfer's and a
cancellation's reason, a release plan's destination, a hearing's review type, a CCLO's police
service, a retraction's reason — with no crash (a MarkupError once closed the app) and the escape
sequence made visible, never sent to the terminal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.markup import escape
from textual.widgets import DataTable, Static

from caseledger.application.text import for_terminal
from caseledger.domain.store.application import open_application
from caseledger.tui.app import SCREEN_CLASSES
from tests.support.commands import ScriptedService
from tests.support.tui_helpers import SCENARIO_ADMIN, AnyPilot, Drive, back_to, make_app, scenario_url, settle, table_rows

NASTY = "[/] [bold]x[/bold] [link=x]y \x1b[2K\r"


def test_every_screen_shows_free_text_as_typed(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    admin = ScriptedService(open_application(url), SCENARIO_ADMIN)
    day = "2026-03-20"
    admin.register_site("on-odd", NASTY, "community_office", "ontario", "America/Toronto", occurred_at=day, note=NASTY)
    admin.register_officer("po.odd", NASTY, "on-hyb", "institutional_po", occurred_at=day, note=NASTY)
    admin.assign_case("off-007", "po.adams", occurred_at=day, note=NASTY)
    admin.start_siu_placement("off-007", NASTY, occurred_at=day)
    admin.request_transfer("off-007", "on-max", "voluntary", NASTY, occurred_at=day)
    admin.cancel_transfer("off-007", NASTY, occurred_at=day)
    admin.start_release_plan("off-007", "day_parole", NASTY, occurred_at=day)
    admin.schedule_hearing("off-007", dt.date(2026, 6, 1), NASTY, occurred_at=day)
    admin.record_cclo_contact("off-007", "cclo-1", NASTY, "information_sharing", 15, occurred_at=day)
    position = admin.log_addon_task("po.adams", "clerical", 5, occurred_at=day, note=NASTY)
    admin.retract(position, NASTY, occurred_at=day)
    seen: list[str] = []
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        for mode in SCREEN_CLASSES:
            await back_to(pilot, mode)
            if mode == "casefile":
                app.open_case("off-007")
                await settle(pilot)
            assert app.is_running and app.return_code is None, mode
            for table in app.screen.query(DataTable):
                seen.extend(str(cell) for row in table_rows(table) for cell in row)
            seen.extend(str(widget.render()) for widget in app.screen.query(Static))

    drive(app, scenario, size=(200, 50))
    typed = for_terminal(NASTY)  # the escape and the carriage return made visible
    shown = [cell for cell in seen if typed in cell or escape(typed) in cell]  # as text, or escaped for a markup reader
    assert len(shown) >= 8, seen  # reasons, destination, review type, police service: the case file and the audit log
    assert not any("\x1b" in cell or "\r" in cell for cell in seen)
