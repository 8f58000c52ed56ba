"""What every data screen shares: load in a thread worker, show on the UI thread, reload when
the store changes (another officer's process recorded something)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen
from textual.widgets import Footer, Header

if TYPE_CHECKING:
    from tui.app import CaseLedgerApp


class DataScreen(Screen[None]):
    """A screen whose content comes from the store. Subclasses implement ``fetch`` (runs in a
    worker thread, returns plain data) and ``show`` (runs on the UI thread)."""

    @property
    def ledger(self) -> CaseLedgerApp:
        return self.app  # type: ignore[return-value]

    def compose_chrome(self) -> Any:
        yield Header()
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def reload(self) -> None:
        """Fetch in a thread; hand the result to the UI thread."""
        data = self.fetch()
        self.app.call_from_thread(self.show, data)

    def fetch(self) -> Any:
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError
