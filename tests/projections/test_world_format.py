"""A stored world of an older format (made before deadline instances existed) is never read as if
it held them: the read models are rebuilt from the log, said once, and the rows are right."""

from __future__ import annotations

import datetime as dt
import logging

import msgspec
import pytest

from caseledger.application.imports import import_lines
from caseledger.application.officer import due
from caseledger.domain.errors import CacheForged
from caseledger.domain.model.times import parse_cutoff
from caseledger.domain.store.application import open_application
from caseledger.projections.engine.compute import compute, find
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay import headstate, snapshots, world
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import load_rules
from tests.support.paths import FIXTURES
from tests.support.projection_helpers import FINE

NOW = dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC)


def test_worlds_of_an_older_format_are_rebuilt_not_read(store_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    app = open_application(store_url)
    import_lines(app, (FIXTURES / "deadlines_scenario.jsonl").read_bytes().splitlines(), "importer")
    view, rules = View(as_of=parse_cutoff("2026-06-30", "as_of")), load_rules("current")
    honest = compute(app, find("deadlines"), view, rules, Projector(app, snapshot_policy=FINE)).rows
    with monkeypatch.context() as older:
        previous = world.WORLD_FORMAT - 1  # what the previous version wrote
        for module in (world, snapshots, headstate):
            older.setattr(module, "WORLD_FORMAT", previous)
        projector = Projector(app, snapshot_policy=FINE)
        projector.rebuild()
        projector.catch_up()  # the snapshots and the head's case rows, written in the old format
    with caplog.at_level(logging.WARNING, logger="caseledger.integrity"):
        rows = compute(app, find("deadlines"), view, rules, Projector(app, snapshot_policy=FINE)).rows
    assert rows == honest and len(rows) == 32
    said = f"made by an older caseledger (world format {world.WORLD_FORMAT - 1}, now {world.WORLD_FORMAT})"
    assert any(said in record.getMessage() for record in caplog.records)


def test_an_officers_screens_never_read_head_rows_of_an_older_format(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """*Due* at now reads the head's case rows; written by the previous version they are rebuilt
    (the registry says its format), and the list is the one a full replay gives."""
    app = open_application(store_url)
    import_lines(app, (FIXTURES / "deadlines_scenario.jsonl").read_bytes().splitlines(), "importer")
    now, rules = View(now=NOW), load_rules("current")
    projector = Projector(app, snapshot_policy=FINE)
    projector.catch_up()
    honest = projector.trusting(lambda: due(projector, rules, now, "po-b"))
    with monkeypatch.context() as older:
        previous = world.WORLD_FORMAT - 1
        for module in (world, snapshots, headstate):
            older.setattr(module, "WORLD_FORMAT", previous)
        projector.rebuild()
        projector.catch_up()
    with pytest.raises(CacheForged, match="cl_head_registry: made by an older caseledger"):
        due(projector, rules, now, "po-b")
    assert projector.trusting(lambda: due(projector, rules, now, "po-b")) == honest and len(honest) == 5


def test_a_stored_world_of_an_older_shape_is_refused_not_crashed_on() -> None:
    """Format 3 stored a case's submission as a date where format 4 keeps (µs, date, officer): such
    a world does not even decode; it is refused as made by an older caseledger (then rebuilt)."""
    app_world = world.World(format=world.WORLD_FORMAT)
    app_world.cases["x"] = world.Case("x", "on-a", "on-a", dt.date(2030, 1, 1), ())
    shaped = msgspec.msgpack.decode(snapshots.encode_world(app_world))
    shaped["cases"]["x"][16] = "2026-03-10"  # where format 3 kept `submitted_on`
    with pytest.raises(CacheForged, match=r"snapshot 7 was made by an older caseledger \(Expected `array \| null`, got `str`"):
        snapshots.stored_world(msgspec.msgpack.encode(shaped), 7)
    assert snapshots.stored_world(snapshots.encode_world(app_world), 7).cases["x"].offender == "x"


def test_a_head_row_of_an_older_shape_is_refused_not_crashed_on() -> None:
    with pytest.raises(CacheForged, match="cl_head_cases: made by an older caseledger"):
        headstate._older_shape(headstate._RECORDS.decode, msgspec.msgpack.encode([["x", None]]), headstate.HEAD_CASES)
