"""A store written by the code before the ``caseledger`` namespace still opens, verifies, lists the
same events and exports the same rows; its snapshots (topics naming ``domain.aggregates``, written
before snapshots carried a MAC) are discarded, not trusted, and its cases load from their events.

The stores and what the old code exported from them are in tests/data/legacy (see its README).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from caseledger.domain.model.aggregates import OffenderCase, entity_id
from caseledger.domain.store.application import open_application
from caseledger.projections.rules import load_rules
from tests.support.cli import run_cli
from tests.support.commands import ScriptedService
from tests.support.paths import LEGACY

PROJECTIONS = ("workload", "addon_burden", "release_lead_time", "siu_stays", "transfers", "cclo_contacts", "staffing")
HEADS = {
    "legacy_store": (104, "f392fde1bfe8756c30db240d93c7faac064cd6ec949ac9ab28684d41e703a444"),
    "scenario_store": (72, "2790d86eba7332cd49c015bd4f8945baeee9ce4bac79ba8a304dee5a479b4d76"),
}


def copied(name: str, folder: Path) -> str:
    """A copy of the committed store (tests never change the committed file)."""
    target = folder / f"{name}.db"
    shutil.copyfile(LEGACY / f"{name}.db", target)
    return f"sqlite:///{target}"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(HEADS))
def test_an_old_store_verifies_lists_and_exports_as_before(name: str, tmp_path: Path) -> None:
    url = copied(name, tmp_path)
    position, head = HEADS[name]
    verified = run_cli(url, "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.decode().split() == ["intact:", str(position), "events,", "head", "position", f"{position},", "head", head]
    listed = run_cli(url, "events")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == (LEGACY / name / "events.jsonl").read_bytes()
    for projection in PROJECTIONS:
        exported = run_cli(url, "export", projection, "--as-of", "2026-06-30", "--format", "json", "--identified")
        assert exported.returncode == 0, exported.stderr
        rows, meta = json.loads(exported.stdout), json.loads(exported.stderr.decode().removeprefix("caseledger: provenance: "))
        before = json.loads((LEGACY / name / f"{projection}.json").read_text())  # {"meta": …, "rows": […]}, as JSON was then
        assert [counted_only(row) for row in rows] == before["rows"], projection
        kept = ("projection", "rules", "as_of", "log_position", "deidentified")
        assert {key: meta[key] for key in kept} == {key: before["meta"][key] for key in kept}
        assert meta["rules_sha256"] == load_rules("current").sha256  # the rules file gained its deadlines since


def counted_only(row: dict[str, Any]) -> dict[str, Any]:
    """A row as the old code exported it: ``by_purpose`` then listed only the purposes with a
    count (every export now lists all five, 0 where there is none)."""
    if "by_purpose" not in row:
        return row
    return {**row, "by_purpose": {purpose: count for purpose, count in row["by_purpose"].items() if count}}


def test_an_old_snapshot_is_discarded_and_the_case_takes_new_commands(tmp_path: Path) -> None:
    url = copied("legacy_store", tmp_path)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as raw:
        assert raw.execute("SELECT topic FROM stored_snapshots").fetchall() == [("snapshot:domain.aggregates:OffenderCase",)]
    app = open_application(url)
    case_id = entity_id(OffenderCase.KIND, "O1")
    with app.ledger_recorder.transaction(write=False) as cursor:
        assert cursor.execute("SELECT topic FROM stored_snapshots").fetchall() == []  # unsealed: never trusted
    from_events: OffenderCase = app.repository.get(case_id)
    assert from_events.officer == "po2" and from_events.pending_transfer_sites == ("PEN",) and from_events.version == 62
    position = ScriptedService(app).assign_case("O1", "po1", occurred_at="2026-02-01")  # the OS login owns the copied file: an admin
    assert position == 105
    assert app.repository.get(case_id).officer == "po1"
