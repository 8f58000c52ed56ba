"""Canonical leaves: one event, one leaf — however its line was written — and any change to it
another leaf.

Events are drawn as interchange lines (the JSON Lines ``caseledger events`` writes and ``import``
reads), decoded by the real parser, and turned into leaves the way an offline check of an events
file will: the line's payload, instants, recorder, ``entered_by`` and note.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, replace
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.application.interchange import parse_line
from caseledger.domain.events import catalogue as p
from caseledger.domain.integrity.canonical import canonical_leaf
from tests.support.strategies import TEXT, aware_datetimes, payload_of

identifiers = st.from_regex(r"\A[A-Za-z0-9._-]{1,64}\Z")
offsets = st.integers(-14 * 60, 14 * 60).map(lambda minutes: dt.timezone(dt.timedelta(minutes=minutes)))
any_type = st.sampled_from(sorted(p.PAYLOAD_TYPES))


@dataclass(frozen=True)
class Event:
    payload: p.Payload
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    recorded_by: str
    entered_by: str | None
    note: str | None


@st.composite
def events(draw: st.DrawFn) -> Event:
    """Any event of the catalogue, as plain values."""
    payload = draw(any_type.flatmap(lambda name: payload_of(p.PAYLOAD_TYPES[name])), label="payload")
    return Event(
        payload,
        draw(aware_datetimes),
        draw(aware_datetimes),
        draw(identifiers),
        draw(st.none() | identifiers),
        draw(st.none() | TEXT.filter(lambda text: len(text) <= 2000)),
    )


def line(event: Event, shuffle: random.Random, zone: dt.tzinfo, defaults: bool) -> bytes:
    """The event's interchange line: its keys in an order ``shuffle`` picks, instants
    written at the offset ``zone``, fields at their default written out or not."""
    fields = msgspec.to_builtins(event.payload)
    if defaults:
        fields = {name: getattr(event.payload, name) for name in event.payload.__struct_fields__} | fields
    values: dict[str, Any] = {
        "type": type(event.payload).__name__,
        "occurred_at": event.occurred_at.astimezone(zone).isoformat(),
        "recorded_at": event.recorded_at.astimezone(zone).isoformat(),
        "recorded_by": event.recorded_by,
        **({"entered_by": event.entered_by} if event.entered_by is not None else {}),
        **({"note": event.note} if event.note is not None else {}),
        **msgspec.to_builtins(fields),
    }
    keys = list(values)
    shuffle.shuffle(keys)
    return json.dumps({key: values[key] for key in keys}).encode()


def leaf_of_line(raw: bytes) -> bytes:
    parsed = parse_line(raw, "importer")
    entry = parsed.kept()
    assert isinstance(entry.occurred_at, dt.datetime)
    assert parsed.recorded_at is not None
    return canonical_leaf(entry.data, entry.occurred_at, parsed.recorded_at, entry.recorded_by, entered_by=entry.entered_by, note=entry.note)


def leaf_of(event: Event) -> bytes:
    return canonical_leaf(event.payload, event.occurred_at, event.recorded_at, event.recorded_by, entered_by=event.entered_by, note=event.note)


@settings(max_examples=200, deadline=None)
@given(event=events(), data=st.data())
def test_the_same_event_written_any_way_has_one_leaf(event: Event, data: st.DataObject) -> None:
    """Two lines of one event — keys in any order, instants at any offset, defaults written out
    or left out — read by the real parser give the leaf of the event itself."""
    for _ in range(2):
        written = line(event, data.draw(st.randoms(), label="order"), data.draw(offsets, label="offset"), data.draw(st.booleans(), label="defaults"))
        assert leaf_of_line(written) == leaf_of(event)


@settings(max_examples=300, deadline=None)
@given(event=events(), data=st.data())
def test_any_change_to_an_event_changes_its_leaf(event: Event, data: st.DataObject) -> None:
    """One of the event's own fields, an instant (another instant, not another offset), the
    recorder, ``entered_by`` or the note changed to another value."""
    fields = type(event.payload).__struct_fields__
    key = data.draw(st.sampled_from([*fields, "occurred_at", "recorded_at", "recorded_by", "entered_by", "note"]), label="key")
    if key in fields:
        other = data.draw(payload_of(type(event.payload)).filter(lambda found: getattr(found, key) != getattr(event.payload, key)), label="other")
        changed = replace(event, payload=msgspec.structs.replace(event.payload, **{key: getattr(other, key)}))
    else:
        values = {"occurred_at": aware_datetimes, "recorded_at": aware_datetimes, "recorded_by": identifiers}.get(key, st.none() | identifiers)
        value: Any = data.draw(values.filter(lambda found: found != getattr(event, key)), label="value")
        changed = replace(event, **{key: value})
    assert leaf_of(changed) != leaf_of(event)


def test_a_type_with_the_same_fields_is_another_leaf() -> None:
    """ComplexityFlagged and ComplexityCleared both carry (offender, factor)."""
    at = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    flagged = canonical_leaf(p.ComplexityFlagged(offender="X1", factor="mental_health"), at, at, "po.adams")
    cleared = canonical_leaf(p.ComplexityCleared(offender="X1", factor="mental_health"), at, at, "po.adams")
    assert flagged != cleared


def test_a_leaf_written_out_by_hand() -> None:
    """An officer registered at 00:00 on 2 March 2026 in Ontario (UTC−5), recorded at 09:30:15.25
    in Quebec the same morning (UTC−5), with 40 weekly hours given as an integer, a note and an
    entered_by. By the format: keys sorted at every level; both instants in UTC, six decimals
    only when there is a fraction (00:00−05:00 = 05:00:00Z, 09:30:15.25−05:00 =
    14:30:15.250000Z); 40 as the float the type holds;
    the note's ``é`` as UTF-8 and its newline escaped."""
    minus_five = dt.timezone(dt.timedelta(hours=-5))
    leaf = canonical_leaf(
        p.OfficerRegistered(officer="po.adams", name="Ada Adams", site="KPO", role="community_po", weekly_hours=40),
        dt.datetime(2026, 3, 2, tzinfo=minus_five),
        dt.datetime(2026, 3, 2, 9, 30, 15, 250000, tzinfo=minus_five),
        "admin",
        entered_by="hr.clerk",
        note="née\nBrown",
    )
    assert leaf == (
        b'{"entered_by":"hr.clerk",'
        b'"fields":{"name":"Ada Adams","officer":"po.adams","role":"community_po","site":"KPO","weekly_hours":40.0},'
        b'"note":"n\xc3\xa9e\\nBrown",'
        b'"occurred_at":"2026-03-02T05:00:00Z",'
        b'"recorded_at":"2026-03-02T14:30:15.250000Z",'
        b'"recorded_by":"admin",'
        b'"type":"OfficerRegistered"}'
    )


def test_a_naive_instant_is_refused() -> None:
    at = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="recorded_at: an instant needs its UTC offset"):
        canonical_leaf(p.LeaveEnded(officer="po.adams"), at, at.replace(tzinfo=None), "po.adams")
