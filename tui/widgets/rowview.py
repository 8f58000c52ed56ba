"""Which of a table's rows are shown, in which order, and how wide each column may be: the filter
(typed text found in any cell as shown), the sort (by one column's values: numbers as numbers,
dates as dates, words in natural order, blanks last either way) and the fitting of columns into
the width the screen has. Pure functions of the rows a screen gave, so a reload (another process
recorded) applies the same filter and sort to the new rows, and a property test can try them on
any rows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from rich.cells import cell_len
from rich.text import Text

BLANKS = frozenset({"", "—", "-"})
"""What a cell holds when there is nothing to say: sorted after every value, either way."""

R = TypeVar("R", bound=tuple[Sequence[Any], Any])

_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Shown:
    """A cell shown as ``text`` and sorted by ``value`` ("in 3 days" sorts by 3, "2 days late" by
    −2)."""

    text: str | Text
    value: Any


Cells = Sequence[Any]
"""A row's cells: text, numbers, dates, styled :class:`~rich.text.Text` or :class:`Shown`."""


def shown_text(cell: Any) -> str:
    """A cell's text as the person reads it (what the filter looks in)."""
    if isinstance(cell, Shown):
        return shown_text(cell.text)
    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, float):
        return f"{cell:.2f}"  # as DataTable shows a float
    return str(cell)


def matches(cells: Cells, text: str) -> bool:
    """Whether any cell, as shown, holds ``text`` (letter case ignored; no text: every row)."""
    needle = text.casefold()
    return not needle or any(needle in shown_text(cell).casefold() for cell in cells)


def sort_key(cell: Any) -> tuple[int, tuple[tuple[int, float, str], ...]]:
    """The order of a cell among its column's: numbers (and bools) by value; dates and times by
    their ISO form (chronological); text in natural order ("9 days" before "10 days"); blanks
    (:data:`BLANKS`) group 1, placed last by :func:`view_rows`."""
    value = cell.value if isinstance(cell, Shown) else cell
    if isinstance(value, (int, float)):
        return 0, ((0, float(value), ""),)
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    text = shown_text(value).strip()
    if text in BLANKS:
        return 1, ()
    return 0, tuple((0, float(part), "") if index % 2 else (1, 0.0, part.casefold()) for index, part in enumerate(_NUMBER.split(text)) if part)


@dataclass(frozen=True)
class Order:
    """How the rows are sorted: by column ``column`` (None: as the screen listed them), descending or not."""

    column: int | None = None
    descending: bool = False

    def pressed(self, column: int | None) -> Order:
        """The order after choosing ``column``: the same column again reverses; None: the screen's order."""
        if column is None:
            return Order()
        if column == self.column:
            return Order(column, not self.descending)
        return Order(column)


def view_rows(rows: Sequence[R], text: str, order: Order) -> list[R]:
    """The rows holding ``text``, in ``order`` (ties keep the screen's order; blanks last)."""
    kept = [row for row in rows if matches(row[0], text)]
    column = order.column
    if column is None:
        return kept
    keyed = [(sort_key(row[0][column]) if column < len(row[0]) else (1, ()), row) for row in kept]
    valued = sorted((pair for pair in keyed if pair[0][0] == 0), key=lambda pair: pair[0], reverse=order.descending)
    return [row for _key, row in valued] + [row for key, row in keyed if key[0] == 1]


def fit_widths(widths: Sequence[int], floors: Sequence[int], room: int) -> list[int]:
    """Column widths (without padding) that fit ``room`` cells: the widest columns are narrowed
    first, to one common limit, never below their ``floors``; when even the floors do not fit,
    the floors (the table scrolls sideways)."""
    if sum(widths) <= room:
        return list(widths)
    low, high = 0, max(widths)
    while low < high:  # the largest limit at which the narrowed columns fit
        limit = (low + high + 1) // 2
        if sum(min(width, max(limit, floor)) for width, floor in zip(widths, floors, strict=True)) <= room:
            low = limit
        else:
            high = limit - 1
    return [min(width, max(low, floor)) for width, floor in zip(widths, floors, strict=True)]


def fit_rest(widths: Sequence[int], floors: Sequence[int], room: int, rest: int, least: int) -> list[int]:
    """Column widths (without padding) that fit ``room`` cells where column ``rest`` (free text:
    the Audit's fields, the Case file's details) takes what the others leave: they keep their
    widths when that leaves it ``least`` cells (or its whole text), else they are narrowed first
    (:func:`fit_widths`, down to their ``floors``) to leave it that much; never below its own floor."""
    if sum(widths) <= room:
        return list(widths)
    others = [index for index in range(len(widths)) if index != rest]
    wanted = min(widths[rest], max(least, floors[rest]))
    narrowed = fit_widths([widths[index] for index in others], [floors[index] for index in others], room - wanted)
    fitted = dict(zip(others, narrowed, strict=True))
    fitted[rest] = min(widths[rest], max(floors[rest], room - sum(narrowed)))
    return [fitted[index] for index in range(len(widths))]


def floor_width(label: str, texts: Sequence[str], narrowest: int) -> int:
    """How narrow a column may get: its label and its longest number or date stay whole, free
    text wraps at no fewer than ``narrowest`` cells (a cell with no space is never split)."""
    natural = max([cell_len(label), *(cell_len(text) for text in texts)])
    unbroken = max((cell_len(text) for text in texts if " " not in text.strip()), default=0)
    return min(natural, max(cell_len(label), unbroken, narrowest))


def word_floor(label: str, texts: Sequence[str]) -> int:
    """How narrow a column may get where even :func:`floor_width` leaves the table too wide: its
    longest word (of its label and cells) and its longest cell with no space stay whole."""
    natural = max([cell_len(label), *(cell_len(text) for text in texts)])
    words = [cell_len(word) for text in [label, *texts] for word in text.split()]
    return min(natural, max([1, *words]))
