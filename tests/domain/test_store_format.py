"""The store records its format; opening brings an older store up to the current one step by step,
once, in order; a store of a newer format is refused before anything is written.

The older layouts are made the way an older caseledger left them, by an insider's SQL on a store
this code made: format 1 holds its caches unsealed (read models without ``cl_seals``, the
pseudonym secret ``cl_secret``, aggregate snapshots while no cache key is recorded); format 2 on
PostgreSQL lacks the ``recorded_by`` column and the events' triggers; format 3 lacks the chain's
trigger. The legacy stores in tests/data/legacy are format 1 as the old code wrote them.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from caseledger.domain.integrity.verify import verify
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.domain.store.backend import FORMAT_TABLE
from caseledger.domain.store.keys import CACHE_ROW, KEY_TABLE
from caseledger.domain.store.migrations import CURRENT_FORMAT, LEDGER_KEY_FORMAT, STEPS, NewerStore, migrate
from caseledger.projections.engine.compute import compute, find
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import load_rules
from tests.support.cli import run_cli
from tests.support.paths import LEGACY, ROOT
from tests.support.people import staffed
from tests.support.postgres import PostgresServer
from tests.support.tampering import sql
from tests.support.world import open_ledger, seed_world

PG_TRIGGERS = {"cl_recorded_by", "cl_events_immutable", "cl_chain_names_an_event"}


def recorded(app: LedgerApplication) -> list[tuple[int, int]]:
    recorder = app.ledger_recorder
    with recorder.transaction(write=False) as cursor:
        return [(int(row_id), int(version)) for row_id, version in cursor.execute(f"SELECT id, version FROM {recorder.table(FORMAT_TABLE)}").fetchall()]


def set_format(app: LedgerApplication, version: int | None) -> None:
    """Record ``version`` (None: no format, as a store made before it was recorded)."""
    recorder = app.ledger_recorder
    with recorder.transaction(write=True) as cursor:
        cursor.execute(f"DELETE FROM {recorder.table(FORMAT_TABLE)}")
        if version is not None:
            cursor.execute(f"INSERT INTO {recorder.table(FORMAT_TABLE)} VALUES (1, ?)", (version,))


def exists(app: LedgerApplication, table: str) -> bool:
    return app.ledger_recorder.has_table(table)


def snapshot_count(app: LedgerApplication) -> int:
    recorder = app.ledger_recorder
    with recorder.transaction(write=False) as cursor:
        row = cursor.execute(f"SELECT COUNT(*) FROM {recorder.table(app.snapshots_table)}").fetchone()
    return int(row[0]) if row else 0


def triggers(url: str) -> set[str]:
    return {str(name) for (name,) in sql(url, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}


def projected(url: str) -> tuple[LedgerApplication, list[dict[str, object]]]:
    """A store with the tests' world and its read models caught up; the workload rows it exports."""
    app, service = open_ledger(url)
    seed_world(service)
    service.assign_case("O1", "po1", occurred_at="2026-01-07")
    projector = Projector(app)
    projector.catch_up()
    return app, compute(app, find("workload"), View(), load_rules("current")).rows


def make_format_1(app: LedgerApplication) -> None:
    """The caches as format 1 held them: no seals, the pseudonym secret in the database, an
    aggregate snapshot with no MAC while no cache key is recorded, and no format recorded."""
    recorder = app.ledger_recorder
    set_format(app, None)
    with recorder.transaction(write=True) as cursor:
        cursor.execute(f"DROP TABLE {recorder.table('cl_seals')}")
        cursor.execute(f"CREATE TABLE {recorder.table('cl_secret')} (secret TEXT)")
        cursor.execute(f"DELETE FROM {recorder.table(KEY_TABLE)} WHERE id = ?", (CACHE_ROW,))
    assert app.snapshots is not None
    app.snapshots.recorder.insert_events([StoredEvent(uuid.uuid4(), 50, "snapshot:OffenderCase", b"{}")])


def test_the_steps_reach_the_current_format_one_version_at_a_time() -> None:
    assert [step.version for step in STEPS] == list(range(2, CURRENT_FORMAT + 1))


def test_a_new_store_records_the_current_format(store_url: str) -> None:
    app = open_application(store_url)
    assert recorded(app) == [(1, CURRENT_FORMAT)]
    if store_url.startswith("postgres"):
        assert triggers(store_url) >= PG_TRIGGERS
        assert sql(store_url, "SELECT 1 FROM information_schema.columns WHERE table_name = 'caseledger_events' AND column_name = 'recorded_by'") == [(1,)]


def test_a_format_1_store_runs_every_step_once_in_order_and_exports_the_same_rows(store_url: str) -> None:
    app, before = projected(store_url)
    make_format_1(app)
    assert migrate(app.ledger_recorder, app.snapshots_table) == [2, 3, 4, 5, 6]
    assert recorded(app) == [(1, CURRENT_FORMAT)]
    assert snapshot_count(app) == 0  # unsealed: never trusted
    assert not any(exists(app, table) for table in ("cl_secret", "cl_tracking", "cl_timeline", "cl_addons", "cl_snapshots"))
    assert migrate(app.ledger_recorder, app.snapshots_table) == []
    assert compute(open_application(store_url), find("workload"), View(), load_rules("current")).rows == before  # rebuilt, sealed, from the log


@pytest.mark.parametrize("start", [2, 3])
def test_a_store_at_an_older_format_runs_only_the_steps_after_it(store_url: str, start: int) -> None:
    """On PostgreSQL format 2 lacks the ``recorded_by`` column and the events' triggers, format 3
    the chain's trigger; on SQLite those steps change nothing."""
    app, _ = projected(store_url)
    postgres = store_url.startswith("postgres")
    if postgres:
        sql(store_url, "DROP TRIGGER cl_chain_names_an_event ON cl_chain")
        if start == 2:
            sql(store_url, "DROP TRIGGER cl_recorded_by ON caseledger_events")
            sql(store_url, "DROP TRIGGER cl_events_immutable ON caseledger_events")
            sql(store_url, "ALTER TABLE caseledger_events DROP COLUMN recorded_by")
    schema = sql(store_url, "SELECT type, name, sql FROM sqlite_master ORDER BY name") if not postgres else []
    set_format(app, start)
    assert migrate(app.ledger_recorder, app.snapshots_table) == list(range(start + 1, CURRENT_FORMAT + 1))
    assert recorded(app) == [(1, CURRENT_FORMAT)]
    if postgres:
        assert triggers(store_url) >= PG_TRIGGERS
    else:
        assert sql(store_url, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema
    head = app.head_position()
    assert Projector(app).positions() == {"timeline": head, "addons": head}  # caches kept
    if postgres and start == 2:
        open_ledger(store_url)[1].assign_case("O1", "po2", occurred_at="2026-01-08")
        named = "SELECT notification_id FROM caseledger_events WHERE recorded_by IS NOT NULL"
        assert sql(store_url, named) == [(head + 1,)]  # the trigger names the login that inserts it; earlier events keep their state's name


def test_a_store_at_the_current_format_runs_no_step(store_url: str) -> None:
    """What step 2 would discard is left where it is: the format says it is not format 1's."""
    app, _ = projected(store_url)
    recorder = app.ledger_recorder
    with recorder.transaction(write=True) as cursor:
        cursor.execute(f"CREATE TABLE {recorder.table('cl_secret')} (secret TEXT)")
        cursor.execute(f"DELETE FROM {recorder.table(KEY_TABLE)} WHERE id = ?", (CACHE_ROW,))
    assert app.snapshots is not None
    app.snapshots.recorder.insert_events([StoredEvent(uuid.uuid4(), 50, "snapshot:OffenderCase", b"{}")])
    assert migrate(recorder, app.snapshots_table) == []
    assert exists(app, "cl_secret") and snapshot_count(app) == 1 and recorded(app) == [(1, CURRENT_FORMAT)]


def test_a_store_recording_no_format_with_sealed_caches_is_taken_for_format_2(store_url: str) -> None:
    app, _ = projected(store_url)
    seals = sql(store_url, "SELECT name, position, rows FROM cl_seals ORDER BY name")
    set_format(app, None)
    assert migrate(app.ledger_recorder, app.snapshots_table) == [3, 4, 5, 6]
    assert sql(store_url, "SELECT name, position, rows FROM cl_seals ORDER BY name") == seals
    assert recorded(app) == [(1, CURRENT_FORMAT)]


def test_a_legacy_store_is_detected_as_format_1_by_an_opening_without_keys(tmp_path: Path) -> None:
    """``verify`` needs no key; the store's owner opening it without keys brings it to format 4 (the
    last one that needs no key), and an opening holding the keys to the current one, whose step
    gives every chain entry a MAC under the ledger key — all 104, the legacy chain being intact."""
    target = tmp_path / "legacy_store.db"
    shutil.copyfile(LEGACY / "legacy_store.db", target)
    url = f"sqlite:///{target}"
    app = open_application(url, payloads=False)
    assert recorded(app) == [(1, LEDGER_KEY_FORMAT - 1)]
    assert snapshot_count(app) == 0 and not exists(app, "cl_tracking") and not exists(app, "cl_timeline")
    assert app.head_position() == 104
    keyed = open_application(url)
    assert recorded(keyed) == [(1, CURRENT_FORMAT)]
    verdict = verify(keyed, key=keyed.ledger_key)
    assert verdict.ok and verdict.macs_checked and verdict.events == 104


@pytest.mark.slow
def test_a_store_of_a_newer_format_is_refused_in_one_line_before_anything_is_written(store_url: str) -> None:
    app, _ = projected(store_url)
    head = app.head_position()
    set_format(app, CURRENT_FORMAT + 1)
    del app
    if store_url.startswith("sqlite"):
        path = Path(store_url.removeprefix("sqlite:///"))
        sql(store_url, "PRAGMA wal_checkpoint(TRUNCATE)")

        def state() -> object:
            return hashlib.sha256(path.read_bytes()).hexdigest()
    else:

        def state() -> object:  # every catalogue row a write would touch: the functions the owner's opening replaces, the tables
            return sql(store_url, "SELECT xmin::text, proname FROM pg_proc WHERE left(proname, 3) = 'cl_' ORDER BY proname"), sql(
                store_url, "SELECT relname, xmin::text FROM pg_class WHERE left(relname, 3) = 'cl_' ORDER BY relname"
            )

    before = state()
    for args in (("events",), ("verify",), ("import", str(ROOT / "fixtures" / "scenario.jsonl"))):
        refused = run_cli(store_url, *args)
        message = refused.stderr.decode()
        assert refused.returncode == 2, message
        assert message.count("\n") == 1 and "Traceback" not in message
        assert message.startswith(f"caseledger: this store is in store format {CURRENT_FORMAT + 1}, written by a newer caseledger;")
        assert state() == before
    with pytest.raises(NewerStore):
        open_application(store_url, payloads=False)
    assert sql(store_url, f"SELECT version FROM {FORMAT_TABLE}") == [(CURRENT_FORMAT + 1,)]
    assert sql(store_url, "SELECT COUNT(*) FROM stored_events") == [(head,)]


@pytest.mark.slow
def test_user_logins_read_a_format_table_made_after_init_roles(postgres_server: PostgresServer) -> None:
    """A store whose roles were set up before it recorded its format: the owner's next opening
    makes the table readable by the group roles, and writable by none of them."""
    store = staffed(postgres_server.create_database(f"t_{uuid.uuid4().hex[:12]}"))
    sql(store.url, f"DROP TABLE {FORMAT_TABLE}")
    assert recorded(open_application(store.url)) == [(1, CURRENT_FORMAT)]
    listed = store.cli("po.adams", "events", "--limit", "1")
    assert listed.returncode == 0, listed.stderr
    assert sql(store.url_for("po.adams"), f"SELECT version FROM {FORMAT_TABLE}") == [(CURRENT_FORMAT,)]
    for statement in (f"UPDATE {FORMAT_TABLE} SET version = 99", f"DELETE FROM {FORMAT_TABLE}", f"INSERT INTO {FORMAT_TABLE} VALUES (2, 99)"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql(store.url_for("po.adams"), statement)
