"""Issue #24, point 8: the usability test that can fail. For each row of docs/tui.md's "Tasks and
keystrokes" table, at 120×40 and at 80×24, a newcomer's keys are pressed on the real app, each one
only when the screen shows it, and the result is checked in the store or on the screen; the keys
are counted as the table counts them and the count must reach the table's within 1.2× — the
table's counts are read from docs/tui.md here, so the document and the test cannot drift apart.

What a newcomer goes by (a key is pressed only when the screen, as rendered at that size, shows
its sign):

- the footer ("n Record", "^e Run export"; the screen digits as the group
  "1234567 screens", which `?` names one by one), the record form's hint line ("Ctrl+S record",
  "Ctrl+T type", "→ takes a suggestion"), the words of a screen ("(key 2: Due)" above My week's
  alerts, "s: sites · p: staffing" above the Site table, "2  scanning and faxing" in the add-on
  dialog);
- a choice's letter where the form shows it: the open type list names each type (its first
  letters find it), a closed list shows its choices with their letters below it while it has the
  focus ("(m) maintain");
- Tab, Enter and the arrows, which every terminal form takes (no sign asked).

Counting, as the table does: every key once, the arrows apart ("+ arrows": exactly as many as
the selected row is below the first), ids, numbers and text typed not at all.

People on the scenario store (granted by its admin, hq.admin): adams, linked to po.adams, and
chen, linked to po.chen, officers; sup supervises on-hyb; aud is an auditor, ana an analyst.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.app import App
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Label

from caseledger.domain.events import catalogue as p
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import read_log
from caseledger.tui.app import CaseLedgerApp
from caseledger.tui.forms import RecordScreen
from caseledger.tui.screens.audit import AuditScreen
from caseledger.tui.screens.casefile import CaseFileScreen
from caseledger.tui.screens.caseload import CaseloadScreen
from caseledger.tui.screens.due import DueScreen
from caseledger.tui.screens.export import ExportScreen
from caseledger.tui.screens.site import SiteScreen
from caseledger.tui.screens.week import WeekScreen
from tests.support.commands import ScriptedService
from tests.support.tui_helpers import SCENARIO_ADMIN, AnyPilot, Drive, form_closed, make_app, newest, scenario_url, settle

SIZES = [(120, 40), (80, 24)]
TABLE = Path(__file__).resolve().parents[2] / "docs" / "tui.md"
SLACK = 1.2
"""How many times the table's keys a newcomer may take (issue #24's bar)."""


# -- the table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """One count of a row of the table: the keys, and whether arrows come on top ("+ arrows")."""

    keys: int
    arrows: bool


def table_counts() -> dict[tuple[str, str], list[Count]]:
    """Each (user, task) row of the "Tasks and keystrokes" table with its counts in order ("— 3",
    "— 3 + arrows"; a row may state several: "— 0; the list: `2` — 1")."""
    text = TABLE.read_text(encoding="utf-8")
    section = text.split("## Tasks and keystrokes", 1)[1].split("\n## ", 1)[0]
    rows: dict[tuple[str, str], list[Count]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in {"user", ""} or set(cells[0]) <= {"-"}:
            continue
        user, task, keys = cells
        rows[user, task] = [Count(int(number), bool(arrows)) for number, arrows in re.findall(r"— (\d+)( \+ arrows)?", keys)]
    return rows


# -- what the screen shows, and a newcomer's keys ------------------------------------------------------


def screen_text(app: App[Any]) -> str:
    """The terminal's text as the app draws it at its size (dialogs over the screen beneath)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


@dataclass(frozen=True)
class Step:
    """Keys pressed together: how many the table counts, how many are arrows, and the words on
    the screen that lead to them (None: Tab, Enter, arrows, or text typed)."""

    keys: tuple[str, ...]
    counted: int
    arrows: int = 0
    sign: str | None = None


def key(name: str, sign: str) -> Step:
    return Step((name,), 1, sign=sign)


SCREENS = "screens"
"""The sign of a screen's digit: the footer's group of screen keys ("1234567 screens")."""


def screen(digit: str) -> Step:
    return Step((digit,), 1, sign=SCREENS)


def typed(text: str) -> Step:
    return Step(tuple(text), 0)


def tab(times: int = 1) -> Step:
    return Step(("tab",) * times, times)


def down(times: int) -> Step:
    return Step(("down",) * times, 0, arrows=times)


ENTER = Step(("enter",), 1)
RECORD = key("ctrl+s", "Ctrl+S record")
TYPE_LIST = key("ctrl+t", "Ctrl+T type")
TAKE = key("right", "→ takes")
FORM = key("n", "n Record")


@dataclass
class Measured:
    keys: int = 0
    arrows: int = 0


async def walk(pilot: AnyPilot, *steps: Step) -> Measured:
    """Press each step's keys once the screen shows its sign (failing, with the screen, when it
    does not); the keys and arrows counted."""
    app = pilot.app
    assert isinstance(app, CaseLedgerApp)
    measured = Measured()
    for step in steps:
        if step.sign is not None:
            shown = screen_text(app)
            if step.sign == SCREENS:
                footer = shown.rstrip("\n").splitlines()[-1]
                assert re.search(rf"\b\d*{step.keys[0]}\d* screens\b", footer), f"the footer shows no screen key {step.keys[0]} at {app.size}:\n{shown}"
            else:
                assert step.sign in shown, f"before {step.keys}, the screen does not show {step.sign!r} at {tuple(app.size)}:\n{shown}"
        for name in step.keys:
            await pilot.press(name)
            await settle(pilot)
        measured.keys += step.counted
        measured.arrows += step.arrows
    return measured


def row_index(table: DataTable[object], key: str) -> int:
    """Where the row whose key starts with ``key`` is (how many ↓ from the first row)."""
    for index in range(table.row_count):
        if str(table.coordinate_to_cell_key(Coordinate(index, 0)).row_key.value).startswith(key):
            return index
    raise AssertionError(f"no row {key!r}")


def data_table(app: App[Any]) -> DataTable[object]:
    return app.screen.query_one(DataTable)


def people(folder: Path) -> str:
    url = scenario_url(folder)
    admin = ScriptedService(open_application(url), SCENARIO_ADMIN)
    for login, officer in (("adams", "po.adams"), ("chen", "po.chen")):
        admin.link(login, officer, occurred_at="2026-03-20")
        admin.grant(login, "officer", occurred_at="2026-03-20")
    admin.grant("sup", "supervisor", "on-hyb", occurred_at="2026-03-20")
    admin.grant("aud", "auditor", occurred_at="2026-03-20")
    admin.grant("ana", "analyst", occurred_at="2026-03-20")
    return url


# -- the tasks ---------------------------------------------------------------------------------------

Task = Callable[[AnyPilot, str], Awaitable[list[Measured]]]
TASKS: dict[tuple[str, str], tuple[str, Task]] = {}
"""Each row of the table: the login whose view does it, and the newcomer's run (the counts it
measured, in the row's order)."""


def task(user: str, words: str, login: str) -> Callable[[Task], Task]:
    def register(run: Task) -> Task:
        TASKS[user, words] = (login, run)
        return run

    return register


@task("officer", "log 25 minutes of scanning and faxing", "adams")
async def log_addon(pilot: AnyPilot, url: str) -> list[Measured]:
    measured = await walk(pilot, key("a", "a Add-on"), key("2", "2  scanning and faxing"), typed("25"), ENTER)
    data = newest(url).envelope.data
    assert isinstance(data, p.AddOnTaskLogged) and (data.officer, data.category, data.minutes) == ("po.adams", "scanning_faxing", 25)
    return [measured]


@task("officer", "see what is overdue or due soon", "adams")
async def see_due(pilot: AnyPilot, url: str) -> list[Measured]:
    """On opening, My week's alerts count the deadlines pressing; `2` lists them, overdue first —
    as many overdue and due soon as the alerts said."""
    app = pilot.app
    assert isinstance(app.screen, WeekScreen)
    pressing = re.search(r"Alerts · (\d+) deadlines? pressing", screen_text(app))
    assert pressing, screen_text(app)
    listed = await walk(pilot, Step(("2",), 1, sign="2: Due)"))
    assert isinstance(app.screen, DueScreen)
    statuses = [str(row[0]) for row in (data_table(app).get_row_at(index) for index in range(data_table(app).row_count))]
    assert statuses == sorted(statuses, key=["overdue", "due soon", "open"].index)
    assert sum(status != "open" for status in statuses) == int(pressing.group(1))
    return [Measured(), listed]


@task("officer", "mark an overdue preliminary assessment done", "adams")
async def complete_deadline(pilot: AnyPilot, url: str) -> list[Measured]:
    app = pilot.app
    assert isinstance(app, CaseLedgerApp)
    first = await walk(pilot, Step(("2",), 1, sign="2: Due)"))
    below = row_index(data_table(app), "off-007 preliminary_assessment")
    rest = await walk(pilot, down(below), FORM)
    form = app.screen
    assert isinstance(form, RecordScreen) and form.kind == "CaseTaskCompleted"
    rest2 = await walk(pilot, RECORD)
    await form_closed(pilot)
    data = newest(url).envelope.data
    assert isinstance(data, p.CaseTaskCompleted) and (data.offender, data.task) == ("off-007", "preliminary_assessment")
    with pytest.raises(AssertionError):
        row_index(data_table(app), "off-007 preliminary_assessment")  # done: off the list
    return [Measured(first.keys + rest.keys + rest2.keys, rest.arrows)]


@task("officer", "an SIU review the deadline asks for", "chen")
async def siu_review(pilot: AnyPilot, url: str) -> list[Measured]:
    app = pilot.app
    assert isinstance(app, CaseLedgerApp)
    first = await walk(pilot, screen("2"))
    below = row_index(data_table(app), "off-003 siu_first_review")
    rest = await walk(pilot, down(below), FORM, key("m", "(m) maintain"), RECORD)
    await form_closed(pilot)
    data = newest(url).envelope.data
    assert isinstance(data, p.SIUReviewHeld) and (data.offender, data.level, data.outcome) == ("off-003", "institutional_head", "maintain")
    return [Measured(first.keys + rest.keys, rest.arrows)]


async def from_the_open_case(pilot: AnyPilot, *steps: Step) -> Measured:
    """off-007 open in the Case file (how it got there is not the task), then ``steps``."""
    app = pilot.app
    assert isinstance(app, CaseLedgerApp)
    app.open_case("off-007")
    await settle(pilot)
    data_table(app).focus()
    measured = await walk(pilot, *steps)
    await form_closed(pilot)
    return measured


@task("officer", "a release-plan step from the open case", "adams")
async def plan_step(pilot: AnyPilot, url: str) -> list[Measured]:
    measured = await from_the_open_case(pilot, FORM, TYPE_LIST, key("r", "Release plan step"), ENTER, tab(), key("h", "(h) housing"), RECORD)
    data = newest(url).envelope.data
    assert isinstance(data, p.ReleasePlanStep) and (data.offender, data.step) == ("off-007", "housing_secured")
    return [measured]


@task("officer", "a case task from the open case", "adams")
async def case_task(pilot: AnyPilot, url: str) -> list[Measured]:
    """The form opens on the type last recorded (a release-plan step, here): the case task is
    picked from the type list."""
    app = pilot.app
    assert isinstance(app, CaseLedgerApp)
    app.last_kind = "ReleasePlanStep"
    measured = await from_the_open_case(pilot, FORM, TYPE_LIST, key("c", "Case task completed"), ENTER, tab(), key("p", "(p) preliminary"), RECORD)
    data = newest(url).envelope.data
    assert isinstance(data, p.CaseTaskCompleted) and (data.offender, data.task) == ("off-007", "preliminary_assessment")
    return [measured]


@task("officer", "a CCLO contact from the open case", "adams")
async def cclo_contact(pilot: AnyPilot, url: str) -> list[Measured]:
    """The liaison officer completes from "cclo" (→), their police service fills itself in; the
    second contact's form opens on the type just recorded, its first empty field focused."""
    first = await from_the_open_case(
        pilot,
        FORM,
        TYPE_LIST,
        key("c", "CCLO contact recorded"),
        key("c", "CCLO contact recorded"),
        ENTER,
        tab(),
        typed("cclo"),
        TAKE,
        tab(2),
        key("i", "(i) information"),
        tab(),
        typed("30"),
        RECORD,
    )
    data = newest(url).envelope.data
    assert isinstance(data, p.CcloContactRecorded)
    assert (data.offender, data.cclo, data.police_service, data.purpose, data.minutes) == (
        "off-007",
        "cclo.kps-07",
        "Kingston Police",
        "information_sharing",
        30,
    )
    second = await from_the_open_case(pilot, FORM, typed("cclo"), TAKE, tab(2), key("j", "(j) joint"), tab(), typed("45"), RECORD)
    again = newest(url).envelope.data
    assert isinstance(again, p.CcloContactRecorded)
    assert (again.offender, again.cclo, again.police_service, again.purpose, again.minutes) == (
        "off-007",
        "cclo.kps-07",
        "Kingston Police",
        "joint_home_visit",
        45,
    )
    return [first, second]


@task("officer", "caseload with covered cases and next dates", "adams")
async def caseload(pilot: AnyPilot, url: str) -> list[Measured]:
    """po.adams carries off-007 (own) and off-002 (covering po.brown, on leave): both listed, each
    with whose it is (fixtures/scenario_expected.md: own {off-007}, covered {off-002})."""
    app = pilot.app
    assert isinstance(app, CaseLedgerApp)
    measured = await walk(pilot, screen("3"))
    assert isinstance(app.screen, CaseloadScreen)
    table = data_table(app)
    rows = {str(row[0]): str(row[3]) for row in (table.get_row_at(index) for index in range(table.row_count))}
    assert rows.keys() == {"off-007", "off-002"} and rows["off-007"] == "own" and "po.brown" in rows["off-002"], rows
    assert [str(column.label) for column in table.columns.values()][1] == "next dates"
    return [measured]


def site_officers(app: CaseLedgerApp) -> list[str]:
    table = data_table(app)
    return [str(table.coordinate_to_cell_key(Coordinate(index, 0)).row_key.value) for index in range(table.row_count)]


@task("supervisor", "who is over ratio, over the week, has overdue deadlines", "sup")
async def site_at_opening(pilot: AnyPilot, url: str) -> list[Measured]:
    """on-hyb's officers: po.adams, po.brown, mai.evans (fixtures/scenario_expected.md)."""
    app = pilot.app
    assert isinstance(app, CaseLedgerApp) and isinstance(app.screen, SiteScreen)
    assert sorted(site_officers(app)) == ["mai.evans", "po.adams", "po.brown"]
    return [Measured()]


@task("supervisor", "every site with totals / staffing current vs proposed", "sup")
async def site_totals_and_staffing(pilot: AnyPilot, url: str) -> list[Measured]:
    app = pilot.app
    site = app.screen
    assert isinstance(site, SiteScreen)
    totals = await walk(pilot, key("s", "s: sites"))  # the screen's words above the table
    assert site.all_sites and str(data_table(app).get_row_at(0)[0]) == "on-hyb"
    staffing = await walk(pilot, key("p", "p: staffing"))
    assert site.staffing and str(data_table(app).get_row_at(0)[0]) == "on-hyb"
    return [totals, staffing]


@task("supervisor", "an officer's overdue deadlines", "sup")
async def officers_due(pilot: AnyPilot, url: str) -> list[Measured]:
    app = pilot.app
    assert isinstance(app, CaseLedgerApp)
    measured = await walk(pilot, down(site_officers(app).index("po.adams")), ENTER)
    assert isinstance(app.screen, DueScreen) and app.officer == "po.adams"
    assert str(data_table(app).get_row_at(0)[0]) == "overdue"
    return [measured]


@task("supervisor", "coverage for an officer on leave", "sup")
async def coverage(pilot: AnyPilot, url: str) -> list[Measured]:
    """mai.evans went on sick leave the day before (recorded before the test): sup covers her
    with po.adams (not on leave, at her site: nothing odd to confirm)."""
    app = pilot.app
    assert isinstance(app, CaseLedgerApp)
    measured = await walk(
        pilot,
        down(site_officers(app).index("mai.evans")),
        FORM,
        TYPE_LIST,
        key("c", "Coverage started"),
        key("o", "Coverage started"),
        ENTER,
        tab(),
        typed("po.a"),
        TAKE,
        RECORD,
    )
    await form_closed(pilot)
    data = newest(url).envelope.data
    assert isinstance(data, p.CoverageStarted) and (data.officer, data.covering_officer) == ("mai.evans", "po.adams")
    return [measured]


@task("auditor", "everything one person recorded", "aud")
async def one_persons_entries(pilot: AnyPilot, url: str) -> list[Measured]:
    """Every row the Audit shows was recorded by po.adams, and as many as the log holds."""
    app = pilot.app
    assert isinstance(app, CaseLedgerApp)
    measured = await walk(pilot, screen("6"), tab(), typed("po.adams"), ENTER)
    assert isinstance(app.screen, AuditScreen)
    table = data_table(app)
    shown = [str(table.get_row_at(index)[1]) for index in range(table.row_count)]
    store = open_application(url)
    assert shown and shown == ["po.adams"] * sum(event.envelope.recorded_by == "po.adams" for event in read_log(store))
    return [measured]


@task("auditor", "a case as known at a date", "aud")
async def case_as_known(pilot: AnyPilot, url: str) -> list[Measured]:
    app = pilot.app
    assert isinstance(app, CaseLedgerApp)
    measured = await walk(pilot, screen("4"), typed("off-001"), tab(2), typed("2026-03-21"), ENTER)
    assert isinstance(app.screen, CaseFileScreen)
    assert "The case as known at 2026-03-21" in screen_text(app) and data_table(app).row_count > 0
    return [measured]


async def written(pilot: AnyPilot, label: str, busy: str) -> str:
    """What ``label`` says once it no longer says ``busy`` (the file is written by then)."""
    for _ in range(600):
        await settle(pilot)
        said = str(pilot.app.screen.query_one(label, Label).render())
        if not said.startswith(busy):
            return said
    raise AssertionError(f"{label} still says {busy}")


@task("analyst", "the workload export, de-identified, named for what it holds", "ana")
async def workload_export(pilot: AnyPilot, url: str) -> list[Measured]:
    """workload.csv in the export folder, a row per officer: the scenario registers five."""
    measured = await walk(pilot, screen("7"), key("ctrl+e", "^e Run export"))
    assert isinstance(pilot.app.screen, ExportScreen)
    said = await written(pilot, "#export-message", "Exporting")
    found = re.fullmatch(r"Wrote \d+ rows? to (\S+) \(provenance in .*\)", said)
    assert found, said
    path = Path(found.group(1))
    assert path.is_absolute() and path.name == "workload.csv", said
    assert len(list(csv.DictReader(path.open(encoding="utf-8")))) == 5
    assert "Wrote 5 rows to " in screen_text(pilot.app), "the screen does not show where it wrote"
    return [measured]


@task("analyst", "the report of the last twelve months, as HTML", "ana")
async def year_report(pilot: AnyPilot, url: str) -> list[Measured]:
    measured = await walk(pilot, screen("7"), key("ctrl+r", "^r Write report"))
    said = await written(pilot, "#report-message", "Computing")
    path = Path(said.removeprefix("Wrote the report to "))
    assert said.startswith("Wrote the report to ") and path.is_absolute(), said
    assert re.fullmatch(r"report-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.html", path.name) and path.is_file(), said
    assert "<html" in path.read_text(encoding="utf-8")[:500].lower()
    assert "Wrote the report to " in screen_text(pilot.app), "the screen does not show where it wrote"
    return [measured]


# -- the tests ----------------------------------------------------------------------------------------


def test_every_row_of_the_table_has_a_newcomers_run_and_a_count() -> None:
    """A row added to the table without a run here, or a row that states no count, fails."""
    rows = table_counts()
    assert rows.keys() == TASKS.keys(), (rows.keys() - TASKS.keys(), TASKS.keys() - rows.keys())
    assert all(rows.values()), [row for row, counts in rows.items() if not counts]


def runs() -> list[object]:
    """Every row at every size."""
    return [pytest.param(row, size, id=f"{row[0]}: {row[1]}-{size[0]}x{size[1]}") for row in TASKS for size in SIZES]


@pytest.mark.parametrize(("row", "size"), runs())
def test_a_newcomer_does_the_task_within_the_tables_keys(
    row: tuple[str, str], size: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drive: Drive
) -> None:
    stated = table_counts()[row]
    login, run = TASKS[row]
    url = people(tmp_path)
    if row == ("supervisor", "coverage for an officer on leave"):
        ScriptedService(open_application(url), SCENARIO_ADMIN).start_leave("mai.evans", "sick", occurred_at="2026-03-19")
    (tmp_path / "documents").mkdir()
    monkeypatch.setenv("CASELEDGER_EXPORT_DIR", str(tmp_path / "documents"))
    app = make_app(url, None, login=login)

    async def scenario(pilot: AnyPilot) -> list[Measured]:
        return await run(pilot, url)

    measured = drive(app, scenario, size=size)
    assert len(measured) == len(stated), (measured, stated)
    for count, did in zip(stated, measured, strict=True):
        assert did.keys <= SLACK * count.keys, f"{row} at {size}: {did.keys} keys, the table says {count.keys}"
        assert did.keys >= count.keys, f"{row} at {size}: {did.keys} keys, fewer than the table's {count.keys}: say so in docs/tui.md"
        assert count.arrows or did.arrows == 0, f"{row}: {did.arrows} arrows, and the table does not say + arrows"
