"""Recording from the terminal: a form for every event type, the quick add-on log, retraction.

The form for an event type is built from its payload Struct (the catalogue is the single
definition): enumerations become selects, everything else a text input with a hint. A field that
names something the ledger knows (an officer, a site, an offender of the caseload, a complexity
factor, a liaison officer) completes what is typed from the known values, the likeliest first
(→ or End accepts), and its hint lists the first few. Submitting records in a thread worker as the
current user; a refusal is shown under the field it names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from types import UnionType
from typing import Any, ClassVar, Literal, Union, get_args, get_origin, get_type_hints

import msgspec
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester, SuggestFromList
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.worker import Worker, WorkerState

from caseledger.application.ledger import Offers
from caseledger.application.text import choice_words, field_words, in_words, type_words
from caseledger.domain.errors import DomainError, LedgerError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.recording import shape_error
from caseledger.tui.widgets.tables import plain

ADDON_CATEGORIES: tuple[str, ...] = get_args(p.AddOnCategory)
FREQUENT = (
    "CaseTaskCompleted",
    "ReleasePlanStep",
    "CcloContactRecorded",
    "ReleasePlanStarted",
    "HearingScheduled",
    "SIUReviewHeld",
    "CaseAssigned",
    "TransferRequested",
    "AddOnTaskLogged",
    "LeaveStarted",
    "CoverageStarted",
)
"""The entries an officer makes most, first in the record form's type list (the rest follow in
the catalogue's order): the case work the deadlines ask for, then assignments, transfers, leave."""


def by_use(kinds: Sequence[str]) -> list[str]:
    """``kinds`` with the :data:`FREQUENT` ones first, in that order."""
    return sorted(kinds, key=lambda kind: FREQUENT.index(kind) if kind in FREQUENT else len(FREQUENT))


def _hint(info: msgspec.inspect.Type) -> str:
    if isinstance(info, msgspec.inspect.UnionType):
        inner = [t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)]
        return f"optional {_hint(inner[0])}" if inner else ""
    if isinstance(info, msgspec.inspect.DateType):
        return "YYYY-MM-DD"
    if isinstance(info, msgspec.inspect.ListType):
        return "comma-separated"
    if isinstance(info, msgspec.inspect.IntType):
        return f"whole number{f' {info.ge}–{info.le}' if info.ge is not None and info.le is not None else ''}"
    if isinstance(info, msgspec.inspect.FloatType):
        return "number"
    return "identifier" if isinstance(info, msgspec.inspect.StrType) and info.pattern else "text"


def choices_of(payload_type: type[p.Payload], name: str) -> tuple[str, ...] | None:
    """A field's choices in the catalogue's order (release-plan steps in the order the process
    takes them; msgspec would sort them), or None for a field without a fixed set."""
    annotation = get_type_hints(payload_type)[name]
    if get_origin(annotation) in (Union, UnionType):  # optional: X | None
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = options[0] if len(options) == 1 else annotation
    return tuple(str(value) for value in get_args(annotation)) if get_origin(annotation) is Literal else None


class SuggestItem(Suggester):
    """Completes the last item of a comma-separated list (complexity factors) from known values
    not already in it."""

    def __init__(self, items: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.items = items

    async def get_suggestion(self, value: str) -> str | None:
        listed, _comma, last = value.rpartition(",")
        stem, taken = last.lstrip(), {item.strip() for item in listed.split(",")}
        found = next((item for item in self.items if stem and item.startswith(stem) and item != stem and item not in taken), None)
        return None if found is None else value + found[len(stem) :]


def suggester_for(field: msgspec.inspect.Field, known: Sequence[str]) -> Suggester | None:
    """What completes ``field`` from the ``known`` values (None when nothing is known)."""
    if not known:
        return None
    return SuggestItem(known) if isinstance(field.type, msgspec.inspect.ListType) else SuggestFromList(known, case_sensitive=False)


def offered_hint(field: msgspec.inspect.Field, known: Sequence[str]) -> str:
    """The field's hint, with the first few known values when there are some."""
    hint = _hint(field.type)
    return f"{hint}: {', '.join(known[:3])}{'…' if len(known) > 3 else ''}" if known else hint


def payload_fields(payload_type: type[p.Payload]) -> tuple[msgspec.inspect.Field, ...]:
    """The fields of an event type, in the catalogue's order (the form shows them so)."""
    info = msgspec.inspect.type_info(payload_type)
    assert isinstance(info, msgspec.inspect.StructType)
    return info.fields


def payload_from_form(kind: str, values: dict[str, str]) -> p.Payload:
    """Build and validate a payload from text values; a :class:`DomainError` names the field."""
    payload_type = p.PAYLOAD_TYPES[kind]
    raw: dict[str, Any] = {}
    for field in payload_fields(payload_type):
        text = values.get(field.name, "").strip()
        if not text:
            if field.required:
                raise DomainError(field.name, "required")
            continue
        if isinstance(field.type, msgspec.inspect.ListType):
            raw[field.name] = [item.strip() for item in text.split(",") if item.strip()]
        else:
            raw[field.name] = text
    try:
        return msgspec.convert(raw, payload_type, strict=False)
    except msgspec.ValidationError as error:
        raise shape_error(error) from None


class SavingForm(ModalScreen[int | None]):
    """A form whose ``save`` thread worker records and returns the position.

    The form closes with that position once the worker has ended, from the UI thread — not from
    inside the worker — so closing the form never cancels the worker that recorded (a cancelled
    worker would look like a failed entry to whoever waits on it)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "save" and event.state is WorkerState.SUCCESS and isinstance(worker.result, int):
            self.dismiss(worker.result)


class RecordScreen(SavingForm):
    """Record any event: pick the type, fill its fields, Ctrl+S (or Record)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="record.cancel"),
        Binding("ctrl+s", "submit", "Record", id="record.submit"),
        Binding("ctrl+t", "pick_type", "Event type", id="record.type"),
    ]

    def __init__(
        self,
        record: Callable[[p.Payload, str, str | None], int],
        today: dt.date,
        kind: str = "CaseAssigned",
        *,
        kinds: Sequence[str] = tuple(p.PAYLOAD_TYPES),
        known: dict[str, str] | None = None,
        odd: Callable[[p.Payload], list[str]] = lambda _data: [],
        offer: Callable[[], Offers] = Offers,
    ) -> None:
        """``today``: the local date at the shown officer's site (the default *occurred at*: an
        evening entry is dated that evening's date there, whatever the host's or UTC's date);
        ``kinds``: the event types the view's roles may record (the list offers only those);
        ``known``: field values the context already knows (the open case's offender, the view's
        officer), filled in wherever a type has that field; ``offer``: reads the known values each
        field completes from (in a worker, once the form shows)."""
        super().__init__()
        self.record = record
        self.today = today
        self.known = dict(known or {})
        self.odd = odd
        """What is accepted but odd about an entry: said first, recorded on a second Ctrl+S."""
        self.confirmed: p.Payload | None = None
        self.offer = offer
        self.offered = Offers()
        self.kinds = by_use(kinds)
        self.kind = kind if kind in self.kinds else self.kinds[0]

    def compose(self) -> ComposeResult:
        with Vertical(id="record-dialog", classes="dialog"):
            yield Label("Record an event", classes="panel-title")
            yield Label("Ctrl+S record · Ctrl+T type · → take suggestion · Esc cancel", id="record-keys")
            yield Select([(type_words(name), name) for name in self.kinds], value=self.kind, allow_blank=False, id="record-type")
            fields = VerticalScroll(id="record-fields")
            fields.can_focus = False  # Tab goes field to field, not to the scrolling container
            yield fields
            yield Button("Record", variant="primary", id="record-submit")
            yield Label("", id="record-message")

    async def on_mount(self) -> None:
        await self.build_fields()
        self.read_offers()

    def action_pick_type(self) -> None:
        """Ctrl+T: to the type list, open (type a few letters of the type, Enter)."""
        kinds = self.query_one("#record-type", Select)
        kinds.focus()
        kinds.action_show_overlay()

    @work(thread=True, exit_on_error=False)
    def read_offers(self) -> None:
        offered = self.offer()
        self.app.call_from_thread(self.offers_read, offered)

    def offers_read(self, offered: Offers) -> None:
        """Give the fields already shown their completions (later ones get them when built)."""
        self.offered = offered
        for field in payload_fields(p.PAYLOAD_TYPES[self.kind]):
            for widget in self.query(f"#field-{field.name}").results(Input):
                known = offered.values.get(field.name, [])
                widget.suggester, widget.placeholder = suggester_for(field, known), offered_hint(field, known)

    @on(Select.Changed, "#record-type")
    async def type_changed(self, event: Select.Changed) -> None:
        if str(event.value) != self.kind or not self.query(".field"):
            self.kind = str(event.value)
            await self.build_fields()

    async def build_fields(self) -> None:
        """Replace the fields with those of ``self.kind`` (removal finishes before mounting)."""
        container = self.query_one("#record-fields", VerticalScroll)
        await container.remove_children()
        widgets: list[Any] = []
        for field in payload_fields(p.PAYLOAD_TYPES[self.kind]):
            choices = choices_of(p.PAYLOAD_TYPES[self.kind], field.name)
            widgets.append(Label(field_words(field.name) + ("" if field.required else " (optional)")))
            if choices:
                chosen = self.known.get(field.name)
                value = chosen if chosen in choices else Select.NULL
                widgets.append(Select([(choice_words(c), c) for c in choices], value=value, id=f"field-{field.name}", classes="field"))
            else:
                known = self.offered.values.get(field.name, [])
                widgets.append(
                    Input(
                        self.known.get(field.name, ""),
                        placeholder=offered_hint(field, known),
                        suggester=suggester_for(field, known),
                        id=f"field-{field.name}",
                        classes="field",
                    )
                )
            widgets.append(Static("", id=f"error-{field.name}", classes="field-error"))
        widgets += [
            Label("occurred at"),
            Input(self.today.isoformat(), placeholder="YYYY-MM-DD or timestamp with offset", id="field-occurred_at", classes="field"),
            Static("", id="error-occurred_at", classes="field-error"),
            Label("note (optional)"),
            Input(placeholder="text", id="field-note", classes="field"),
            Static("", id="error-note", classes="field-error"),
        ]
        await container.mount_all(widgets)
        empty = [
            field for field in self.query(".field") if not ((isinstance(field, Input) and field.value) or (isinstance(field, Select) and not field.is_blank()))
        ]
        (empty[0] if empty else self.query(".field").first()).focus()  # the first field the context did not fill

    @on(Input.Changed, ".field")
    def follow(self, event: Input.Changed) -> None:
        """A known value fills in what it implies in fields still empty (a liaison officer's
        police service)."""
        name = (event.input.id or "").removeprefix("field-")
        for other, value in self.offered.follows.get(name, {}).get(event.value, {}).items():
            for widget in self.query(f"#field-{other}").results(Input):
                if not widget.value:
                    widget.value = value

    def on_key(self, event: events.Key) -> None:
        """A letter on a closed list picks the next choice that starts with it (``i`` for
        "information sharing"), as lists do elsewhere: no need to open it."""
        chosen = self.focused
        if not isinstance(chosen, Select) or chosen.expanded or not event.is_printable or not event.character or chosen.id == "record-type":
            return
        choices = choices_of(p.PAYLOAD_TYPES[self.kind], (chosen.id or "").removeprefix("field-")) or ()
        letter = event.character.lower()
        starting = [choice for choice in choices if choice_words(choice).lower().startswith(letter)]
        if starting:
            current = chosen.value if chosen.value in starting else None
            chosen.value = starting[(starting.index(current) + 1) % len(starting)] if current is not None else starting[0]
            event.stop()

    def values(self) -> dict[str, str]:
        values = {}
        for widget in self.query(".field"):
            name = (widget.id or "").removeprefix("field-")
            if isinstance(widget, Select):
                values[name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                values[name] = widget.value
        return values

    def action_submit(self) -> None:
        for error in self.query(".field-error").results(Static):
            error.update("")
        values = self.values()
        try:
            payload = payload_from_form(self.kind, values)
        except DomainError as error:
            self.show_error(error)
            return
        self.save(payload, values.get("occurred_at", ""), values.get("note", "").strip() or None)

    @on(Button.Pressed, "#record-submit")
    def pressed(self) -> None:
        self.action_submit()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, payload: p.Payload, occurred_at: str, note: str | None) -> int | None:
        """Record in a thread; the position it returns closes the form (:class:`SavingForm`)."""
        try:
            odd = self.odd(payload) if payload != self.confirmed else []
            if odd:
                self.confirmed = payload
                self.app.call_from_thread(self.query_one("#record-message", Label).update, plain(f"Check: {'; '.join(odd)}. Ctrl+S again records it."))
                return None
            position = self.record(payload, occurred_at, note)
        except DomainError as error:
            self.app.call_from_thread(self.show_error, error)
            return None
        except LedgerError as error:
            self.app.call_from_thread(self.query_one("#record-message", Label).update, plain(str(error)))
            return None
        return position

    def show_error(self, error: DomainError) -> None:
        """The rule under its field and in the message, in words, shown as text (never markup)."""
        rule = in_words(error.rule)
        for widget in self.query(f"#error-{error.field}").results(Static):
            widget.update(plain(f"⚠ {rule}"))
        self.query_one("#record-message", Label).update(plain(f"Not recorded — {field_words(error.field)}: {rule}"))


class QuickAddOnScreen(SavingForm):
    """The quick add-on log: a digit picks the category, type the minutes, Enter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="addon.cancel"),
        *(
            Binding(str(number), f"category({number - 1})", choice_words(category), show=False, id=f"addon.category.{category}")
            for number, category in enumerate(ADDON_CATEGORIES, 1)
        ),
    ]

    def __init__(self, officer: str, record: Callable[[p.Payload, str, str | None], int], now: Callable[[], dt.datetime]) -> None:
        super().__init__()
        self.officer = officer
        self.record = record
        self.now = now
        self.category: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="addon-dialog", classes="dialog"):
            yield Label(f"Add-on task for {self.officer}: press a number, type minutes, Enter", classes="panel-title")
            yield OptionList(*(f"{n}  {choice_words(c)}" for n, c in enumerate(ADDON_CATEGORIES, 1)), id="addon-categories")
            yield Input(placeholder="minutes (1–720)", id="addon-minutes", disabled=True, type="integer")
            yield Label("", id="addon-message")

    def action_category(self, index: int) -> None:
        self.category = ADDON_CATEGORIES[index]
        self.query_one(OptionList).highlighted = index
        minutes = self.query_one("#addon-minutes", Input)
        minutes.disabled = False
        minutes.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_category(event.option_index)

    @on(Input.Submitted, "#addon-minutes")
    def submitted(self, event: Input.Submitted) -> None:
        if self.category is None:
            return
        try:
            payload = payload_from_form("AddOnTaskLogged", {"officer": self.officer, "category": self.category, "minutes": event.value})
        except DomainError as error:
            self.query_one("#addon-message", Label).update(f"⚠ {error.field}: {error.rule}")
            return
        self.save(payload)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, payload: p.Payload) -> int | None:
        """Record in a thread; the position it returns closes the form (:class:`SavingForm`)."""
        try:
            position = self.record(payload, self.now().isoformat(), None)
        except LedgerError as error:
            self.app.call_from_thread(self.query_one("#addon-message", Label).update, f"⚠ {error}")
            return None
        return position


class RetractScreen(ModalScreen[str | None]):
    """Ask why an event is being retracted (the reason is recorded with the retraction)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel", id="retract.cancel")]

    def __init__(self, position: int) -> None:
        super().__init__()
        self.position = position

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Retract the event at position {self.position}: why?", classes="panel-title")
            yield Input(placeholder="reason (required)", id="retract-reason")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())


HelpSection = tuple[str, list[tuple[str, str]], str]
"""A screen's title, its keys (as shown, what each does) and a note on what else it takes."""


class HelpScreen(ModalScreen[None]):
    """Every key binding, by screen — built from the bindings themselves (so it cannot drift from
    them) and drawn as plain text: a key like ``[`` is not markup."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "dismiss(None)", "Close", id="help.close")]

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        text = Text()
        for title, keys, note in self.sections:
            text.append(title, style="bold")
            if keys:
                text.append("  " + " · ".join(f"{key} {what}" for key, what in keys))
            if note:
                text.append(("  — " if keys else "  ") + note)
            text.append("\n")
        with VerticalScroll(classes="dialog", id="help-dialog"):  # scrolls (↓, PgDn) where the terminal is short
            yield Static(text)
