"""What every data screen shares: load in a thread worker, show on the UI thread, reload when
the store changes (another officer's process recorded something)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable

from caseledger.domain.errors import AccessRefused

if TYPE_CHECKING:
    from caseledger.tui.app import CaseLedgerApp

RecordContext = tuple[str | None, dict[str, str]]
"""An event type to open the record form on (None: the last recorded) and known field values."""


class LedgerScreen(Screen[None]):
    """A screen of the caseledger app (typed access to the app's session)."""

    @property
    def ledger(self) -> CaseLedgerApp:
        return cast("CaseLedgerApp", self.app)

    def record_context(self) -> RecordContext:
        """What the record form should open on from this screen: an event type (None: the last
        one recorded) and the field values the screen's selection knows."""
        return None, {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A screen's own keys follow the view's roles as the app's do (no retraction from a read-only view)."""
        return self.ledger.check_action(action, parameters)


class DataScreen(LedgerScreen):
    """A screen whose content comes from the store. Subclasses implement ``request`` (on the UI
    thread: what to ask for, read from the screen's controls), ``fetch`` (in a worker thread:
    ask the store, return plain data) and ``show`` (on the UI thread). Widgets are only ever
    touched on the UI thread."""

    def on_screen_resume(self) -> None:
        """Load whenever the screen is shown (its first showing included), so data is never stale."""
        self.reload()

    loads = 0
    """How many results this screen has shown (tests wait on it; a person never needs to)."""

    generation = 0
    """Bumped by every reload; only the newest load's result is shown."""

    def reload(self, *, stale: bool = False) -> None:
        """Load again (once the app has started: before, the screen shows its placeholder; and only
        what this view may read: no refusal is shown unasked). ``stale``: what is shown is out of
        date (this view just recorded or retracted), so it is covered — its tables and panels show
        the loading indicator and take no key — until the new data is shown."""
        if not getattr(self.app, "ready", True) or not self.ledger.may_show(self):
            return
        self.generation += 1
        if stale:
            for widget in self.covered():
                widget.loading = True
        self._load(self.generation, self.request())

    def covered(self) -> list[Widget]:
        """What a stale reload covers: the screen's tables and panels."""
        return [*self.query(DataTable), *self.query(".panel")]

    @work(thread=True, group="load", exit_on_error=False)
    def _load(self, generation: int, request: Any) -> None:
        """Fetch in a thread; hand the result to the UI thread — or, when this view's roles may not
        read it, say so (the screen keeps its placeholder). The result is shown from the UI's own
        queue (``call_later``), not inside this worker's call: a screen that fails to show its data
        is a bug, and it must stop the app with its traceback (and a non-zero exit), not vanish
        with a worker that reports errors to nobody."""
        try:
            data = self.fetch(request)
        except AccessRefused as refused:
            self.app.call_from_thread(self._refused, str(refused))
            return
        self.app.call_from_thread(self.call_later, self._deliver, generation, data)

    def _refused(self, refusal: str) -> None:
        self.notify(refusal, severity="error", timeout=10, markup=False)
        for widget in self.covered():
            widget.loading = False

    def _deliver(self, generation: int, data: Any) -> None:
        if generation == self.generation:
            self.show(data)
            for widget in self.covered():
                widget.loading = False
            self.loads += 1

    def request(self) -> Any:
        """What to fetch, read from the screen's controls on the UI thread (nothing by default)."""
        return None

    def fetch(self, request: Any) -> Any:
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError


class CaseListScreen(DataScreen):
    """A data screen whose table lists cases, each row keyed by its offender id, then anything
    that makes the key unique after a space (an id has none): Enter (the table's select key) or
    ``o`` opens that case file."""

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.ledger.open_case(str(event.row_key.value).split(" ", 1)[0])

    def selected(self) -> str | None:
        """The selected row's key (None when the table is empty)."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_open_case(self) -> None:
        key = self.selected()
        if key is not None:
            self.ledger.open_case(key.split(" ", 1)[0])

    def record_context(self) -> RecordContext:
        """The selected case's offender."""
        key = self.selected()
        return None, ({"offender": key.split(" ", 1)[0]} if key else {})
