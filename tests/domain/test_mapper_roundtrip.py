"""The stored format is lossless: every event type, dates, offsets, lists, optional fields."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from caseledger.domain.events.catalogue import PAYLOAD_TYPES, Payload
from caseledger.domain.model.aggregates import AGGREGATE_FOR_TYPE, LedgerAggregate, aggregate_topic
from caseledger.domain.store.mapper import LedgerMapper, StoredEnvelope, decode_envelope, encode_envelope
from tests.support.strategies import TEXT, any_payload, aware_datetimes

actors = st.from_regex(r"\A[a-z0-9._-]{1,20}\Z")


@given(
    data=any_payload, occurred=aware_datetimes, recorded=aware_datetimes, by=actors, note=st.none() | TEXT, site=st.none() | actors, entered=st.none() | actors
)
def test_envelope_round_trips_exactly(
    *, data: Payload, occurred: dt.datetime, recorded: dt.datetime, by: str, note: str | None, site: str | None, entered: str | None
) -> None:
    envelope = StoredEnvelope(recorded_at=recorded, occurred_at=occurred, recorded_by=by, data=data, at_site=site, note=note, entered_by=entered)
    decoded = decode_envelope(type(data).__name__, encode_envelope(envelope))
    assert decoded == envelope
    assert decoded.occurred_at.utcoffset() == occurred.utcoffset()  # the offset survives, not just the instant


@given(data=any_payload, occurred=aware_datetimes, recorded=aware_datetimes, by=actors, version=st.integers(1, 50), entered_by=st.none() | actors)
def test_mapper_round_trips_domain_events(
    *, data: Payload, occurred: dt.datetime, recorded: dt.datetime, by: str, version: int, entered_by: str | None
) -> None:
    mapper = LedgerMapper()
    cls = AGGREGATE_FOR_TYPE[type(data)]
    common: dict[str, Any] = {
        "originator_id": uuid.uuid4(),
        "timestamp": recorded,
        "occurred_at": occurred,
        "recorded_by": by,
        "entered_by": entered_by,
        "at_site": "S1",
        "note": None,
        "data": data,
    }
    event: LedgerAggregate.Event
    if version == 1:
        event = cls.Created(originator_version=1, originator_topic=aggregate_topic(cls), **common)
    else:
        event = cls.Event(originator_version=version, **common)
    stored = mapper.to_stored_event(event)
    assert stored.topic == type(data).__name__
    back = mapper.to_domain_event(stored)
    assert type(back) is type(event)
    assert back.__dict__ == event.__dict__


def test_every_catalogue_type_maps_to_an_aggregate() -> None:
    assert set(AGGREGATE_FOR_TYPE) == set(PAYLOAD_TYPES.values())
