"""Issue #23 F13: every file the command line reads is a regular file of bounded size, read as
such (``--rules /dev/zero`` was read until the OOM killer came at 24 GB); an import is read a
capped line at a time; ISO weeks and log positions are range-checked before use (a week in year 1
or 9999-W52, and ``--after 2**63``, crashed with exit 1); argparse's errors are one line, exit 2.
Every refusal: one line on stderr naming the option and the rule, exit 2, nothing recorded."""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseledger.cli.main import main
from caseledger.domain.errors import DomainError
from caseledger.domain.model.times import parse_week
from tests.support.paths import ROOT

SCENARIO = ROOT / "fixtures" / "scenario.jsonl"
RULES = ROOT / "projections" / "rules" / "proposed.toml"
MEMORY = 1536 * 1024 * 1024
"""The address space a spawned command gets: far more than any of these needs, so a command that
reads a device without limit fails fast instead of taking the machine's memory."""


@pytest.fixture
def store(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("LOGNAME", "clerk")
    assert main(["--store", sqlite_url, "import", str(SCENARIO)]) == 0
    capsys.readouterr()
    return sqlite_url


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1, captured.err
    return captured.err


def test_an_unknown_choice_is_one_line(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", store, "export", "workload", "--format", "xlsx"]) == 2
    assert _one_line(capsys) == "caseledger export: --format: invalid choice 'xlsx' (choose from csv, jsonl, json, parquet)\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["report"], "caseledger report: the following arguments are required: --from, --to, --output/-o\n"),
        (["events", "--after", "x"], "caseledger events: --after: invalid int value: 'x'\n"),
        (["export", "workload", "--by", "week"], "caseledger export: --by: invalid choice 'week' (choose from site)\n"),
        (["nosuch"], "caseledger: COMMAND: invalid choice 'nosuch' (choose from "),
        (["export", "workload", "--bogus"], "caseledger: unrecognized arguments: --bogus\n"),
    ],
)
def test_every_usage_error_is_one_line(store: str, argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", store, *argv]) == 2
    assert _one_line(capsys).startswith(expected)


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        (("0001-W01", "2026-W10"), "caseledger: --from: '0001-W01' is outside the weeks 1900-W01 to 9999-W51\n"),
        (("2026-W01", "9999-W52"), "caseledger: --to: '9999-W52' is outside the weeks 1900-W01 to 9999-W51\n"),
        (("0999-W01", "2026-W10"), "caseledger: --from: '0999-W01' is outside the weeks 1900-W01 to 9999-W51\n"),
    ],
)
def test_weeks_outside_the_range_are_refused(store: str, weeks: tuple[str, str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    first, last = weeks
    for projection in ("coverage", "addon_burden", "weekly_hours"):
        assert main(["--store", store, "export", projection, "--from", first, "--to", last]) == 2
        assert _one_line(capsys) == expected


def test_the_widest_weeks_export(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    for projection in ("coverage", "addon_burden", "weekly_hours"):
        assert main(["--store", store, "export", projection, "--from", "1900-W01", "--to", "9999-W51"]) == 0
        assert capsys.readouterr().out.count("\n") > 1


@given(st.integers(1, 9999), st.integers(1, 53))
def test_a_week_is_accepted_iff_it_exists_and_lies_in_the_range(year: int, week: int) -> None:
    text = f"{year:04d}-W{week:02d}"
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        exists = False
    else:
        exists = True
    if exists and (1900, 1) <= (year, week) <= (9999, 51):
        assert parse_week(text, "--from") == text
    else:
        with pytest.raises(DomainError, match=r"^--from: '\d{4}-W\d\d' is (not an ISO week|outside the weeks)"):
            parse_week(text, "--from")


@pytest.mark.parametrize("after", [str(2**63), "-1", str(10**30)])
def test_a_position_a_log_cannot_hold_is_refused(store: str, after: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", store, "events", "--after", after]) == 2
    assert _one_line(capsys) == f"caseledger: --after: {after} is not a log position (0 to {2**63 - 1})\n"


def test_the_last_position_a_log_can_hold_is_a_position(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", store, "events", "--after", str(2**63 - 1)]) == 0
    assert capsys.readouterr().out == ""


def test_a_rules_file_over_one_mebibyte_is_refused(store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A valid rules file padded with a comment to just over 1 MiB: refused for its size alone (the
    same file 1 byte shorter would be read)."""
    rules = RULES.read_text().replace('name = "proposed"', 'name = "padded"')
    big = tmp_path / "big.toml"
    big.write_text(rules + "#" * (1024 * 1024 - len(rules.encode()) - 1) + "\n")
    assert big.stat().st_size == 1024 * 1024
    assert main(["--store", store, "export", "staffing", "--rules", str(big)]) == 0
    capsys.readouterr()
    big.write_text(rules + "#" * (1024 * 1024 - len(rules.encode())) + "\n")
    assert main(["--store", store, "export", "staffing", "--rules", str(big)]) == 2
    assert _one_line(capsys) == f"caseledger: {big}: cannot read rules file: larger than 1 MiB\n"


def test_an_import_line_over_one_mebibyte_is_refused_and_nothing_recorded(
    store: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = tmp_path / "long.jsonl"
    first = SCENARIO.read_bytes().splitlines(keepends=True)[0].replace(b'"on-hyb"', b'"on-new"')  # a site not yet registered: a line to record
    lines.write_bytes(first + b" " * (2 * 1024 * 1024) + b"\n")
    assert main(["--store", store, "import", str(lines)]) == 2
    assert _one_line(capsys) == "caseledger: line 2: $: longer than 1 MiB: a line holds one event\n"
    assert main(["--store", store, "status"]) == 0
    assert f"head position:  {len(SCENARIO.read_bytes().splitlines())}\n" in capsys.readouterr().out


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _spawned(store: str, *argv: str, stdin: bytes | None = None, config: Path) -> tuple[int, str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "LOGNAME": "clerk"}
    result = subprocess.run(
        [sys.executable, "-m", "caseledger.cli.main", "--store", store, *argv],
        input=stdin,
        capture_output=True,
        check=False,
        cwd=ROOT,
        env=env,
        timeout=120,
        preexec_fn=_limited,
    )
    return result.returncode, result.stderr.decode()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["export", "staffing", "--rules", "/dev/zero"], "caseledger: /dev/zero: cannot read rules file: not a regular file\n"),
        (["import", "/dev/zero"], "caseledger: file: cannot read /dev/zero: not a regular file\n"),
        (["checkpoint", "--key", "/dev/zero"], "caseledger: /dev/zero: not a regular file\n"),
        (["verify", "--checkpoint", "/dev/zero"], "caseledger: /dev/zero: not a caseledger checkpoint: not a regular file\n"),
    ],
)
def test_a_device_is_never_read(store: str, tmp_path: Path, argv: list[str], expected: str) -> None:
    assert _spawned(store, *argv, config=tmp_path / "config") == (2, expected)


@pytest.mark.slow
def test_standard_input_without_a_line_break_is_refused_at_the_cap(store: str, tmp_path: Path) -> None:
    expected = "caseledger: line 1: $: longer than 1 MiB: a line holds one event\n"
    assert _spawned(store, "import", "-", stdin=b"\0" * (3 * 1024 * 1024), config=tmp_path / "config") == (2, expected)
