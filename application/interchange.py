"""The JSON Lines interchange format: the public import/export contract.

One JSON object per line. Reserved keys: ``type``, ``occurred_at``, optional ``by`` (who made
the entry) and ``note`` (≤ 2000 characters); every other key is one of the event's fields, and
unknown keys or types are errors.

**Who recorded it**: an import records the importing user as ``recorded_by``; the
person a line names — its ``entered_by``, else its ``by``, else its ``recorded_by`` — is kept as
``entered_by`` (the person who made the entry elsewhere; left out when it is the importer). Only
``--keep-recorded`` (moving a store with its history) keeps a line's ``recorded_by`` (else its
``by``) as the recorder, and its ``entered_by`` as it was. Restricting that to an admin is the
permission table's (not enforced yet).

What ``caseledger events`` writes is importable: ``recorded_by`` and ``entered_by`` as above,
``position`` and ``recorded_at`` are ignored unless ``--keep-recorded``.

One wrinkle the catalogue forces: ``EventRetracted`` has a field named ``position`` (the
retracted event's), which collides with the log position the raw log prints first on every
line. On ``EventRetracted`` lines the log position is therefore written as ``log_position``.

Each line is decoded in one pass by msgspec into a tagged union of per-type line Structs, so a
wrong type, an unknown key or a value out of range is reported with the field that broke it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec

from caseledger.application.text import for_json
from caseledger.domain.errors import DomainError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.recording import Entry, shape_error
from caseledger.domain.model.times import parse_instant
from caseledger.domain.store.mapper import StoredEnvelope

AwareDatetime = Annotated[dt.datetime, msgspec.Meta(tz=True)]

RESERVED_FIELDS: tuple[tuple[str, Any, Any], ...] = (
    ("by", p.Identifier | None, None),
    ("note", p.LongText | None, None),
    ("recorded_by", p.Identifier | None, None),
    ("entered_by", p.Identifier | None, None),
    ("recorded_at", AwareDatetime | None, None),
    ("log_position", p.Position | None, None),
)


def _line_struct(name: str, payload_type: type[p.Payload]) -> type[msgspec.Struct]:
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = [("occurred_at", str), *RESERVED_FIELDS]
    if "position" not in payload_type.__struct_fields__:
        fields.append(("position", p.Position | None, None))
    return msgspec.defstruct(
        f"{name}Line",
        fields,
        bases=(payload_type,),
        tag_field="type",
        tag=name,
        kw_only=True,
        forbid_unknown_fields=True,
        frozen=True,
    )


LINE_TYPES: dict[str, type[msgspec.Struct]] = {name: _line_struct(name, cls) for name, cls in p.PAYLOAD_TYPES.items()}


@dataclass(slots=True)
class ParsedLine:
    """One decoded interchange line: the entry to record, plus what an export line carried."""

    entry: Entry
    recorded_at: dt.datetime | None
    log_position: int | None
    recorded_by: str | None = None
    """Who the line says recorded it (its ``recorded_by``, else its ``by``): the recorder only
    when a store is moved with ``--keep-recorded``."""
    entered_by: str | None = None
    """The line's own ``entered_by`` (kept as is when a store is moved)."""

    def kept(self) -> Entry:
        """The entry as a store move records it: the line's recorder and ``entered_by``."""
        return Entry(self.entry.data, self.entry.occurred_at, self.recorded_by or self.entry.recorded_by, self.entry.note, self.entered_by)


def _decoder() -> msgspec.json.Decoder[Any]:
    union: Any = None
    for line_type in LINE_TYPES.values():
        union = line_type if union is None else union | line_type
    return msgspec.json.Decoder(union)


LINE_DECODER = _decoder()

BYTE_ORDER_MARK = b"\xef\xbb\xbf"
"""U+FEFF in UTF-8: what some Windows editors put before a file's first line; JSON has no place for it."""


def parse_line(raw: bytes | str, default_actor: str) -> ParsedLine:
    """Decode one interchange line. Raises :class:`DomainError` naming the field and the rule."""
    try:
        line: Any = LINE_DECODER.decode(raw)
    except msgspec.ValidationError as error:
        raise shape_error(error) from None
    except msgspec.DecodeError as error:
        if (raw if isinstance(raw, bytes) else raw.encode()).startswith(BYTE_ORDER_MARK):
            raise DomainError("$", "starts with a byte order mark (U+FEFF): a line is UTF-8 JSON without one (save the file without BOM)") from None
        raise DomainError("$", f"not a JSON object: {error}") from None
    except UnicodeDecodeError as error:
        raise DomainError("$", f"not valid UTF-8 (byte {error.start}): {error.reason}") from None
    duplicate = _duplicate_key(raw if isinstance(raw, bytes) else raw.encode())
    if duplicate is not None:
        raise DomainError(duplicate, "appears twice in the line: which value was meant? (JSON readers differ: one keeps the first, another the last)")
    payload_type, field_count, is_retraction = _PAYLOAD_OF_LINE[type(line)]
    data = payload_type(*msgspec.structs.astuple(line)[:field_count])
    occurred_at = parse_instant(line.occurred_at, "occurred_at")
    log_position = line.log_position if is_retraction else line.position
    named = line.entered_by or line.by or line.recorded_by
    return ParsedLine(
        Entry(data, occurred_at, default_actor, line.note, named if named != default_actor else None),
        line.recorded_at,
        log_position,
        line.recorded_by or line.by,
        line.entered_by,
    )


_KEY_COLON = re.compile(rb'"\s*:')
"""A quote followed by a colon: every key has one (a string may hold more, escaped)."""


def _duplicate_key(raw: bytes) -> str | None:
    """A key the line's JSON object has twice (msgspec, like most readers, would keep one
    silently), or None. The exact check runs only when the line has more key-like colons than
    distinct keys, which an honest line has not (one regex and one untyped decode per line)."""
    if len(_KEY_COLON.findall(raw)) == len(msgspec.json.decode(raw)):
        return None
    twice: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _value in items]
        twice.extend(key for key in keys if keys.count(key) > 1)
        return dict(items)

    json.loads(raw, object_pairs_hook=pairs)
    return twice[0] if twice else None


_PAYLOAD_OF_LINE: dict[type, tuple[type[p.Payload], int, bool]] = {
    line_type: (p.PAYLOAD_TYPES[name], len(p.PAYLOAD_TYPES[name].__struct_fields__), name == "EventRetracted") for name, line_type in LINE_TYPES.items()
}
"""Line Struct → (payload type, how many leading fields are the payload's, is it a retraction)."""


def render_line(position: int, envelope: StoredEnvelope[Any]) -> dict[str, Any]:
    """The raw-log line of a stored event, as a dict ready for JSON encoding."""
    name = type(envelope.data).__name__
    line: dict[str, Any] = {
        "log_position" if name == "EventRetracted" else "position": position,
        "type": name,
        "occurred_at": envelope.occurred_at.isoformat(),
        "recorded_at": envelope.recorded_at.isoformat(),
        "recorded_by": envelope.recorded_by,
    }
    if envelope.entered_by is not None:
        line["entered_by"] = envelope.entered_by
    if envelope.note is not None:
        line["note"] = envelope.note
    line.update(msgspec.to_builtins(envelope.data))
    return line


_encoder = msgspec.json.Encoder()


def encode_line(line: dict[str, Any]) -> bytes:
    """One JSON Lines record, newline-terminated, with no control or format character left raw
    (:func:`~caseledger.application.text.for_json`). A line of ASCII without DEL holds none (the
    encoder escapes C0), and most lines are: they skip the decode and the search, which made
    ``events`` ten times slower to encode."""
    encoded = _encoder.encode(line)
    if encoded.isascii() and b"\x7f" not in encoded:
        return encoded + b"\n"
    return for_json(encoded.decode()).encode() + b"\n"
