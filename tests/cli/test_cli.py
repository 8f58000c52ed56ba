"""The ``caseledger`` command line, run as a separate process the way people and scripts run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import msgspec

from tests.application.test_import import SETUP, jsonl
from tests.support.identity import as_login, recorder_for
from tests.support.paths import ROOT


def caseledger(*args: str, stdin: bytes | None = None, user: str = "clerk", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, **as_login(user), **(env or {})}
    return subprocess.run([sys.executable, "-m", "caseledger.cli.main", *args], input=stdin, capture_output=True, check=False, cwd=ROOT, env=env, timeout=300)


def test_import_error_exits_2_names_the_line_and_records_nothing(store_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(jsonl([*SETUP, {"type": "LeaveStarted", "occurred_at": "2026-01-09", "officer": "po1", "kind": "vacation"}])))
    result = caseledger("--store", store_url, "import", str(bad))
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "caseledger: line 5: kind: Invalid enum value 'vacation'"
    assert caseledger("--store", store_url, "events").stdout == b""


def test_import_then_events_shows_every_event_with_actor_and_both_times(store_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"".join(jsonl(SETUP)))
    imported = caseledger("--store", store_url, "import", str(good))
    assert imported.returncode == 0, imported.stderr
    lines = [msgspec.json.decode(line) for line in caseledger("--store", store_url, "events").stdout.splitlines()]
    assert [line["type"] for line in lines] == [line["type"] for line in SETUP]
    assert [line["recorded_by"] for line in lines] == [recorder_for(store_url, "clerk")] * 4
    assert [line.get("entered_by") for line in lines] == [None, None, "mai1", None]
    assert all({"position", "occurred_at", "recorded_at"} <= line.keys() for line in lines)
    filtered = caseledger("--store", store_url, "events", "--type", "OffenderAdmitted", "--actor", "mai1").stdout.splitlines()
    assert [msgspec.json.decode(line)["offender"] for line in filtered] == ["O1"]


def test_a_store_moves_from_sqlite_to_postgresql_through_a_pipe(sqlite_url: str, postgres_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"".join(jsonl(SETUP)))
    assert caseledger("--store", sqlite_url, "import", str(good)).returncode == 0
    exported = caseledger("--store", sqlite_url, "events").stdout
    moved = caseledger("--store", postgres_url, "import", "--keep-recorded", "-", stdin=exported, user="mover")
    assert moved.returncode == 0, moved.stderr
    assert caseledger("--store", postgres_url, "events").stdout == exported


def test_history_prints_the_case(sqlite_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"".join(jsonl([*SETUP, {"type": "CaseAssigned", "occurred_at": "2026-01-06", "offender": "O1", "officer": "po1", "by": "mai1"}])))
    caseledger("--store", sqlite_url, "import", str(good))
    table = caseledger("--store", sqlite_url, "history", "O1").stdout.decode().splitlines()
    assert table[0].split()[:3] == ["position", "occurred", "(local)"]
    assert [row.split()[3] for row in table[1:]] == ["OffenderAdmitted", "CaseAssigned"]
    assert "officer=po1" in table[2] and "mai1" in table[2]
    missing = caseledger("--store", sqlite_url, "history", "NOPE")
    assert missing.returncode == 2 and b"unknown offender 'NOPE'" in missing.stderr


def test_demo_seeds_an_empty_store_once_and_reports_status(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    first = caseledger("--store", url, "demo")
    assert first.returncode == 0, first.stderr
    report = first.stdout.decode()
    head = int(report.split("head position:")[1].split()[0])
    assert head > 20_000
    assert "OffenderAdmitted" in report and "AddOnTaskLogged" in report
    second = caseledger("--store", url, "demo")
    assert b"already holds events; not seeding" in second.stderr
    assert f"head position:  {head}" in second.stdout.decode()


def test_a_bad_store_url_is_a_clear_error() -> None:
    result = caseledger("--store", "mysql://nope", "status")
    assert result.returncode == 2
    assert b"must be a sqlite:/// or postgresql:// URL" in result.stderr


def test_retract_from_the_command_line_shows_in_history_and_exports(sqlite_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"".join(jsonl([*SETUP, {"type": "CaseAssigned", "occurred_at": "2026-01-06", "offender": "O1", "officer": "po1"}])))
    assert caseledger("--store", sqlite_url, "import", str(good)).returncode == 0
    retracted = caseledger("--store", sqlite_url, "retract", "5", "--reason", "wrong officer")
    assert retracted.returncode == 0, retracted.stderr
    history = caseledger("--store", sqlite_url, "history", "O1").stdout.decode()
    assert "[RETRACTED at 6: wrong officer]" in history
    workload = caseledger("--store", sqlite_url, "export", "workload", "--format", "jsonl").stdout.splitlines()
    assert {msgspec.json.decode(line)["own_caseload"] for line in workload} == {0}
    missing = caseledger("--store", sqlite_url, "retract", "99", "--reason", "nothing there")
    assert missing.returncode == 2 and b"no event at position 99" in missing.stderr


def test_whose_view_the_ui_opens_may_follow_the_command_as_the_demo_script_passes_it() -> None:
    """`scripts/demo.sh --user sup.ON0-CBI` runs `caseledger demo --user sup.ON0-CBI` (README)."""
    from caseledger.cli.main import build_parser

    parser = build_parser()
    assert [parser.parse_args(args).user for args in (["demo", "--user", "analyst"], ["--user", "auditor", "tui"], ["tui"])] == ["analyst", "auditor", None]
