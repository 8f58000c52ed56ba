"""The Audit screen lists the events the read side quarantined (issue #23, point 4), above the
log, for those who may verify the store — and the log itself still shows, the poison left out.

Hand-worked: the scenario (imported by the admin), then po.chen's hand-written add-on with
``"minutes": "lots"`` at the next position: the admin's Audit screen names it, with its type, its
author and why; po.adams, granted the officer role and linked to po.adams (an officer may read
the audit log but not verify the store), sees the log without such a list.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
from textual.widgets import DataTable, Label

from caseledger.application.imports import import_lines
from caseledger.domain.store.application import open_application
from tests.support.forgery import append_by_hand, envelope
from tests.support.tui_helpers import SCENARIO_ADMIN, AnyPilot, Drive, make_app, scenario_url, settle


def _poisoned(folder: Path) -> tuple[str, int]:
    url = scenario_url(folder)
    state = envelope("po.chen", {"officer": "po.chen", "category": "clerical", "minutes": "lots"}, at_site="on-max")
    return url, append_by_hand(url, "AddOnTaskLogged", state, key=open_application(url).ledger_key)


def test_the_audit_screen_names_each_quarantined_event(tmp_path: Path, drive: Drive) -> None:
    url, poison = _poisoned(tmp_path)
    app = make_app(url, None)
    shown: dict[str, object] = {}

    async def scenario(pilot: AnyPilot) -> None:
        await settle(pilot)
        label = app.screen.query_one("#quarantine", Label)
        shown["quarantine"], shown["display"] = str(label.render()), label.display
        shown["rows"] = app.screen.query_one(DataTable).row_count

    drive(app, scenario, screen="audit")
    assert shown["display"] is True
    assert f"QUARANTINED position {poison}: AddOnTaskLogged by po.chen: does not decode: Expected `int`, got `str` - at `$.data.minutes`" in str(
        shown["quarantine"]
    )
    assert shown["rows"] == min(100, poison - 1)  # the log's first page, the poison left out


def test_an_officer_sees_no_quarantine_list(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    grants = [
        {"type": "RoleGranted", "occurred_at": "2026-03-20", "user": "po.adams", "role": "officer"},
        {"type": "UserLinked", "occurred_at": "2026-03-20", "user": "po.adams", "officer": "po.adams"},
    ]
    import_lines(open_application(url), [msgspec.json.encode(line) for line in grants], SCENARIO_ADMIN)
    state = envelope("po.chen", {"officer": "po.chen", "category": "clerical", "minutes": "lots"}, at_site="on-max")
    append_by_hand(url, "AddOnTaskLogged", state, key=open_application(url).ledger_key)
    app = make_app(url, None, login="po.adams")
    shown: dict[str, object] = {}

    async def scenario(pilot: AnyPilot) -> None:
        await settle(pilot)
        shown["display"] = app.screen.query_one("#quarantine", Label).display

    drive(app, scenario, screen="audit")
    assert shown["display"] is False
