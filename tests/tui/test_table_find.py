"""Every table of the TUI filters (``/``), sorts (``r`` then a column's key) and fits its screen.

Driven on the real app and the hand-checked scenario store. What a filter should show is computed
from the rows the screen gave the table (``LedgerTable.given_rows``), never copied from a run: a
row is shown when one of its cells, as shown, holds the typed text, letter case ignored. The
property tests try the same functions on arbitrary rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Label

from caseledger.domain.store.application import open_application
from caseledger.tui.screens.caseload import CaseloadScreen
from caseledger.tui.widgets.find import FindBar, FindInput
from caseledger.tui.widgets.rowview import BLANKS, Order, Shown, matches, shown_text, sort_key, view_rows
from caseledger.tui.widgets.tables import LedgerTable
from tests.support.commands import ScriptedService
from tests.support.tui_helpers import SCENARIO_ADMIN, AnyPilot, Drive, make_app, reloaded, scenario_url, screen_key, settle

SCREENS = ["week", "due", "caseload", "casefile", "site", "audit"]


def focused_table(pilot: AnyPilot) -> LedgerTable:
    tables = list(pilot.app.screen.query(LedgerTable))
    table = next((table for table in tables if table.has_focus), tables[0])
    table.focus()
    return table


def needle_of(table: LedgerTable) -> str:
    """Text that some rows hold and (where the table has several) some do not: the middle of the
    last row's longest cell, its letter case swapped (the filter ignores case)."""
    cells = [shown_text(cell) for cell in table.given_rows[-1][0]]
    longest = max(cells, key=len)
    middle = longest[len(longest) // 3 : len(longest) // 3 + 3] or longest
    return middle.swapcase()


def expected_firsts(table: LedgerTable, needle: str) -> list[str]:
    return [shown_text(cells[0]) for cells, _key in table.given_rows if any(needle.casefold() in shown_text(cell).casefold() for cell in cells)]


def shown_firsts(table: LedgerTable) -> list[str]:
    return [shown_text(table.get_row_at(index)[0]) for index in range(table.row_count)]


async def opened(pilot: AnyPilot, mode: str) -> None:
    if mode == "casefile":  # a case: the first of the caseload, opened with Enter
        await pilot.press(screen_key("caseload"))
        await settle(pilot)
        await pilot.press("enter")
    else:
        await pilot.press(screen_key(mode))
    await settle(pilot)


@pytest.mark.parametrize("mode", SCREENS)
def test_slash_filters_the_rows_of_every_table_and_esc_clears_it(tmp_path: Path, drive: Drive, mode: str) -> None:
    app = make_app(scenario_url(tmp_path), "po.adams" if mode != "site" else "sup.ortiz")

    async def scenario(pilot: AnyPilot) -> None:
        await opened(pilot, mode)
        table = focused_table(pilot)
        assert table.given_rows, f"the {mode} table has rows to filter"
        everything = shown_firsts(table)
        needle = needle_of(table)
        await pilot.press("slash", *needle)  # typed at once, as a person does: no key lost, none taken as a screen key
        await settle(pilot)
        assert app.screen.query_one(FindInput).value == needle
        expected = expected_firsts(table, needle)
        assert expected  # the needle came from a row
        assert [first.replace("\n", " ") for first in shown_firsts(table)] == [first.replace("\n", " ") for first in expected]
        bar = app.screen.query_one(FindBar)
        assert str(bar.count.render()) == f"{len(expected)} of {len(table.given_rows)} rows"
        await pilot.press("enter")
        await settle(pilot)
        assert table.has_focus and app.screen.query(FindBar)  # back to the table, the filter still said
        await pilot.press("escape")
        await settle(pilot)
        assert shown_firsts(table) == everything
        assert not app.screen.query(FindBar)

    drive(app, scenario)


def test_the_filter_holds_through_a_reload_after_another_recording(tmp_path: Path, drive: Drive) -> None:
    url = scenario_url(tmp_path)
    app = make_app(url, "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        table = focused_table(pilot)
        await pilot.press("slash", *"role")
        await settle(pilot)
        before = len(table.given_rows)
        screen = app.screen
        loads = screen.loads  # type: ignore[attr-defined]
        ScriptedService(open_application(url), SCENARIO_ADMIN).log_addon_task("po.chen", "clerical", 10, occurred_at="2026-03-20")
        app.session.catch_up()
        app.reload_screen()
        await reloaded(pilot, screen, loads)  # type: ignore[arg-type]
        assert len(table.given_rows) == before + 1  # the new event is among the rows kept …
        assert table.filter_text == "role"
        assert shown_firsts(table) == expected_firsts(table, "role")  # … and the filter still applies
        assert str(screen.query_one(FindBar).count.render()) == f"{table.row_count} of {before + 1} rows"

    drive(app, scenario, screen="audit")


def test_r_then_a_column_sorts_by_it_numbers_as_numbers_and_again_reverses(tmp_path: Path, drive: Drive) -> None:
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        table = focused_table(pilot)
        positions = [int(shown_text(table.get_row_at(index)[0])) for index in range(table.row_count)]
        await pilot.press("r", "1")
        await settle(pilot)
        ascending = [int(shown_text(table.get_row_at(index)[0])) for index in range(table.row_count)]
        assert ascending == sorted(positions)
        await pilot.press("r", "1")
        await settle(pilot)
        descending = [int(shown_text(table.get_row_at(index)[0])) for index in range(table.row_count)]
        assert descending == sorted(positions, reverse=True)
        assert str(table.ordered_columns[0].label).endswith("▼")
        await pilot.press("r", "0")  # the screen's own order again
        await settle(pilot)
        assert [int(shown_text(table.get_row_at(index)[0])) for index in range(table.row_count)] == positions

    drive(app, scenario, screen="audit")


def test_due_sorts_by_whose_and_when_by_days_not_by_words(tmp_path: Path, drive: Drive) -> None:
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        table = focused_table(pilot)
        header = [str(column.label) for column in table.ordered_columns]
        days = [(row.value if isinstance(row, Shown) else None) for row in (cells[header.index("when")] for cells, _key in table.given_rows)]
        await pilot.press("r", str(header.index("when") + 1))
        await settle(pilot)
        assert [table.get_row_at(index)[header.index("when")] for index in range(table.row_count)] == [
            shown_text(cells[header.index("when")]) for cells, _key in sorted(table.given_rows, key=lambda row: row[0][header.index("when")].value)
        ]
        assert all(isinstance(day, int) for day in days)
        await pilot.press("r", str(header.index("whose") + 1))
        await settle(pilot)
        whose = [shown_text(table.get_row_at(index)[header.index("whose")]) for index in range(table.row_count)]
        assert whose == sorted(whose, key=str.casefold)

    drive(app, scenario, screen="due")


def test_caseload_shows_all_then_own_then_covered(tmp_path: Path, drive: Drive) -> None:
    """po.adams covers po.brown (#50), whose own caseload is off-002 alone: the covered view holds
    that case, the own view po.adams's, all both (the default, as before)."""
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        table = focused_table(pilot)
        every = {str(key.value): row.whose for key, row in zip(table.rows, screen.case_rows, strict=True)}
        assert "covering po.brown" in every.values() and "own" in every.values()
        views = []
        for _ in range(3):
            await pilot.press("v")
            await settle(pilot)
            views.append({str(key.value) for key in table.rows})
        own, covered, again = views
        assert own == {offender for offender, whose in every.items() if whose == "own"}
        assert covered == {offender for offender, whose in every.items() if whose != "own"} == {"off-002"}
        assert again == set(every)
        assert "own and covered" in str(screen.sub_title)

    drive(app, scenario, screen="caseload")


@pytest.mark.parametrize("mode", SCREENS)
def test_no_header_or_cell_is_cut_at_120_by_40(tmp_path: Path, drive: Drive, mode: str) -> None:
    """Each column is as wide as its longest cell and label, or its cells wrap whole within it
    (a wrapped cell's text, its line breaks taken out, is the whole text), and the table fits the screen."""
    app = make_app(scenario_url(tmp_path), "po.adams" if mode != "site" else "sup.ortiz")

    async def scenario(pilot: AnyPilot) -> None:
        await opened(pilot, mode)
        for table in app.screen.query(LedgerTable):
            columns = table.ordered_columns
            assert sum(column.get_render_width(table) for column in columns) <= table.size.width, f"{mode}: wider than the screen"
            console = app.console
            for index, (column, label) in enumerate(zip(columns, table.given_header, strict=True)):
                assert column.label.plain.startswith(label)
                assert len(Text(label).wrap(console, column.width)) <= table.header_height, f"{mode}: {label} cut"
                for row_key, (cells, _key) in zip(table.rows, table.given_rows, strict=True):
                    whole = shown_text(cells[index])
                    needed = len(Text(whole).wrap(console, column.width)) if cell_len(whole) > column.width else 1
                    assert needed <= table.rows[row_key].height, f"{mode}: {label} cut: {whole!r}"

    drive(app, scenario)


def test_due_keeps_whose_in_sight_at_80_by_24(tmp_path: Path, drive: Drive) -> None:
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        table = focused_table(pilot)
        right = 0
        for column in table.ordered_columns:
            right += column.get_render_width(table)
            if str(column.label) == "whose":
                break
        assert right <= table.size.width

    drive(app, scenario, screen="due", size=(80, 24))


def test_the_help_lists_the_table_keys(tmp_path: Path, drive: Drive) -> None:
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        sections = {title: dict(keys) for title, keys, _note in app.help_sections()}
        assert {"Filter", "Sort"} <= set(sections["Any table"].values())
        assert "Own/covered/all" in sections["Caseload"].values()
        labels = [str(label.render()) for label in app.screen.query(Label)]
        assert labels is not None

    drive(app, scenario)


# -- the functions, on any rows ---------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.integers(-1000, 1000),
    st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    st.sampled_from(sorted(BLANKS)),
    st.builds(lambda n: Shown(f"{n} days", n), st.integers(-50, 50)),
)
ROWS = st.lists(st.tuples(st.lists(CELLS, min_size=3, max_size=3).map(tuple), st.none()), max_size=25)


@given(ROWS, st.text(max_size=3))
def test_the_filter_keeps_exactly_the_rows_holding_the_text_in_order(rows: list[tuple[Any, None]], text: str) -> None:
    kept = view_rows(rows, text, Order())
    assert kept == [row for row in rows if any(text.casefold() in shown_text(cell).casefold() for cell in row[0])]
    assert all(matches(row[0], text) for row in kept)


@given(ROWS, st.integers(0, 2), st.booleans())
def test_the_sort_is_a_permutation_in_order_with_blanks_last(rows: list[tuple[Any, None]], column: int, descending: bool) -> None:
    shown = view_rows(rows, "", Order(column, descending))
    assert sorted(map(repr, shown)) == sorted(map(repr, rows))
    keys = [sort_key(row[0][column]) for row in shown]
    valued = [key for key in keys if key[0] == 0]
    assert keys == valued + [key for key in keys if key[0] == 1]  # blanks last, either way
    assert valued == sorted(valued, reverse=descending)


@given(st.lists(st.integers(-(10**6), 10**6), max_size=20), st.booleans())
def test_numbers_sort_as_numbers_even_shown_as_text(numbers: list[int], descending: bool) -> None:
    rows = [((f"{number} days",), None) for number in numbers if number >= 0] + [((number,), None) for number in numbers]
    texts = [row[0][0] for row in view_rows(rows, "", Order(0, descending))]
    values = [int(str(text).split()[0]) for text in texts]
    assert values == sorted(values, reverse=descending)
