"""One seeded store per backend for the whole session, copied for each tampering (a file copy on
SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), and the figures it exports untampered.

The seed, built through the command line and the application as people would:

1. the hand-checked scenario (72 events, fixtures/scenario.md), imported by its admin (SQLite:
   ``hq.admin``; PostgreSQL: the owner login), with po.chen made an officer linked to himself (on
   PostgreSQL his own database login, a member of ``caseledger_user``) — positions 1–74;
   the read models brought up to date. A copy of the store is kept here: **the older copy** a
   rollback restores;
2. then off-007's case assigned 56 times, to po.brown and back to po.adams (2026-03-19),
   through the application one command at a time, so the case passes version 50 and has an
   **aggregate snapshot**, and one add-on task of po.adams (clerical, 60 minutes, 2026-03-19);
   the read models brought up to date again. This is **the seeded store** every tampering starts from.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import msgspec
import psycopg
import pytest
from psycopg import sql

from caseledger.domain.store.application import open_application
from tests.support.commands import ScriptedService
from tests.support.forger import Forger
from tests.support.in_process import Client
from tests.support.paths import SCENARIO
from tests.support.postgres import PostgresServer

AS_OF = "2026-03-31"
"""Every export is as of this date (the scenario's quarter): figures that do not depend on today."""
EXPORTS = ("workload", "addon_burden")
"""The projections whose figures the contract compares: caseloads and hours; add-on minutes."""

Figures = dict[str, str]
"""Each projection's CSV (standard output of ``export NAME --as-of AS_OF``)."""

Backend = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class Seeded:
    """The seeded store of one backend, its older copy, and how to copy either for a test."""

    backend: Backend
    root: Path
    seeded: str
    older: str
    admin: str
    cache_key: Path
    seeded_figures: Figures
    older_figures: Figures
    server: PostgresServer | None

    def client(self, config: Path) -> Client:
        """The admin on a machine whose user config folder is ``config``, holding the cache key."""
        return Client(self.admin, config, {"CASELEDGER_CACHE_KEY_FILE": str(self.cache_key)})

    def copy(self, source: str, name: str) -> str:
        """A new store holding exactly what ``source`` holds (a new file, or a new database); its URL."""
        if self.server is None:
            target = self.root / f"{name}.db"
            restore_file(source, target)
            return f"sqlite:///{target}"
        return clone_database(self.server, source, name)

    def restore(self, source: str, over: str) -> None:
        """Put what ``source`` holds in place of the store ``over`` (same file or database name)."""
        if self.server is None:
            restore_file(source, Path(over.removeprefix("sqlite:///")))
            return
        name = over.rsplit("/", 1)[1]
        _drop(self.server, name)
        clone_database(self.server, source, name)


def restore_file(source: str, target: Path) -> None:
    """Copy the SQLite store ``source`` over ``target`` with SQLite's backup (its WAL included)."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(source.removeprefix("sqlite:///"))) as original, contextlib.closing(sqlite3.connect(target)) as copy:
        original.backup(copy)


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _drop(server: PostgresServer, name: str) -> None:
    with server.connect(autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def clone_database(server: PostgresServer, source: str, name: str) -> str:
    """``CREATE DATABASE name TEMPLATE source`` (the template may have no session open: any left is ended)."""
    with server.connect(autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (_database(source),))
        connection.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(_database(source))))
    return server.url(name)


def figures(client: Client, store: str) -> Figures:
    """The untampered figures of ``store``, exported by ``client`` (each export must succeed)."""
    exported = {}
    for projection in EXPORTS:
        done = client.run(store, "export", projection, "--as-of", AS_OF)
        assert done.returncode == 0 and done.stdout.count("\n") > 1, done.stderr
        exported[projection] = done.stdout
    return exported


def import_lines(client: Client, store: str, lines: list[dict[str, object]], folder: Path) -> None:
    path = folder / f"lines-{len(list(folder.glob('lines-*')))}.jsonl"
    path.write_bytes(b"".join(msgspec.json.encode(line) + b"\n" for line in lines))
    done = client.run(store, "import", str(path))
    assert done.returncode == 0, done.stderr


def _seed(backend: Backend, root: Path, server: PostgresServer | None) -> Seeded:
    root.mkdir(parents=True, exist_ok=True)
    if server is None:
        admin, first = "hq.admin", f"sqlite:///{root / 'first.db'}"
    else:
        admin, first = server.user, server.create_database("tamper_first")
    seeding = Client(admin, root / "seeding-config")
    done = seeding.run(first, "import", str(SCENARIO))  # the first use creates the cache key in the config folder
    assert done.returncode == 0, done.stderr
    cache_key = root / "cache-key"
    shutil.copyfile(root / "seeding-config" / "caseledger" / "cache-key", cache_key)
    client = Client(admin, root / "seeding-config", {"CASELEDGER_CACHE_KEY_FILE": str(cache_key)})
    if server is not None:
        with psycopg.connect(first, autocommit=True) as connection:
            if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = 'po.chen'").fetchone() is None:
                connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier("po.chen")))
        done = client.run(first, "admin", "init-roles", "--user", "po.chen")
        assert done.returncode == 0, done.stderr
    grants: list[dict[str, object]] = [
        {"type": "RoleGranted", "occurred_at": "2026-03-20", "user": "po.chen", "role": "officer"},
        {"type": "UserLinked", "occurred_at": "2026-03-20", "user": "po.chen", "officer": "po.chen"},
    ]
    import_lines(client, first, grants, root)
    older_figures = figures(client, first)
    with_older = Seeded(backend, root, first, first, admin, cache_key, {}, older_figures, server)
    older = with_older.copy(first, "tamper_older")

    with client.environment():
        service = ScriptedService(open_application(first), admin)
        for index in range(56):
            service.assign_case("off-007", ("po.brown", "po.adams")[index % 2], occurred_at="2026-03-19")
        service.log_addon_task("po.adams", "clerical", 60, occurred_at="2026-03-19")
    seeded_figures = figures(client, first)
    assert seeded_figures != older_figures
    assert Forger(first).sql(f"SELECT COUNT(*) FROM {'caseledger_snapshots' if server else 'stored_snapshots'}") != [(0,)]
    seeded = with_older.copy(first, "tamper_seeded")
    return Seeded(backend, root, seeded, older, admin, cache_key, seeded_figures, older_figures, server)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The seeded store of each backend (built once a session)."""
    backend: Backend = request.param
    server: PostgresServer | None = request.getfixturevalue("postgres_server") if backend == "postgresql" else None
    yield _seed(backend, tmp_path_factory.mktemp(f"tamper-{backend}"), server)
