"""The Site screen's totals through the real TUI at 80×24 and 120×40 (issue #21, points 4 and 5),
on the three-site scenario of ``tests/application/test_coverage_totals.py`` (hand-checked there):
po1 and po2 both cover po3 at KP, which has 9 cases.

``s``: sites with the most overdue deadlines first (PEN 18, KP 9, MIN 5); KP shows its 9 cases
(not the 13 its officers carry) against 56, 47 spare; all sites 32 cases against 111, 79 spare. ``p``: the total row shows 0.20 FTE short and 2.48 spare under the
current rules, 0.32 and 2.36 under the proposed ones — never a net. At 80 columns what needs action
is in sight without scrolling: in ``s`` every column up to the overdue deadlines, in ``p`` every
column; at 120 columns every column of both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from caseledger.domain.model.clock import Clock
from caseledger.tui.app import CaseLedgerApp
from tests.support.three_sites import ADMIN, NOW, three_sites
from tests.support.tui_helpers import AnyPilot, Drive, settle, table_rows
from tests.support.world import open_ledger


def in_sight(table: DataTable[Any]) -> list[str]:
    """The column labels drawn whole without scrolling sideways."""
    width, used, shown = table.scrollable_content_region.width, 0, []
    for column in table.ordered_columns:
        used += column.get_render_width(table)
        if used > width:
            break
        shown.append(str(column.label))
    return shown


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_every_site_and_staffing_with_totals_that_count_each_case_once_and_never_net(tmp_path: Path, size: tuple[int, int], drive: Drive) -> None:
    url = f"sqlite:///{tmp_path}/sites.db"
    _app, service = open_ledger(url, ADMIN)
    three_sites(service)
    service.start_coverage("po3", "po2", occurred_at="2026-03-10")
    seen: dict[str, Any] = {}

    app = CaseLedgerApp(url, None, clock=Clock(NOW), poll_seconds=0, login=ADMIN)

    async def scenario(pilot: AnyPilot) -> None:
        table = app.screen.query_one(DataTable)
        seen["sites"] = [[str(cell) for cell in row[:3]] for row in table_rows(table)]
        seen["sites in sight"] = in_sight(table)
        await pilot.press("p")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        seen["staffing"] = [str(cell) for cell in table_rows(table)[-1]]
        seen["staffing in sight"] = in_sight(table)

    drive(app, scenario, size=size, screen="site", keys=["s"])
    assert seen["sites"] == [
        ["PEN", "18 / 30", "12 spare"],
        ["KP", "9 / 56", "47 spare"],
        ["MIN", "5 / 25", "20 spare"],
        ["all sites", "32 / 111", "79 spare"],
    ]
    assert seen["staffing"] == ["all sites", "32", "3.40", "1.12", "0.20", "2.48", "1.36", "0.32", "2.36"]
    assert seen["staffing in sight"] == ["site", "cases", "FTE", "need now", "short", "spare", "need prop.", "short", "spare"]
    needs_action = ["site", "cases / capacity", "vs capacity", "uncovered", "deadlines"]
    everything = [*needs_action, "overtime", "est. hours / available", "officers"]
    assert seen["sites in sight"][: len(needs_action)] == needs_action
    if size[0] >= 120:
        assert seen["sites in sight"] == everything
