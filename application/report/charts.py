"""The report's charts: Vega-Lite specifications built with ``altair``, drawn to SVG offline by
``vl-convert-python`` (no browser, no network), so the document carries its charts inline.

Each chart is one of two shapes the sections share — bars (grouped or stacked) or lines over
weeks or months — and carries its section's key in its SVG so a test (and a reader of the source)
can tell which chart is which. A chart over weeks or months is given every week or month of the
period as its axis, so it spans exactly the weeks of the export command printed under it.

For screen readers each SVG is an image named by its ``<title>`` and described by its ``<desc>``
(what is drawn, over which weeks or months, and that the table below holds the figures);
WeasyPrint takes the ``<title>`` as the figure's alternate text in a tagged PDF.

``altair`` and ``vl-convert`` are imported by the functions that draw, not with the module:
every command imports the application, and the two cost each one about 0.45 s of start-up
(``python -X importtime``, 2026-12-07) that only ``report`` needs.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import altair as alt

WIDTH = 560
HEIGHT = 220
FONT = "DejaVu Sans"
"""The charts' font, the page's: vl-convert measures labels and legends in it, so a browser or
WeasyPrint drawing the same font draws them whole (a wider fallback would overrun the SVG's edge)."""


@dataclass(frozen=True)
class Chart:
    key: str
    """The section's key: ``data-chart`` and the ids of the title and description."""
    title: str
    description: str
    svg: str
    """Inline SVG, labelled by :attr:`title` and described by :attr:`description`."""


def _draw(chart: alt.Chart, key: str, title: str, description: str) -> Chart:
    """The chart drawn to SVG, with its title and description inside it for assistive technology."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(chart.configure(font=FONT).to_dict())
    svg = svg.replace("<svg ", f'<svg data-chart="{key}" role="img" aria-labelledby="{key}-title" aria-describedby="{key}-desc" ', 1)
    opened = svg.index(">") + 1
    labels = f'<title id="{key}-title">{html.escape(title)}</title><desc id="{key}-desc">{html.escape(description)}</desc>'
    return Chart(key, title, description, svg[:opened] + labels + svg[opened:])


def _empty(key: str, title: str) -> Chart:
    """What a section with no rows draws: a chart with a sentence, so every section has one."""
    import altair as alt

    chart = alt.Chart(alt.Data(values=[{"text": "nothing in this period"}])).mark_text(fontSize=14).encode(text="text:N").properties(width=WIDTH, height=40)
    return _draw(chart, key, title, "Nothing to draw: no rows in this period.")


def _axis(field: str, kind: str, title: str, domain: Sequence[str] | None) -> alt.X:
    """The x-axis: the categories in the order given (``domain``: every one, even those without rows)."""
    import altair as alt

    if domain is None:
        return alt.X(f"{field}:{kind}", title=title, sort=None)
    return alt.X(f"{field}:{kind}", title=title, sort=None, scale=alt.Scale(domain=list(domain)))


def bars(
    key: str,
    rows: list[dict[str, Any]],
    *,
    x: str,
    y: str,
    colour: str,
    x_title: str,
    y_title: str,
    title: str,
    description: str,
    stacked: bool = True,
    domain: Sequence[str] | None = None,
) -> Chart:
    """Bars of ``y`` by ``x``, coloured (stacked, or side by side) by ``colour``."""
    if not rows:
        return _empty(key, title)
    import altair as alt

    encoding: dict[str, Any] = {
        "x": _axis(x, "N", x_title, domain),
        "y": alt.Y(f"{y}:Q", title=y_title, stack="zero" if stacked else None),
        "color": alt.Color(f"{colour}:N", title=None, legend=alt.Legend(labelLimit=0)),
    }
    if not stacked:
        encoding["xOffset"] = alt.XOffset(f"{colour}:N")
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(**encoding).properties(width=WIDTH, height=HEIGHT)
    return _draw(chart, key, title, description)


def lines(
    key: str,
    rows: list[dict[str, Any]],
    *,
    x: str,
    y: str,
    colour: str,
    x_title: str,
    y_title: str,
    title: str,
    description: str,
    domain: Sequence[str],
) -> Chart:
    """Lines of ``y`` over ``x`` (every week or month of ``domain``, in order), one per ``colour``."""
    if not rows:
        return _empty(key, title)
    import altair as alt

    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(x=_axis(x, "O", x_title, domain), y=alt.Y(f"{y}:Q", title=y_title), color=alt.Color(f"{colour}:N", title=None, legend=alt.Legend(labelLimit=0)))
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _draw(chart, key, title, description)
