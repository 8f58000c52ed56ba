"""Issue #11 on PostgreSQL: the database, not the program, proves who recorded an event and refuses
what a user login may not do — tried with ``psql``-level SQL as an insider would.

Logins (tests/support/people.py): po.adams and po.chen (officers), clerk (an admin login made a
member of caseledger_admin), projector (member of caseledger_projector); the owner created the
store and ran ``caseledger admin init-roles``.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import msgspec
import psycopg
import pytest
from psycopg import sql

from caseledger.application.commands import LedgerService
from caseledger.domain.events import catalogue as p
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import read_log
from tests.support.paths import ROOT
from tests.support.people import Staffed, staffed
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.slow  # every test here starts processes

EVENTS = "caseledger_events"


@pytest.fixture(scope="module")
def store(postgres_server: PostgresServer) -> Iterator[Staffed]:
    url = postgres_server.create_database("database_roles")
    people = staffed(url)
    with psycopg.connect(url, autocommit=True) as connection:
        for login in ("clerk", "projector"):
            if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone() is None:
                connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
    done = people.cli(people.admin, "admin", "init-roles", "--admin", "clerk", "--projector", "projector")
    assert done.returncode == 0, done.stderr
    assert people.cli(people.admin, "admin", "grant", "clerk", "admin").returncode == 0
    yield people


def connect(store: Staffed, login: str) -> psycopg.Connection:
    return psycopg.connect(store.url_for(login), autocommit=True)


def newest(store: Staffed, count: int) -> list[tuple[str, str | None]]:
    """(recorded_by, entered_by) of the newest ``count`` events."""
    events = list(read_log(open_application(store.url)))[-count:]
    return [(event.envelope.recorded_by, event.envelope.entered_by) for event in events]


def test_each_login_records_under_its_own_name_whatever_the_client_says(store: Staffed) -> None:
    store.service("po.adams").record(p.AddOnTaskLogged(officer="po.adams", category="clerical", minutes=10), "2026-03-20")
    impostor = open_application(store.url_for("po.chen"))
    LedgerService(impostor, "po.adams").record(p.AddOnTaskLogged(officer="po.chen", category="clerical", minutes=11), "2026-03-20")
    assert newest(store, 2) == [("po.adams", None), ("po.chen", None)]

    own = open_application(store.url_for("po.chen")).head_position()
    retracted = store.cli("po.chen", "--user", "po.adams", "retract", str(own), "--reason", "typo", env={"CASELEDGER_USER": "po.adams"})
    assert retracted.returncode == 0, retracted.stderr
    line = b'{"type":"AddOnTaskLogged","occurred_at":"2026-03-20","officer":"po.adams","category":"travel_logistics","minutes":30,"by":"po.adams","recorded_by":"po.adams"}\n'
    imported = store.cli("clerk", "import", "-", stdin=line, env={"CASELEDGER_USER": "po.adams"})
    assert imported.returncode == 0, imported.stderr
    assert newest(store, 2) == [("po.chen", None), ("clerk", "po.adams")]


def insert(connection: psycopg.Connection, columns: str, values: str, params: tuple[object, ...] = ()) -> None:
    connection.execute(sql.SQL(f"INSERT INTO {{}} ({columns}) VALUES ({values})").format(sql.Identifier(EVENTS)), params)


def test_a_row_inserted_by_hand_cannot_name_another_recorder_or_make_its_author_an_admin(store: Staffed) -> None:
    """An insider writes SQL: naming another recorder, choosing a position, an event type the
    catalogue lacks, a role granted to themselves, a temporary ``pg_class`` to pass for the owner
    — each refused by the database. Naming another only inside the event's state (which the
    database cannot read: it may be encrypted) is overruled by the column on reading."""
    store.service("po.adams").record(p.AddOnTaskLogged(officer="po.adams", category="clerical", minutes=12), "2026-03-20")
    with connect(store, store.admin) as owner:
        state = owner.execute(
            sql.SQL("SELECT state FROM {} WHERE recorded_by = 'po.adams' ORDER BY notification_id DESC LIMIT 1").format(sql.Identifier(EVENTS))
        ).fetchone()
        grant = owner.execute(sql.SQL("SELECT state FROM {} WHERE topic = 'RoleGranted' LIMIT 1").format(sql.Identifier(EVENTS))).fetchone()
    assert state is not None and grant is not None
    uuid = "gen_random_uuid(), 1"
    with connect(store, "po.chen") as chen:
        for columns, values, params in (
            ("originator_id, originator_version, topic, state, recorded_by", f"{uuid}, 'AddOnTaskLogged', %s, 'po.adams'", (state[0],)),
            ("originator_id, originator_version, topic, state, notification_id", f"{uuid}, 'AddOnTaskLogged', %s, 1", (state[0],)),
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table caseledger_events"):
                insert(chen, columns, values, params)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=r"a chain row names no event \(position 99999\)"):
            chen.execute("INSERT INTO cl_chain SELECT g, '\\x00', '\\x00' FROM generate_series(99999, 100010) AS g")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="no event type Garbage"):
            insert(chen, "originator_id, originator_version, topic, state", f"{uuid}, 'Garbage', 'x'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=r"only an admin login \(a member of caseledger_admin\) records RoleGranted"):
            insert(chen, "originator_id, originator_version, topic, state", f"{uuid}, 'RoleGranted', %s", (grant[0],))
        chen.execute("CREATE TEMP TABLE pg_class (oid oid, relowner oid)")
        chen.execute("INSERT INTO pg_class VALUES ('public.caseledger_events'::regclass, (SELECT oid FROM pg_roles WHERE rolname = session_user))")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=r"only an admin login \(a member of caseledger_admin\) records RoleGranted"):
            insert(chen, "originator_id, originator_version, topic, state", f"{uuid}, 'RoleGranted', %s", (grant[0],))
        assert msgspec.json.decode(bytes(state[0]))["recorded_by"] == "po.adams"  # the state says po.adams …
        insert(chen, "originator_id, originator_version, topic, state", f"{uuid}, 'AddOnTaskLogged', %s", (state[0],))
    assert newest(store, 1)[0][0] == "po.chen"  # … the log says who inserted it
    inserted = store.head()
    verdict = store.cli("auditor", "verify")
    assert verdict.returncode == 1 and verdict.stdout.startswith(f"BROKEN at position {inserted}".encode())  # and it has no chain row


def test_only_the_owner_moves_a_store_with_other_logins_names(store: Staffed) -> None:
    """clerk is an admin (a member of caseledger_admin, granted the admin role) but not the owner."""
    line = b'{"type":"AddOnTaskLogged","occurred_at":"2026-03-20","recorded_at":"2099-01-01T00:00:00+00:00","officer":"po.adams","category":"clerical","minutes":5,"recorded_by":"po.adams"}\n'
    before = store.head()
    refused = store.cli("clerk", "import", "--keep-recorded", "-", stdin=line)
    assert refused.returncode == 2
    assert refused.stderr.decode().startswith("caseledger: refused: only the store's owner (postgres) keeps other logins' names")
    assert store.head() == before


@pytest.mark.parametrize("login", ["po.adams", "projector"])
def test_a_user_login_changes_no_event_and_no_cache(store: Staffed, login: str) -> None:
    """UPDATE and DELETE on the events, the chain, the Merkle log's leaves and nodes, the key
    fingerprints, the store's format, the snapshots and every read model: refused by the database (the projector may write the caches,
    nothing else)."""
    with connect(store, store.admin) as owner:
        tables = [name for (name,) in owner.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").fetchall()]
        count = owner.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(EVENTS))).fetchone()
    kept = (EVENTS, "cl_chain", "cl_store_key", "cl_format", "cl_tree_leaves", "cl_tree_nodes")
    assert {*kept, "caseledger_snapshots", "cl_tracking", "cl_seals", "cl_timeline", "cl_addons"} <= set(tables)
    caches = {name for name in tables if name not in kept}
    for table in tables:
        may_write = login == "projector" and table in caches
        for statement in ("UPDATE {} SET {} = {}", "DELETE FROM {} WHERE {} = {}"):
            with connect(store, login) as connection:
                column = connection.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position LIMIT 1", (table,)
                ).fetchone()
                assert column is not None
                query = sql.SQL(statement).format(sql.Identifier(table), sql.Identifier(column[0]), sql.Identifier(column[0]))
                if may_write:
                    with connection.transaction(force_rollback=True):
                        connection.execute(query)
                    continue
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    connection.execute(query)
    with connect(store, store.admin) as owner:
        assert owner.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(EVENTS))).fetchone() == count


def test_the_projector_writes_the_read_models_but_no_event(store: Staffed) -> None:
    with connect(store, "projector") as projector, pytest.raises(psycopg.errors.InsufficientPrivilege):
        projector.execute(
            sql.SQL("INSERT INTO {} (originator_id, originator_version, topic, state) VALUES (gen_random_uuid(), 1, 'x', '')").format(sql.Identifier(EVENTS))
        )
    store.service("po.adams").record(p.AddOnTaskLogged(officer="po.adams", category="vehicle_maintenance", minutes=40), "2026-03-20")
    head = store.head()
    refused = store.cli("po.adams", "project")
    assert refused.returncode == 2 and b"only the store's owner or a member of caseledger_projector" in refused.stderr
    done = store.cli("projector", "project")
    assert done.returncode == 0, done.stderr
    assert f"read models at position {head}".encode() in done.stderr


INTERRUPTIBLE = (
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.executable, [sys.executable, *sys.argv[1:]])",
)
"""Python, started with Ctrl+C (SIGINT) stopping it as in a terminal, even when the tests run as a
background job: a shell starts those with SIGINT ignored, a child inherits that, and Python then
never raises KeyboardInterrupt (the follower would outlive the test)."""


def test_the_projector_follows_the_log(store: Staffed) -> None:
    """``project --follow`` as the projector login: an officer's new event reaches the read models
    without anyone asking (the officer's own login cannot write them)."""
    follower = subprocess.Popen(
        [*INTERRUPTIBLE, "-m", "caseledger.cli.main", "--store", store.url_for("projector"), "project", "--follow", "--interval", "0.2"],
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert follower.stderr is not None
        assert follower.stderr.readline().startswith(b"read models at position ")
        position = store.service("po.adams").record(p.AddOnTaskLogged(officer="po.adams", category="clerical", minutes=7), "2026-03-20")
        assert follower.stderr.readline().decode().strip() == f"read models at position {position}"
    finally:
        follower.send_signal(signal.SIGINT)
        assert follower.wait(timeout=30) == 130
