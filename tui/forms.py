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
from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.scalar import Scalar
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.suggester import Suggester, SuggestFromList
from textual.widget import Widget
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
    "LeaveStarted",
    "CoverageStarted",
)
"""The entries made most, first in the record form's type list (the rest follow in the
catalogue's order): the case work the deadlines ask for, then assignments, transfers, leave and
its coverage — the ten the open list shows without scrolling. The add-on task is not among them:
``a`` logs one from any screen in three keys."""


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


def form_order(payload_type: type[p.Payload]) -> tuple[msgspec.inspect.Field, ...]:
    """The fields as the form asks for them: the required ones first, then the optional ones,
    each in the catalogue's order (what Ctrl+S needs is never below what it does not)."""
    fields = payload_fields(payload_type)
    return tuple(field for field in fields if field.required) + tuple(field for field in fields if not field.required)


def pick_letter(choice: str) -> str:
    """The key that picks ``choice`` on a closed list: the first letter of its words."""
    return choice_words(choice)[:1].lower()


def lettered(choices: Sequence[str]) -> list[tuple[str, str]]:
    """Each choice's words after the keys that pick it on a closed list from a blank one — its
    letter, pressed once more for every earlier choice with the same letter (leave: "(s) sick",
    "(s s) secondment"): a letter pressed again picks the next choice with it."""
    seen: dict[str, int] = {}
    labelled = []
    for choice in choices:
        letter = pick_letter(choice)
        seen[letter] = seen.get(letter, 0) + 1
        labelled.append((f"({' '.join([letter] * seen[letter])}) {choice_words(choice)}", choice))
    return labelled


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
    worker would look like a failed entry to whoever waits on it). Esc closes it at once while
    nothing has been typed, and asks first once something has (:meth:`touched`)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "save" and event.state is WorkerState.SUCCESS and isinstance(worker.result, int):
            self.dismiss(worker.result)

    def touched(self) -> bool:
        """Whether closing would lose something the person typed or picked."""
        return False

    def action_cancel(self) -> None:
        """Esc: close, after a "Discard this entry?" when something was typed."""
        if not self.touched():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardScreen(), answered)


class DiscardScreen(ModalScreen[bool]):
    """Asks before a form that was typed into is thrown away: y discards, n (or Esc) goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "dismiss(True)", "Discard", id="discard.yes"),
        Binding("n,escape", "dismiss(False)", "Keep editing", id="discard.no"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="discard-dialog"):
            yield Label("Discard this entry? y / n", classes="panel-title")
            yield Label("y throws away what was typed; n (or Esc) goes back to the form.")


class TypeSearch:
    """Letters typed on the open type list find a type, as Textual's lists do: what was typed
    within the last 0.7 s, found in the type's words (the earliest place wins)."""

    PAUSE = 0.7
    """Seconds without a key after which typing starts a new search."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = [word.lower() for word in words]
        self.query = ""
        self.last = -self.PAUSE

    def find(self, character: str, at: float) -> int | None:
        """The index of the type the search with ``character`` typed at ``at`` finds, if any."""
        self.query = (self.query if at - self.last < self.PAUSE else "") + character.lower()
        self.last = at
        places = [(word.find(self.query), index) for index, word in enumerate(self.words) if self.query in word]
        return min(places)[1] if places else None


class RecordScreen(SavingForm):
    """Record any event: pick the type, fill its fields, Ctrl+S (or Record).

    The fields scroll between the type list and the foot (the Record button and the message),
    which stay in sight at any terminal size; the focused field is scrolled into view."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="record.cancel"),
        Binding("ctrl+s", "submit", "Record", id="record.submit"),
        Binding("ctrl+t", "pick_type", "Event type", id="record.type"),
    ]

    KEYS_HINT = "Ctrl+S record · Ctrl+T type · a letter picks a choice, again the next with it · → takes a suggestion · Esc cancel"
    """The hint line: the keys that carry the fast paths, said where they work."""

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
        officer), filled in wherever a type has that field — the only source of a pre-filled
        value; ``offer``: reads the known values each field completes from (in a worker, once the
        form shows; they are offered as completions, never filled in)."""
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
        self.opened_with: dict[str, str] = {}
        """The values the fields were built with (what Esc compares against)."""
        self.typed_ahead: list[str] = []
        """Characters and Tabs (``"tab"``, ``"shift+tab"``) typed while the fields were being
        built, acted on in order once they are."""
        self.rebuilding = True
        """True while the fields are being built: when the form opens, and while a picked type's
        fields replace the old ones."""
        self.taking_type = False
        """True from Enter on a new type in the open list until its fields are built."""
        self.type_search = TypeSearch([type_words(name) for name in self.kinds])

    def compose(self) -> ComposeResult:
        with Vertical(id="record-dialog", classes="dialog"):
            yield Label("Record an event", classes="panel-title")
            yield Label(self.KEYS_HINT, id="record-keys")
            # the form searches the open list itself (on_key), so it sees every key in order
            yield FieldSelect([(type_words(name), name) for name in self.kinds], value=self.kind, allow_blank=False, type_to_search=False, id="record-type")
            with Horizontal(id="record-foot"):
                yield Button("Record", variant="primary", id="record-submit")
                yield Label("", id="record-message")
            fields = VerticalScroll(id="record-fields")
            fields.can_focus = False  # Tab goes field to field, not to the scrolling container
            yield fields

    async def on_mount(self) -> None:
        try:
            await self.build_fields(first_empty=True)
        finally:
            self.rebuilding = False
        self.catch_up()
        self.read_offers()

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit)

    def fit(self) -> None:
        """Let the fields take what the screen leaves after the dialog's other parts (its frame,
        the title, the hint, the type list, the foot) and scroll within it: the dialog grows with
        its fields up to the screen's height, never pushing the foot off it."""
        dialog = self.query_one("#record-dialog", Vertical)
        fields = self.query_one("#record-fields", VerticalScroll)
        others = sum(child.outer_size.height for child in dialog.children if child is not fields)
        room = max(3, self.size.height - others - dialog.styles.gutter.height)
        if fields.styles.max_height != Scalar.from_number(room):
            fields.styles.max_height = room

    def action_pick_type(self) -> None:
        """Ctrl+T: to the type list, open (type a few letters of the type, Enter)."""
        kinds = self.query_one("#record-type", Select)
        kinds.focus()
        kinds.action_show_overlay()

    def type_list_open(self) -> OptionList | None:
        """The type list's open overlay when it has the focus (else None)."""
        chosen = self.focused
        return chosen if isinstance(chosen, OptionList) and chosen.parent is self.query_one("#record-type", Select) else None

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
        """A new type: its fields, the focus on the first of them (the next field after the type
        list), and what was typed meanwhile put there; what the form said of the old type goes."""
        if str(event.value) != self.kind or not self.query(".field"):
            self.kind = str(event.value)
            self.say("")
            self.rebuilding = True
            try:
                await self.build_fields(first_empty=False)
            finally:
                self.rebuilding = False
            self.taking_type = False
            self.catch_up()

    def take_type(self, kinds: Select[str], kind: str) -> None:
        """Enter on the open type list: ``kind`` taken and the list closed; the focus goes to the
        type's first field — once its fields are built (:meth:`type_changed`), or at once when
        the type was already the form's."""
        kinds.expanded = False
        if kind != self.kind:
            self.taking_type = True
            self.set_focus(kinds, scroll_visible=False)  # at once (``focus()`` waits a turn)
            kinds.value = kind
        else:
            self.set_focus(self.query(".field").first())

    def catch_up(self) -> None:
        """Act on what was typed while the fields were being built, in order, as if typed once
        they showed: a Tab moves the focus on, a character goes where the focus is."""
        keys, self.typed_ahead = self.typed_ahead, []
        for key in keys:
            if key in FOCUS_STEPS:
                self.step(key)
            else:
                self.type_into(key)

    def step(self, key: str) -> None:
        """Tab (or Shift+Tab) read: the focus to the next (previous) field at once — or, while the
        fields are being built, once they are."""
        if self.rebuilding or self.taking_type:
            self.typed_ahead.append(key)
        elif FOCUS_STEPS[key] > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def read_in_order(self, reader: Widget, event: events.Key) -> bool:
        """A key read by one of the form's boxes or lists (``reader``), in the order the terminal
        sent it — which is not the order the app acts on bindings in: a terminal hands over a
        burst (Tab, then letters) before the app has acted on its first key, so each key went to
        the widget that had the focus then, and a Tab bound as usual would move the focus only
        after the letters behind it were read where it was. So: a Tab moves the focus when it is
        read (:meth:`step`), a character read by a widget the focus has left goes where the
        focus went, a letter read by a closed list picks there and then (:meth:`pick`), and Enter
        on the open type list takes the type there and then (:meth:`take_type`). True when the
        key was taken here."""
        typed = event.character if event.is_printable and event.character else None
        overlay = self.type_list_open() if reader.id == "record-type" else None
        if overlay is not None and event.key == "enter" and isinstance(reader, Select):
            if overlay.highlighted is not None:
                self.take_type(reader, self.kinds[overlay.highlighted])
        elif event.key in FOCUS_STEPS:
            self.step(event.key)
        elif typed is None:
            return False
        elif self.rebuilding or self.taking_type:
            self.typed_ahead.append(typed)
        elif overlay is not None:
            found = self.type_search.find(typed, event.time)
            if found is not None:
                overlay.highlighted = found
        elif reader is not self.focused and self.focused is not None and self.focused.has_class("field"):
            self.type_into(typed)
        elif not (reader is self.focused and isinstance(reader, Select) and reader.has_class("field") and self.pick(reader, typed)):
            return False
        event.stop()
        event.prevent_default()
        return True

    def type_into(self, typed: str) -> None:
        """Put ``typed`` into the focused field as typing it there would: into a text box (a
        pre-filled value, selected on focus, replaced), or letters picking on a closed list."""
        chosen = self.focused
        if typed and isinstance(chosen, Input):
            chosen.post_message(events.Paste(typed))
        elif isinstance(chosen, Select):
            for letter in typed:
                self.pick(chosen, letter)

    async def build_fields(self, *, first_empty: bool) -> None:
        """Replace the fields with those of ``self.kind`` (removal finishes before mounting) and
        focus one: the first the context left empty when the form opens (``first_empty``), the
        first of all after a type is picked (where a person's eye and typing go next)."""
        container = self.query_one("#record-fields", VerticalScroll)
        await container.remove_children()
        widgets: list[Any] = []
        payload_type = p.PAYLOAD_TYPES[self.kind]
        for field in form_order(payload_type):
            choices = choices_of(payload_type, field.name)
            label = field_words(field.name) + ("" if field.required else " (optional)")
            if choices:
                chosen = self.known.get(field.name)
                value = chosen if chosen in choices else Select.NULL
                select = FieldSelect(lettered(choices), value=value, id=f"field-{field.name}", classes="field")
                widgets += field_row(label, field.name, select, choices)
            else:
                known = self.offered.values.get(field.name, [])
                entry = FieldInput(
                    self.known.get(field.name, ""),
                    placeholder=offered_hint(field, known),
                    suggester=suggester_for(field, known),
                    id=f"field-{field.name}",
                    classes="field",
                )
                widgets += field_row(label, field.name, entry)
        widgets += field_row(
            "occurred at",
            "occurred_at",
            FieldInput(self.today.isoformat(), placeholder="YYYY-MM-DD or timestamp with offset", id="field-occurred_at", classes="field"),
        )
        widgets += field_row("note (optional)", "note", FieldInput(placeholder="text", id="field-note", classes="field"))
        await container.mount_all(widgets)
        self.opened_with = self.values()
        fields = list(self.query(".field"))
        empty = [field for field in fields if not self.opened_with.get((field.id or "").removeprefix("field-"))]
        target = empty[0] if first_empty and empty else fields[0]
        self.set_focus(target, scroll_visible=False)  # at once: a key read next goes to it
        self.call_after_refresh(target.scroll_visible, animate=False)  # once laid out

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
        """A key that reaches the form itself, not taken by a field or the type list on its way
        (:meth:`read_in_order`): typed before anything had the focus, or read by a widget that
        is not a field (the Record button). No key typed while the fields are being built is
        lost: it waits until they are (:meth:`catch_up`); a character goes to the text box that
        has the focus (a text box takes every character it gets)."""
        chosen = self.focused
        typed = event.character if event.is_printable and event.character else None
        if (self.rebuilding or self.taking_type) and (typed is not None or event.key in FOCUS_STEPS):
            self.typed_ahead.append(typed or event.key)
        elif typed is not None and isinstance(chosen, Input) and chosen.has_class("field"):
            self.type_into(typed)
        else:
            return
        event.stop()
        event.prevent_default()

    def pick(self, chosen: Select[Any], character: str) -> bool:
        """Pick on ``chosen`` the next choice starting with ``character``; False if none does."""
        choices = choices_of(p.PAYLOAD_TYPES[self.kind], (chosen.id or "").removeprefix("field-")) or ()
        starting = [choice for choice in choices if pick_letter(choice) == character.lower()]
        if not starting:
            return False
        current = chosen.value if chosen.value in starting else None
        chosen.value = starting[(starting.index(current) + 1) % len(starting)] if current is not None else starting[0]
        return True

    def values(self) -> dict[str, str]:
        values = {}
        for widget in self.query(".field"):
            name = (widget.id or "").removeprefix("field-")
            if isinstance(widget, Select):
                values[name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                values[name] = widget.value
        return values

    def touched(self) -> bool:
        """Whether any field differs from what it opened with (the type alone is not an entry)."""
        return self.values() != self.opened_with

    def action_submit(self) -> None:
        for error in self.query(".field-error").results(Static):
            error.update("")
            error.remove_class("shown")
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
                self.app.call_from_thread(self.say, f"Check: {'; '.join(odd)}. Ctrl+S again records it.")
                return None
            position = self.record(payload, occurred_at, note)
        except DomainError as error:
            self.app.call_from_thread(self.show_error, error)
            return None
        except LedgerError as error:
            self.app.call_from_thread(self.say, str(error))
            return None
        return position

    def say(self, message: str) -> None:
        """``message`` on the form's message line, as text (never markup), wrapped whole (the
        fields give up the rows it takes)."""
        self.query_one("#record-message", Label).update(plain(message))
        self.call_after_refresh(self.fit)

    def show_error(self, error: DomainError) -> None:
        """The rule under its field and in the message, in words, shown as text (never markup);
        the field it names focused and in view with its warning below it."""
        rule = in_words(error.rule)
        for widget in self.query(f"#error-{error.field}").results(Static):
            widget.update(plain(f"⚠ {rule}"))
            widget.add_class("shown")
            self.call_after_refresh(widget.scroll_visible, animate=False)
        for field in self.query(f"#field-{error.field}"):
            self.set_focus(field, scroll_visible=False)
            self.call_after_refresh(field.scroll_visible, animate=False)  # after the warning's: both in view
        self.say(f"Not recorded — {field_words(error.field)}: {rule}")


FOCUS_STEPS = {"tab": 1, "shift+tab": -1}
"""The keys that move the record form's focus, and which way."""


class FieldInput(Input):
    """A text box of the record form: reads Tab, and characters the focus has left it with, in
    the order they came (:meth:`RecordScreen.read_in_order`) — and acts on its own keys (→ takes
    a completion, Backspace, …) as it reads them too, so a Tab read after them moves the focus
    only once they have acted here (bound as usual, they would act on the app's turn, after it)."""

    KEYS: ClassVar[dict[str, Binding]] = {binding.key: binding for binding in Binding.make_bindings(Input.BINDINGS)}

    async def _on_key(self, event: events.Key) -> None:
        form = self.screen
        if isinstance(form, RecordScreen) and form.read_in_order(self, event):
            return
        own = self.KEYS.get(event.key)
        if own is not None and self.has_focus:
            event.stop()
            event.prevent_default()
            await self.run_action(own.action)
            return
        await super()._on_key(event)


class FieldSelect(Select[str]):
    """A closed list of the record form (a field's choices, the event types): reads Tab, and
    characters the focus has left it with, in the order they came (:meth:`RecordScreen.read_in_order`)."""

    async def _on_key(self, event: events.Key) -> None:
        form = self.screen
        if not (isinstance(form, RecordScreen) and form.read_in_order(self, event)):
            await super()._on_key(event)

    def on_focus(self) -> None:
        """Its choices with the letters that pick them, below it while it has the focus (closed,
        it shows one choice or none: the letter to press is then on the screen)."""
        for line in self.screen.query(f"#choices-{self.field_name}").results(ChoiceKeys):
            line.add_class("shown")
            self.call_after_refresh(line.scroll_visible, animate=False)
            self.call_after_refresh(self.scroll_visible, animate=False)  # after the line's: both in view

    def on_blur(self) -> None:
        for line in self.screen.query(f"#choices-{self.field_name}").results(ChoiceKeys):
            line.remove_class("shown")

    @property
    def field_name(self) -> str:
        return (self.id or "").removeprefix("field-")


class ChoiceKeys(Widget):
    """A closed list's choices after the keys that pick them ("a letter picks:  (i) information
    sharing  (j) joint home visit …"), wrapped between choices, never inside one: the letter
    stays beside its words."""

    def __init__(self, choices: Sequence[str], *, id: str, classes: str) -> None:
        super().__init__(id=id, classes=classes)
        self.words = ["a letter picks:", *(words for words, _choice in lettered(choices))]

    def lines(self, width: int) -> list[str]:
        """The words in lines of at most ``width`` cells (a choice longer than that alone)."""
        lines: list[str] = []
        for words in self.words:
            if lines and cell_len(lines[-1]) + 2 + cell_len(words) <= width:
                lines[-1] += "  " + words
            else:
                lines.append(words)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Text:
        return Text("\n".join(self.lines(self.content_size.width)))


def field_row(label: str, name: str, entry: Input | Select[Any], choices: Sequence[str] = ()) -> list[Widget]:
    """A field as the form shows it: its words beside its box, a line for its refusal below
    (shown only when there is one) and, for a closed list, a line of its ``choices`` with the
    letters that pick them (shown while it has the focus)."""
    row: list[Widget] = [Horizontal(Label(label, classes="field-label"), entry, classes="field-row")]
    if choices:
        row.append(ChoiceKeys(choices, id=f"choices-{name}", classes="field-choices"))
    return [*row, Static("", id=f"error-{name}", classes="field-error")]


class QuickAddOnScreen(SavingForm):
    """The quick add-on log: a digit picks the category, type the minutes, Enter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="addon.cancel"),
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
            yield Label(f"Add-on task for {self.officer}: a number, the minutes, Enter", classes="panel-title")
            yield OptionList(*(f"{n}  {choice_words(c)}" for n, c in enumerate(ADDON_CATEGORIES, 1)), id="addon-categories")
            yield MinutesInput(placeholder="press the category's number, then type the minutes (1–720)", id="addon-minutes", type="integer")
            yield Label("", id="addon-message")

    def touched(self) -> bool:
        """Whether minutes were typed (a category alone is one key to pick again)."""
        return bool(self.query_one("#addon-minutes", Input).value)

    AUTO_FOCUS = "#addon-minutes"

    def action_category(self, index: int) -> None:
        """Pick the category (its digit, or a click on the list); the minutes box has the keys."""
        self.category = ADDON_CATEGORIES[index]
        self.query_one(OptionList).highlighted = index
        minutes = self.query_one("#addon-minutes", Input)
        minutes.placeholder = "minutes (1–720), Enter"
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


class MinutesInput(Input):
    """The quick add-on's one box, focused from the start, so every key typed — however fast —
    reaches one place in order: the first digit picks the category (it is not a minute), the
    rest are the minutes. A list that handed the focus to the box after the pick let the keys
    typed behind the digit fall on the list ("a 2 25 Enter" at once lost the 25)."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if isinstance(screen, QuickAddOnScreen) and screen.category is None and event.is_printable:
            event.stop()
            event.prevent_default()
            if event.character is not None and event.character.isdigit() and 1 <= int(event.character) <= len(ADDON_CATEGORIES):
                screen.action_category(int(event.character) - 1)
            return
        await super()._on_key(event)


class RetractScreen(ModalScreen[str | None]):
    """Ask why an event is being retracted (the reason is recorded with the retraction), saying
    which event it is."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel", id="retract.cancel")]

    def __init__(self, position: int, *, event: str = "") -> None:
        """``event``: the event in words, as the caller knows it ("Add-on task: po.adams,
        clerical, 45 minutes, 2026-03-19 — recorded by po.adams"); shown as text, never markup."""
        super().__init__()
        self.position = position
        self.event = event

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="retract-dialog"):
            yield Label(f"Retract the event at position {self.position}: why?", classes="panel-title")
            if self.event:
                yield Static(plain(self.event), id="retract-event")
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
