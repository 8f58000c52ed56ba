"""Reading the report's tables back out of its HTML, as a reader copies them: per section, each
table's header and rows of cell texts, numbers parsed ("1,234" → 1234.0, "–" → None) — or, for a
check of what a page shows, the cells' texts as they are."""

from __future__ import annotations

import re
from html.parser import HTMLParser


def _value(text: str) -> object:
    text = text.strip()
    if text == "–":
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return text


class _Tables(HTMLParser):
    def __init__(self, parse: bool) -> None:
        super().__init__()
        self.parse = parse
        self.sections: dict[str, list[list[list[object]]]] = {}
        self.section: str | None = None
        self.cell: list[str] | None = None
        self.row: list[object] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.section = dict(attrs).get("id")
        elif tag == "table" and self.section is not None:
            self.sections.setdefault(self.section, []).append([])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            text = "".join(self.cell)
            self.row.append(_value(text) if tag == "td" and self.parse else text.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.section is not None:
            self.sections[self.section][-1].append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def report_tables(markup: str) -> dict[str, list[list[list[object]]]]:
    """Section id → its tables → rows (the header row first) → cells (data cells' numbers parsed)."""
    parser = _Tables(parse=True)
    parser.feed(markup)
    return parser.sections


def report_texts(markup: str) -> dict[str, list[list[list[object]]]]:
    """As :func:`report_tables`, every cell the text the page shows."""
    parser = _Tables(parse=False)
    parser.feed(markup)
    return parser.sections


def chart_axis(svg: str) -> tuple[int, str, str]:
    """What a chart's x-axis says it spans — how many values, the first and the last — read from
    the description Vega gives the axis for screen readers (it lists a few and the last)."""
    found = re.search(r"aria-label=\"X-axis titled '[^']*' for a discrete scale with (\d+) values?: ([^\"]*)\"", svg)
    assert found is not None, "no discrete x-axis in the chart"
    values = found[2].replace("ending with ", "").split(", ")
    return int(found[1]), values[0], values[-1]
