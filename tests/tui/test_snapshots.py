"""Snapshots of every screen at 80×24 and 120×40 (review changes with ``--snapshot-update``,
then look at the report before committing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.tui_helpers import make_app, scenario_url, settled

pytestmark = pytest.mark.slow  # draws every screen at two sizes, and three in the light theme: seconds each

SCREENS = {
    "week": [],
    "due": ["2"],
    "caseload": ["3"],
    "casefile": ["4"],
    "site": ["5"],
    "staffing": ["5", "p"],
    "audit": ["6"],
    "export": ["7"],
    "help": ["question_mark"],
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare: Any, tmp_path: Path, screen: str, size: tuple[int, int]) -> None:
    app = make_app(scenario_url(tmp_path), None)  # the admin login's own view: it opens on the first parole officer

    async def settle(pilot: Any) -> None:
        await pilot.pause()
        for key in SCREENS[screen]:
            await pilot.press(key)
        if screen == "casefile":
            app.open_case("off-001")
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("screen", ["week", "audit", "export"])
def test_screen_in_the_light_theme(snap_compare: Any, tmp_path: Path, screen: str) -> None:
    app = make_app(scenario_url(tmp_path), None)  # the admin login's own view: it opens on the first parole officer
    app.theme = "textual-light"

    async def settle(pilot: Any) -> None:
        for key in SCREENS[screen]:
            await pilot.press(key)
        await settled(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)
