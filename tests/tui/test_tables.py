"""Tables show their data at full width as soon as it is added, not after the next idle moment.

The *My week* snapshot once showed "travel_l" for "travel_logistics" on a busy machine: a
DataTable sized by itself widens columns on its next idle event, and the screen was captured
before it. :func:`fill_table` sizes the columns when it adds the rows.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from caseledger.tui.widgets.tables import Row, fill_table
from tests.support.tui_helpers import AnyPilot, Drive


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


def filled(drive: Drive, header: tuple[str, ...], rows: list[Row]) -> tuple[list[int], int]:
    """Column widths and row count right after filling (no pause: no idle event has run)."""

    async def fill(pilot: AnyPilot) -> tuple[list[int], int]:
        table = pilot.app.query_one(DataTable)
        fill_table(table, header, rows)
        return [column.width for column in table.columns.values()], table.row_count

    return drive(OneTable(), fill, size=(80, 24), wait=False)


def test_columns_are_as_wide_as_their_widest_cell_before_any_idle(drive: Drive) -> None:
    widths, count = filled(drive, ("category", "minutes"), [(("travel_logistics", 45), None), (("clerical", 1200), "k")])
    assert widths == [len("travel_logistics"), len("minutes")]
    assert count == 2


def test_an_empty_table_keeps_its_header_widths(drive: Drive) -> None:
    assert filled(drive, ("position", "type"), []) == ([len("position"), len("type")], 0)
