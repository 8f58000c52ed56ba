"""*Export*: choose a projection, options, format and path; written atomically, with a progress
bar; de-identified by default."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, ProgressBar, Select

from caseledger.application.exports import EXPORT_FORMATS, PROJECTION_NAMES
from caseledger.application.text import PROJECTION_WORDS
from caseledger.domain.errors import LedgerError
from caseledger.tui.screens.base import LedgerScreen


class ExportScreen(LedgerScreen):
    TITLE = "Export"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+e", "run", "Run export", id="export.run", priority=True)]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="export-form", classes="panel"):
            yield Label("Projection")
            yield Select([(PROJECTION_WORDS.get(name, name), name) for name in PROJECTION_NAMES], value="workload", allow_blank=False, id="export-projection")
            yield Label("Format")
            yield Select([(fmt, fmt) for fmt in EXPORT_FORMATS], value="csv", allow_blank=False, id="export-format")
            yield Label("Rules")
            yield Select([("current", "current"), ("proposed", "proposed")], value="current", allow_blank=False, id="export-rules")
            yield Label("As of (blank: now)")
            yield Input(placeholder="YYYY-MM-DD or timestamp", id="export-as-of")
            yield Label("Path")
            yield Input("caseledger-export.csv", id="export-path")
            yield Checkbox("De-identify (offender ids become pseudonyms)", value=True, id="export-deidentify")
            yield Button("Export", variant="primary", id="export-run")
            yield ProgressBar(total=1, id="export-progress", show_eta=False)
            yield Label("", id="export-message")
        yield Footer()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "export-format":
            path = self.query_one("#export-path", Input)
            stem = path.value.rsplit(".", 1)[0] if "." in path.value else path.value
            path.value = f"{stem}.{event.value}"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-run":
            self.action_run()

    def action_run(self) -> None:
        """Export with what the form says (Ctrl+E, or the button)."""
        self.query_one("#export-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#export-message", Label).update("Exporting…")
        self.run_export(
            str(self.query_one("#export-projection", Select).value),
            fmt=str(self.query_one("#export-format", Select).value),
            path=self.query_one("#export-path", Input).value.strip(),
            deidentified=self.query_one("#export-deidentify", Checkbox).value,
            as_of_text=self.query_one("#export-as-of", Input).value.strip(),
            rules=str(self.query_one("#export-rules", Select).value),
        )

    @work(thread=True, exclusive=True, exit_on_error=False)
    def run_export(self, name: str, *, fmt: str, path: str, deidentified: bool, as_of_text: str, rules: str) -> None:
        """Export in a thread with what the form said (read on the UI thread)."""
        try:
            rows = self.ledger.session.export(name, fmt, path, deidentified=deidentified, as_of=as_of_text, rules=rules)
            message = f"Wrote {rows} rows to {path}"
        except (LedgerError, OSError) as error:
            message = f"Export failed: {error}"
        self.app.call_from_thread(self.finished, message)

    def finished(self, message: str) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=1, progress=1)
        self.query_one("#export-message", Label).update(message)
