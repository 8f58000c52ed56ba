"""Issue #23, F15: an encrypted PostgreSQL store keeps the login that recorded each event in plain
text — the events table's ``recorded_by`` column, which the server's identity trigger fills and
checks (it cannot hold a key, so it cannot check a keyed pseudonym). This is named in
docs/security.md among what stays plain, with the advice to use opaque logins; the test shows it
is so: the scenario is imported into an encrypted store by a login of its own (``rec.hollis``),
the cluster is checkpointed, and the events table's data file holds that login in plain text
beside no offender id (which the payloads' encryption hides)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher
from psycopg import sql

from caseledger.application.imports import import_lines
from caseledger.domain.store.application import open_application
from tests.support.paths import ROOT, SCENARIO
from tests.support.postgres import PostgresServer

LOGIN = "rec.hollis"


def test_an_encrypted_postgresql_store_keeps_each_recorders_login_in_plain_text_as_documented(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASELEDGER_KEY_FILE", raising=False)
    monkeypatch.setenv("CASELEDGER_KEY", AESCipher.create_key(32))
    name = f"f15_{uuid.uuid4().hex[:8]}"
    with postgres_server.connect(autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (LOGIN,)).fetchone() is None:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(LOGIN), sql.Literal(postgres_server.password)))
        connection.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(LOGIN)))
    url = postgres_server.url(name).replace(f"//{postgres_server.user}:", f"//{LOGIN}:", 1)
    import_lines(open_application(url), SCENARIO.read_bytes().splitlines(), "importer")
    with postgres_server.connect(dbname=name, autocommit=True) as connection:
        connection.execute("CHECKPOINT")
        recorders = connection.execute("SELECT DISTINCT recorded_by FROM caseledger_events").fetchall()
        row = connection.execute("SELECT pg_relation_filepath('caseledger_events')").fetchone()
    assert recorders == [(LOGIN,)] and row is not None
    raw = (Path(postgres_server.base_dir) / "data" / str(row[0])).read_bytes()
    assert LOGIN.encode() in raw and b"off-001" not in raw

    plain = (ROOT / "docs" / "security.md").read_text().split("## Encryption at rest")[1].split("\n## ")[0]
    assert "**the login that recorded each event** (`recorded_by`" in plain and "opaque database logins" in plain
