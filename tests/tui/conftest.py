"""The ``drive`` fixture: every TUI test opens the real app the same way — headless, at a size,
settled (its workers done and its data on screen), on the screen it is about."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import pytest
from textual.app import App

from tests.support.tui_helpers import AnyPilot, Drive, screen_key, settle

T = TypeVar("T")


def _drive(
    app: App[Any],
    scenario: Callable[[AnyPilot], Awaitable[T]],
    *,
    size: tuple[int, int] = (120, 40),
    screen: str | None = None,
    keys: Sequence[str] = (),
    wait: bool = True,
) -> T:
    async def opened() -> T:
        async with app.run_test(size=size) as pilot:
            if wait:
                await settle(pilot)
            for pressed in ([screen_key(screen)] if screen else [], keys):
                await press(pilot, pressed, wait)
            return await scenario(pilot)

    return asyncio.run(opened())


async def press(pilot: AnyPilot, keys: Sequence[str], wait: bool) -> None:
    """Press ``keys`` (none: nothing happens), then settle unless told not to wait."""
    if keys:
        await pilot.press(*keys)
        if wait:
            await settle(pilot)


@pytest.fixture
def drive() -> Drive:
    """Run a scenario on the real app (see :class:`tests.support.tui_helpers.Drive`)."""
    return _drive
