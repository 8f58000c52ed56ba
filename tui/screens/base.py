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

    def on_screen_resume(self) -> None:
        """Load whenever the screen is shown (its first showing included), so data is never stale."""
        self.reload()

    loads = 0
    """How many results this screen has shown (tests wait on it; a person never needs to)."""

    generation = 0
    """Bumped by every reload; only the newest load's result is shown."""

    def reload(self) -> None:
        self.generation += 1
        self._load(self.generation)

    @work(thread=True, group="load", exit_on_error=False)
    def _load(self, generation: int) -> None:
        """Fetch in a thread; hand the result to the UI thread."""
        data = self.fetch()
        self.app.call_from_thread(self._deliver, generation, data)

    def _deliver(self, generation: int, data: Any) -> None:
        if generation == self.generation:
            self.show(data)
            self.loads += 1

    def fetch(self) -> Any:
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError
