"""A deterministic TUI under test: the hand-checked scenario store, a fixed clock, no polling, and
the waits a test needs so it reads what the screen shows once the data has arrived.

The fixture that opens the app (``drive``, in ``tests/tui/conftest.py``) and the waits and readers
here are shared by every TUI test module; no test module imports another."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import msgspec
from textual.app import App
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, Select

from caseledger.application.imports import import_lines
from caseledger.domain.model.clock import Clock
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import LoggedEvent, read_log
from caseledger.tui.app import CaseLedgerApp
from caseledger.tui.forms import RecordScreen
from caseledger.tui.screens.base import DataScreen
from tests.support.paths import SCENARIO

NOW = dt.datetime(2026, 3, 20, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))

T = TypeVar("T")

AnyPilot = Pilot[Any]
"""The pilot of any app under test (the app's return type does not matter to a test)."""


class Drive(Protocol):
    """The ``drive`` fixture: run ``scenario`` on ``app`` opened headless at ``size``, settled, on
    ``screen`` (a mode, reached by pressing its key as a person would), then ``keys`` pressed,
    settled again; return what the scenario returns. ``wait=False`` presses without waiting and
    hands over the pilot as soon as the app runs (for a login that sees no data, or a test that
    must look before any idle moment)."""

    def __call__(
        self,
        app: App[Any],
        scenario: Callable[[AnyPilot], Awaitable[T]],
        *,
        size: tuple[int, int] = (120, 40),
        screen: str | None = None,
        keys: Sequence[str] = (),
        wait: bool = True,
    ) -> T: ...


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


def screen_key(mode: str) -> str:
    """The key that switches to ``mode`` (``"7"`` for ``"export"``), read from the app's bindings."""
    for binding in CaseLedgerApp.BINDINGS:
        if isinstance(binding, Binding) and binding.action == f"switch_mode('{mode}')":
            return binding.key
    raise AssertionError(f"no key switches to the {mode!r} screen")


async def settled(pilot: AnyPilot) -> None:
    """Wait until the workers are done and the current data screen has shown its data."""
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if not isinstance(screen, DataScreen) or (screen.loads and not any(w.is_running for w in pilot.app.workers)):
            await pilot.pause()
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the screen never showed its data")


async def settle(pilot: AnyPilot) -> None:
    """Let workers finish and their results reach the screen."""
    await settled(pilot)
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def reloaded(pilot: AnyPilot, screen: DataScreen, loads_before: int) -> None:
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


async def form_closed(pilot: AnyPilot) -> None:
    """Wait until the record form has closed (its save worker ends before the dismissal reaches
    the UI thread); fail if it never does."""
    for _ in range(100):
        await settle(pilot)
        if not isinstance(pilot.app.screen, RecordScreen):
            return
    raise AssertionError(f"the record form is still open: {pilot.app.screen.query_one('#record-message', Label).render()}")


async def fill_and_record(pilot: AnyPilot, kind: str, values: dict[str, str], occurred_at: str = "2026-03-20") -> None:
    """Open the record form (``n``), pick ``kind``, fill ``values`` and press Ctrl+S; return once
    the form has closed or says why it did not record."""
    app = pilot.app
    await pilot.press("n")
    await settle(pilot)
    form = app.screen
    assert isinstance(form, RecordScreen)
    form.query_one("#record-type", Select).value = kind
    await settle(pilot)
    for name, value in {**values, "occurred_at": occurred_at}.items():
        widget = form.query_one(f"#field-{name}")
        if isinstance(widget, Select):
            widget.value = value
        else:
            assert isinstance(widget, Input)
            widget.value = value
    await pilot.press("ctrl+s")
    for _ in range(100):  # the save worker ends before its dismissal reaches the UI thread
        await settle(pilot)
        if not isinstance(app.screen, RecordScreen) or str(form.query_one("#record-message", Label).render()):
            return
        await asyncio.sleep(0.01)


async def back_to(pilot: AnyPilot, mode: str) -> None:
    """Close whatever the key opened (a form, help, a palette) and return to ``mode``."""
    app = pilot.app
    for _ in range(5):
        if not isinstance(app.screen, ModalScreen):
            break
        await pilot.press("escape")
        await pilot.pause()
    app.switch_mode(mode)
    await settle(pilot)


def newest(url: str) -> LoggedEvent:
    """The last event of the store's log."""
    app = open_application(url)
    return next(read_log(app, after=app.head_position() - 1))


def table_rows(table: DataTable[Any]) -> list[list[Any]]:
    return [table.get_row_at(index) for index in range(table.row_count)]


def data_screen(screen: Screen[Any]) -> DataScreen:
    """``screen`` as the data screen a test expects it to be."""
    assert isinstance(screen, DataScreen), screen
    return screen
