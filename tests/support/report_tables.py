"""Reading the report's tables back out of its HTML, as a reader copies them: per section, each
table's header and rows of cell texts, numbers parsed ("1,234" → 1234.0, "–" → None)."""

from __future__ import annotations

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
    def __init__(self) -> None:
        super().__init__()
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
            self.row.append(_value("".join(self.cell)) if tag == "td" else "".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.section is not None:
            self.sections[self.section][-1].append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def report_tables(markup: str) -> dict[str, list[list[list[object]]]]:
    """Section id → its tables → rows (the header row first) → cells."""
    parser = _Tables()
    parser.feed(markup)
    return parser.sections
