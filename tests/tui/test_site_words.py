"""The Site screen's officer rows in words (issue #24, point 7), on the three-site scenario of
``tests/support/three_sites.py`` (one overdue deadline per case at NOW; po4 at PEN works a
15-hour week; po3 at KP is on leave, covered by po1), with two more facts: po2 (KP, 2 cases)
goes on leave with nobody covering, and po5 moves from MIN to KP on 2026-03-12.

Worked out by hand, at NOW (2026-03-20):

- po3: on leave, 4 cases, each with one overdue deadline: "4 overdue, covered by po1" — po1
  carries them (po1's own row counts them: 3 own + 4 covered = 7 overdue), so po3's cell is not
  marked red.
- po2: on leave, 2 cases, nobody covers: "2 overdue, nobody covers", marked red.
- po4: 18 cases × 1.25 h (institutional PO, no complexity factor) = 22.50 h against a 15-hour
  week, shorter than the rules' 37.5: "22.50 h / 15 h (part-time)", red (over the week).
- po1: a full week: "… / 37.5" (no part-time mark).
- po5: registered at MIN, moved to KP on 2026-03-12: "po5 (moved from MIN on 2026-03-12)",
  listed among KP's officers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from caseledger.domain.model.clock import Clock
from caseledger.tui.app import CaseLedgerApp
from tests.support.three_sites import ADMIN, NOW, three_sites
from tests.support.tui_helpers import AnyPilot, Drive, table_rows
from tests.support.world import open_ledger


def site_rows(tmp_path: Path, drive: Drive, size: tuple[int, int] = (120, 40), user: str | None = None) -> dict[str, dict[str, Any]]:
    """The Site screen's officer rows of ``user``'s site (None: the admin's view, KP, po1's), by
    officer, each cell by its header."""
    url = f"sqlite:///{tmp_path}/sites.db"
    _app, service = open_ledger(url, ADMIN)
    three_sites(service)
    service.start_leave("po2", "sick", occurred_at="2026-03-16")
    service.move_officer("po5", "KP", occurred_at="2026-03-12")
    app = CaseLedgerApp(url, user, clock=Clock(NOW), poll_seconds=0, login=ADMIN)
    seen: dict[str, dict[str, Any]] = {}

    async def scenario(pilot: AnyPilot) -> None:
        table = app.screen.query_one(DataTable)
        header = [str(column.label) for column in table.ordered_columns]
        for row in table_rows(table):
            cells = dict(zip(header, row, strict=True))
            seen[str(cells["officer"]).split(" ")[0]] = cells

    drive(app, scenario, size=size, screen="site")
    return seen


def test_overdue_deadlines_of_an_officer_on_leave_say_who_carries_them(tmp_path: Path, drive: Drive) -> None:
    rows = site_rows(tmp_path, drive)
    assert str(rows["po3"]["deadlines"]) == "4 overdue, covered by po1"
    assert rows["po3"]["deadlines"].style == ""
    assert str(rows["po2"]["deadlines"]) == "2 overdue, nobody covers"
    assert rows["po2"]["deadlines"].style == "bold red"
    assert str(rows["po1"]["deadlines"]) == "7 overdue"


def test_a_part_time_week_says_so(tmp_path: Path, drive: Drive) -> None:
    pen = site_rows(tmp_path, drive, user="po4")
    assert str(pen["po4"]["est. hours / week"]) == "22.50 h / 15 h (part-time)"
    assert pen["po4"]["est. hours / week"].style == "bold red"
    kp = site_rows(tmp_path / "kp", drive)
    assert str(kp["po1"]["est. hours / week"]).endswith(" / 37.5")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_a_moved_officer_is_marked_with_where_from_and_when(tmp_path: Path, drive: Drive, size: tuple[int, int]) -> None:
    rows = site_rows(tmp_path, drive, size)
    assert str(rows["po5"]["officer"]) == "po5 (moved from MIN on 2026-03-12)"
    assert [officer for officer, cells in rows.items() if "moved" in str(cells["officer"])] == ["po5"]
