"""The alarm: the log does not authenticate, so no figure is shown.

Pushed over every screen when the read side refuses the log (an entry whose MAC is not the
ledger key's, a log that no longer extends what this user's clients saw, read models sealed at a
head the log no longer holds: :class:`~caseledger.domain.errors.LogUnauthenticated`). It stays
until an admin dismisses it — an officer, supervisor, auditor or analyst can only quit — and
dismissing it shows no figure either: the screens stay empty until the log authenticates again.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class AlarmScreen(ModalScreen[None]):
    """What the read side refused, in words, and who may dismiss it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+d", "dismiss_alarm", "Dismiss (an admin)", id="alarm.dismiss"),
        Binding("q", "app.quit", "Quit", id="alarm.quit"),
    ]

    def __init__(self, message: str, *, admin: bool) -> None:
        super().__init__()
        self.message = message
        self.admin = admin

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("ALARM: the log does not authenticate\n\n", style="bold red")
        text.append(self.message)  # plain text: what the store says is never markup
        text.append("\n\n")
        text.append("Ctrl+D dismisses it (an admin)  ·  q quits" if self.admin else "Only an admin dismisses this alarm  ·  q quits")
        with VerticalScroll(classes="dialog", id="alarm-dialog"):
            yield Static(text, id="alarm-text")

    def action_dismiss_alarm(self) -> None:
        if self.admin:
            self.dismiss(None)
        else:
            self.notify("Only an admin dismisses this alarm", severity="error")
