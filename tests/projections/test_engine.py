"""The projection engine: exactly-once under failure and concurrency, status, selective rebuild."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from caseledger.application.imports import import_lines
from caseledger.fixtures.generate import generate
from caseledger.projections.engine.projector import Projector
from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.readmodels.sealing import Writing
from caseledger.projections.readmodels.tables import READ_MODELS, AddOnModel
from caseledger.projections.replay.facts import View
from tests.support.generated import GENERATED_UNTIL
from tests.support.projection_helpers import everything
from tests.support.threads import each_round, race
from tests.support.world import open_ledger, seed_world


def count(db: Database, table: str) -> int:
    with db.transaction(write=False) as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {db.table(table)}")
        row = cursor.fetchone()
        assert row is not None
        return int(row[0])


def seeded(url: str, events: int = 3000) -> Any:
    app, _ = open_ledger(url)
    import_lines(app, [msgspec.json.encode(line) for line in generate(events, seed=5, until=GENERATED_UNTIL)], "importer", keep_recorded=True)
    return app


class FailingAddOns(AddOnModel):
    """The add-on model, failing its second batch after writing its rows — a crash mid-batch."""

    def __init__(self) -> None:
        self.batches = 0

    def write(self, cursor: Cursor, writing: Writing, db: Database, rows: list[tuple[Any, ...]]) -> None:
        super().write(cursor, writing, db, rows)
        self.batches += 1
        if self.batches == 2:
            raise RuntimeError("power cut")


def test_a_failure_mid_batch_loses_nothing_and_counts_nothing_twice(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = seeded(store_url)
    monkeypatch.setattr("caseledger.projections.engine.projector.BATCH", 1000)
    failing = Projector(app, (READ_MODELS[0], FailingAddOns()))
    with pytest.raises(RuntimeError, match="power cut"):
        failing.catch_up()
    assert failing.positions() == {"timeline": 1000, "addons": 1000}
    resumed = Projector(app)
    resumed.catch_up()
    head = app.head_position()
    assert resumed.positions() == {"timeline": head, "addons": head}
    addons = sum(1 for line in generate(3000, seed=5, until=GENERATED_UNTIL) if line["type"] == "AddOnTaskLogged")
    assert count(resumed.db, "cl_addons") == addons
    assert count(resumed.db, "cl_timeline") == head - addons


def test_concurrent_catch_ups_apply_each_event_once(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = seeded(store_url)
    monkeypatch.setattr("caseledger.projections.engine.projector.BATCH", 250)
    projectors = [Projector(open_ledger(store_url)[0]) for _ in range(3)]
    race([each_round(projector.catch_up) for projector in projectors])
    head = app.head_position()
    assert count(projectors[0].db, "cl_timeline") + count(projectors[0].db, "cl_addons") == head
    assert Projector(app).positions() == {"timeline": head, "addons": head}


@pytest.mark.slow  # rebuilds the read models of thousands of events
def test_status_reports_lag_and_a_selective_rebuild_leaves_the_other_model(store_url: str) -> None:
    app = seeded(store_url, 1500)
    projector = Projector(app)
    head, models = projector.status()
    assert {m.name: m.lag for m in models} == {"timeline": head, "addons": head}
    projector.catch_up()
    view = View()
    before = everything(app, view)
    timeline_rows = count(projector.db, "cl_timeline")
    projector.rebuild(["addons"])
    assert {m.name: m.lag for m in projector.status()[1]} == {"timeline": 0, "addons": 0}
    assert count(projector.db, "cl_timeline") == timeline_rows
    assert everything(app, view) == before


def test_a_command_is_visible_in_the_projections_as_soon_as_it_returns(store_url: str) -> None:
    app, plain_service = open_ledger(store_url)
    seed_world(plain_service)
    projector = Projector(app)
    from tests.support.commands import ScriptedService

    service = ScriptedService(app, "tester", on_recorded=lambda _position: projector.catch_up())
    service.assign_case("O1", "po1", occurred_at="2026-01-07")
    position = service.log_addon_task("po1", "scanning_faxing", 25, occurred_at="2026-01-07T10:00:00-05:00")
    assert projector.positions() == {"timeline": position, "addons": position}
    rows = {row["officer"]: row for row in everything(app, View())["workload"]}
    assert rows["po1"]["own_caseload"] == 1


def indexes_of(db: Database, table: str) -> set[str]:
    """The secondary indexes on a read-model table, as the database itself lists them."""
    with db.transaction(write=False) as cursor:
        if db.app.env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = ? AND indexname NOT LIKE ?", (table, "%pkey"))
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.slow  # rebuilds the read models of thousands of events
def test_a_full_rebuild_refills_without_secondary_indexes_and_builds_them_at_the_end(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("caseledger.projections.engine.projector.BATCH", 1000)
    app = seeded(store_url)
    projector = Projector(app)
    db = projector.db
    assert indexes_of(db, "cl_addons") == {"cl_addons_week_officer"}
    before = everything(app, View())
    seen_during: list[set[str]] = []
    projector.rebuild(on_progress=lambda _done: seen_during.append(indexes_of(db, "cl_addons")))
    assert len(seen_during) == 3 and all(found == set() for found in seen_during)  # 3,000 events in batches of 1,000
    assert indexes_of(db, "cl_addons") == {"cl_addons_week_officer"}
    assert everything(app, View()) == before
    projector.rebuild(keep_indexes=True, on_progress=lambda _done: seen_during.append(indexes_of(db, "cl_addons")))
    assert seen_during[-1] == {"cl_addons_week_officer"}


def test_read_models_opened_after_a_rebuild_died_get_their_indexes_back(store_url: str) -> None:
    app = seeded(store_url, events=300)
    db = Projector(app).db
    with db.transaction(write=True) as cursor:  # what a rebuild killed mid-refill leaves behind
        for model in READ_MODELS:
            model.drop_indexes(cursor, db)
    assert indexes_of(db, "cl_addons") == set()
    Projector(app)
    assert indexes_of(db, "cl_addons") == {"cl_addons_week_officer"}


@pytest.mark.slow  # rebuilds the read models of thousands of events
def test_two_rebuilds_at_once_both_finish_with_the_indexes_built(store_url: str) -> None:
    app = seeded(store_url, events=1500)
    before = everything(app, View())
    projectors = [Projector(open_ledger(store_url)[0]) for _ in range(2)]
    race([each_round(projector.rebuild) for projector in projectors], rounds=3)
    assert indexes_of(projectors[0].db, "cl_addons") == {"cl_addons_week_officer"}
    assert indexes_of(projectors[0].db, "cl_timeline") == {"cl_timeline_type_occurred", "cl_timeline_occurred"}
    assert everything(app, View()) == before
