"""An event's canonical leaf: the bytes the Merkle log (:mod:`caseledger.domain.integrity.merkle`)
hashes for it, the same in every store that holds the event.

A leaf is the event as the interchange format carries it — type, fields, ``occurred_at``,
``recorded_at``, ``recorded_by``, ``entered_by`` and ``note`` — never its stored bytes, its
position, its aggregate id or its ciphertext, so a store moved with ``events | import
--keep-recorded`` (SQLite ⇄ PostgreSQL, encrypted or not) has the same leaves, the same tree and
verifies against the source's signed checkpoints; and an exported event file is checked against
a checkpoint with no store at all. The note is in it: an altered note is an altered event.

The bytes (format 1), for anyone writing a verifier of their own: one JSON object (RFC 8259, no
whitespace, UTF-8; strings escape only ``"``, ``\\`` and the controls below U+0020, as
``\\u00XX`` but for ``\\b \\t \\n \\f \\r``), every object's keys sorted::

    {"entered_by":…,"fields":{…},"note":…,"occurred_at":"…Z","recorded_at":"…Z","recorded_by":…,"type":…}

``entered_by`` and ``note`` are left out when the event has none. A retraction (``EventRetracted``)
names the event it retracts by that event's **leaf index** in the tree, ``"retracts_leaf": N``,
in place of its store-local ``position`` (a moved store gives events new positions, and an
import re-points retractions to them; the leaf index is the same in every copy). A retraction of
an event outside the tree (a quarantined one, which has no leaf) keeps its ``position``. ``fields`` is the event's own
fields as its catalogue type defines them (:mod:`caseledger.domain.events.catalogue`), a field at
its default left out, dates ``YYYY-MM-DD``, numbers as the type holds them (``weekly_hours`` a
float: ``37.5``, ``40.0``). Both instants are in UTC, ``YYYY-MM-DDTHH:MM:SSZ`` with six
decimals before the ``Z`` when the microseconds are not zero (RFC 3339 as msgspec writes a UTC
instant), whatever offset they were written with.

This module takes plain values (the payload Struct, the instants, the logins), not the
interchange line or the stored envelope: the domain does not import the application, where the
JSON Lines format lives, nor the store.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import msgspec
import msgspec.inspect

from caseledger.domain.events.catalogue import Payload


class _Leaf(msgspec.Struct, omit_defaults=True):
    type: str
    fields: Any
    """The payload Struct itself (encoded with its keys sorted, its defaults left out), or — for a
    retraction that names its target's leaf — its fields as a dict."""
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    recorded_by: str
    entered_by: str | None = None
    note: str | None = None


_encoder = msgspec.json.Encoder(order="sorted")


@cache
def _float_fields(kind: type[Payload]) -> tuple[str, ...]:
    """The fields of ``kind`` typed as a float (alone or in a union)."""
    found = []
    for field in msgspec.inspect.type_info(kind).fields:  # type: ignore[attr-defined]
        types = field.type.types if isinstance(field.type, msgspec.inspect.UnionType) else (field.type,)
        if any(isinstance(each, msgspec.inspect.FloatType) for each in types):
            found.append(field.name)
    return tuple(found)


def utc_instant(moment: dt.datetime, field: str) -> dt.datetime:
    """``moment`` in UTC; a naive one is refused (ValueError)."""
    if moment.utcoffset() is None:
        raise ValueError(f"{field}: an instant needs its UTC offset")
    return moment.astimezone(dt.UTC)


def canonical_leaf(
    fields: Payload,
    occurred_at: dt.datetime,
    recorded_at: dt.datetime,
    recorded_by: str,
    *,
    entered_by: str | None = None,
    note: str | None = None,
    retracts_leaf: int | None = None,
) -> bytes:
    """The canonical bytes of the event whose own fields are ``fields`` (its type is the Struct's).

    A float field holding an int (``weekly_hours=40``, as a Struct built in code may) is read as
    its type holds it (``40.0``), so it gives the leaf of the same Struct read from a store.
    ``retracts_leaf``: a retraction's target's leaf index (see the module), None when it has none."""
    kind = type(fields)
    typed: Any = fields
    if any(type(getattr(fields, name)) is int for name in _float_fields(kind)):
        typed = msgspec.json.decode(msgspec.json.encode(fields), type=kind)
    if retracts_leaf is not None:
        typed = msgspec.to_builtins(typed)
        del typed["position"]
        typed["retracts_leaf"] = retracts_leaf
    occurred, recorded = utc_instant(occurred_at, "occurred_at"), utc_instant(recorded_at, "recorded_at")
    return _encoder.encode(_Leaf(kind.__name__, typed, occurred, recorded, recorded_by, entered_by, note))
