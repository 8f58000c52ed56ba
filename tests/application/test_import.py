"""Imports are all-or-nothing, stream, and round-trip with ``events`` — on both stores."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.application.imports import import_lines
from caseledger.application.interchange import encode_line, render_line
from caseledger.domain.errors import ImportFailed
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.domain.store.log import read_log
from caseledger.fixtures.generate import generate
from tests.support.generated import GENERATED_UNTIL
from tests.support.identity import recorder_for
from tests.support.jsonl import SETUP, jsonl


def exported(app: LedgerApplication) -> list[bytes]:
    return [encode_line(render_line(e.position, e.envelope)) for e in read_log(app)]


def comparable(lines: list[bytes]) -> list[dict[str, object]]:
    """An exported line minus what legitimately changes on re-import (position, recorded_at)."""
    out = []
    for raw in lines:
        line = msgspec.json.decode(raw)
        line.pop("position", None)
        line.pop("log_position", None)
        line.pop("recorded_at")
        out.append(line)
    return out


def test_an_error_on_the_last_line_imports_nothing(store_url: str) -> None:
    app = open_application(store_url)
    bad: list[dict[str, object]] = [*SETUP, {"type": "CaseAssigned", "occurred_at": "2026-01-08", "offender": "O1", "officer": "nobody"}]
    with pytest.raises(ImportFailed) as caught:
        import_lines(app, jsonl(bad), "importer")
    assert str(caught.value) == "line 5: officer: unknown officer 'nobody'"
    assert app.head_position() == 0
    assert list(read_log(app)) == []


def test_an_error_after_several_batches_rolls_back_all_of_them(store_url: str) -> None:
    app = open_application(store_url)
    lines = list(generate(1200, seed=3, until=GENERATED_UNTIL))
    lines.append({"type": "TransferCompleted", "occurred_at": "2024-02-01", "offender": "nobody"})
    with pytest.raises(ImportFailed) as caught:
        import_lines(app, jsonl(lines), "importer", batch_size=100)
    assert caught.value.line == 1201
    assert app.head_position() == 0


def test_imported_events_carry_actor_and_both_times(store_url: str) -> None:
    app = open_application(store_url)
    before = dt.datetime.now(dt.UTC)
    report = import_lines(app, jsonl(SETUP), "importer")
    assert report.events == 4
    events = list(read_log(app))
    assert [e.type for e in events] == ["SiteRegistered", "OfficerRegistered", "OffenderAdmitted", "AddOnTaskLogged"]
    assert [e.envelope.recorded_by for e in events] == [recorder_for(store_url, "importer")] * 4  # who imported (issue #11) ...
    assert [e.envelope.entered_by for e in events] == [None, None, "mai1", None]  # ... and who made the entry
    assert all(e.envelope.recorded_at >= before for e in events)
    assert events[2].envelope.occurred_at.isoformat() == "2026-01-06T00:00:00-05:00"
    assert events[3].envelope.occurred_at.isoformat() == "2026-01-07T10:15:00-05:00"
    assert events[3].envelope.note == "booked release travel"


def test_export_then_import_into_an_empty_store_gives_the_same_log(store_url: str, tmp_path: Path) -> None:
    source = open_application(f"sqlite:///{tmp_path}/source.db")
    import_lines(source, jsonl(list(generate(800, seed=11, until=GENERATED_UNTIL))), "importer", keep_recorded=True)
    first = exported(source)
    target = open_application(store_url)
    import_lines(target, first, "someone-else")
    second = exported(target)
    # the same events; the re-import is recorded by its importer, the original recorder kept as who entered each
    recorded_then = [line.pop("recorded_by") for line in comparable(first)]
    again = comparable(second)
    assert [(line.pop("recorded_by"), line.pop("entered_by", None)) for line in again] == [
        (recorder_for(store_url, "someone-else"), by) for by in recorded_then
    ]
    assert again == [{key: value for key, value in line.items() if key != "recorded_by"} for line in comparable(first)]


def test_keep_recorded_moves_a_store_with_its_bitemporal_history(sqlite_url: str, postgres_url: str) -> None:
    from tests.support.commands import ScriptedService

    # The target already holds an event, so positions differ after the move.
    target = open_application(postgres_url)
    import_lines(target, jsonl([{**SETUP[0], "site": "OTHER"}]), "x")
    source = open_application(sqlite_url)
    import_lines(source, jsonl(SETUP), "importer")
    addon = next(e.position for e in read_log(source) if e.type == "AddOnTaskLogged")
    ScriptedService(source, "importer").retract(addon, "logged twice", occurred_at="2026-01-08")
    lines = exported(source)

    import_lines(target, lines, "mover", keep_recorded=True)

    moved = list(read_log(target))[1:]
    assert [e.envelope.recorded_at for e in moved] == [e.envelope.recorded_at for e in read_log(source)]
    assert comparable(exported(target))[1:-1] == comparable(lines)[:-1]
    retraction = moved[-1]
    retracted = next(e for e in moved if e.type == "AddOnTaskLogged")
    assert retraction.type == "EventRetracted"
    assert retraction.envelope.data.position == retracted.position == addon + 1
    with pytest.raises(ImportFailed, match=r"line 1: recorded_at: .* is earlier than the event before it"):
        import_lines(target, lines[:1], "mover", keep_recorded=True)


def test_keep_recorded_needs_recorded_at(sqlite_url: str) -> None:
    app = open_application(sqlite_url)
    with pytest.raises(ImportFailed, match="line 1: recorded_at: --keep-recorded needs recorded_at"):
        import_lines(app, jsonl(SETUP), "importer", keep_recorded=True)


def test_positions_carried_by_lines_must_increase(sqlite_url: str) -> None:
    app = open_application(sqlite_url)
    lines = [{**SETUP[0], "position": 5}, {**SETUP[1], "position": 4}]
    with pytest.raises(ImportFailed, match="line 2: position: log positions must increase"):
        import_lines(app, jsonl(lines), "importer")


def test_a_second_import_validates_against_what_the_store_holds(store_url: str) -> None:
    app = open_application(store_url)
    import_lines(app, jsonl(SETUP[:3]), "importer")
    more = [{"type": "CaseAssigned", "occurred_at": "2026-01-09", "offender": "O1", "officer": "po1"}]
    assert import_lines(app, jsonl(more), "importer").events == 1
    with pytest.raises(ImportFailed, match="line 1: offender: offender 'O1' is already admitted"):
        import_lines(app, jsonl([SETUP[2]]), "importer")
    assert app.head_position() == 4


def test_blank_lines_are_skipped_and_counted(sqlite_url: str) -> None:
    app = open_application(sqlite_url)
    stream = io.BytesIO(b"\n" + b"".join(jsonl(SETUP[:2])) + b"   \n")
    assert import_lines(app, stream, "importer").events == 2


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000), events=st.integers(50, 1500))
def test_generated_streams_are_valid_and_round_trip(tmp_path_factory: pytest.TempPathFactory, seed: int, events: int) -> None:
    folder = tmp_path_factory.mktemp("gen")
    app = open_application(f"sqlite:///{folder}/g.db")
    lines = jsonl(list(generate(events, seed=seed, until=GENERATED_UNTIL)))
    report = import_lines(app, lines, "importer", keep_recorded=True)
    assert report.events == len(lines) == events
    again = open_application(f"sqlite:///{folder}/h.db")
    import_lines(again, exported(app), "importer", keep_recorded=True)
    assert exported(again) == exported(app)
