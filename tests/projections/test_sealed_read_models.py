"""Issue #10, hole 4: read models edited behind caseledger's back are caught, named, and rebuilt.

Each case edits the database as an insider would (SQL straight at a table, never through the
program), then runs the command an analyst or officer would. The edit is reported on stderr
naming the table, the read models are rebuilt from the log, and the numbers are those of the
untouched store — never the edited ones. Both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import pytest

from caseledger.application.ledger import Ledger
from caseledger.domain.model.clock import Clock
from tests.support.cli import run_cli
from tests.support.paths import SCENARIO
from tests.support.tampering import sql, truncate_tail

pytestmark = pytest.mark.slow  # every test here starts processes

PAST = "2026-03-01"
LATE = "2100-01-01"
"""A known-at after every entry (imported now): an export at it reads the add-on tasks alone."""


def rows(url: str, tmp_path: Path, *args: str) -> tuple[list[dict[str, object]], str]:
    """An export's rows (JSON Lines: every line a row; the provenance is in the sidecar) and what it said on stderr."""
    out = tmp_path / f"{'-'.join(args)}.jsonl".replace("/", "_")
    done = run_cli(url, "export", *args, "--format", "jsonl", "--output", str(out), "--force")
    assert done.returncode == 0, done.stderr
    return [msgspec.json.decode(line) for line in out.read_bytes().splitlines()], done.stderr.decode()


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> tuple[str, dict[tuple[str, ...], list[dict[str, object]]]]:
    """The scenario's store and its honest exports."""
    assert run_cli(store_url, "import", str(SCENARIO)).returncode == 0
    honest: dict[tuple[str, ...], list[dict[str, object]]] = {
        args: rows(store_url, tmp_path, *args)[0]
        for args in (
            ("addon_burden",),
            ("addon_burden", "--as-of", PAST),
            ("addon_burden", "--known-at", LATE),
            ("workload",),
            ("siu_stays",),
            ("addon_burden", "--by", "site"),
        )
    }
    assert all(honest.values())
    return store_url, honest


@pytest.mark.parametrize(
    ("tampering", "export", "named"),
    [
        ("UPDATE cl_addons SET minutes = minutes * 10", ("addon_burden", "--as-of", PAST), "read model cl_addons: the row"),
        ("UPDATE cl_addon_totals SET minutes = minutes * 10", ("addon_burden",), "read model cl_addon_totals: the row"),
        ("UPDATE cl_addon_totals SET minutes = minutes * 10", ("addon_burden", "--by", "site"), "read model cl_addon_totals: the row"),
        ("DELETE FROM cl_timeline WHERE type = 'SIUPlacementStarted'", ("siu_stays",), "read model cl_timeline: holds"),
        ("DELETE FROM cl_addon_totals WHERE category = 'travel_logistics'", ("addon_burden",), "read model cl_addon_totals: holds"),
        # an as-of export reads the weeks wholly before T from the totals: they are counted too
        ("DELETE FROM cl_addon_totals WHERE category = 'travel_logistics'", ("addon_burden", "--as-of", PAST), "read model cl_addon_totals: holds"),
        ("UPDATE cl_seals SET rows = rows - 1 WHERE name = 'cl_timeline'", ("workload",), "read model cl_timeline: its seal fails its MAC"),
        ("UPDATE cl_tracking SET position = position - 3 WHERE name = 'timeline'", ("workload",), "its tracking row says"),
        ("UPDATE cl_snapshots SET state = NULL", ("workload",), "read model cl_snapshots: the world of snapshot"),
        # moved where no reader looks, its MAC kept: the table's count and MAC sum still match — a
        # known-at export reads the tasks alone and counts the weeks it reaches, here every week:
        # in one pass over the table, where the moved row fails its MAC (counted week by week, the
        # week it left would hold one row fewer than its block seal)
        (
            "UPDATE cl_addons SET position = 999999999, week = '1900-W01' WHERE position = 59",
            ("addon_burden", "--known-at", LATE),
            "cl_addons: the row at position 999999999 fails",
        ),
        # an as-of export reads the tasks of T's weeks on, which must add up to the (counted) totals
        (
            "UPDATE cl_addons SET position = 999999999, week = '1900-W01' WHERE position = 59",
            ("addon_burden", "--as-of", PAST),
            "cl_addons: the tasks of 2026-W12 do not add up to their running totals",
        ),
        (
            "DELETE FROM cl_addons WHERE position = 59",
            ("addon_burden", "--as-of", PAST),
            "cl_addons: the tasks of 2026-W12 do not add up to their running totals",
        ),
    ],
)
def test_an_edited_read_model_is_named_and_never_used(
    store: tuple[str, dict[tuple[str, ...], list[dict[str, object]]]], tmp_path: Path, tampering: str, export: tuple[str, ...], named: str
) -> None:
    url, honest = store
    sql(url, tampering)
    found, stderr = rows(url, tmp_path, *export)
    assert named in stderr and "from the log (which authenticates)" in stderr, stderr
    assert found == honest[export]
    again, quiet = rows(url, tmp_path, *export)  # rebuilt: clean from now on
    assert again == honest[export] and quiet == ""


@pytest.mark.parametrize(
    "tampering",
    ["DELETE FROM cl_officer_weeks WHERE officer = 'po.adams'", "DELETE FROM cl_head_cases WHERE offender = 'off-001'"],
)
def test_a_row_deleted_from_what_only_officer_screens_read_is_named_by_status(
    store: tuple[str, dict[tuple[str, ...], list[dict[str, object]]]], tampering: str
) -> None:
    """No export reads the weekly figures or the head's case rows (so exports do not count them):
    ``status --full`` does (``status`` samples blocks), and says how to rebuild."""
    url, _honest = store
    sql(url, tampering)
    status = run_cli(url, "status", "--full").stdout.decode()
    assert "WARNING: read model cl_" in status and ": holds " in status and "caseledger rebuild" in status, status
    assert run_cli(url, "rebuild").returncode == 0
    assert "sealed: every read model checks" in run_cli(url, "status", "--full").stdout.decode()


def test_a_cut_log_tail_is_caught_by_the_chain_head_each_seal_records(
    store: tuple[str, dict[tuple[str, ...], list[dict[str, object]]]], tmp_path: Path
) -> None:
    """A cut tail leaves every remaining entry authentic, so only what remembers the head notices:
    the seals (and the client's witness). It is an alarm, not a rebuild: no figure is served from
    the shorter log, and the read models stay as they were (issue #23 point 3)."""
    url, _honest = store
    truncate_tail(url, 70)
    status = run_cli(url, "status")
    assert b"the log does not authenticate at position 72: read model cl_timeline was sealed at a chain head this log no longer holds" in status.stdout
    exported = run_cli(url, "export", "workload")
    assert exported.returncode == 1 and exported.stdout == b""
    assert b"the log does not authenticate at position 72: this client saw the log reach this position" in exported.stderr, exported.stderr
    assert sql(url, "SELECT position FROM cl_tracking WHERE name = 'timeline'") == [(72,)]  # nothing rebuilt


def test_an_edited_head_case_row_does_not_reach_the_officers_caseload(store: tuple[str, dict[tuple[str, ...], list[dict[str, object]]]]) -> None:
    url, _honest = store
    session = Ledger.open(url, "po.adams")
    officer = session.officer_for("po.adams")
    honest = session.caseload(officer)
    assert honest
    sql(url, "UPDATE cl_head_cases SET officer = 'someone.else'")  # moved out of the officer's reach: MACs untouched
    assert Ledger.open(url, "po.adams").caseload(officer) == honest


def test_an_edited_weekly_figure_does_not_reach_the_officers_chart(store: tuple[str, dict[tuple[str, ...], list[dict[str, object]]]]) -> None:
    url, _honest = store
    march = dt.datetime(2026, 3, 25, 12, tzinfo=dt.UTC)  # the chart's eight weeks are all in the scenario's figures
    session = Ledger.open(url, "po.adams", clock=Clock(march))
    officer = session.officer_for("po.adams")
    honest = session.week(officer)
    sql(url, "UPDATE cl_officer_weeks SET factors = '[[1, 40]]'")
    assert Ledger.open(url, "po.adams", clock=Clock(march)).week(officer) == honest


FUTURE = 4_611_686_018_427_387_904


@pytest.mark.parametrize(
    ("statement", "params"),
    [
        ("UPDATE cl_snapshots SET state = %s WHERE head = 1", (b"\x00",)),
        ("INSERT INTO cl_timeline VALUES (73, 'Zzz', NULL, 0, '2026-01-01', 0, '2026-01-01', %s, %s)", (b"{}", b"\x00")),  # in the next batch's way
        ("INSERT INTO cl_timeline VALUES (999999, 'CaseAssigned', NULL, %s, '9999-01-01', 0, '2026-01-01', %s, %s)", (FUTURE, b"{}", b"\x00")),
    ],
)
def test_a_cache_forged_in_the_way_of_a_catch_up_is_repaired_there(
    store: tuple[str, dict[tuple[str, ...], list[dict[str, object]]]], tmp_path: Path, statement: str, params: tuple[object, ...]
) -> None:
    """In the way of the catch-up after an import, or met by the next export's check: it used to
    fail every command after it — exit 1, a traceback (year 10000) or "kept losing races" —
    until a manual rebuild. Now the import stands, the forgery is named once (by whichever
    command meets it first) and the read models are rebuilt."""
    url, honest = store
    sql(url, statement, params)
    line = tmp_path / "one.jsonl"
    line.write_text('{"type":"AddOnTaskLogged","occurred_at":"2026-03-19","by":"po.adams","officer":"po.adams","category":"clerical","minutes":5}\n')
    done = run_cli(url, "import", str(line))
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    found, stderr = rows(url, tmp_path, "siu_stays")
    assert (done.stderr.decode() + stderr).count("every read model is rebuilt from the log") == 1, (done.stderr, stderr)
    assert found == honest[("siu_stays",)]
    assert rows(url, tmp_path, "siu_stays") == (honest[("siu_stays",)], "")
    assert b"sealed: every read model checks" in run_cli(url, "status", "--full").stdout


def test_a_junk_weekly_row_does_not_hide_a_week_from_the_chart(store: tuple[str, dict[tuple[str, ...], list[dict[str, object]]]]) -> None:
    url, _honest = store
    march = dt.datetime(2026, 3, 25, 12, tzinfo=dt.UTC)
    officer = Ledger.open(url, "po.adams", clock=Clock(march)).officer_for("po.adams")
    honest = Ledger.open(url, "po.adams", clock=Clock(march)).week(officer)
    [(boundary,)] = sql(url, "SELECT MAX(boundary_us) FROM cl_officer_weeks")
    sql(url, "DELETE FROM cl_officer_weeks WHERE boundary_us = %s", (boundary,))
    sql(url, "INSERT INTO cl_officer_weeks VALUES (%s, 'nobody', 'x', 'x', '[]', %s)", (boundary, b"\x00"))
    assert Ledger.open(url, "po.adams", clock=Clock(march)).week(officer) == honest
