"""A deterministic TUI under test: the hand-checked scenario store, a fixed clock, no polling."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import msgspec

from caseledger.application.imports import import_lines
from caseledger.domain.model.clock import Clock
from caseledger.domain.store.application import open_application
from caseledger.tui.app import CaseLedgerApp
from tests.support.paths import SCENARIO

NOW = dt.datetime(2026, 3, 20, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))


def scenario_url(folder: Path) -> str:
    url = f"sqlite:///{folder}/tui.db"
    app = open_application(url)
    if app.head_position() == 0:
        import_lines(app, stamped(SCENARIO.read_bytes().splitlines()), "importer", keep_recorded=True)
    return url


def stamped(lines: list[bytes]) -> list[bytes]:
    """The scenario with fixed recording times (a second apart), so screens are reproducible."""
    base = dt.datetime(2026, 3, 21, 12, 0, tzinfo=dt.UTC)
    out = []
    for index, raw in enumerate(lines):
        line = msgspec.json.decode(raw)
        line["recorded_at"] = (base + dt.timedelta(seconds=index)).isoformat()
        out.append(msgspec.json.encode(line))
    return out


SCENARIO_ADMIN = "hq.admin"
"""The scenario's first user (it recorded the registrations): an admin, and the login the
tests' apps record as, so screens do not depend on who runs the tests."""


def make_app(url: str, user: str | None = "po.adams", poll_seconds: float = 0, login: str = SCENARIO_ADMIN) -> CaseLedgerApp:
    return CaseLedgerApp(url, user, clock=Clock(NOW), poll_seconds=poll_seconds, login=login)


async def settled(pilot: Any) -> None:
    """Wait until the workers are done and the current data screen has shown its data."""
    from caseledger.tui.screens.base import DataScreen

    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if not isinstance(screen, DataScreen) or (screen.loads and not any(w.is_running for w in pilot.app.workers)):
            await pilot.pause()
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the screen never showed its data")


async def reloaded(pilot: Any, screen: Any, loads_before: int) -> None:
    """Wait until ``screen`` is the current screen again and has shown a load newer than
    ``loads_before`` with no worker left running — after a form records and closes, the dismissal
    and the reload it starts happen on the UI thread after the form's worker ends, so waiting for
    the workers alone can look too early."""
    for _ in range(500):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if pilot.app.screen is screen and screen.loads > loads_before and not any(w.is_running for w in pilot.app.workers):
            await pilot.pause()
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the screen never showed a newer load")
