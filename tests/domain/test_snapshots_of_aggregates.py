"""Long-lived aggregates are snapshotted; a snapshot restores exactly the state a full replay gives."""

from __future__ import annotations

from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder

from caseledger.domain.model.aggregates import OffenderCase, Officer, entity_id
from tests.support.world import open_ledger, seed_world


def test_snapshots_restore_what_a_replay_gives(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    service.request_transfer("O1", "PEN", "voluntary", "west", occurred_at="2026-01-07")
    for index in range(120):
        service.assign_case("O1", ("po1", "po2")[index % 2], occurred_at="2026-01-08")
        if index % 2 == 0:  # the officer grows past 50 versions too
            service.start_coverage("po1", ("po2", "cpo")[index % 4 // 2], occurred_at="2026-01-08")
    service.start_leave("po1", "sick", occurred_at="2026-01-09")
    case_id, officer_id = entity_id(OffenderCase.KIND, "O1"), entity_id(Officer.KIND, "po1")
    assert app.snapshots is not None
    snapshots = list(app.snapshots.get(case_id))
    snapshot_recorder = app.snapshots.recorder
    assert isinstance(snapshot_recorder, SQLiteAggregateRecorder | PostgresAggregateRecorder)
    with app.ledger_recorder.transaction(write=False) as cursor:
        stored = {topic for (topic,) in cursor.execute(f"SELECT topic FROM {app.ledger_recorder.table(snapshot_recorder.events_table_name)}").fetchall()}
    assert stored == {"snapshot:OffenderCase", "snapshot:Officer"}  # by name: a module move never strands one
    assert [s.originator_version for s in snapshots] == [50, 100]
    from_snapshot: OffenderCase = app.repository.get(case_id)
    events = list(app.events.get(case_id))
    rebuilt: OffenderCase | None = None
    for event in events:
        assert isinstance(event, OffenderCase.Event)
        rebuilt = event.mutate(rebuilt)
    assert vars(from_snapshot) == vars(rebuilt)
    assert from_snapshot.pending_transfer_sites == ("PEN",) and from_snapshot.officer == "po2"
    assert [s.originator_version for s in app.snapshots.get(officer_id)] == [50]
    officer: Officer = app.repository.get(officer_id)
    assert officer.covering_officers == frozenset({"po2", "cpo"}) and officer.on_leave
