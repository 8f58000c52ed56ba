"""The ``caseledger`` command line, run as a separate process the way people and scripts run it."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from tests.support.cli import run_cli
from tests.support.identity import recorder_for
from tests.support.jsonl import SETUP, jsonl


@pytest.mark.slow
def test_import_error_exits_2_names_the_line_and_records_nothing(store_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(jsonl([*SETUP, {"type": "LeaveStarted", "occurred_at": "2026-01-09", "officer": "po1", "kind": "vacation"}])))
    result = run_cli(store_url, "import", str(bad), login="clerk")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "caseledger: line 5: kind: Invalid enum value 'vacation'"
    assert run_cli(store_url, "events", login="clerk").stdout == b""


@pytest.mark.slow
def test_import_then_events_shows_every_event_with_actor_and_both_times(store_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"".join(jsonl(SETUP)))
    imported = run_cli(store_url, "import", str(good), login="clerk")
    assert imported.returncode == 0, imported.stderr
    lines = [msgspec.json.decode(line) for line in run_cli(store_url, "events", login="clerk").stdout.splitlines()]
    assert [line["type"] for line in lines] == [line["type"] for line in SETUP]
    assert [line["recorded_by"] for line in lines] == [recorder_for(store_url, "clerk")] * 4
    assert [line.get("entered_by") for line in lines] == [None, None, "mai1", None]
    assert all({"position", "occurred_at", "recorded_at"} <= line.keys() for line in lines)
    filtered = run_cli(store_url, "events", "--type", "OffenderAdmitted", "--actor", "mai1", login="clerk").stdout.splitlines()
    assert [msgspec.json.decode(line)["offender"] for line in filtered] == ["O1"]


@pytest.mark.slow
def test_a_store_moves_from_sqlite_to_postgresql_through_a_pipe(sqlite_url: str, postgres_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"".join(jsonl(SETUP)))
    assert run_cli(sqlite_url, "import", str(good), login="clerk").returncode == 0
    exported = run_cli(sqlite_url, "events", login="clerk").stdout
    moved = run_cli(postgres_url, "import", "--keep-recorded", "-", stdin=exported, login="mover")
    assert moved.returncode == 0, moved.stderr
    assert run_cli(postgres_url, "events", login="clerk").stdout == exported


@pytest.mark.slow
def test_history_prints_the_case(sqlite_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"".join(jsonl([*SETUP, {"type": "CaseAssigned", "occurred_at": "2026-01-06", "offender": "O1", "officer": "po1", "by": "mai1"}])))
    run_cli(sqlite_url, "import", str(good), login="clerk")
    table = run_cli(sqlite_url, "history", "O1", login="clerk").stdout.decode().splitlines()
    assert table[0].split()[:3] == ["position", "occurred", "(local)"]
    assert [row.split()[3] for row in table[1:]] == ["OffenderAdmitted", "CaseAssigned"]
    assert "officer=po1" in table[2] and "mai1" in table[2]
    missing = run_cli(sqlite_url, "history", "NOPE", login="clerk")
    assert missing.returncode == 2 and b"unknown offender 'NOPE'" in missing.stderr


@pytest.mark.slow
def test_demo_seeds_an_empty_store_once_and_reports_status(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    first = run_cli(url, "demo", login="clerk")
    assert first.returncode == 0, first.stderr
    report = first.stdout.decode()
    head = int(report.split("head position:")[1].split()[0])
    assert head > 20_000
    assert "OffenderAdmitted" in report and "AddOnTaskLogged" in report
    second = run_cli(url, "demo", login="clerk")
    assert b"already holds events; not seeding" in second.stderr
    assert f"head position:  {head}" in second.stdout.decode()


@pytest.mark.slow
def test_a_bad_store_url_is_a_clear_error() -> None:
    result = run_cli("mysql://nope", "status", login="clerk")
    assert result.returncode == 2
    assert b"must be a sqlite:/// or postgresql:// URL" in result.stderr


@pytest.mark.slow
def test_retract_from_the_command_line_shows_in_history_and_exports(sqlite_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"".join(jsonl([*SETUP, {"type": "CaseAssigned", "occurred_at": "2026-01-06", "offender": "O1", "officer": "po1"}])))
    assert run_cli(sqlite_url, "import", str(good), login="clerk").returncode == 0
    retracted = run_cli(sqlite_url, "retract", "5", "--reason", "wrong officer", login="clerk")
    assert retracted.returncode == 0, retracted.stderr
    history = run_cli(sqlite_url, "history", "O1", login="clerk").stdout.decode()
    assert "[RETRACTED at 6: wrong officer]" in history
    workload = run_cli(sqlite_url, "export", "workload", "--format", "jsonl", login="clerk").stdout.splitlines()
    assert {msgspec.json.decode(line)["own_caseload"] for line in workload} == {0}
    missing = run_cli(sqlite_url, "retract", "99", "--reason", "nothing there", login="clerk")
    assert missing.returncode == 2 and b"no event at position 99" in missing.stderr


def test_whose_view_the_ui_opens_may_follow_the_command_as_the_demo_script_passes_it() -> None:
    """`scripts/demo.sh --user sup.ON0-CBI` runs `caseledger demo --user sup.ON0-CBI` (README)."""
    from caseledger.cli.main import build_parser

    parser = build_parser()
    assert [parser.parse_args(args).user for args in (["demo", "--user", "analyst"], ["--user", "auditor", "tui"], ["tui"])] == ["analyst", "auditor", None]
