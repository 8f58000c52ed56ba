"""The report as one self-contained document: HTML with inline CSS and inline SVG charts (opens
with no network), or PDF drawn from that HTML by WeasyPrint.

The page is built for assistive technology: a header, a navigation listing the sections, the
sections in ``main`` (the summary first, each figure linked to its section), the provenance in the
footer; every chart an image named and described inside its SVG, with a visible caption; every
table captioned, its column and row headers scoped. The PDF is the same document laid out for A4:
tables in a small type whose headers wrap, a section whose table is too wide for a portrait page on
a landscape one, no row split across pages, header rows repeated, a chart wider than the page
scaled down to its width (legends whole);
it is tagged (PDF/UA-1, which WeasyPrint writes) so a screen reader reads it in order.

Every text that came from the store (site ids, rule set names, a rules file's name) is escaped
before it reaches the markup — its control and format characters made visible as in a terminal
(:func:`~caseledger.application.text.for_terminal`), then HTML-escaped — and a table's text cell a spreadsheet would evaluate is made inert
(:mod:`caseledger.projections.output.spreadsheet`), so a table copied into one evaluates nothing. The document ends with its provenance: the rule sets and their
SHA-256, the cut, the log position and the chain head there, and the signed checkpoint (none is
recorded in the store: checkpoints are files the auditor keeps, so the report says so).
"""

from __future__ import annotations

import html
import json
from typing import IO, Any

from caseledger.application.report.charts import Chart
from caseledger.application.report.figures import Figures
from caseledger.application.report.sections import Section, Table
from caseledger.application.text import for_terminal
from caseledger.projections.output.spreadsheet import inert

WIDE = 11
"""A table with more columns than this does not fit a portrait A4 page: its section prints landscape."""

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #1a1a1a; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 2px solid #3a5a80; padding-bottom: 0.2em; }
nav ol { columns: 2; margin: 0.4em 0; }
a { color: #1d4f86; }
p.question { color: #333; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; caption-side: top; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; }
thead th { background: #e8eef5; }
tbody th { font-weight: normal; text-align: left; white-space: nowrap; }
thead th:first-child { text-align: left; }
tr.total th, tr.total td { font-weight: bold; border-top: 2px solid #3a5a80; background: #f4f6f9; }
#summary table { font-size: 1em; }
#summary tbody th { white-space: normal; }
#summary td { font-weight: bold; white-space: nowrap; }
#summary td:last-child { font-weight: normal; text-align: left; }
#summary thead th:last-child { text-align: left; }
figure { margin: 0.8em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #333; }
code { font-size: 0.85em; }
footer { margin-top: 2em; }
dl.provenance dt { font-weight: bold; }
dl.provenance dd { margin: 0 0 0.4em 1em; font-family: monospace; word-break: break-all; }
@page { size: A4; margin: 14mm 12mm; }
@page wide { size: A4 landscape; margin: 12mm 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  h2, p.question { break-after: avoid; }
  h2 { margin-top: 1.2em; }
  section.wide { page: wide; }
  table { width: 100%; font-size: 7.5pt; }
  th, td { padding: 0.2em 0.35em; }
  td { white-space: nowrap; }
  thead th { hyphens: auto; overflow-wrap: break-word; }
  thead { display: table-header-group; }
  tr, figure, caption { break-inside: avoid; }
  caption { break-after: avoid; }
  figure { margin: 0.4em 0; }
  nav ol { columns: 1; }
}
"""


def _text(value: str) -> str:
    """Text for the markup: control and format characters made visible (a right-to-left override
    in a name cannot reorder what a reader sees), then HTML-escaped."""
    return html.escape(for_terminal(value))


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return html.escape(str(inert(for_terminal(str(value)))))  # a table copied into a spreadsheet evaluates nothing


def _row(cells: tuple[Any, ...], kind: str = "") -> str:
    """A body row: its first cell the row's header (a site, a deadline, a rule set)."""
    head, *rest = cells
    opening = f'<tr class="{kind}">' if kind else "<tr>"
    return opening + f'<th scope="row">{_cell(head)}</th>' + "".join(f"<td>{_cell(value)}</td>" for value in rest) + "</tr>"


def _table(table: Table) -> str:
    head = "".join(f'<th scope="col">{_text(header)}</th>' for header in table.headers)
    body = "".join(_row(row) for row in table.rows) + "".join(_row(row, "total") for row in table.totals)
    if not table.rows:
        body = f'<tr><td colspan="{len(table.headers)}">nothing in this period</td></tr>'
    return f"<table><caption>{_text(table.caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(chart: Chart) -> str:
    return f"<figure>{chart.svg}<figcaption>{_text(chart.title)}.</figcaption></figure>"


def _section(section: Section) -> str:
    wide = ' class="wide"' if any(len(table.headers) > WIDE for table in section.tables) else ""
    parts = [
        f'<section id="{section.key}" aria-labelledby="{section.key}-heading"{wide}>'
        f'<h2 id="{section.key}-heading">{_text(section.title)}</h2><p class="question">{_text(section.question)}</p>'
    ]
    parts += [_figure(chart) for chart in section.charts]
    parts += [_table(table) for table in section.tables]
    if section.sources:
        parts.append("<p>Reproduce with: " + "; ".join(f"<code>{_text(source)}</code>" for source in section.sources) + ".</p>")
    parts.append("</section>")
    return "".join(parts)


def _summary(figures: Figures, sections: list[Section]) -> str:
    """The figures a committee can quote without reading further, each linked to its section."""
    rows = "".join(
        f'<tr><th scope="row">{_text(headline.measure)}</th><td>{_cell(headline.figure)}</td><td><a href="#{section.key}">{_text(section.title)}</a></td></tr>'
        for section in sections
        for headline in section.headlines
    )
    spec = figures.spec
    sites = figures.provenance["sites"]
    where = "every site" if isinstance(sites, str) else ", ".join(sites)
    return (
        '<section id="summary" aria-labelledby="summary-heading"><h2 id="summary-heading">Summary</h2>'
        f"<p>From {_text(str(spec.first))} to {_text(str(spec.last))}, at {_text(where)}. Each figure is its section's total; follow the link for the table and the export behind it.</p>"
        f'<table><caption>The period in figures</caption><thead><tr><th scope="col">measure</th><th scope="col">figure</th><th scope="col">section</th></tr></thead><tbody>{rows}</tbody></table>'
        "</section>"
    )


def _contents(sections: list[Section]) -> str:
    links = [("summary", "Summary"), *((section.key, section.title) for section in sections), ("provenance", "Provenance")]
    items = "".join(f'<li><a href="#{key}">{_text(title)}</a></li>' for key, title in links)
    return f'<nav aria-labelledby="contents-heading"><h2 id="contents-heading">Contents</h2><ol>{items}</ol></nav>'


def _provenance(meta: dict[str, Any]) -> str:
    rules = "; ".join(f"{rule['name']} (sha256 {rule['sha256']})" for rule in meta["rules"])
    items = [
        ("period", meta["period"]),
        ("sites", ", ".join(meta["sites"]) if isinstance(meta["sites"], list) else meta["sites"]),
        ("rule sets", rules),
        ("as of (end of the period)", meta.get("as_of")),
        ("known at", meta.get("known_at")),
        ("weeks", meta.get("weeks")),
        ("log position", meta.get("log_position")),
        ("chain head at that position", meta.get("chain_head")),
        ("latest signed checkpoint", "none recorded in the store (checkpoints are files kept by the auditor: compare with caseledger verify)"),
        ("de-identified", "yes: no offender id appears; tables are per site"),
        ("generated at", meta.get("generated_at")),
    ]
    rows = "".join(f"<dt>{_text(name)}</dt><dd>{_text(str(value))}</dd>" for name, value in items)
    return (
        '<footer><section id="provenance" aria-labelledby="provenance-heading"><h2 id="provenance-heading">Provenance</h2>'
        f'<dl class="provenance">{rows}</dl><script type="application/json" id="provenance-json">{_script_json(meta)}</script></section></footer>'
    )


def _script_json(meta: dict[str, Any]) -> str:
    """JSON a script element may hold as it is (its text is not HTML-decoded, so ``<``, ``>`` and
    ``&`` are JSON escapes, not entities: ``JSON.parse`` and ``json.loads`` read it unchanged)."""
    return json.dumps(meta).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(figures: Figures, sections: list[Section]) -> str:
    spec = figures.spec
    names = " and ".join(rules.name for rules in spec.rules)
    title = f"caseledger report {spec.first} to {spec.last}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_text(title)}</title><style>{STYLE}</style></head><body>'
        f"<header><h1>Workload evidence, {_text(str(spec.first))} to {_text(str(spec.last))}</h1>"
        f"<p>Computed by caseledger from its event log under the {_text(names)} rules; every table adds up the rows of the export named under it.</p></header>"
        + _contents(sections)
        + "<main>"
        + _summary(figures, sections)
        + "".join(_section(section) for section in sections)
        + "</main>"
        + _provenance(figures.provenance)
        + "</body></html>"
    )


def write_pdf(markup: str, path: str | IO[bytes]) -> None:
    """The HTML drawn to PDF by WeasyPrint (its system libraries — Pango — come from the OS), tagged
    for screen readers as PDF/UA-1."""
    import weasyprint  # imported here: the HTML report needs none of it

    weasyprint.HTML(string=markup).write_pdf(path, pdf_variant="pdf/ua-1")
