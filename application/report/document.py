"""The report as one self-contained document: HTML with inline CSS and inline SVG charts (opens
with no network), or PDF drawn from that HTML by WeasyPrint.

Every text that came from the store (site ids, rule set names, a rules file's name) is escaped
before it reaches the markup. The document ends with its provenance: the rule sets and their
SHA-256, the cut, the log position and the chain head there, and the signed checkpoint (none is
recorded in the store: checkpoints are files the auditor keeps, so the report says so).
"""

from __future__ import annotations

import html
import json
from typing import Any

from caseledger.application.report.figures import Figures
from caseledger.application.report.sections import Section, Table

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 60em; color: #1a1a1a; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 2px solid #3a5a80; padding-bottom: 0.2em; }
p.question { color: #333; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; }
th { background: #e8eef5; }
td:first-child, th:first-child { text-align: left; }
figure { margin: 0.8em 0; }
code { font-size: 0.85em; }
dl.provenance dt { font-weight: bold; }
dl.provenance dd { margin: 0 0 0.4em 1em; font-family: monospace; word-break: break-all; }
"""


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return html.escape(str(value))


def _table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(header)}</th>" for header in table.headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(value)}</td>" for value in row) + "</tr>" for row in table.rows)
    if not table.rows:
        body = f'<tr><td colspan="{len(table.headers)}">nothing in this period</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(section: Section) -> str:
    parts = [f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2><p class="question">{html.escape(section.question)}</p>']
    parts += [f"<figure>{chart}</figure>" for chart in section.charts]
    parts += [_table(table) for table in section.tables]
    if section.sources:
        parts.append("<p>From " + "; ".join(f"<code>{html.escape(source)}</code>" for source in section.sources) + ".</p>")
    parts.append("</section>")
    return "".join(parts)


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
    rows = "".join(f"<dt>{html.escape(name)}</dt><dd>{html.escape(str(value))}</dd>" for name, value in items)
    return f'<section id="provenance"><h2>Provenance</h2><dl class="provenance">{rows}</dl><script type="application/json" id="provenance-json">{_script_json(meta)}</script></section>'


def _script_json(meta: dict[str, Any]) -> str:
    """JSON a script element may hold as it is (its text is not HTML-decoded, so ``<``, ``>`` and
    ``&`` are JSON escapes, not entities: ``JSON.parse`` and ``json.loads`` read it unchanged)."""
    return json.dumps(meta).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(figures: Figures, sections: list[Section]) -> str:
    spec = figures.spec
    names = " and ".join(rules.name for rules in spec.rules)
    title = f"caseledger report {spec.first} to {spec.last}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head><body>'
        f"<h1>Workload evidence, {html.escape(str(spec.first))} to {html.escape(str(spec.last))}</h1>"
        f"<p>Computed by caseledger from its event log under the {html.escape(names)} rules; every table adds up the rows of the export named under it.</p>"
        + "".join(_section(section) for section in sections)
        + _provenance(figures.provenance)
        + "</body></html>"
    )


def write_pdf(markup: str, path: str) -> None:
    """The HTML drawn to PDF by WeasyPrint (its system libraries — Pango — come from the OS)."""
    import weasyprint  # imported here: the HTML report needs none of it

    weasyprint.HTML(string=markup).write_pdf(path)
