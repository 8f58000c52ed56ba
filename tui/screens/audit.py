"""*Audit*: the raw log, a page at a time (never loaded whole), with filters by type, actor,
offender and known-at, and a jump to any position. ] and [ page forward and back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Label, Select

from caseledger.application.events import EventFilter, LogPage
from caseledger.domain.errors import LedgerError
from caseledger.domain.events.catalogue import PAYLOAD_TYPES
from caseledger.domain.model.times import parse_cutoff
from caseledger.tui.screens.base import DataScreen

PAGE = 100


class AuditScreen(DataScreen):
    TITLE = "Audit"
    BINDINGS = [
        Binding("right_square_bracket", "page(1)", "Next page", id="audit.next"),
        Binding("left_square_bracket", "page(-1)", "Previous page", id="audit.previous"),
        Binding("x", "retract", "Retract", id="audit.retract"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.after = 0
        self.starts: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="controls"):
            yield Select([(name, name) for name in PAYLOAD_TYPES], prompt="any type", id="type-filter")
            yield Input(placeholder="actor", id="actor-filter")
            yield Input(placeholder="offender", id="offender-filter")
            yield Input(placeholder="known at", id="known-filter")
        with Horizontal(classes="controls"):
            yield Input(placeholder="occurred from", id="from-filter")
            yield Input(placeholder="occurred to", id="to-filter")
            yield Input(placeholder="go to position", id="jump")
        yield Label("", id="audit-message")
        yield DataTable(id="log-table", cursor_type="row")
        yield Footer()

    def request(self) -> dict[str, object]:
        chosen = self.query_one("#type-filter", Select).value
        return {
            "after": self.after,
            "types": [str(chosen)] if chosen is not Select.NULL else [],
            "actor": self.query_one("#actor-filter", Input).value.strip() or None,
            "offender": self.query_one("#offender-filter", Input).value.strip() or None,
            "known": self.query_one("#known-filter", Input).value.strip(),
            "occurred_from": self.query_one("#from-filter", Input).value.strip(),
            "occurred_to": self.query_one("#to-filter", Input).value.strip(),
        }

    def fetch(self, request: dict[str, object]) -> LogPage | str:
        try:
            cutoffs = {
                name: parse_cutoff(str(text), name.replace("_", " ")) if text else None
                for name, text in (("known_at", request["known"]), ("occurred_from", request["occurred_from"]), ("occurred_to", request["occurred_to"]))
            }
            keep = EventFilter(types=request["types"], actor=request["actor"], offender=request["offender"], **cutoffs)  # type: ignore[arg-type]
            return self.ledger.backend.log_page(int(request["after"]), PAGE, keep)  # type: ignore[call-overload]
        except LedgerError as error:
            return str(error)

    def show(self, page: LogPage | str) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("position", "type", "occurred", "recorded (UTC)", "by", "site", "fields")
        message = self.query_one("#audit-message", Label)
        if isinstance(page, str):
            message.update(page)
            return
        for event in page.events:
            envelope = event.envelope
            from msgspec import to_builtins

            fields = ", ".join(f"{k}={v}" for k, v in to_builtins(envelope.data).items())
            table.add_row(
                event.position,
                event.type,
                envelope.occurred_at.isoformat(timespec="minutes"),
                envelope.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                envelope.recorded_by,
                envelope.at_site or "",
                fields,
                key=str(event.position),
            )
        shown = f"positions {page.first}–{page.last}" if page.events else "no events"
        message.update(f"{shown} of {page.head} · ] next page · [ previous page")
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
