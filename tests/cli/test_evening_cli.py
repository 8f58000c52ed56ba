"""The command line on a Sunday evening in Toronto, Vancouver and St. John's, run as a real process
whose host clock (libfaketime's ``faketime``, time zone UTC) already says Monday: the week, the
deadlines and the report's "today" are each site's Sunday (``tests/support/evening.py``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.evening import ADMIN, EVENINGS, SUNDAY, Evening, evening_lines
from tests.support.identity import as_login


def faked(place: Evening) -> list[str]:
    """The command that runs another on a UTC host whose clock reads ``place``'s Sunday evening
    (and runs on from it)."""
    faketime = shutil.which("faketime")
    assert faketime is not None, "libfaketime's faketime is needed (scripts/system.sh installs it)"
    return [faketime, "-f", place.host_utc.strftime("@%Y-%m-%d %H:%M:%S")]


def unfaked() -> dict[str, str]:
    """This environment without a faked clock of its own (a suite run under faketime itself)."""
    return {name: value for name, value in os.environ.items() if name != "LD_PRELOAD" and not name.startswith("FAKETIME")}


ON_HOST = {**as_login(ADMIN), "TZ": "UTC"}
"""The admin, on a host whose time zone is UTC."""


def at_evening(place: Evening, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``caseledger ARGS`` on that host."""
    return run_cli(None, *args, base_env=unfaked(), env=ON_HOST, under=faked(place))


@pytest.mark.slow
@pytest.mark.parametrize("place", EVENINGS, ids=lambda place: place.zone)
def test_the_command_line_counts_the_sites_sunday(tmp_path: Path, place: Evening) -> None:
    store = f"sqlite:///{tmp_path}/evening.db"
    lines = tmp_path / "evening.jsonl"
    lines.write_bytes(b"\n".join(evening_lines()) + b"\n")
    host = subprocess.run([*faked(place), "date", "+%F %Z"], capture_output=True, check=True, env={**unfaked(), **ON_HOST}).stdout.decode().strip()
    assert host == f"{place.host_utc:%F} UTC" and place.host_utc.date() > SUNDAY  # the host's date is Monday
    assert at_evening(place, "--store", store, "import", str(lines)).returncode == 0

    workload = at_evening(place, "--store", store, "export", "workload", "--format", "jsonl")
    assert workload.returncode == 0, workload.stderr
    (mine,) = [row for row in map(json.loads, workload.stdout.splitlines()) if row["officer"] == place.officer]
    assert mine["addon_minutes_week"] == 30  # Thursday's task: this week is the site's W49, not UTC's W50

    deadlines = at_evening(place, "--store", store, "export", "deadlines", "--format", "jsonl", "--identified")
    assert deadlines.returncode == 0, deadlines.stderr
    (plan,) = [row for row in map(json.loads, deadlines.stdout.splitlines()) if row["offender"] == place.offender and row["deadline"] == "correctional_plan"]
    assert (plan["due_on"], plan["status"], plan["days_late"]) == (str(SUNDAY), "due_soon", None)  # due today, not a day late

    report = tmp_path / "r.html"
    period = ("report", "--from", "2026-11-01", "--site", place.site)
    assert at_evening(place, "--store", store, *period, "--to", str(SUNDAY), "--output", str(report)).returncode == 0
    assert report.stat().st_size > 0
    monday = at_evening(place, "--store", store, *period, "--to", "2026-12-07", "--output", str(tmp_path / "monday.html"))
    assert (monday.returncode, monday.stderr.decode().strip()) == (
        2,
        f"caseledger: --to: 2026-12-07 is after today ({SUNDAY}): a report covers what has happened",
    )
    assert not (tmp_path / "monday.html").exists()
