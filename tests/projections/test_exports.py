"""Every projection exports in every format, with every option, on both stores."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, get_args

import msgspec
import pyarrow.parquet as pq
import pytest

from caseledger.application.imports import import_lines
from caseledger.domain.events.catalogue import CcloPurpose
from caseledger.domain.model.times import parse_cutoff
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.projections.catalogue import ADDON_BURDEN_BY_SITE, COVERAGE_BY_SITE, PROJECTIONS
from caseledger.projections.engine.compute import compute, replay
from caseledger.projections.engine.projector import Projector
from caseledger.projections.errors import ProjectionError
from caseledger.projections.output.formats import FORMATS, sidecar_of, write_export
from caseledger.projections.output.privacy import deidentify
from caseledger.projections.readmodels.database import Database
from caseledger.projections.readmodels.pseudonyms import Pseudonyms
from caseledger.projections.readmodels.tables import AddOnTotals
from caseledger.projections.replay.facts import View, Weeks
from caseledger.projections.rules import load_rules
from tests.support.cli import run_cli
from tests.support.paths import ROOT
from tests.support.projection_helpers import plain

SCENARIO = ROOT / "fixtures" / "scenario.jsonl"
ALL = {**PROJECTIONS, "addon_burden_by_site": ADDON_BURDEN_BY_SITE, "coverage_by_site": COVERAGE_BY_SITE}
PURPOSES = get_args(CcloPurpose)
OFFENDERS = [f"off-00{n}" for n in range(1, 8)]


def read_back(path: Path, fmt: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Parse an export file the way an analyst's tools would — ``csv.DictReader`` on the file as it
    is, a JSON parser per line or on the whole array — and its provenance from the sidecar
    ``FILE.meta.json`` (equal to what a Parquet file carries inside). How each reader reads each
    format's types is tests/projections/test_export_readers.py."""
    meta = json.loads(sidecar_of(path).read_text())
    assert meta.pop("file_sha256") == hashlib.sha256(path.read_bytes()).hexdigest()  # the sidecar names its file
    if fmt == "csv":
        with path.open(newline="") as handle:
            return meta, list(csv.DictReader(handle))
    if fmt == "jsonl":
        return meta, [json.loads(line) for line in path.read_text().splitlines()]
    if fmt == "json":
        document = json.loads(path.read_text())
        assert isinstance(document, list)  # rows alone: the provenance is in the sidecar
        return meta, document
    table = pq.read_table(path)
    assert json.loads(table.schema.metadata[b"caseledger"]) == meta
    return meta, table.to_pylist()


def as_csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return msgspec.json.encode(value).decode()
    return str(value)


def every_purpose(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as an export holds them: ``by_purpose`` with a count for every purpose, in order."""
    return [{**row, "by_purpose": {purpose: row["by_purpose"].get(purpose, 0) for purpose in PURPOSES}} if "by_purpose" in row else row for row in rows]


@pytest.fixture
def scenario(store_url: str) -> LedgerApplication:
    app = open_application(store_url)
    import_lines(app, SCENARIO.read_bytes().splitlines(), "importer")
    return app


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", list(ALL))
def test_every_projection_in_every_format(scenario: LedgerApplication, tmp_path: Path, name: str, fmt: str) -> None:
    projection = ALL[name]
    rules = load_rules("proposed")
    imported = dt.datetime.now(dt.UTC)  # after the fixture's import: every event is known by then
    view = View(as_of=parse_cutoff("2026-03-20", "as_of"), known_at=parse_cutoff(imported.isoformat(), "known_at"))
    result = compute(scenario, projection, view, rules)
    assert result.rows, name
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / f"{name}.{fmt}"
    write_export(projection.columns, result.rows, result.meta, fmt, str(target))
    meta, rows = read_back(target, fmt)
    assert meta["rules"] == "proposed" and meta["rules_sha256"] == rules.sha256
    assert meta["as_of"] == "2026-03-20"
    assert [list(row) for row in rows] == [[c.name for c in projection.columns]] * len(rows)
    expected = every_purpose(plain(result.rows))
    if fmt == "csv":
        expected = [{k: as_csv_text(v) for k, v in row.items()} for row in expected]
    elif fmt == "parquet":
        expected = every_purpose(result.rows)
    assert rows == expected
    assert sorted(p.name for p in folder.iterdir()) == [target.name, target.name + ".meta.json"]  # no temporary file left behind


def test_an_empty_result_still_has_its_header(sqlite_url: str, tmp_path: Path) -> None:
    app = open_application(sqlite_url)
    for fmt in FORMATS:
        projection = PROJECTIONS["transfers"]
        result = compute(app, projection, View(), load_rules("current"))
        target = tmp_path / f"empty.{fmt}"
        write_export(projection.columns, result.rows, result.meta, fmt, str(target))
        meta, rows = read_back(target, fmt)
        assert rows == [] and meta["projection"] == "transfers"
    assert (tmp_path / "empty.csv").read_text().splitlines() == [",".join(c.name for c in PROJECTIONS["transfers"].columns)]  # the header, first
    assert pq.read_table(tmp_path / "empty.parquet").column_names == [c.name for c in PROJECTIONS["transfers"].columns]


def test_deidentified_exports_never_contain_offender_ids(scenario: LedgerApplication, tmp_path: Path) -> None:
    Projector(scenario).catch_up()
    secret = Pseudonyms(Database(scenario)).mapping()
    assert Pseudonyms(Database(scenario)).mapping() == secret
    for name, projection in ALL.items():
        result = compute(scenario, projection, View(), load_rules("current"))
        for fmt in FORMATS:
            target = tmp_path / f"{name}.{fmt}"
            write_export(projection.columns, deidentify(result.rows, secret), result.meta, fmt, str(target))
            content = target.read_bytes()
            assert not [offender for offender in OFFENDERS if offender.encode() in content], (name, fmt)
    first = list(deidentify(compute(scenario, PROJECTIONS["transfers"], View(), load_rules("current")).rows, secret))
    second = list(deidentify(compute(scenario, PROJECTIONS["transfers"], View(), load_rules("current")).rows, secret))
    assert [row["offender"] for row in first] == [row["offender"] for row in second]
    assert all(row["offender"].startswith("p-") for row in first)


@pytest.mark.slow
def test_cli_exports_atomically_with_every_option(store_url: str, tmp_path: Path) -> None:
    assert run_cli(store_url, "import", str(SCENARIO)).returncode == 0
    imported = dt.datetime.now(dt.UTC)  # every event was recorded by then: a known-at that knows them on any date
    target = tmp_path / "staffing.parquet"
    target.write_bytes(b"an older export")
    result = run_cli(
        store_url,
        "export",
        "staffing",
        "--as-of",
        "2026-03-20T23:59:59-04:00",
        "--known-at",
        imported.isoformat(),
        "--rules",
        "proposed",
        "--format",
        "parquet",
        "--output",
        str(target),
        "--force",
        "--deidentify",
    )
    assert result.returncode == 0, result.stderr
    meta, rows = read_back(target, "parquet")
    assert meta["deidentified"] is True and meta["rules"] == "proposed"
    assert {row["site"] for row in rows} == {"on-hyb", "on-max", "on-ccc", "on-cpo", "pa-kent"}
    by_site = run_cli(store_url, "export", "addon_burden", "--by", "site", "--format", "jsonl")
    assert by_site.returncode == 0
    assert json.loads(by_site.stdout.splitlines()[0])["fte_equivalent"] >= 0  # every line a row
    provenance = by_site.stderr.decode().strip().removeprefix("caseledger: provenance: ")
    assert json.loads(provenance)["projection"] == "addon_burden by site" and len(by_site.stderr.splitlines()) == 1
    bad = run_cli(store_url, "export", "staffing", "--rules", str(tmp_path / "missing.toml"))
    assert bad.returncode == 2 and b"cannot read rules file" in bad.stderr
    unknown = run_cli(store_url, "export", "nonsense")
    assert unknown.returncode == 2 and b"no projection named 'nonsense'" in unknown.stderr
    document = run_cli(store_url, "export", "cclo_contacts", "--format", "json")
    assert document.returncode == 0, document.stderr
    assert [row["site"] for row in json.loads(document.stdout)] == ["on-ccc", "on-cpo", "on-hyb", "pa-kent"]  # an array of rows
    provenance = document.stderr.decode().strip().removeprefix("caseledger: provenance: ")
    assert json.loads(provenance)["projection"] == "cclo_contacts" and len(document.stderr.splitlines()) == 1
    status = run_cli(store_url, "status").stdout.decode()
    assert "timeline" in status and "addons" in status


def test_a_week_range_keeps_exactly_those_weeks_of_the_add_on_exports(scenario: LedgerApplication) -> None:
    """``--from``/``--to`` at now (the running totals) and at a past cut (the tasks grouped):
    the rows are the whole export's rows whose week is in the range, in the same order."""
    rules = load_rules("current")
    for view in (View(), View(as_of=parse_cutoff("2026-03-18", "--as-of"))):
        for projection in (PROJECTIONS["addon_burden"], ADDON_BURDEN_BY_SITE):
            whole = compute(scenario, projection, view, rules).rows
            weeks = sorted({row["week"] for row in whole})
            assert len(weeks) >= 2
            first, last = weeks[1], weeks[-1]
            ranged = compute(scenario, projection, view, rules, weeks=Weeks(first, last)).rows
            assert ranged == [row for row in whole if first <= row["week"] <= last]
            assert ranged and len(ranged) < len(whole)
            assert compute(scenario, projection, view, rules, weeks=Weeks(last=weeks[0])).rows == [row for row in whole if row["week"] == weeks[0]]


@pytest.mark.slow
def test_cli_week_ranges_are_checked(store_url: str) -> None:
    assert run_cli(store_url, "import", str(SCENARIO)).returncode == 0
    ranged = run_cli(store_url, "export", "addon_burden", "--from", "2026-w11", "--to", "2026-W11", "--format", "jsonl")
    assert ranged.returncode == 0, ranged.stderr
    lines = [json.loads(line) for line in ranged.stdout.splitlines()]
    assert json.loads(ranged.stderr.decode().removeprefix("caseledger: provenance: "))["weeks"] == "2026-W11..2026-W11"
    assert lines and {row["week"] for row in lines} == {"2026-W11"}
    for args, message in (
        (("--from", "2026-W54"), b"--from: '2026-W54' is not an ISO week like 2026-W03"),
        (("--to", "last week"), b"--to: 'last week' is not an ISO week like 2026-W03"),
        (("--from", "2026-W12", "--to", "2026-W11"), b"--from 2026-W12 is after --to 2026-W11"),
    ):
        refused = run_cli(store_url, "export", "addon_burden", *args)
        assert refused.returncode == 2 and message in refused.stderr and b"Traceback" not in refused.stderr, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    other = run_cli(store_url, "export", "workload", "--from", "2026-W11")
    assert other.returncode == 2 and b"--from/--to apply to addon_burden, coverage and weekly_hours only" in other.stderr


def test_add_on_totals_behind_the_tasks_are_not_trusted(scenario: LedgerApplication) -> None:
    """Another process may have added tasks the totals do not hold yet: then addon_burden groups
    the tasks. Emptied totals whose tracking row is set back stand in for that moment."""
    rules, projection = load_rules("current"), PROJECTIONS["addon_burden"]
    current = compute(scenario, projection, View(), rules).rows
    projector = Projector(scenario)
    db = projector.db
    with db.transaction(write=True) as cursor:
        cursor.execute(f"DELETE FROM {db.table('cl_addon_totals')}")
        cursor.execute(f"UPDATE {db.table('cl_tracking')} SET position = 0 WHERE name = 'addon_totals'")
    with db.transaction(write=False) as cursor:
        assert not AddOnTotals(db).current(cursor)
        behind = list(projection.compute(replay(cursor, db, View(), rules, projection.event_types)))
    assert behind == current and current
    projector.catch_up()  # the totals are summed again from the tasks
    with db.transaction(write=False) as cursor:
        assert AddOnTotals(db).current(cursor)
        assert cursor.execute(f"SELECT COUNT(*) FROM {db.table('cl_addon_totals')}").fetchone() != (0,)
    assert compute(scenario, projection, View(), rules).rows == current


def test_a_failed_export_leaves_the_previous_one_and_its_sidecar_as_they_were(sqlite_url: str, tmp_path: Path) -> None:
    """A 250-character name fits the file system, its 260-character sidecar does not: the export
    is refused in one line before anything is replaced; the export there before is untouched."""
    projection = PROJECTIONS["transfers"]
    result = compute(open_application(sqlite_url), projection, View(), load_rules("current"))
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / ("x" * 246 + ".csv")
    target.write_text("the previous export\n")
    with pytest.raises(ProjectionError, match=r"could not write .*\.meta\.json: File name too long; nothing was replaced"):
        write_export(projection.columns, result.rows, result.meta, "csv", str(target))
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in folder.iterdir()) == [target.name]  # no temporary file left behind


@pytest.mark.slow
def test_a_rules_path_never_reaches_the_terminal_raw(sqlite_url: str) -> None:
    open_application(sqlite_url).close()  # the store exists: the rules path is what is wrong
    bad = run_cli(sqlite_url, "export", "staffing", "--rules", "missing\n\x1b[2J[b]")
    assert bad.returncode == 2 and b"\x1b" not in bad.stderr and bad.stderr.count(b"\n") == 1
    assert b"missing\\n\\x1b[2J[b]" in bad.stderr
