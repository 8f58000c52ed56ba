"""The caseledger terminal UI.

Screens are Textual *modes* (1–7 switch between them); store work runs in thread workers and
comes back through ``call_from_thread`` (the UI never blocks on the store); a 1-second poll
notices events recorded by other processes (another officer on the same store), brings the read
models up to date and reloads the screen on show. Key bindings carry ids; the command palette
(Ctrl+P) offers the screen switches and recording everywhere, plus what fits the current screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, NoReturn

from textual import work
from textual.actions import parse as parse_action
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select

from caseledger.application.ledger import Entry, Ledger, Seat, payload_words, quarantine_line
from caseledger.application.text import for_terminal, type_words
from caseledger.domain.errors import LogUnauthenticated
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.clock import SYSTEM_CLOCK, Clock
from caseledger.tui.bursts import KeysFollowTheirScreen
from caseledger.tui.forms import HelpScreen, HelpSection, QuickAddOnScreen, RecordScreen, RetractScreen
from caseledger.tui.quitting import InFlight, abandon_store_work_on_quit, end_process
from caseledger.tui.screens.alarm import AlarmScreen
from caseledger.tui.screens.audit import AuditScreen
from caseledger.tui.screens.base import DataScreen, LedgerScreen
from caseledger.tui.screens.casefile import CaseFileScreen
from caseledger.tui.screens.caseload import CaseloadScreen
from caseledger.tui.screens.due import DueScreen
from caseledger.tui.screens.export import ExportScreen
from caseledger.tui.screens.site import SiteScreen
from caseledger.tui.screens.week import WeekScreen
from caseledger.tui.widgets.tables import TABLE_NOTE, LedgerTable

SCREENS = Binding.Group("screens", compact=True)
"""The screen keys shown as one group in the footer ("1234567 screens": their names would not
fit at 80 columns beside the keys that act; ``?`` lists each with its name)."""

SCREEN_CLASSES: dict[str, type[Screen[Any]]] = {
    "week": WeekScreen,
    "due": DueScreen,
    "caseload": CaseloadScreen,
    "casefile": CaseFileScreen,
    "site": SiteScreen,
    "audit": AuditScreen,
    "export": ExportScreen,
}
"""The screens in key order (1–7), by mode name."""


class CaseLedgerApp(KeysFollowTheirScreen):
    CSS_PATH = "app.tcss"
    OPENING_ACTIONS = frozenset({"quick_addon", "record", "undo", "help", "switch_mode"})
    TITLE = "caseledger"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = dict(SCREEN_CLASSES)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "quick_addon", "Add-on", id="record.addon"),
        Binding("n", "record", "Record", id="record.event"),
        Binding("u", "undo", "Undo", id="record.undo"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("1", "switch_mode('week')", "Week", id="screen.week", group=SCREENS),
        Binding("2", "switch_mode('due')", "Due", id="screen.due", group=SCREENS),
        Binding("3", "switch_mode('caseload')", "Caseload", id="screen.caseload", group=SCREENS),
        Binding("4", "switch_mode('casefile')", "Case", id="screen.casefile", group=SCREENS),
        Binding("5", "switch_mode('site')", "Site", id="screen.site", group=SCREENS),
        Binding("6", "switch_mode('audit')", "Audit", id="screen.audit", group=SCREENS),
        Binding("7", "switch_mode('export')", "Export", id="screen.export", group=SCREENS),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("t", "toggle_dark", "Theme", show=False, id="app.theme"),
        Binding("escape", "leave_field('box')", "Leave the box", id="app.leave"),
        Binding("escape", "leave_field('list')", "Leave the list", show=False, id="app.leave-list"),
    ]

    def __init__(
        self,
        store_url: str,
        user: str | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
        poll_seconds: float = 1.0,
        login: str | None = None,
        quit_at_once: bool = False,
    ) -> None:
        """``user``: whose view to open (``--user``; default the login's own). Entries are recorded
        as the login the store proves, whatever the view (``login``: see :meth:`Ledger.open`).
        Screens ask the Ledger from thread workers (it serialises their calls). ``quit_at_once``:
        store work still running when the app ends is abandoned, not waited for
        (:mod:`caseledger.tui.quitting`; the command line's UI, not a test's)."""
        super().__init__()
        self.quit_at_once = quit_at_once
        self.in_flight = InFlight()
        """Entries being recorded now: the process waits for them, and for nothing else, to end."""
        self.session = Ledger.open(store_url, user, clock=clock, login=login, eager=True, witness=False)  # the witness is checked on screen
        self.user = self.session.user
        self.officer = self.user
        self.officer_meant = False
        """Whether the shown officer is the view's own (linked, or the viewer) or one the user chose
        (a Site row): only then do the forms fill it in. A supervisor's or auditor's first look shows
        the first parole officer, whom nobody chose: a hurried Ctrl+S must not record under them."""
        self.zone: str | None = None
        """The time zone of the shown officer's site: "today" in the record form is the local date
        there (None until known: UTC's)."""
        self.ready = False
        """False until the read models have caught up and the officer is known (see ``start``)."""
        self.seen_head = 0
        self.alarmed = False
        """True once the log failed to authenticate: no figure is loaded from then on."""
        self.poll_seconds = poll_seconds
        self.last_recorded: p.Payload | None = None
        """The entry this view recorded last (the toast says it in words)."""
        self.last_kind = "CaseAssigned"
        """The record form opens on the type last recorded."""
        self.sub_title = self.user

    def on_mount(self) -> None:
        if self.quit_at_once:
            abandon_store_work_on_quit()
        self.switch_mode("week")
        self.start()

    @work(thread=True, exclusive=True, group="start", exit_on_error=False)
    def start(self) -> None:
        """After the first paint: bring the read models up to date (a store imported elsewhere may
        lag by a million events), find whose week to show, then load the screen and start polling."""
        head = self.session.head()
        lag = self.session.read_model_lag()
        if lag > 10_000:
            self.call_from_thread(self.notify, f"Bringing read models up to date ({lag:,} events)…", timeout=10)
        try:
            self.session.check_witness()
            self.session.catch_up()
        except LogUnauthenticated as alarm:
            self.session.take_seat()
            self.call_from_thread(self.raise_alarm, str(alarm))
            return
        seat = self.session.take_seat()
        officer = self.session.officer_for(seat.viewer)
        self.zone = self.session.zone_of(officer)
        self.call_from_thread(self.started, officer, head, seat)

    @property
    def seat(self) -> Seat:
        """This view's seat (one with no roles until ``start`` has read them)."""
        return self.session.seat_so_far

    def started(self, officer: str, head: int, seat: Seat) -> None:
        self.officer = officer
        self.officer_meant = officer in (seat.viewer, seat.actor.officer)
        self.user = seat.viewer
        self.seen_head = head
        self.ready = True
        self.show_subtitle()
        roles = ", ".join(seat.actor.role_names) or "no role"
        if seat.notice:
            self.notify(seat.notice, severity="warning", timeout=10)
        if not seat.actor.role_names:
            self.notify(
                f"{seat.login} holds no role in this store: an admin grants one (caseledger admin grant {seat.login} officer)", severity="error", timeout=60
            )
        elif not seat.records:
            self.notify(f"Read-only: {roles} may read, not record", timeout=10)
        self.refresh_bindings()
        first = self.current_mode
        if seat.actor.supervised and seat.actor.officer is None:  # a supervisor with no caseload of their own: their site first
            first = "site"
        elif not self.may_open(first):  # e.g. an analyst, who reads no officer's week
            first = next((mode for mode in SCREEN_CLASSES if self.may_open(mode)), first)
        if first == self.current_mode:
            self.reload_screen()
        else:
            self.switch_mode(first)  # the screen loads as it is shown
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.poll)
        self.check_caches()

    @work(thread=True, exclusive=True, group="caches", exit_on_error=False)
    def check_caches(self) -> None:
        """Once the screen shows: every read-model row against its seal (a pass over the tables); a
        failure is rebuilt from the log, said, and the screen reloaded."""
        try:
            forged = self.session.check_caches()
        except LogUnauthenticated as alarm:
            self.call_from_thread(self.raise_alarm, str(alarm))
            return
        if forged is not None:
            self.call_from_thread(self.notify, f"{forged}: the read models were rebuilt from the log", severity="warning", timeout=15)
            self.call_from_thread(self.reload_screen)

    # -- live ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def poll(self) -> None:
        """Notice events another process recorded; bring the read models up and reload."""
        head = self.session.head()
        if head != self.seen_head and not self.alarmed:
            try:
                self.session.catch_up()
            except LogUnauthenticated as alarm:
                self.call_from_thread(self.raise_alarm, str(alarm))
                return
            self.seen_head = head
            self.call_from_thread(self.reload_screen)

    def raise_alarm(self, message: str) -> None:
        """Show that the log does not authenticate, over every screen, until an admin dismisses it;
        no figure is loaded meanwhile (:mod:`caseledger.tui.screens.alarm`)."""
        self.alarmed = True
        self.ready = False
        self.sub_title = "ALARM: the log does not authenticate — no figure is shown"
        self.push_screen(AlarmScreen(message, admin=self.seat.actor.admin))

    def reload_screen(self, *, stale: bool = False) -> None:
        """Load the shown screen again; ``stale``: what it shows is known to be out of date (this
        view just recorded or retracted), so its figures are covered until the new ones come —
        no row that no longer holds can be acted on meanwhile."""
        if isinstance(self.screen, DataScreen) and not self.alarmed:
            self.screen.reload(stale=stale)

    def may_show(self, screen: Screen[Any]) -> bool:
        """Whether this view's roles let it read what ``screen`` shows (a screen is never loaded to
        be refused: no refusal is shown unasked)."""
        mode = next((mode for mode, kind in SCREEN_CLASSES.items() if isinstance(screen, kind)), None)
        return mode is None or not self.ready or self.may_open(mode)

    # -- recording ----------------------------------------------------------------------------

    def record(self, payload: p.Payload, occurred_at: str, note: str | None) -> int:
        """Record as the current user (called from form workers); returns the position."""
        with self.in_flight.recording():
            position = self.session.record(payload, occurred_at, note).position
        self.seen_head = max(self.seen_head, position)
        self.last_recorded = payload
        return position

    def recorded(self, position: int | None, words: str = "") -> None:
        """Say what was recorded, in words (the position after), and show the screen as it is now."""
        if position is not None:
            self.notify(f"Recorded — {words} (position {position})" if words else f"Recorded at position {position}", markup=False)
            self.reload_screen(stale=True)

    def recorded_entry(self, position: int | None) -> None:
        """A form closed: what it recorded (:meth:`record` kept it), in words."""
        self.recorded(position, payload_words(self.last_recorded) if position is not None and self.last_recorded is not None else "")

    def action_quick_addon(self) -> None:
        """The quick add-on for the shown officer; the record form on an add-on, officer to fill
        in, when nobody chose whom the view shows."""
        if not self.officer_meant:
            self.open_record_form("AddOnTaskLogged")
            return
        self.push_screen(QuickAddOnScreen(self.officer, self.record, self.session.now), self.recorded_entry)

    def action_record(self) -> None:
        """The record form, opened on the last type recorded (or what the screen's selection
        calls for: on a Due row, the entry that completes it), with the view's officer and what the
        screen's selection knows (the open or selected case's offender, a selected officer)
        filled in."""
        kind, selected = self.screen.record_context() if isinstance(self.screen, LedgerScreen) else (None, {})
        self.open_record_form(kind or self.last_kind, selected)

    def open_record_form(self, kind: str, selected: dict[str, str] | None = None) -> None:
        """The record form on ``kind``, with the view's or chosen officer (see ``officer_meant``)
        and ``selected`` filled in."""
        officer = self.officer
        form = RecordScreen(
            self.record,
            self.session.clock.today_in(self.zone),
            kind,
            kinds=self.seat.recordable,
            known={**({"officer": officer} if self.officer_meant else {}), **(selected or {})},
            odd=self.session.oddities,
            offer=lambda: self.session.suggestions(officer),
        )

        def done(position: int | None) -> None:
            if position is not None:
                self.last_kind = form.kind
            self.recorded_entry(position)

        self.push_screen(form, done)

    def ask_retraction(self, position: int) -> None:
        """The retract dialog for the event at ``position``, saying what it is (read in a worker)."""
        self.describe_for_retraction(position)

    @work(thread=True, exclusive=True, group="retract", exit_on_error=False)
    def describe_for_retraction(self, position: int) -> None:
        entry = self.session.entry(position)
        self.call_from_thread(self.confirm_retraction, entry or Entry(position, f"the event at position {position}"))

    def confirm_retraction(self, entry: Entry) -> None:
        def retract(reason: str | None) -> None:
            if reason:
                self.retract(entry.position, reason)

        self.push_screen(RetractScreen(entry.position, event=entry.words), retract)

    def action_undo(self) -> None:
        """``u``: offer to retract this view's own last entry, saying what it is."""
        self.find_last_entry()

    @work(thread=True, exclusive=True, group="retract", exit_on_error=False)
    def find_last_entry(self) -> None:
        entry = self.session.last_own_entry()
        if entry is None:
            self.call_from_thread(
                self.notify, "Nothing to undo: no entry of yours from the last 24 hours still counts (older ones: ask a supervisor)", timeout=8
            )
            return
        self.call_from_thread(self.confirm_retraction, entry)

    @work(thread=True, exit_on_error=False)
    def retract(self, position: int, reason: str) -> None:
        try:
            recorded = self.record(p.EventRetracted(position, reason), self.session.now().isoformat(), None)
        except Exception as error:
            self.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self.call_from_thread(self.recorded, recorded, f"retracted position {position}")

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False)
    def verify_log(self) -> None:
        """The palette's "Verify the log": the hash chain recomputed as ``caseledger verify`` does,
        its verdict said (the first breaks and quarantined events with it; all of them: the CLI)."""
        self.call_from_thread(self.notify, "Verifying the log…", timeout=4)
        verified = self.session.verify()
        said = [
            verified.headline(),
            *(f"BROKEN at {found.described()}" for found in verified.verdict.breaks[:3]),
            *(quarantine_line(event) for event in verified.quarantined[:3]),
        ]
        alarming = not verified.verdict.ok or bool(verified.quarantined)
        self.call_from_thread(self.notify, for_terminal("\n".join(said)), severity="error" if alarming else "information", markup=False, timeout=20)

    # -- navigation ---------------------------------------------------------------------------

    def show_subtitle(self) -> None:
        """Whose view, with which roles, showing which officer, recording as whom."""
        seat = self.seat
        roles = ", ".join(seat.actor.role_names) or "no role"
        recorded_as = "" if seat.viewer == seat.login or not seat.records else f" · records as {seat.login}"
        showing = "" if self.officer == seat.viewer or not seat.may(SCREEN_NEEDS["week"]) else f" · showing {self.officer}"  # an analyst is shown no officer
        self.sub_title = f"{seat.viewer} ({roles}){showing}{recorded_as}"

    def show_officer(self, officer: str) -> None:
        """Show ``officer``'s screens (a supervisor going down their site's rows), from *Due*."""
        self.officer = officer
        self.officer_meant = True
        self.show_subtitle()
        self.follow_zone(officer)
        self.switch_mode("due")

    @work(thread=True, exclusive=True, group="zone", exit_on_error=False)
    def follow_zone(self, officer: str) -> None:
        """The shown officer's site's time zone (their "today"), read from the store."""
        self.zone = self.session.zone_of(officer)

    def open_case(self, offender: str) -> None:
        self.switch_mode("casefile")
        screen = self.screen
        if isinstance(screen, CaseFileScreen):
            screen.open(offender)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[HelpSection]:
        """Every binding of the app and of each screen and form, with what else each takes."""

        def keys(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
            return [
                (self.get_key_display(binding), binding.description)
                for binding in bindings
                if isinstance(binding, Binding) and binding.id and self.offers(binding)
            ]

        sections: list[HelpSection] = [("Anywhere", keys(self.BINDINGS), "Ctrl+P the command palette (what fits this screen)")]
        sections.append(("Any table", keys(LedgerTable.BINDINGS), TABLE_NOTE))
        sections += [(screen.TITLE or mode, keys(screen.BINDINGS), HELP_NOTES.get(mode, "")) for mode, screen in SCREEN_CLASSES.items()]
        sections = [section for section in sections if section[1] or section[2]]
        if self.seat.records:
            sections += [
                ("Quick add-on", [], "a, then the category's digit, the minutes, Enter"),
                (
                    "Record",
                    keys(RecordScreen.BINDINGS),
                    "pick the type, fill the fields (a letter picks a choice of a list); on a Due row, the entry that completes it; Esc asks before discarding what you typed",
                ),
            ]
        return sections

    def action_leave_field(self, _what: str) -> None:
        """Escape leaves a text box or list (``_what``: which one has the focus, see
        :meth:`check_action`) for the screen's table (or nothing), so the screen keys work again."""
        if isinstance(self.focused, (Input, Select)):
            tables = self.screen.query(DataTable)
            if tables:
                tables.first().focus()
            else:
                self.screen.set_focus(None)

    def offers(self, binding: Binding) -> bool:
        """Whether ``binding`` does something in this view (help lists only those, as the footer does)."""
        _namespace, action, parameters = parse_action(binding.action)
        return action == "leave_field" or self.check_action(action, parameters) is not False  # Esc: whenever a box has the keys

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def may_open(self, mode: str) -> bool:
        """Whether this view's roles let it open screen ``mode`` (the permission table's reading rows)."""
        return self.seat.may(SCREEN_NEEDS[mode])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what this view's roles allow: nothing recorded from a read-only view, no
        screen its roles may not read (the footer, the keys and the palette follow)."""
        if action in RECORDING_ACTIONS:
            return self.seat.records and not self.alarmed  # nothing is recorded onto a log that does not authenticate
        if action == "leave_field":  # a box takes every typed key, so the footer shows its Esc alone; a list's Esc needs no room
            return isinstance(self.focused, Input if parameters == ("box",) else Select)
        if action == "switch_mode" and parameters and self.ready:  # before the roles are read, screens wait for them to load
            return self.may_open(str(parameters[0]))
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode, screen_class in SCREEN_CLASSES.items():
            if self.current_mode != mode and self.may_open(mode):
                yield SystemCommand(f"Go to {screen_class.TITLE}", f"switch to the {mode} screen", lambda mode=mode: self.switch_mode(mode))
        if self.seat.records and not self.alarmed:
            yield SystemCommand("Log an add-on task", "category, minutes, Enter (key a)", self.action_quick_addon)
            yield SystemCommand("Record an event", "a form for every event type (key n)", self.action_record)
            yield SystemCommand("Undo: retract your last entry", "within 24 hours, with a reason (key u)", self.action_undo)
            for kind in self.seat.recordable:
                yield SystemCommand(
                    f"Record: {type_words(kind).lower()}",
                    PALETTE_WORDS.get(kind, "the record form on this type"),
                    lambda kind=kind: self.open_record_form(kind),
                )
        if self.may_open("site"):
            yield SystemCommand("Staffing: current and proposed rules", "the Site screen's staffing table (keys 5, p)", self.show_staffing)
        if self.may_open("export"):
            yield SystemCommand("Export a projection or write the report", "the Export screen (key 7)", lambda: self.switch_mode("export"))
        if self.seat.may("verify"):
            yield SystemCommand("Verify the log", "recompute the hash chain, as caseledger verify", self.verify_log)
        if isinstance(screen, (CaseFileScreen, AuditScreen)) and self.seat.records:
            yield SystemCommand("Retract the selected event", "with a reason", screen.action_retract)
        if isinstance(screen, AuditScreen):
            yield SystemCommand("Next page of the log", "]", lambda: screen.action_page(1))
            yield SystemCommand("Previous page of the log", "[", lambda: screen.action_page(-1))
        if isinstance(screen, SiteScreen):
            yield SystemCommand("Toggle all sites", "s", screen.action_toggle_all)
        tables = screen.query(LedgerTable)
        if tables:
            table = tables.first()
            yield SystemCommand("Filter this table", "show the rows holding what you type (key /)", table.action_find)
            yield SystemCommand("Sort this table by a column", "pick the column; again reverses (key r)", table.action_sort)

    def show_staffing(self) -> None:
        """The Site screen showing staffing under the current and proposed rules."""
        self.switch_mode("site")
        screen = self.screen
        if isinstance(screen, SiteScreen) and not screen.staffing:
            screen.action_toggle_staffing()


SCREEN_NEEDS = {
    "week": "officer screens",
    "due": "officer screens",
    "caseload": "officer screens",
    "casefile": "history",
    "site": "export",
    "audit": "audit",
    "export": "export",
}
"""The reading right each screen needs (:data:`~caseledger.domain.model.access.READERS`)."""

RECORDING_ACTIONS = frozenset({"quick_addon", "record", "retract", "undo"})

PALETTE_WORDS = {
    "CaseAssigned": "assign or reassign a case to an officer",
    "CoverageStarted": "cover an absent officer's cases",
    "CoverageEnded": "end a coverage",
    "EventRetracted": "retract an event by its position, with a reason",
    "TransferRequested": "request a case transfer",
    "LeaveStarted": "an officer's leave begins",
}
"""What the palette says of a recording command whose type's name alone does not say it (the
palette matches what is typed against both: "assign", "cover", "retract" find these)."""

HELP_NOTES = {
    "due": "overdue first, then by due date; Enter opens the selected case",
    "caseload": "Enter opens the selected case",
    "casefile": "type an offender id (letters typed in the table go to it) or an as-of date, Enter",
    "audit": "filters (type, actor, offender, known at, occurred from/to), then Enter",
}
"""What each screen takes besides its keys."""


def run(store_url: str, user: str | None) -> NoReturn:
    """Open the UI on ``store_url`` with ``user``'s view (default: the login's own), then end the
    process at once (:mod:`caseledger.tui.quitting`) with exit code 0, or non-zero when the app
    ended on an error (Textual prints it)."""
    app = CaseLedgerApp(store_url, user, quit_at_once=True)
    app.run()
    end_process(app.return_code or 0, app.in_flight)
