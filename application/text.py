"""What a person typed, made safe to show (control and format characters made visible), and the
ledger's ids, choices and events in words.

A note or a reason is free text; printed raw, ``\x1b[2K\r`` would erase the terminal line and
let the text forge another in its place, and a right-to-left override (U+202E) or a zero-width
character would make a history line read otherwise than it is stored (Trojan Source). Every
control character (C0, DEL, C1), every Unicode format character (category Cf: bidi embeddings,
overrides and isolates, zero-width spaces and joiners, the word joiner, the byte-order mark,
invisible operators, tags) and the line and paragraph separators are shown as their escape
instead (``\x1b``, ``\u202e``), so what appears is exactly what was recorded.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

ROLE_WORDS = {
    "institutional_po": "institutional PO",
    "community_po": "community PO",
    "ccc_po": "CCC PO",
    "mai": "MAI",
    "po_supervisor": "PO supervisor",
}
"""Each officer role as parole staff say it (the ids stay in exports)."""

DEADLINE_WORDS = {
    "preliminary_assessment": "preliminary assessment",
    "correctional_plan": "correctional plan",
    "release_plan_start": "start the release plan",
    "board_information": "information to the Board",
    "siu_first_review": "SIU review by the institutional head",
    "siu_commissioner_review": "SIU review by the Commissioner",
    "transfer_decision": "transfer decision",
}
"""Each deadline as an officer says it."""

STATUS_WORDS = {"overdue": "overdue", "due_soon": "due soon", "open": "open", "met": "met", "late": "done late", "superseded": "superseded", "moot": "moot"}
"""Each deadline status in words."""

_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0, DEL, C1
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"  # Cf
    "\u2028\u2029]"  # line and paragraph separators
)
"""Every character :func:`for_terminal` escapes: category Cc, category Cf (Unicode 15), Zl and Zp."""


def for_json(encoded: str) -> str:
    """JSON text with every character :func:`for_terminal` escapes written as JSON's own ``\\u``
    escape (a pair of them beyond the BMP): a reader decodes the very same strings, and a line of
    ``caseledger events`` shown in a terminal cannot reorder or hide what follows it. (A JSON
    encoder escapes C0 controls already; DEL, C1, format characters and the separators it may
    leave raw.)"""
    return _CONTROL.sub(_json_escape, encoded)


def _json_escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """``text`` with every control and format character replaced by a visible escape (``\\n``,
    ``\\x1b``, ``\\u202e`` …)."""
    return _CONTROL.sub(lambda found: found.group().encode("unicode_escape").decode(), text)


_SENTENCES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Expected `str` matching regex .*"), "use letters, digits and . _ - only (1 to 64 characters, no spaces)"),
    (re.compile(r"Invalid enum value '(.*)'"), "'{0}' is not one of the choices"),
    (re.compile(r"Expected `(?:int|float)` >= (\S+)"), "at least {0}"),
    (re.compile(r"Expected `(?:int|float)` <= (\S+)"), "at most {0}"),
    (re.compile(r"Expected `int`, got .*"), "a whole number, like 30"),
    (re.compile(r"Expected `float`, got .*"), "a number, like 37.5"),
    (re.compile(r"Invalid RFC3339 encoded date.*"), "a date, like 2026-03-20"),
    (re.compile(r"Expected `str` of length <= (\d+).*"), "at most {0} characters"),
    (re.compile(r"required"), "needed"),
)


def in_words(rule: str) -> str:
    """A validation rule as a sentence a parole officer reads (``Expected `int` <= 720`` → ``at
    most 720``); a rule already in words is returned as it is. The ids and the exact rule stay in
    the command line's messages, which scripts read."""
    for pattern, sentence in _SENTENCES:
        found = pattern.fullmatch(rule)
        if found:
            return sentence.format(*found.groups())
    return rule


_FIELD_WORDS = {"cclo": "CCLO (liaison officer)", "iedm": "IEDM"}


def field_words(name: str) -> str:
    """A field's name as words (``occurred_at`` → ``occurred at``, ``cclo`` → ``CCLO (liaison officer)``)."""
    return _FIELD_WORDS.get(name, name.replace("_", " "))


PROJECTION_WORDS = {
    "workload": "workload",
    "addon_burden": "add-on burden",
    "release_lead_time": "release-planning lead time",
    "siu_stays": "SIU stays",
    "transfers": "transfers",
    "cclo_contacts": "CCLO contacts",
    "staffing": "staffing",
    "deadlines": "deadlines",
    "coverage": "coverage and backfill",
    "weekly_hours": "weekly hours against the week",
}
"""Each projection as the Export screen lists it (its id stays the value, the file name and the CLI's)."""


_WORD_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPOKEN = {"Cclo": "CCLO", "Add On": "Add-on", "non_case": "non-case", "scanning_faxing": "scanning and faxing"}


def type_words(name: str) -> str:
    """An event type as words (``SIUPlacementStarted`` → ``SIU placement started``,
    ``CcloContactRecorded`` → ``CCLO contact recorded``); the id stays in exports and the log."""
    words = _WORD_BREAK.sub(" ", name)
    for written, spoken in _SPOKEN.items():
        words = words.replace(written, spoken)
    first, _, rest = words.partition(" ")
    return " ".join([first, *(word if word.isupper() else word.lower() for word in rest.split())])


def choice_words(value: str) -> str:
    """A choice (a category, a kind, a step) as words: ``non_case_email`` → ``non-case email``."""
    for written, spoken in _SPOKEN.items():
        value = value.replace(written, spoken)
    return value.replace("_", " ")


def _is_choice(info: msgspec.inspect.Type) -> bool:
    if isinstance(info, msgspec.inspect.UnionType):
        return any(_is_choice(inner) for inner in info.types)
    return isinstance(info, msgspec.inspect.LiteralType) or (isinstance(info, msgspec.inspect.ListType) and _is_choice(info.item_type))


def fields_in_words(data: msgspec.Struct, omit: tuple[str, ...] = ()) -> str:
    """An event's own fields as a person reads them (``security level: medium; sentence start:
    2026-01-02``): names and choices in words, lists joined, ids and free text as recorded. The
    command line keeps ``name=value`` (scripts read it)."""
    info = msgspec.inspect.type_info(type(data))
    assert isinstance(info, msgspec.inspect.StructType)
    parts = []
    for field in info.fields:
        value: Any = getattr(data, field.name)
        if field.name in omit or value is None:
            continue
        items = [str(item) for item in value] if isinstance(value, list) else [str(value)]
        shown = ", ".join(choice_words(item) if _is_choice(field.type) else item for item in items) or "none"
        parts.append(f"{field_words(field.name)}: {shown}")
    return "; ".join(parts)


def describe_fields(data: Any, omit: tuple[str, ...] = ()) -> str:
    """An event's own fields as ``name=value, …`` (what the command line's history shows: scripts
    read it), without the ``omit`` ones (the offender, on a case's own history)."""
    return ", ".join(f"{key}={value}" for key, value in msgspec.to_builtins(data).items() if key not in omit)


def who(envelope: Any) -> str:
    """Who recorded an event (a stored envelope), and who made the entry when it came in by an
    import (``mai1 via clerk``: entered by mai1, imported by clerk)."""
    return f"{envelope.entered_by} via {envelope.recorded_by}" if envelope.entered_by else str(envelope.recorded_by)
