"""*Case file*: the case's state at the cut (whose, where, the release plan, SIU, transfers,
complexity, open deadlines) above every event of the case with occurred and recorded times and
who recorded it, retracted events marked, as-of and known-at controls, and retraction (x) of the
selected event."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from caseledger.application.ledger import CaseState, HistoryLine
from caseledger.application.text import DEADLINE_WORDS, STATUS_WORDS, choice_words, fields_in_words, type_words, who
from caseledger.domain.errors import LedgerError
from caseledger.domain.events.catalogue import TransferCompleted
from caseledger.domain.model.times import Cutoff, LocalDay, parse_cutoff, zone
from caseledger.tui.screens.base import DataScreen, RecordContext
from caseledger.tui.widgets.legend import Legend
from caseledger.tui.widgets.tables import LedgerTable, fill_table, plain, struck

HEADER = ("position", "occurred (local)", "recorded (UTC)", "by", "type", "status", "details")
"""The last column, of free text, takes the width the others leave."""


class CaseFileScreen(DataScreen):
    TITLE = "Case file"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "retract", "Retract", id="casefile.retract", show=False)]

    def __init__(self, offender: str = "") -> None:
        super().__init__()
        self.offender = offender
        self.offender_shown = ""
        """The offender whose history is on screen ('' when none is)."""
        self.finding = False
        """Characters typed in the table are going to the Offender box."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="controls"):
            yield Label("Offender")
            yield Input(self.offender, placeholder="offender id", id="offender-input", select_on_focus=False)
            yield Label("As of")
            yield Input(placeholder="date: what had happened by then", id="as-of-input")
            yield Label("Known at")
            yield Input(placeholder="date: what was recorded by then", id="known-at-input")
        state = Static("", id="case-state", classes="panel")
        state.display = False  # until a case is shown
        yield state
        yield Label("", id="casefile-message")
        yield Legend(id="casefile-legend")
        yield LedgerTable(id="history-table", cursor_type="row", rest_column=HEADER.index("details"))
        yield Footer()

    def on_key(self, event: events.Key) -> None:
        """Type-to-find: a character typed in the table that is no key of this screen starts a
        new offender id in the Offender box; every character typed after it goes there too, digits
        included, even those that reach the table before the focus has moved."""
        offender = self.query_one("#offender-input", Input)
        in_table = self.focused is self.query_one("#history-table", DataTable)
        if not in_table or not event.is_printable:
            return
        if event.key in self.binding_keys() and not self.finding:  # a screen key (allowed to this view or not), unless an id is being typed
            return
        event.stop()
        event.prevent_default()
        if not self.finding:  # the first character starts a new id; the next ones (typed before the focus moved) follow it
            offender.value = ""
            self.finding = True
        offender.insert_text_at_cursor(event.character or "")
        offender.focus()

    def record_context(self) -> RecordContext:
        return None, ({"offender": self.offender_shown} if self.offender_shown else {})

    def binding_keys(self) -> set[str]:
        """Every key bound on this screen or the app, whether or not this view's roles allow its
        action: a read-only view's ``n`` does nothing, it does not start an offender id."""
        return {binding.key for binding in [*self.app.BINDINGS, *self.BINDINGS] if isinstance(binding, Binding)} | set(self.app.active_bindings)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is self.query_one("#history-table", DataTable):
            self.finding = False

    def open(self, offender: str) -> None:
        """Show ``offender``'s case (now, or once the screen has mounted)."""
        self.offender = offender
        if self.is_mounted:
            self.query_one("#offender-input", Input).value = offender
            self.reload()

    def on_mount(self) -> None:
        self.query_one("#offender-input", Input).value = self.offender

    def request(self) -> tuple[str, str, str]:
        offender, as_of, known_at = (self.query_one(f"#{name}", Input).value.strip() for name in ("offender-input", "as-of-input", "known-at-input"))
        return offender, as_of, known_at

    def fetch(self, request: tuple[str, str, str]) -> tuple[list[HistoryLine], CaseState] | str:
        """The case as it had happened by *as of* and as the ledger knew it at *known at* (a
        retraction recorded after *known at* does not strike its event), and its state then (at
        *known at* when no *as of* is given)."""
        offender, as_of_text, known_at_text = request
        if not offender:
            return "Type an offender id and press Enter."
        try:
            as_of = parse_cutoff(as_of_text, "as of") if as_of_text else None
            known_at = parse_cutoff(known_at_text, "known at") if known_at_text else None
            session = self.ledger.session
            return session.history(offender, as_of=as_of, known_at=known_at), session.case_state(offender, as_of=as_of, known_at=known_at)
        except LedgerError as error:
            return str(error)

    def show(self, found: tuple[list[HistoryLine], CaseState] | str) -> None:
        table = self.query_one(DataTable)
        message = self.query_one("#casefile-message", Label)
        panel = self.query_one("#case-state", Static)
        if isinstance(found, str):
            fill_table(table, HEADER, [])
            self.query_one(Legend).explain([])
            message.update(plain(found))
            panel.display = False
            self.offender_shown = ""
            return
        data, state = found
        panel.border_title = state_title(state)
        panel.update("\n".join(plain(line) for line in state_lines(state)))
        panel.display = True
        retracting = " · x retracts the selected one" if self.ledger.seat.records else ""
        message.update(f"{len(data)} events{retracting} · retracted events are struck through")
        self.offender_shown = data[0].event.envelope.data.offender if data else ""
        table.focus()
        rows = []
        for line in data:
            envelope = line.event.envelope
            details = fields_in_words(envelope.data, omit=("offender",))
            if isinstance(envelope.data, TransferCompleted) and envelope.at_site:
                details = f"to {envelope.at_site}"  # where the transfer went is where it happened
            status = f"retracted at {line.retracted_by[0]}: {line.retracted_by[1]}" if line.retracted_by else ""
            cells: tuple[object, ...] = (
                line.event.position,
                envelope.occurred_at.astimezone(zone(line.zone)).strftime("%Y-%m-%d %H:%M"),
                envelope.recorded_at.strftime("%Y-%m-%d %H:%M"),
                who(envelope),
                type_words(line.event.type),
                status,
                details,
            )
            if line.retracted_by:
                cells = tuple(struck(cell) for cell in cells)
            rows.append((cells, str(line.event.position)))
        fill_table(table, HEADER, rows)
        self.query_one(Legend).explain(rows, *state_lines(state))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.reload()

    def action_retract(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            position = int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
            self.ledger.ask_retraction(position)


def _cut(cutoff: Cutoff) -> str:
    if isinstance(cutoff, LocalDay):
        return cutoff.day.isoformat()
    utc = cutoff.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%d %H:%M:%S UTC" if utc.second or utc.microsecond else "%Y-%m-%d %H:%M UTC")


def state_title(state: CaseState) -> str:
    """Which cut the panel shows: now, as of T, or as known at R (and as of T when it differs)."""
    if state.known_at is None:
        return f"The case as of {_cut(state.as_of)}" if state.as_of is not None else "The case now"
    shown = f"The case as known at {_cut(state.known_at)}"
    return shown if state.as_of == state.known_at or state.as_of is None else f"{shown}, as of {_cut(state.as_of)}"


def _day_count(days: int, noun: str) -> str:
    return f"{days} {noun}{'' if days == 1 else 's'}"


def state_lines(state: CaseState) -> list[str]:
    """The panel's lines, in words (not yet escaped: the destination is free text)."""
    case = state.case
    if not case.admitted:
        return [f"{case.offender} was not admitted by then (no admission recorded and occurred by this cut)"]
    officer = f"assigned to {case.officer}" if case.officer else "assigned to no officer"
    if case.location is None:
        where = f"released, no destination site (last at {case.last_site})"
    elif case.in_custody:
        where = f"in custody at {case.location} (institution)"
    else:
        where = f"released, at {case.location} ({choice_words(case.location_kind or '')})"
    expired = f" · warrant expired {case.warrant_expiry}" if case.warrant_expired else ""
    factors = ", ".join(choice_words(factor) for factor in case.factors) or "none"
    siu = "none"
    if case.stay is not None:
        siu = f"since {case.stay.started_on} at {case.stay.site or '—'} ({_day_count(case.stay.days, 'day')}, {_day_count(case.stay.reviews, 'review')})"
    transfers = "; ".join(f"to {request.to_site} ({request.kind}) requested {request.requested_on}" for request in case.transfers) or "none"
    plan = "none"
    if state.plan is not None:
        shown = state.plan
        bound = f"{shown.destination}" + (f" ({shown.destination_site})" if shown.destination_site else "")
        step = f"{choice_words(shown.last_step)} on {shown.last_step_on}" if shown.last_step else "none yet"
        plan = f"{choice_words(shown.release_type)} to {bound}, started {shown.started_on}; last step: {step}"
    due = " · ".join(f"{DEADLINE_WORDS[found.deadline]} {STATUS_WORDS[found.status]} (due {found.due_on})" for found in case.deadlines) or "none"
    return [
        f"{officer} · {where}{expired}",
        f"complexity: {factors} · SIU: {siu} · transfer pending: {transfers}",
        f"release plan: {plan}",
        f"open deadlines: {due}",
    ]
