"""The exit-code contract (issue #10, point 6): bad input exits 2 with one line naming what was
wrong — never a traceback — and leaves the store as it was (the same verified head and count).
Each case here was found by an adversarial review; both stores where the store is involved."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from tests.support.paths import ROOT, SCENARIO
from tests.support.tampering import truncate_tail


def caseledger(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "caseledger.cli.main", "--store", url, *args],
        capture_output=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "CASELEDGER_USER": "auditor", **(env or {})},
        timeout=300,
    )


def verified(url: str) -> bytes:
    done = caseledger(url, "verify")
    assert done.returncode == 0, done.stderr
    return done.stdout


def refused(done: subprocess.CompletedProcess[bytes], message: str) -> None:
    lines = done.stderr.decode().strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert lines == [f"caseledger: {message}"] or (len(lines) == 1 and message in lines[0]), lines
    assert b"Traceback" not in done.stderr


def cases(tmp_path: Path) -> list[tuple[tuple[str, ...], str, dict[str, str]]]:
    """(arguments, the message's text, extra environment) for each case."""
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "not-a-key.pem").write_text("not a pem\n")
    (tmp_path / "deep.toml").write_text('name = "deep"\na = ' + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "huge.jsonl").write_text('{"type":"EventRetracted","occurred_at":"2026-03-19","by":"auditor","position":1180591620717411303424,"reason":"x"}\n')
    missing = str(tmp_path / "missing" / "out.csv")
    return [
        (("export", "workload", "--output", missing), f"--output: no folder '{tmp_path / 'missing'}' to write 'out.csv' in", {}),
        (("export", "workload", "--output", str(tmp_path / "a-folder")), f"--output: {tmp_path / 'a-folder'} is a folder; name a file in it", {}),
        (("checkpoint", "--output", missing), f"--output: no folder '{tmp_path / 'missing'}' to write 'out.csv' in", {}),
        (("verify", "--public-key", str(tmp_path / "not-a-key.pem")), "--public-key: pins the key a checkpoint is signed with: give --checkpoint FILE too", {}),
        (("retract", "99999999999999999999999", "--reason", "x"), "POSITION: 99999999999999999999999 is not a log position", {}),
        (("import", str(tmp_path / "huge.jsonl")), "line 1: position: Expected `int` <= 9223372036854775807", {}),
        (
            ("export", "workload", "--as-of", "9999-12-31T23:59:59-12:00"),
            "--as-of: '9999-12-31T23:59:59-12:00' is outside the years 1–9999 once taken to UTC",
            {},
        ),
        (("export", "workload", "--rules", str(tmp_path / "deep.toml")), f"{tmp_path / 'deep.toml'}: not a rules file: nested too deeply", {}),
        (("events",), "CASELEDGER_KEY: not an AES key (base64 of 16, 24 or 32 bytes, as AESCipher.create_key makes it)", {"CASELEDGER_KEY": "notbase64"}),
        (("events", "--type", "Bogus"), "--type: no event type 'Bogus'; choose from", {}),
        (("events", "--limit", "-1"), "--limit: must be 0 or more, not -1", {}),
    ]


def test_bad_input_exits_2_in_one_line_and_changes_nothing(store_url: str, tmp_path: Path) -> None:
    assert caseledger(store_url, "import", str(SCENARIO)).returncode == 0
    before = verified(store_url)
    for args, message, env in cases(tmp_path):
        refused(caseledger(store_url, *args, env=env), message)
        assert verified(store_url) == before, args
    assert not (tmp_path / "missing").exists()


def test_a_checkpoint_pinned_to_a_file_that_is_not_a_key_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    assert caseledger(sqlite_url, "import", str(SCENARIO)).returncode == 0
    checkpoint, key = tmp_path / "checkpoint.json", tmp_path / "signing.pem"
    assert caseledger(sqlite_url, "checkpoint", "--key", str(key), "--output", str(checkpoint)).returncode == 0
    (tmp_path / "not-a-key.pem").write_text("not a pem\n")
    refused(caseledger(sqlite_url, "verify", "--checkpoint", str(checkpoint), "--public-key", str(tmp_path / "not-a-key.pem")), "not a PEM Ed25519 key")
    refused(caseledger(sqlite_url, "verify", "--checkpoint", str(checkpoint), "--public-key", str(tmp_path / "absent.pem")), "--public-key: no file")
    assert caseledger(sqlite_url, "verify", "--checkpoint", str(checkpoint), "--public-key", str(key)).returncode == 0


@pytest.mark.parametrize("command", [("verify",), ("events",), ("status",), ("export", "workload"), ("history", "off-001")])
def test_reading_a_mistyped_store_path_refuses_and_creates_nothing(tmp_path: Path, command: tuple[str, ...]) -> None:
    path = tmp_path / "mistyped.db"
    refused(caseledger(f"sqlite:///{path}", *command), f"no store at '{path}': check --store (import or demo creates one)")
    assert not path.exists()


def test_files_it_creates_are_the_users_alone(tmp_path: Path) -> None:
    """Under a permissive umask (022) the store, its journal files and an export are still 0600."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    previous = os.umask(0o022)
    try:
        assert caseledger(url, "import", str(SCENARIO)).returncode == 0
        assert caseledger(url, "export", "transfers", "--output", str(tmp_path / "transfers.csv")).returncode == 0
    finally:
        os.umask(previous)
    for path in [tmp_path / "store.db", tmp_path / "transfers.csv"]:
        assert path.stat().st_mode & 0o777 == 0o600, (path, oct(path.stat().st_mode))


def test_a_postgresql_store_that_cannot_be_reached_is_one_line_and_its_password_is_never_printed(postgres_url: str) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    refused(caseledger(f"postgresql://u:s3cret@127.0.0.1:{closed}/db", "status"), f"cannot open the PostgreSQL store at 127.0.0.1:{closed}/db:")
    done = caseledger("postgresql://u:s3cret@127.0.0.1:99999/db", "status")
    refused(done, "'postgresql://u:***@127.0.0.1:99999/db': the port must be a number from 1 to 65535")
    with_password = postgres_url.replace("postgresql://postgres@", "postgresql://postgres:postgres@") if ":postgres@" not in postgres_url else postgres_url
    assert caseledger(with_password, "import", str(SCENARIO)).returncode == 0
    status = caseledger(with_password, "status")
    assert status.returncode == 0 and b":postgres@" not in status.stdout and b":***@" in status.stdout


def test_a_note_cannot_rewrite_the_terminal_and_a_rules_file_cannot_forge_provenance(sqlite_url: str, tmp_path: Path) -> None:
    """``history`` prints a note's escape sequence as ``\\x1b`` text (it erased the line and drew a
    forged one); a rules file whose name holds a newline, or takes a built-in name, is refused."""
    task = '{"type":"AddOnTaskLogged","occurred_at":"2026-03-19","by":"po.brown","officer":"po.brown","category":"clerical","minutes":45}'
    admitted = (
        '{"type":"OffenderAdmitted","occurred_at":"2026-03-19","by":"hq","note":"x\\u001b[2K\\rforged line","offender":"off-900","site":"on-hyb",'
        '"security_level":"medium","sentence_start":"2025-01-01","statutory_release":"2027-01-01","warrant_expiry":"2028-01-01"}'
    )
    lines = tmp_path / "more.jsonl"
    lines.write_text(task + "\n" + admitted + "\n")
    assert caseledger(sqlite_url, "import", str(SCENARIO)).returncode == 0
    assert caseledger(sqlite_url, "import", str(lines)).returncode == 0, caseledger(sqlite_url, "import", str(lines)).stderr
    history = caseledger(sqlite_url, "history", "off-900")
    assert history.returncode == 0 and b"\x1b" not in history.stdout and b"\r" not in history.stdout
    assert b"x\\x1b[2K\\rforged line" in history.stdout
    current = (ROOT / "projections" / "rules" / "current.toml").read_text()
    for name, message in (('"evil\\n# caseledger export: rules=current"', "- at `$.name`"), ('"current"', "is a built-in rule set's name")):
        forged = tmp_path / "forged.toml"
        forged.write_text(current.replace('name = "current"', f"name = {name}", 1))
        refused(caseledger(sqlite_url, "export", "workload", "--rules", str(forged)), message)


def test_status_names_read_models_ahead_of_a_cut_log_and_exports_carry_the_chain_head(sqlite_url: str, tmp_path: Path) -> None:
    """After the log's tail is cut (events and their chain rows), the read models still hold
    them: status reported lag 0 as if all were well. It now says which read model is ahead and
    by how much. An export's provenance names the chain head of the position it reflects, so a
    reader can check it against ``verify`` or a signed checkpoint."""
    assert caseledger(sqlite_url, "import", str(SCENARIO)).returncode == 0
    head = verified(sqlite_url).split()[-1].decode()
    export = tmp_path / "transfers.jsonl"
    assert caseledger(sqlite_url, "export", "transfers", "--format", "jsonl", "--output", str(export)).returncode == 0
    meta = msgspec.json.decode(export.read_bytes().splitlines()[0])["meta"]
    assert (meta["log_position"], meta["chain_head"]) == (72, head)
    truncate_tail(sqlite_url, 70)
    status = caseledger(sqlite_url, "status")
    assert status.returncode == 0
    assert b"WARNING: timeline is 2 positions AHEAD of the log" in status.stdout and b"WARNING: addons is 2 positions AHEAD of the log" in status.stdout
