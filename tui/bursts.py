"""Keys typed in the burst of a key that opens a screen go to the screen it opens.

A terminal hands over what is typed faster than the app acts (tmux ``send-keys``, a paste, a fast
typist). Textual forwards each key to the focused widget's queue as it arrives, and a key bound on
the app acts only once it has bubbled back from there: the keys behind ``n`` had by then been
handed to the screen under the form (a Case file's Offender box took "j45" meant for the form),
and those behind ``4`` to the screen being left. So while such a key is on its way, the keys
after it are held, and posted again, in order, once its action has run — the screen it opened
has them then (a form keeps the keys that arrive while it builds its fields). A key the view
may not use releases them as soon as it is refused, and none is held longer than
:data:`HOLD_SECONDS` whatever happens.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen

HOLD_SECONDS = 0.5
"""The longest the keys behind an opening key wait (its action normally runs within milliseconds)."""


class KeysFollowTheirScreen(App[None]):
    """An app whose keys typed behind a screen-opening key reach the screen that key opens."""

    OPENING_ACTIONS: frozenset[str] = frozenset()
    """The app's actions that open a screen or a dialog (their bindings' keys hold what follows)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[events.Key] | None = None
        self._held_since = 0.0
        self._opening_keys = frozenset(
            binding.key for binding in self.BINDINGS if isinstance(binding, Binding) and _action_name(binding.action) in self.OPENING_ACTIONS
        )

    def opens_a_screen(self, event: events.Key) -> bool:
        """Whether ``event`` is an opening key that the app takes: not one a dialog has, nor one
        the focused widget consumes (a text box its characters, the sort prompt its column keys)."""
        focused = self.focused
        consumed = focused is not None and focused.check_consume_key(event.key, event.character)
        return event.key in self._opening_keys and not isinstance(self.screen, ModalScreen) and not consumed

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._held is not None:
                self._held.append(event)
                return
            if self.opens_a_screen(event):
                self._held, self._held_since = [], time.monotonic()
                self.set_timer(HOLD_SECONDS, self.release_keys)
        await super().on_event(event)

    async def run_action(
        self, action: str | tuple[str, str, tuple[object, ...]], default_namespace: DOMNode | None = None, namespaces: Mapping[str, DOMNode] | None = None
    ) -> bool:
        try:
            return await super().run_action(action, default_namespace, namespaces)
        finally:
            if self._held is not None:
                self.call_after_refresh(self.release_keys)

    def release_keys(self) -> None:
        """Post the held keys again, in order, once the screen on top is ready for them (mounted,
        its focus given where it has something to focus) — at the latest :data:`HOLD_SECONDS`
        after the opening key."""
        if self._held is None:
            return
        screen = self.screen
        ready = screen.is_mounted and (self.focused is not None or not screen.focus_chain)
        if not ready and time.monotonic() - self._held_since < HOLD_SECONDS:
            self.call_after_refresh(self.release_keys)
            return
        held, self._held = self._held, None
        for event in held:
            self.post_message(events.Key(event.key, event.character))


def _action_name(action: str) -> str:
    """``switch_mode('due')`` → ``switch_mode``."""
    return action.split("(", 1)[0]
