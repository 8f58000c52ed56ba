"""*Export*: every option the command line's ``export`` takes — projection, format, rules, as-of,
known-at, the weeks and the by-site roll-up of the add-on burden, de-identified or not — written
atomically with its provenance beside it, with a progress bar. The file is named after the
projection and the cut until the person types a name of their own, and written into the user's
documents folder (:func:`written_where`); a failure is said in words (which folder is missing,
which file could not be written)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, ProgressBar, Select

from caseledger.application.ledger import (
    BY_SITE_PROJECTIONS,
    EXPORT_FORMATS,
    PROJECTION_NAMES,
    WEEKLY_PROJECTIONS,
    ExportCut,
    ReportSpec,
    check_output,
    steps,
)
from caseledger.application.text import PROJECTION_WORDS
from caseledger.domain.errors import LedgerError
from caseledger.domain.settings import Settings
from caseledger.tui.screens.base import LedgerScreen
from caseledger.tui.widgets.tables import plain


def report_file_name(first: str, last: str, fmt: str) -> str:
    """``report-2026-01-01-2026-03-31.html``: the period in the name (only what a file name may hold)."""
    return "-".join(["report", *(re.sub(r"[^0-9-]", "", day)[:10] for day in (first, last) if day.strip())]) + f".{fmt}"


def failure_in_words(error: Exception, path: str) -> str:
    """Why an export failed, as a person reads it (never a temporary file's name). The path is
    taken as typed (``~`` is a folder named ``~`` here, as the export itself takes it)."""
    if not path:
        return "Export failed: give the file a name"
    folder = Path(path).parent
    if not folder.is_dir():
        return f"Export failed: the folder {folder.resolve()} does not exist"
    return f"Export failed: {error.strerror or error}" if isinstance(error, OSError) else f"Export failed: {error}"


def written_where(typed: str, settings: Settings) -> str:
    """Where a typed file name is written: a name or relative path inside the export folder
    (``CASELEDGER_EXPORT_DIR``, else the user's documents folder, created on first use), never the
    folder the UI was started from; an absolute path as typed."""
    path = Path(typed)
    if path.is_absolute():
        return typed
    if not settings.export_dir_given:
        with contextlib.suppress(OSError):  # a folder that cannot be made is said when the export fails
            settings.export_dir.mkdir(parents=True, exist_ok=True)
    return str(settings.export_dir / path)


class ExportScreen(LedgerScreen):
    TITLE = "Export"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+e", "run", "Run export", id="export.run", priority=True),
        Binding("ctrl+r", "report", "Write report", id="export.report", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.named = "workload.csv"
        """The file name this screen last chose; a path the person typed instead is kept."""
        self.report_named = ""
        """The report's file name this screen last chose."""

    def compose(self) -> ComposeResult:
        last = self.ledger.session.clock.today_in(self.ledger.zone)
        period = (str(last - dt.timedelta(days=364)), str(last))  # the twelve months up to today at the shown officer's site
        self.report_named = report_file_name(*period, "html")
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
            yield Label("A file name is written into your documents folder (or CASELEDGER_EXPORT_DIR); a full path as typed", classes="subtitle")
            yield Checkbox("De-identify (offender ids become pseudonyms)", value=True, id="export-deidentify")
            yield Button("Export", variant="primary", id="export-run")
            yield ProgressBar(total=1, id="export-progress", show_eta=False)
            yield Label("", id="export-message")
            yield Label("The analyst's report: charts and tables, current and proposed rules side by side, de-identified", classes="subtitle")
            with Horizontal(classes="controls"):
                yield Label("from")
                yield Input(period[0], placeholder="a date, like 2026-01-01", id="report-from")
                yield Label("to")
                yield Input(period[1], placeholder="a date, like 2026-03-31", id="report-to")
                yield Select([("HTML", "html"), ("PDF", "pdf")], value="html", allow_blank=False, id="report-format")
            yield Input(self.report_named, placeholder="report file", id="report-path")
            yield Button("Write report", id="report-run")
            yield ProgressBar(total=steps(), id="report-progress", show_eta=False)
            yield Label("", id="report-message")
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
        for option in ("#export-from", "#export-to"):
            self.query_one(option).disabled = not weekly
        self.query_one("#export-by-site").disabled = name not in BY_SITE_PROJECTIONS
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
        name = str(self.query_one("#export-projection", Select).value)
        weekly = name in WEEKLY_PROJECTIONS
        return ExportCut(
            as_of=self.query_one("#export-as-of", Input).value.strip(),
            known_at=self.query_one("#export-known-at", Input).value.strip(),
            first_week=self.query_one("#export-from", Input).value.strip() if weekly else "",
            last_week=self.query_one("#export-to", Input).value.strip() if weekly else "",
            by_site=self.query_one("#export-by-site", Checkbox).value and name in BY_SITE_PROJECTIONS,
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-run":
            self.action_run()
        elif event.button.id == "report-run":
            self.action_report()

    @on(Select.Changed, "#report-format")
    @on(Input.Changed, "#report-from, #report-to")
    def rename_report(self) -> None:
        """Name the report after its period and format, unless the person named it."""
        path = self.query_one("#report-path", Input)
        fmt = str(self.query_one("#report-format", Select).value)
        if path.value == self.report_named:
            self.report_named = report_file_name(self.query_one("#report-from", Input).value, self.query_one("#report-to", Input).value, fmt)
            path.value = self.report_named
        elif path.value.lower().endswith((".html", ".pdf")):
            path.value = f"{path.value.rpartition('.')[0]}.{fmt}"

    def action_report(self) -> None:
        """Write the report with what the form says (Ctrl+R, or the button)."""
        path = self.query_one("#report-path", Input).value.strip()
        if not path:
            self.reported(failure_in_words(ValueError(), "").replace("Export", "Report"), done=False)
            return
        self.query_one("#report-progress", ProgressBar).update(total=steps(), progress=0)
        self.query_one("#report-message", Label).update("Computing the report…")
        self.run_report(
            self.query_one("#report-from", Input).value.strip(), self.query_one("#report-to", Input).value.strip(), written_where(path, Settings.current())
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def run_report(self, first: str, last: str, path: str) -> None:
        """Compute and write the report in a thread, the bar moving as each export is done."""
        progress = self.query_one("#report-progress", ProgressBar)
        try:
            check_output(path)
            spec = ReportSpec.of(first, last, rules="current,proposed", now=self.ledger.session.now(), labels=("report from", "report to"))
            self.ledger.session.report(spec, path, on_step=lambda _name: self.app.call_from_thread(progress.advance, 1))
        except (LedgerError, OSError) as error:
            self.app.call_from_thread(self.reported, failure_in_words(error, path).replace("Export", "Report"), done=False)
            return
        except Exception as error:  # a bug: said, not left as "Computing…" forever in a silent worker
            self.app.call_from_thread(self.reported, f"Report failed unexpectedly ({type(error).__name__}: {error})", done=False)
            return
        self.app.call_from_thread(self.reported, f"Wrote the report to {Path(path).resolve()}", done=True)

    def say(self, line: Label, message: str) -> None:
        """``message`` on ``line``, as text (a typed path may hold [markup]), scrolled into sight
        (at 80×24 the form's foot is below the fold)."""
        line.update(plain(message))
        self.call_after_refresh(line.scroll_visible, animate=False)

    def reported(self, message: str, *, done: bool) -> None:
        self.query_one("#report-progress", ProgressBar).update(total=steps(), progress=steps() if done else 0)
        self.say(self.query_one("#report-message", Label), message)

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
            path=written_where(self.query_one("#export-path", Input).value.strip(), Settings.current()),
            deidentified=self.query_one("#export-deidentify", Checkbox).value,
            rules=str(self.query_one("#export-rules", Select).value),
            cut=self.cut(),
        )

    @work(thread=True, exclusive=True, exit_on_error=False)
    def run_export(self, name: str, *, fmt: str, path: str, deidentified: bool, rules: str, cut: ExportCut) -> None:
        """Export in a thread with what the form said (read on the UI thread)."""
        try:
            spec = cut.spec(name, rules, self.ledger.session.now())
            rows = self.ledger.session.export(spec, fmt=fmt, output=path, identified=not deidentified)
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
        self.say(self.query_one("#export-message", Label), message)
