"""The JSON Lines contract: what ``events`` writes, ``import`` reads back unchanged; bad lines are named."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseledger.application.interchange import encode_line, parse_line, render_line
from caseledger.domain.errors import DomainError
from caseledger.domain.events.catalogue import Payload
from caseledger.domain.store.mapper import StoredEnvelope
from tests.support.strategies import TEXT, any_payload, aware_datetimes

actors = st.from_regex(r"\A[a-z0-9._-]{1,20}\Z")


@given(data=any_payload, occurred=aware_datetimes, recorded=aware_datetimes, by=actors, note=st.none() | TEXT, position=st.integers(1, 10**12))
def test_rendered_lines_parse_back_to_the_same_event(
    *, data: Payload, occurred: dt.datetime, recorded: dt.datetime, by: str, note: str | None, position: int
) -> None:
    envelope = StoredEnvelope(recorded_at=recorded, occurred_at=occurred, recorded_by=by, data=data, note=note)
    parsed = parse_line(encode_line(render_line(position, envelope)), "importer")
    assert parsed.entry.data == data
    assert parsed.entry.occurred_at == occurred
    assert parsed.entry.recorded_by == "importer" and parsed.entry.entered_by == (by if by != "importer" else None)
    assert parsed.kept().recorded_by == by  # a store move keeps the recorder
    assert parsed.entry.note == note
    assert parsed.recorded_at == recorded
    assert parsed.log_position == position


def _line(**fields: object) -> bytes:
    base = {"type": "AddOnTaskLogged", "occurred_at": "2026-01-05", "officer": "po1", "category": "clerical", "minutes": 30}
    base.update(fields)
    return msgspec.json.encode({k: v for k, v in base.items() if v is not None})


@pytest.mark.parametrize(
    ("line", "field", "rule_part"),
    [
        (_line(minutes=0), "minutes", ">= 1"),
        (_line(minutes=721), "minutes", "<= 720"),
        (_line(minutes="30"), "minutes", "Expected `int`"),
        (_line(category="coffee"), "category", "Invalid enum value"),
        (_line(officer="bad id!"), "officer", "matching regex"),
        (_line(colour="red"), "$", "unknown field `colour`"),
        (_line(type="Nonsense"), "type", "Invalid value 'Nonsense'"),
        (_line(occurred_at="2026-02-30"), "occurred_at", "not an ISO 8601"),
        (_line(occurred_at="2026-01-05T10:00:00"), "occurred_at", "needs a UTC offset"),
        (_line(occurred_at="yesterday"), "occurred_at", "not an ISO 8601"),
        (_line(note="x" * 2001), "note", "<= 2000"),
        (_line(type=None), "$", "missing required field `type`"),
        (b'{"type": "AddOnTaskLogged", ', "$", "not a JSON object"),
        (b"[1, 2]", "$", "Expected `object`"),
        (b"\xff\xfe", "$", "not a JSON object"),
    ],
)
def test_bad_lines_name_the_field_and_the_rule(line: bytes, field: str, rule_part: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_line(line, "importer")
    assert caught.value.field == field
    assert rule_part in caught.value.rule


def test_the_importer_records_and_a_lines_by_is_kept_as_entered_by() -> None:
    """Issue #11: a line's ``by`` no longer becomes ``recorded_by`` — the importing user does."""
    assert (parse_line(_line(), "alice").entry.recorded_by, parse_line(_line(), "alice").entry.entered_by) == ("alice", None)
    assert parse_line(_line(recorded_by="bob"), "alice").entry.entered_by == "bob"
    assert parse_line(_line(recorded_by="bob", by="carol"), "alice").entry.entered_by == "carol"
    assert parse_line(_line(by="carol", entered_by="dan"), "alice").entry.entered_by == "dan"
    assert parse_line(_line(by="alice"), "alice").entry.entered_by is None
    moved = parse_line(_line(recorded_by="bob", entered_by="dan"), "alice").kept()
    assert (moved.recorded_by, moved.entered_by) == ("bob", "dan")


def test_bare_dates_stay_dates_until_the_site_is_known() -> None:
    assert parse_line(_line(), "a").entry.occurred_at == dt.date(2026, 1, 5)
