"""*Export*: every option the command line's ``export`` takes — projection, format, rules, as-of,
known-at, the weeks and the by-site roll-up of the add-on burden, de-identified or not — written
atomically with its provenance beside it, with a progress bar. The file is named after the
projection and the cut until the person types a name of their own; a failure is said in words
(which folder is missing, which file could not be written)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, ProgressBar, Select

from caseledger.application.exports import EXPORT_FORMATS, PROJECTION_NAMES, WEEKLY_PROJECTIONS
from caseledger.application.session import ExportCut
from caseledger.application.text import PROJECTION_WORDS
from caseledger.domain.errors import LedgerError
from caseledger.tui.screens.base import LedgerScreen
from caseledger.tui.widgets.tables import plain


def failure_in_words(error: Exception, path: str) -> str:
    """Why an export failed, as a person reads it (never a temporary file's name). The path is
    taken as typed (``~`` is a folder named ``~`` here, as the export itself takes it)."""
    if not path:
        return "Export failed: give the file a name"
    folder = Path(path).parent
    if not folder.is_dir():
        return f"Export failed: the folder {folder.resolve()} does not exist"
    return f"Export failed: {error.strerror or error}" if isinstance(error, OSError) else f"Export failed: {error}"


class ExportScreen(LedgerScreen):
    TITLE = "Export"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+e", "run", "Run export", id="export.run", priority=True)]

    def __init__(self) -> None:
        super().__init__()
        self.named = "workload.csv"
        """The file name this screen last chose; a path the person typed instead is kept."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="export-form", classes="panel"):
            with Horizontal(classes="controls"):
                yield Select(
                    [(PROJECTION_WORDS.get(name, name), name) for name in PROJECTION_NAMES], value="workload", allow_blank=False, id="export-projection"
                )
                yield Select([(fmt, fmt) for fmt in EXPORT_FORMATS], value="csv", allow_blank=False, id="export-format")
                yield Select([("current rules", "current"), ("proposed rules", "proposed")], value="current", allow_blank=False, id="export-rules")
            with Horizontal(classes="controls"):
                yield Input(placeholder="as of: date (blank: now)", id="export-as-of")
                yield Input(placeholder="known at: date (blank: now)", id="export-known-at")
            with Horizontal(classes="controls"):
                yield Input(placeholder="from week: 2026-W01", id="export-from")
                yield Input(placeholder="to week: 2026-W13", id="export-to")
                yield Checkbox("by site", value=False, id="export-by-site")
            yield Input(self.named, placeholder="file", id="export-path")
            yield Checkbox("De-identify (offender ids become pseudonyms)", value=True, id="export-deidentify")
            yield Button("Export", variant="primary", id="export-run")
            yield ProgressBar(total=1, id="export-progress", show_eta=False)
            yield Label("", id="export-message")
        yield Footer()

    @on(Select.Changed)
    @on(Input.Changed, "#export-as-of, #export-known-at, #export-from, #export-to")
    @on(Checkbox.Changed, "#export-by-site")
    def rename(self) -> None:
        """Name the file after the projection and the cut, unless the person named it (then only
        its extension follows the format); offer the weeks and the by-site roll-up only where the
        projection takes them."""
        name, fmt = str(self.query_one("#export-projection", Select).value), str(self.query_one("#export-format", Select).value)
        weekly = name in WEEKLY_PROJECTIONS
        for option in ("#export-from", "#export-to", "#export-by-site"):
            self.query_one(option).disabled = not weekly
        path = self.query_one("#export-path", Input)
        if path.value == self.named:
            self.named = self.cut().file_name(name, fmt)
            path.value = self.named
        elif path.value:
            stem, dot, suffix = path.value.rpartition(".")
            if dot and suffix in EXPORT_FORMATS and suffix != fmt:
                path.value = f"{stem}.{fmt}"

    def on_mount(self) -> None:
        self.rename()

    def cut(self) -> ExportCut:
        """The cut the form says, as typed (the weeks and by-site only where the projection takes them)."""
        weekly = str(self.query_one("#export-projection", Select).value) in WEEKLY_PROJECTIONS
        return ExportCut(
            as_of=self.query_one("#export-as-of", Input).value.strip(),
            known_at=self.query_one("#export-known-at", Input).value.strip(),
            first_week=self.query_one("#export-from", Input).value.strip() if weekly else "",
            last_week=self.query_one("#export-to", Input).value.strip() if weekly else "",
            by_site=self.query_one("#export-by-site", Checkbox).value and weekly,
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-run":
            self.action_run()

    def action_run(self) -> None:
        """Export with what the form says (Ctrl+E, or the button)."""
        if not self.query_one("#export-path", Input).value.strip():
            self.finished(failure_in_words(ValueError(), ""), done=False)
            return
        self.query_one("#export-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#export-message", Label).update("Exporting…")
        self.run_export(
            str(self.query_one("#export-projection", Select).value),
            fmt=str(self.query_one("#export-format", Select).value),
            path=self.query_one("#export-path", Input).value.strip(),
            deidentified=self.query_one("#export-deidentify", Checkbox).value,
            rules=str(self.query_one("#export-rules", Select).value),
            cut=self.cut(),
        )

    @work(thread=True, exclusive=True, exit_on_error=False)
    def run_export(self, name: str, *, fmt: str, path: str, deidentified: bool, rules: str, cut: ExportCut) -> None:
        """Export in a thread with what the form said (read on the UI thread)."""
        try:
            rows = self.ledger.session.export(name, fmt, path, deidentified=deidentified, rules=rules, cut=cut)
        except (LedgerError, OSError) as error:
            self.app.call_from_thread(self.finished, failure_in_words(error, path), done=False)
            return
        except Exception as error:  # a bug: said, not left as "Exporting…" forever in a silent worker
            self.app.call_from_thread(self.finished, f"Export failed unexpectedly ({type(error).__name__}: {error})", done=False)
            return
        where = Path(path).resolve()
        self.app.call_from_thread(self.finished, f"Wrote {rows} row{'' if rows == 1 else 's'} to {where} (provenance in {where.name}.meta.json)", done=True)

    def finished(self, message: str, *, done: bool) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=1, progress=1 if done else 0)
        self.query_one("#export-message", Label).update(plain(message))  # a typed path may hold [markup]
