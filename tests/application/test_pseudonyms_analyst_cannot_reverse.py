"""Issue #23 point 8, F14: pseudonyms an analyst cannot reverse.

The review re-identified every offender of a de-identified export because the pseudonym key was
derived from the cache key, which every reader holds, and offender ids have a guessable format
(``off-001`` …): HMACs over ``off-000`` to ``off-999`` under the derived key matched every
pseudonym. The pseudonym key now has a file of its own, read only where pseudonyms are computed.

The working, for the scenario (fixtures/scenario.jsonl: offenders off-001 to off-007, every one
of them in the ``deadlines`` export as of 2026-03-20): 1,000 candidate ids under each key an
analyst's process holds — the cache key itself, and the key the old derivation made from it
(keyed BLAKE2b, label ``caseledger pseudonyms``, 32 bytes) — give 2,000 HMACs; none may be a
pseudonym of the export. Under the pseudonym key file's key the same 1,000 give all 7 (so the
candidates would re-identify with the right key: the test can fail).

Run in-process (``main([...])``) on both stores, but the PostgreSQL logins' test, which makes
logins and roles through the command line.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import sqlite3
from pathlib import Path

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from psycopg import sql

from caseledger.cli.main import main
from caseledger.domain.secrets.keys import cache_key
from caseledger.domain.store.application import open_application
from caseledger.projections.readmodels.pseudonyms import pseudonym
from tests.support.paths import ROOT
from tests.support.people import staffed
from tests.support.postgres import PostgresServer

SCENARIO = ROOT / "fixtures" / "scenario.jsonl"
SCENARIO_OFFENDERS = {f"off-00{n}" for n in range(1, 8)}
CANDIDATES = [f"off-{n:03d}" for n in range(1000)]
"""Every id of the scenario's guessable format."""
EXPORT = ["export", "deadlines", "--as-of", "2026-03-20", "--format", "jsonl", "--force"]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user config folder of the test's own (the cache and pseudonym keys go there), one login."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("LOGNAME", "clerk")
    for name in ("CASELEDGER_PSEUDONYM_KEY_FILE", "CASELEDGER_CACHE_KEY_FILE", "CASELEDGER_KEY", "CASELEDGER_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "config" / "caseledger"


def _hmac_pseudonym(key: bytes, offender: str) -> str:
    """A pseudonym as the export writes them (``p-`` and 20 hex digits of HMAC-SHA256), written out
    here rather than taken from the code under test."""
    return "p-" + hmac.new(key, offender.encode(), hashlib.sha256).hexdigest()[:20]


def _old_derivation(key: bytes) -> bytes:
    """The pseudonym key as caseledger derived it from the cache key before this fix."""
    return hashlib.blake2b(b"caseledger pseudonyms", key=key[:64], digest_size=32).digest()


def _imported(url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--store", url, "import", str(SCENARIO)]) == 0
    capsys.readouterr()
    return url


def _exported(url: str, out: Path, capsys: pytest.CaptureFixture[str], *options: str) -> list[str]:
    """The offender column of a de-identified export, row by row."""
    assert main(["--store", url, *EXPORT, "-o", str(out), *options]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return [json.loads(line)["offender"] for line in out.read_text().splitlines()]


def _reproduced(keys: list[bytes], exported: set[str]) -> set[str]:
    return {_hmac_pseudonym(key, candidate) for key in keys for candidate in CANDIDATES} & exported


def _key_in(path: Path) -> bytes:
    return base64.b64decode(path.read_bytes().strip())


def test_an_analysts_keys_reproduce_no_pseudonym_and_pseudonyms_are_stable(
    store_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _imported(store_url, capsys)
    first = _exported(url, tmp_path / "first.jsonl", capsys)
    exported = set(first)
    assert len(exported) == len(SCENARIO_OFFENDERS) and all(re.fullmatch(r"p-[0-9a-f]{20}", name) for name in exported)
    assert not exported & SCENARIO_OFFENDERS

    held = cache_key(None)  # what every reader's process holds: the cache key
    assert _reproduced([held, _old_derivation(held)], exported) == set()

    assert _reproduced([_key_in(config / "pseudonym-key")], exported) == exported  # the right key would
    assert _exported(url, tmp_path / "second.jsonl", capsys) == first  # stable: exports join on pseudonyms


def test_on_an_encrypted_store_neither_the_store_key_nor_what_it_derives_reproduces_a_pseudonym(
    store_url: str, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The pseudonym key is not derived from the store key, which every user of an encrypted store holds."""
    store_key = base64.b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setenv("CASELEDGER_KEY", store_key)
    url = _imported(store_url, capsys)
    exported = set(_exported(url, tmp_path / "out.jsonl", capsys))
    assert len(exported) == len(SCENARIO_OFFENDERS)
    held = cache_key(store_key)  # derived from the store key
    assert _reproduced([base64.b64decode(store_key), held, _old_derivation(held)], exported) == set()
    assert _reproduced([_key_in(config / "pseudonym-key")], exported) == exported


def test_the_pseudonym_key_file_is_private_and_never_in_the_database(store_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _imported(store_url, capsys)
    _exported(url, tmp_path / "out.jsonl", capsys)
    path = config / "pseudonym-key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert config.stat().st_mode & 0o777 == 0o700
    key = _key_in(path)
    assert len(key) == 32
    forms = [key, key.hex().encode(), path.read_bytes().strip()]
    if url.startswith("sqlite"):
        stored = b"".join(
            Path(url.removeprefix("sqlite:///") + suffix).read_bytes() for suffix in ("", "-wal") if Path(url.removeprefix("sqlite:///") + suffix).exists()
        )
    else:
        with psycopg.connect(url) as connection:
            tables = [name for (name,) in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
            stored = b"".join(
                str(row[0]).encode()
                for table in tables
                for row in connection.execute(sql.SQL("SELECT t::text FROM {} t").format(sql.Identifier(table))).fetchall()
            )
    assert b"off-001" in stored  # the scan reads the rows
    assert not [form for form in forms if form in stored]


def test_a_second_process_with_another_pseudonym_key_is_refused_in_one_line(
    store_url: str, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _imported(store_url, capsys)
    before = _exported(url, tmp_path / "before.jsonl", capsys)
    head = open_application(url, payloads=False).head_position()

    other = tmp_path / "other-pseudonym-key"
    other.write_bytes(base64.b64encode(secrets.token_bytes(32)) + b"\n")
    monkeypatch.setenv("CASELEDGER_PSEUDONYM_KEY_FILE", str(other))
    new_offender = tmp_path / "admitted.jsonl"
    new_offender.write_text(SCENARIO.read_text().splitlines()[10].replace("off-001", "off-900") + "\n")
    out = tmp_path / "refused.jsonl"
    for args in (["import", str(new_offender)], [*EXPORT, "-o", str(out)]):
        assert main(["--store", url, *args]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert err.startswith("caseledger: CASELEDGER_PSEUDONYM_KEY_FILE: this store's pseudonyms are made with another pseudonym key"), err
    assert open_application(url, payloads=False).head_position() == head  # nothing recorded
    assert not out.exists()

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))  # no pseudonym key file at all, the store's cache key
    monkeypatch.setenv("CASELEDGER_CACHE_KEY_FILE", str(config / "cache-key"))
    monkeypatch.delenv("CASELEDGER_PSEUDONYM_KEY_FILE")
    assert main(["--store", url, "import", str(new_offender)]) == 0  # recording needs no pseudonym key
    capsys.readouterr()
    assert main(["--store", url, *EXPORT, "-o", str(out)]) == 2  # off-900 has no pseudonym: no other key made one
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no pseudonym yet" in err and "CASELEDGER_PSEUDONYM_KEY_FILE" in err, err
    assert not out.exists()
    assert not (tmp_path / "elsewhere" / "caseledger" / "pseudonym-key").exists()  # none made that the store would refuse

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CASELEDGER_CACHE_KEY_FILE")
    after = _exported(url, tmp_path / "after.jsonl", capsys)  # the store's key computes off-900's, the others stay
    assert set(before) < set(after) and len(set(after)) == len(set(before)) + 1


def test_an_edited_pseudonym_is_never_exported_and_a_rebuild_keeps_them(
    store_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """An insider sets off-001's pseudonym to another offender's (so two offenders would merge; never
    its own, which would change nothing — the pseudonyms are random per store, so the highest may be off-001's):
    the row fails its MAC, the export says so and is made from pseudonyms computed again — the
    same ones. A rebuild (``caseledger rebuild``) empties them with the timeline; the next
    catch-up computes the same ones again under the same key."""
    url = _imported(store_url, capsys)
    before = _exported(url, tmp_path / "before.jsonl", capsys)
    forged = "UPDATE cl_pseudonyms SET pseudonym = (SELECT MAX(pseudonym) FROM cl_pseudonyms WHERE offender <> 'off-001') WHERE offender = 'off-001'"
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            assert connection.execute(forged).rowcount == 1
    else:
        with psycopg.connect(url) as connection:
            assert connection.execute(forged).rowcount == 1
    assert main(["--store", url, *EXPORT, "-o", str(tmp_path / "after.jsonl")]) == 0
    assert "read model cl_pseudonyms: the row at offender 'off-001' fails its MAC" in caplog.text  # the warning, on stderr in a terminal
    assert [json.loads(line)["offender"] for line in (tmp_path / "after.jsonl").read_text().splitlines()] == before

    assert main(["--store", url, "rebuild"]) == 0
    capsys.readouterr()
    assert _exported(url, tmp_path / "rebuilt.jsonl", capsys) == before


@pytest.mark.slow
def test_on_postgresql_an_analyst_login_exports_pseudonyms_it_holds_no_key_for(
    postgres_server: PostgresServer, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The owner computes the pseudonyms as it catches up (it holds the key); the analyst's process
    has the cache key alone and no pseudonym key file, yet exports the same pseudonyms, and cannot
    reproduce them. What its login can still do by hand (read ``cl_pseudonyms``) is the residual
    risk docs/security.md names; it cannot write them."""
    store = staffed(postgres_server.create_database("pseudonyms_by_login"))
    by_owner = _exported(store.url, tmp_path / "owner.jsonl", capsys)
    assert (config / "pseudonym-key").exists()

    analyst_config = tmp_path / "analyst"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(analyst_config))
    monkeypatch.setenv("CASELEDGER_CACHE_KEY_FILE", str(config / "cache-key"))
    monkeypatch.setenv("CASELEDGER_PSEUDONYM_KEY_FILE", str(tmp_path / "no-such-file"))  # never read
    by_analyst = _exported(store.url_for("analyst"), tmp_path / "analyst.jsonl", capsys)
    assert by_analyst == by_owner
    assert not (tmp_path / "no-such-file").exists() and not (analyst_config / "caseledger" / "pseudonym-key").exists()
    held = base64.b64decode((config / "cache-key").read_bytes().strip())
    assert _reproduced([held, _old_derivation(held)], set(by_analyst)) == set()

    with psycopg.connect(store.url_for("analyst")) as connection:
        assert connection.execute("SELECT count(*) FROM cl_pseudonyms").fetchone() == (len(SCENARIO_OFFENDERS),)  # the residual risk, as documented
    with psycopg.connect(store.url_for("analyst")) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute("UPDATE cl_pseudonyms SET pseudonym = 'p-0'")


@pytest.mark.slow
def test_on_postgresql_the_projector_login_is_refused_with_another_key_and_records_only_its_own_row(
    postgres_server: PostgresServer, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = staffed(postgres_server.create_database("pseudonyms_projector"))
    with psycopg.connect(store.url, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = 'projector.one'").fetchone() is None:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier("projector.one")))
    assert store.cli(store.admin, "admin", "init-roles", "--projector", "projector.one").returncode == 0
    assert store.cli("projector.one", "project").returncode == 0  # the store's key, shared with it

    other = tmp_path / "other-pseudonym-key"
    other.write_bytes(base64.b64encode(secrets.token_bytes(32)) + b"\n")
    refused = store.cli("projector.one", "project", env={"CASELEDGER_PSEUDONYM_KEY_FILE": str(other)})
    assert refused.returncode == 2
    assert refused.stderr.count(b"\n") == 1 and b"CASELEDGER_PSEUDONYM_KEY_FILE: this store's pseudonyms are made with another" in refused.stderr

    with psycopg.connect(store.url_for("projector.one")) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute("INSERT INTO cl_store_key VALUES (7, 'a fingerprint of its choosing')")


@given(st.binary(min_size=16, max_size=64), st.lists(st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True), min_size=2, max_size=20, unique=True))
def test_the_pseudonym_mapping_is_a_keyed_one_to_one_function_of_the_id(key: bytes, offenders: list[str]) -> None:
    names = [pseudonym(key, offender) for offender in offenders]
    assert names == [_hmac_pseudonym(key, offender) for offender in offenders]
    assert len(set(names)) == len(names)  # 80 bits: a collision among 20 ids is out of reach
    assert all(re.fullmatch(r"p-[0-9a-f]{20}", name) for name in names)
    assert [pseudonym(bytes(reversed(key)) + b"!", offender) for offender in offenders] != names
