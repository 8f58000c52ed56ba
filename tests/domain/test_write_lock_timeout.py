"""Issue #23, F8: a session holding a PostgreSQL store's write lock (``SELECT cl_lock_events()`` in
a transaction it leaves open) makes every writer wait — without a bound, each attempt waited the
lock timeout and was retried ten times. Now a writer waits ``CASELEDGER_LOCK_TIMEOUT`` seconds (60
unless set; 1 here) once, then fails in one line, exit 2, and records nothing: a single
recording (``admin grant``) and an import alike.

The holder is a real second connection, which keeps the lock until the writers have returned (so
no timing decides the outcome: a writer can only fail, or hang). The writers: an admin's own
login recording one event and importing a file (the bulk path), and the store's owner, whose
opening runs the store's DDL, which queues for the same lock.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from caseledger.application.imports import import_lines
from caseledger.cli.main import main
from caseledger.domain.store.application import open_application
from tests.support.paths import SCENARIO
from tests.support.people import Staffed

CLERK = "lock.clerk"
"""An admin's own database login (not the store's owner, whose every opening also runs the
store's DDL, which queues for the same lock)."""


@pytest.fixture
def store(postgres_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Staffed:
    """The scenario, and a second admin login, :data:`CLERK`."""
    monkeypatch.setenv("CASELEDGER_LOCK_TIMEOUT", "1")
    app = open_application(postgres_url)
    import_lines(app, SCENARIO.read_bytes().splitlines(), "importer")
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (CLERK,)).fetchone() is None:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(CLERK)))
    assert main(["--store", postgres_url, "admin", "init-roles", "--admin", CLERK]) == 0
    assert main(["--store", postgres_url, "admin", "grant", CLERK, "admin"]) == 0
    return Staffed(postgres_url, "postgres")


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    rc = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert (rc, out, len(lines)) == (2, "", 1), (rc, lines)
    return lines[0]


def test_a_writer_behind_a_held_write_lock_fails_in_one_line_and_records_nothing(store: Staffed, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    head = open_application(store.url).head_position()
    more = tmp_path / "more.jsonl"
    more.write_text('{"type": "RoleGranted", "occurred_at": "2026-03-20", "user": "aud.kim", "role": "auditor"}\n')
    clerk = store.url_for(CLERK)
    with psycopg.connect(store.url) as holder:
        holder.execute("SELECT cl_lock_events()")  # the transaction stays open: the lock is held
        line = refused(["--store", clerk, "admin", "grant", "aud.kim", "auditor"], capsys)
        assert line.startswith("caseledger: another session holds the store's write lock") and "CASELEDGER_LOCK_TIMEOUT" in line, line
        assert refused(["--store", clerk, "import", str(more)], capsys) == line  # the bulk path
        assert refused(["--store", store.url, "admin", "grant", "aud.kim", "auditor"], capsys) == line  # the owner: opening queues too
        holder.rollback()
    assert open_application(store.url).head_position() == head
    assert main(["--store", clerk, "admin", "grant", "aud.kim", "auditor"]) == 0  # the lock released, the same command records
    assert open_application(store.url).head_position() == head + 1


def test_the_lock_timeout_setting_is_whole_seconds(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], postgres_url: str) -> None:
    monkeypatch.setenv("CASELEDGER_LOCK_TIMEOUT", "soon")
    assert refused(["--store", postgres_url, "status"], capsys) == "caseledger: CASELEDGER_LOCK_TIMEOUT: a whole number of seconds from 1 to 3600, not 'soon'"
