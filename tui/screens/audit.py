"""*Audit*: the raw log, a page at a time (never loaded whole), with filters by type, actor,
offender and known-at, and a jump to any position. ] and [ page forward and back. Above it,
for those who may verify the store, the events the read side quarantined (written around the
program: position, type, proven author, reason), which x retracts like any other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Label, Select

from caseledger.application.ledger import LogPage, LogQuery, quarantine_line
from caseledger.application.text import fields_in_words, type_words, who
from caseledger.domain.errors import AccessRefused, LedgerError
from caseledger.domain.events.catalogue import PAYLOAD_TYPES
from caseledger.tui.screens.base import DataScreen
from caseledger.tui.widgets.legend import Legend
from caseledger.tui.widgets.tables import LedgerTable, fill_table, plain

PAGE = 100
HEADER = ("position", "by", "type", "occurred (site time)", "recorded (UTC)", "site", "fields")
"""Who first (what an auditor scans for); the last column, of free text, takes the width the others leave."""


@dataclass(frozen=True)
class AuditRequest:
    """What the filters say, read on the UI thread: the page's start and the filters as typed (the
    Ledger parses the time bounds in the worker, so a bad one is shown as a message, not raised on
    the UI thread)."""

    after: int
    query: LogQuery


@dataclass(frozen=True)
class AuditPage:
    """A page of the log (or why there is none), and the quarantine's lines (or why not listed)."""

    page: LogPage | str
    quarantine: list[str]


class AuditScreen(DataScreen):
    TITLE = "Audit"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right_square_bracket", "page(1)", "Next page", id="audit.next", show=False),
        Binding("left_square_bracket", "page(-1)", "Previous page", id="audit.previous", show=False),
        Binding("x", "retract", "Retract", id="audit.retract", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.after = 0
        self.starts: list[int] = []
        self.to_table = False
        """A filter was just submitted: once its page shows, the table takes the focus."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="controls"):
            yield Select([(type_words(name), name) for name in PAYLOAD_TYPES], prompt="any type", id="type-filter")
            yield Input(placeholder="actor", id="actor-filter")
            yield Input(placeholder="offender", id="offender-filter")
            yield Input(placeholder="known at", id="known-filter")
        with Horizontal(classes="controls"):
            yield Input(placeholder="occurred from", id="from-filter")
            yield Input(placeholder="occurred to", id="to-filter")
            yield Input(placeholder="go to position", id="jump")
        yield Label("", id="audit-message")
        quarantine = Label("", id="quarantine")
        quarantine.display = False  # until there is something to list
        yield quarantine
        yield Legend(id="audit-legend")
        yield LedgerTable(id="log-table", cursor_type="row", rest_column=HEADER.index("fields"))
        yield Footer()

    def request(self) -> AuditRequest:
        chosen = self.query_one("#type-filter", Select).value
        query = LogQuery(
            types=[str(chosen)] if chosen is not Select.NULL else [],
            actor=self.query_one("#actor-filter", Input).value.strip() or None,
            offender=self.query_one("#offender-filter", Input).value.strip() or None,
            known_at=self.query_one("#known-filter", Input).value.strip(),
            occurred_from=self.query_one("#from-filter", Input).value.strip(),
            occurred_to=self.query_one("#to-filter", Input).value.strip(),
        )
        return AuditRequest(self.after, query)

    def fetch(self, request: AuditRequest) -> AuditPage:
        try:
            page: LogPage | str = self.ledger.session.audit_page(request.query, request.after, PAGE)
        except LedgerError as error:
            page = str(error)
        return AuditPage(page, self._quarantine())

    def _quarantine(self) -> list[str]:
        """One line per quarantined event (none for a view that may not verify the store)."""
        try:
            listed, unlisted = self.ledger.session.quarantine()
        except AccessRefused:
            return []
        lines = [quarantine_line(event) for event in listed]
        return lines if unlisted is None else [*lines, f"quarantine: not listed ({unlisted})"]

    def show(self, fetched: AuditPage) -> None:
        quarantine = self.query_one("#quarantine", Label)
        quarantine.update(plain("\n".join(fetched.quarantine)))
        quarantine.display = bool(fetched.quarantine)
        page = fetched.page
        message = self.query_one("#audit-message", Label)
        if isinstance(page, str):
            fill_table(self.query_one(DataTable), HEADER, [])
            self.query_one(Legend).explain([])
            message.update(plain(page))
            return
        rows = []
        for event in page.events:
            envelope = event.envelope
            cells = (
                event.position,
                who(envelope),
                type_words(event.type),
                page.occurred_at_site(event).isoformat(sep=" ", timespec="minutes"),
                envelope.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                envelope.at_site or "",
                fields_in_words(envelope.data),
            )
            rows.append((cells, str(event.position)))
        fill_table(self.query_one(DataTable), HEADER, rows)
        self.query_one(Legend).explain(rows)
        shown = f"{len(page.events)} events from position {page.first:,} to {page.last:,}" if page.events else "no events"
        retracting = " · x retracts the selected one" if self.ledger.seat.records else ""
        message.update(plain(f"{shown} (the log holds {page.head:,}) · ] next page · [ previous page{retracting}"))
        if self.to_table and page.events:
            self.query_one(DataTable).focus()  # the filters are applied: back to the table, where the screen keys work
        self.to_table = False
        self.last_shown = page.last

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "jump":
            try:
                self.after = max(0, int(event.value) - 1)
            except ValueError:
                self.query_one("#audit-message", Label).update("A position is a whole number.")
                return
        else:
            self.after = 0
        self.starts.clear()
        self.to_table = True
        self.reload()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.after = 0
        self.starts.clear()
        self.reload()

    def action_page(self, direction: int) -> None:
        if direction > 0 and getattr(self, "last_shown", self.after) > self.after:
            self.starts.append(self.after)
            self.after = self.last_shown
        elif direction < 0 and self.starts:
            self.after = self.starts.pop()
        self.reload()

    def action_retract(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self.ledger.ask_retraction(int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)))
