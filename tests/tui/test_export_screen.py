"""The Export screen offers every option of the command line's export, names the file after the
projection and the cut, writes data a CSV reader opens as it is with its provenance beside it, and
says a failure in words."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Label, ProgressBar, Select

from caseledger.projections.catalogue import ADDON_BURDEN_BY_SITE
from tests.support.tui_helpers import AnyPilot, Drive, make_app, scenario_url, settle


async def finished(pilot: AnyPilot, screen: Screen[Any], key: str, label: str, busy: str) -> str:
    """Press ``key`` and wait until the ``label``'s message is no longer ``busy``: what it says then."""
    await pilot.press(key)
    for _ in range(600):
        await settle(pilot)
        message = str(screen.query_one(label, Label).render())
        if message != busy:
            return message
    raise AssertionError(f"{key} never finished")


async def exported(pilot: AnyPilot, screen: Screen[Any]) -> str:
    return await finished(pilot, screen, "ctrl+e", "#export-message", "Exporting…")


def test_the_add_on_burden_by_site_for_one_week_is_named_after_its_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    monkeypatch.setenv("CASELEDGER_EXPORT_DIR", str(tmp_path))  # a file name is written there
    monkeypatch.chdir(tmp_path / "..")  # not where the UI was started from
    name = "addon_burden-by-site-2026-W11-2026-W11-as-of-2026-03-20.csv"
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        screen = app.screen
        screen.query_one("#export-projection", Select).value = "addon_burden"
        screen.query_one("#export-by-site", Checkbox).value = True
        for box, text in (("#export-from", "2026-W11"), ("#export-to", "2026-W11"), ("#export-as-of", "2026-03-20")):
            screen.query_one(box, Input).value = text
        await settle(pilot)
        assert screen.query_one("#export-path", Input).value == name
        said.append(await exported(pilot, screen))

    said: list[str] = []

    drive(app, scenario, screen="export")
    with (tmp_path / name).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    written = f"{len(rows)} row{'' if len(rows) == 1 else 's'}"
    assert said == [f"Wrote {written} to {tmp_path / name} (provenance in {name}.meta.json)"] and rows
    assert list(rows[0]) == [column.name for column in ADDON_BURDEN_BY_SITE.columns]  # the header is the first line
    assert {row["week"] for row in rows} == {"2026-W11"}
    meta = json.loads((tmp_path / f"{name}.meta.json").read_text())
    assert (meta["projection"], meta["weeks"], meta["as_of"], meta["deidentified"]) == ("addon_burden by site", "2026-W11..2026-W11", "2026-03-20", True)


def test_a_typed_name_is_kept_and_a_missing_folder_is_said_in_words(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    target = tmp_path / "no such folder" / "x.csv"
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        screen = app.screen
        screen.query_one("#export-path", Input).value = str(target)
        screen.query_one("#export-projection", Select).value = "transfers"
        await settle(pilot)
        assert screen.query_one("#export-path", Input).value == str(target)  # the person's name stands
        assert await exported(pilot, screen) == f"Export failed: the folder {target.parent} does not exist"
        assert screen.query_one("#export-progress", ProgressBar).progress == 0

    drive(app, scenario, screen="export")
    assert not target.parent.exists()


def test_a_typed_names_extension_follows_the_format_and_weeks_are_offered_only_for_the_add_on_burden(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        screen = app.screen
        assert screen.query_one("#export-by-site", Checkbox).disabled and screen.query_one("#export-from", Input).disabled
        screen.query_one("#export-path", Input).value = "big.csv"
        screen.query_one("#export-format", Select).value = "parquet"
        await settle(pilot)
        assert screen.query_one("#export-path", Input).value == "big.parquet"
        screen.query_one("#export-projection", Select).value = "addon_burden"
        await settle(pilot)
        assert not screen.query_one("#export-by-site", Checkbox).disabled
        screen.query_one("#export-path", Input).value = ""
        assert await exported(pilot, screen) == "Export failed: give the file a name"

    drive(app, scenario, screen="export")


async def reported(pilot: AnyPilot, screen: Screen[Any]) -> str:
    return await finished(pilot, screen, "ctrl+r", "#report-message", "Computing the report…")


def test_the_export_screen_writes_the_report_named_after_its_period(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drive: Drive) -> None:
    """Ctrl+R writes the analyst's report of the period typed (the file named after it, PDF when
    chosen); a date that is not one is said in words and nothing is written."""
    url = scenario_url(tmp_path)
    monkeypatch.setenv("CASELEDGER_EXPORT_DIR", str(tmp_path))
    said: list[str] = []
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        screen = app.screen
        screen.query_one("#report-from", Input).value = "2026-01-01"
        screen.query_one("#report-to", Input).value = "2026-03-15"
        screen.query_one("#report-format", Select).value = "pdf"
        await settle(pilot)
        assert screen.query_one("#report-path", Input).value == "report-2026-01-01-2026-03-15.pdf"
        screen.query_one("#report-format", Select).value = "html"
        await settle(pilot)
        said.append(await reported(pilot, screen))
        bar = screen.query_one("#report-progress", ProgressBar)
        said.append(f"{bar.progress:.0f}/{bar.total:.0f}")
        screen.query_one("#report-to", Input).value = "2026-02-30"
        screen.query_one("#report-path", Input).value = "bad.html"
        said.append(await reported(pilot, screen))

    drive(app, scenario, screen="export")
    written = tmp_path / "report-2026-01-01-2026-03-15.html"
    assert said == [f"Wrote the report to {written}", "12/12", "Report failed: report to: '2026-02-30' is not a date, like 2026-03-31"]
    assert 'data-chart="deadlines"' in written.read_text() and not (tmp_path / "bad.html").exists()


def test_a_file_name_goes_to_the_documents_folder_never_where_the_ui_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drive: Drive) -> None:
    """Unset, the export folder is the user's documents folder (``XDG_DOCUMENTS_DIR`` here),
    created on the first export; the folder the UI was started from (a checkout) stays clean. The
    workload export has a row per officer: the scenario registers five."""
    url = scenario_url(tmp_path)
    documents, started = tmp_path / "Documents", tmp_path / "checkout"
    started.mkdir()
    monkeypatch.delenv("CASELEDGER_EXPORT_DIR")
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(documents))
    monkeypatch.chdir(started)
    said: list[str] = []
    app = make_app(url, None)

    async def scenario(pilot: AnyPilot) -> None:
        said.append(await exported(pilot, app.screen))

    drive(app, scenario, screen="export")
    assert said == [f"Wrote 5 rows to {documents / 'workload.csv'} (provenance in workload.csv.meta.json)"]
    assert sorted(path.name for path in documents.iterdir()) == ["workload.csv", "workload.csv.meta.json"]
    assert list(started.iterdir()) == []
