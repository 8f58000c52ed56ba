"""The exit-code contract (issue #10, point 6): bad input exits 2 with one line naming what was
wrong — never a traceback — and leaves the store as it was (the same verified head and count).
Each case here was found by an adversarial review; both stores where the store is involved."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import msgspec
import pytest

from tests.support.cli import refused, run_cli, verified
from tests.support.paths import ROOT, SCENARIO
from tests.support.postgres import throwaway_cluster
from tests.support.tampering import sql, truncate_tail

pytestmark = pytest.mark.slow  # every test here starts processes


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
    assert run_cli(store_url, "import", str(SCENARIO)).returncode == 0
    before = verified(store_url)
    for args, message, env in cases(tmp_path):
        refused(run_cli(store_url, *args, env=env), message)
        assert verified(store_url) == before, args
    assert not (tmp_path / "missing").exists()


def test_a_checkpoint_pinned_to_a_file_that_is_not_a_key_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    assert run_cli(sqlite_url, "import", str(SCENARIO)).returncode == 0
    checkpoint, key = tmp_path / "checkpoint.json", tmp_path / "signing.pem"
    assert run_cli(sqlite_url, "checkpoint", "--key", str(key), "--output", str(checkpoint)).returncode == 0
    (tmp_path / "not-a-key.pem").write_text("not a pem\n")
    refused(run_cli(sqlite_url, "verify", "--checkpoint", str(checkpoint), "--public-key", str(tmp_path / "not-a-key.pem")), "not a PEM Ed25519 key")
    refused(run_cli(sqlite_url, "verify", "--checkpoint", str(checkpoint), "--public-key", str(tmp_path / "absent.pem")), "--public-key: no file")
    assert run_cli(sqlite_url, "verify", "--checkpoint", str(checkpoint), "--public-key", str(key)).returncode == 0


@pytest.mark.parametrize("command", [("verify",), ("events",), ("status",), ("export", "workload"), ("history", "off-001")])
def test_reading_a_mistyped_store_path_refuses_and_creates_nothing(tmp_path: Path, command: tuple[str, ...]) -> None:
    path = tmp_path / "mistyped.db"
    refused(run_cli(f"sqlite:///{path}", *command), f"no store at '{path}': check --store (import or demo creates one)")
    assert not path.exists()


def test_files_it_creates_are_the_users_alone(tmp_path: Path) -> None:
    """Under a permissive umask (022) the store, its journal files and an export are still 0600."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    previous = os.umask(0o022)
    try:
        assert run_cli(url, "import", str(SCENARIO)).returncode == 0
        assert run_cli(url, "export", "transfers", "--output", str(tmp_path / "transfers.csv")).returncode == 0
    finally:
        os.umask(previous)
    for path in [tmp_path / "store.db", tmp_path / "transfers.csv"]:
        assert path.stat().st_mode & 0o777 == 0o600, (path, oct(path.stat().st_mode))


def test_a_postgresql_store_that_cannot_be_reached_is_one_line_and_its_password_is_never_printed(postgres_url: str) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    refused(run_cli(f"postgresql://u:s3cret@127.0.0.1:{closed}/db", "status"), f"cannot open the PostgreSQL store at 127.0.0.1:{closed}/db:")
    done = run_cli("postgresql://u:s3cret@127.0.0.1:99999/db", "status")
    refused(done, "'postgresql://u:***@127.0.0.1:99999/db': the port must be a number from 1 to 65535")
    with_password = postgres_url.replace("postgresql://postgres@", "postgresql://postgres:postgres@") if ":postgres@" not in postgres_url else postgres_url
    assert run_cli(with_password, "import", str(SCENARIO)).returncode == 0
    status = run_cli(with_password, "status")
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
    assert run_cli(sqlite_url, "import", str(SCENARIO)).returncode == 0
    assert run_cli(sqlite_url, "import", str(lines)).returncode == 0, run_cli(sqlite_url, "import", str(lines)).stderr
    history = run_cli(sqlite_url, "history", "off-900")
    assert history.returncode == 0 and b"\x1b" not in history.stdout and b"\r" not in history.stdout
    assert b"x\\x1b[2K\\rforged line" in history.stdout
    current = (ROOT / "projections" / "rules" / "current.toml").read_text()
    for name, message in (('"evil\\n# caseledger export: rules=current"', "- at `$.name`"), ('"current"', "is a built-in rule set's name")):
        forged = tmp_path / "forged.toml"
        forged.write_text(current.replace('name = "current"', f"name = {name}", 1))
        refused(run_cli(sqlite_url, "export", "workload", "--rules", str(forged)), message)


def test_status_names_read_models_ahead_of_a_cut_log_and_exports_carry_the_chain_head(sqlite_url: str, tmp_path: Path) -> None:
    """After the log's tail is cut (events and their chain rows), the read models still hold
    them: status reported lag 0 as if all were well. It now says which read model is ahead and
    by how much. An export's provenance names the chain head of the position it reflects, so a
    reader can check it against ``verify`` or a signed checkpoint."""
    assert run_cli(sqlite_url, "import", str(SCENARIO)).returncode == 0
    head = verified(sqlite_url).split()[-1].decode()
    export = tmp_path / "transfers.jsonl"
    assert run_cli(sqlite_url, "export", "transfers", "--format", "jsonl", "--output", str(export)).returncode == 0
    meta = msgspec.json.decode((tmp_path / "transfers.jsonl.meta.json").read_bytes())
    assert (meta["log_position"], meta["chain_head"]) == (72, head)
    truncate_tail(sqlite_url, 70)
    status = run_cli(sqlite_url, "status")
    assert status.returncode == 0
    assert b"WARNING: timeline is 2 positions AHEAD of the log" in status.stdout and b"WARNING: addons is 2 positions AHEAD of the log" in status.stdout


def test_duplicate_keys_in_an_import_line_are_refused(sqlite_url: str, tmp_path: Path) -> None:
    """msgspec, like most JSON readers, keeps one of two equal keys silently; which one differs by reader."""
    assert run_cli(sqlite_url, "import", str(SCENARIO)).returncode == 0
    before = verified(sqlite_url)
    twice = tmp_path / "twice.jsonl"
    twice.write_text(
        '{"type":"AddOnTaskLogged","occurred_at":"2026-03-19","by":"po.adams","officer":"po.adams","category":"clerical","minutes":5,"minutes":500}\n'
    )
    refused(run_cli(sqlite_url, "import", str(twice)), "line 1: minutes: appears twice in the line")
    assert verified(sqlite_url) == before


def test_a_wrong_postgresql_password_is_one_line_after_one_login(tmp_path: Path) -> None:
    """It used to retry for 30 s (~33 failed logins in the server's log), then print a traceback."""
    with throwaway_cluster(passwords=True) as server:
        url = server.create_database("guarded")
        wrong = url.replace(":postgres@", ":not-the-password@")
        done = run_cli(wrong, "status")
        refused(done, f"cannot open the PostgreSQL store at 127.0.0.1:{server.port}/guarded:")
        assert b"password authentication failed" in done.stderr and b"not-the-password" not in done.stderr
        log = (Path(server.base_dir) / "postgres.log").read_text()
        assert log.count('password authentication failed for user "postgres"') == 1
        assert run_cli(url, "import", str(SCENARIO)).returncode == 0  # the right password opens it


def _more_tasks(tmp_path: Path, count: int) -> Path:
    lines = tmp_path / "more.jsonl"
    task = '{"type":"AddOnTaskLogged","occurred_at":"2026-03-19","by":"po.adams","officer":"po.adams","category":"clerical","minutes":%d}\n'
    lines.write_text("".join(task % (5 + index % 50) for index in range(count)))
    return lines


def _copy_store(source: Path, target: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        there = target.with_name(target.name + suffix)
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", there)
        elif there.exists():
            there.unlink()
    return f"sqlite:///{target}"


def test_a_disk_that_fills_during_an_import_is_one_line_and_records_nothing(tmp_path: Path) -> None:
    """Imports run with less and less room (bisecting down to where the import just fits): each
    one either records nothing — one line, exit 2, the store as it was — or records everything,
    the read models caught up or, when the disk filled after the import, a one-line warning."""
    original = tmp_path / "store.db"
    assert run_cli(f"sqlite:///{original}", "import", str(SCENARIO)).returncode == 0
    more = _more_tasks(tmp_path, 11_000)
    low, high, outcomes = 0, 64_000_000, set()  # the import cannot fit under low; it fits under high
    while high - low > 50_000:
        middle = (low + high) // 2
        url = _copy_store(
            original, tmp_path / f"trial-{middle}.db"
        )  # a store of its own: a client that saw one trial's head would refuse the next copy at that path as a rollback
        done = run_cli(url, "import", str(more), file_size_limit=middle)
        lines = done.stderr.decode().strip().splitlines()
        assert b"Traceback" not in done.stderr, done.stderr
        if done.returncode == 0:
            high = middle
            assert lines[0] == "imported 11000 events (positions 73–11072)"
            assert lines[1:] in ([], [lines[-1]]) and all(line.startswith("caseledger: warning: the events are recorded, but") for line in lines[1:]), lines
            outcomes.add("recorded" + (" and warned" if lines[1:] else ""))
        else:
            refused(done, "the store or the disk refused:")  # one line, exit 2
            assert b"nothing was recorded" in done.stderr and verified(url).startswith(b"intact: 72 events")
            low = middle
            outcomes.add("refused")
    assert {"refused", "recorded"} <= {outcome.removesuffix(" and warned") for outcome in outcomes}


def test_a_store_that_fails_while_the_read_models_catch_up_after_an_import_keeps_the_import(sqlite_url: str, tmp_path: Path) -> None:
    """The events are committed before the read models catch up: a store failure then (here the
    timeline made unwritable, as a full disk would) is a one-line warning, the import stands and
    the next command that can write catches up. It printed "imported" and then a traceback."""
    assert run_cli(sqlite_url, "import", str(SCENARIO)).returncode == 0
    sql(sqlite_url, "ALTER TABLE cl_timeline RENAME TO cl_timeline_kept")
    sql(sqlite_url, "CREATE VIEW cl_timeline AS SELECT * FROM cl_timeline_kept")
    done = run_cli(sqlite_url, "import", str(_more_tasks(tmp_path, 10)))
    lines = done.stderr.decode().strip().splitlines()
    assert done.returncode == 0 and lines[0] == "imported 10 events (positions 73–82)", lines
    assert len(lines) == 2 and lines[1].startswith("caseledger: warning: the events are recorded, but the read models could not be brought up to date"), lines
    assert verified(sqlite_url).startswith(b"intact: 82 events")
    sql(sqlite_url, "DROP VIEW cl_timeline")
    sql(sqlite_url, "ALTER TABLE cl_timeline_kept RENAME TO cl_timeline")
    assert run_cli(sqlite_url, "export", "workload", "--output", str(tmp_path / "w.csv")).returncode == 0
    assert "head position:  82" in run_cli(sqlite_url, "status").stdout.decode()


def _read_only(paths: list[Path]) -> bool:
    """Make ``paths`` unwritable even for root (immutable, where the file system allows it) or, for
    another user, by their modes; False when neither works here."""
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return True
    return all(subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode == 0 for path in paths)


def _writable(paths: list[Path]) -> None:
    for path in paths:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
        path.chmod(0o700 if path.is_dir() else 0o600)


def test_a_read_only_store_is_one_line_and_unchanged(tmp_path: Path) -> None:
    """A store the user may read but not write: its folder and files immutable (as root, where the
    file system supports it) or read-only by mode. Where neither can be arranged, a store whose
    files cannot grow by a byte stands in for it (the write fails the same way: one line, exit 2)."""
    folder = tmp_path / "shared"
    folder.mkdir()
    url = f"sqlite:///{folder / 'store.db'}"
    assert run_cli(url, "import", str(SCENARIO)).returncode == 0
    assert run_cli(url, "export", "workload", "--output", str(tmp_path / "w.csv")).returncode == 0
    before = verified(url)
    paths = [*folder.iterdir(), folder]
    more = _more_tasks(tmp_path, 10)
    try:
        if _read_only(paths):
            done = run_cli(url, "import", str(more))
        else:
            _writable(paths)
            done = run_cli(url, "import", str(more), file_size_limit=max(path.stat().st_size for path in folder.iterdir()))
    finally:
        _writable(paths)
    assert done.returncode == 2 and b"Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert b"caseledger: the store or the disk refused: " in done.stderr and b"nothing was recorded" in done.stderr
    assert verified(url) == before
