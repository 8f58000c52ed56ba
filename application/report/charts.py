"""The report's charts: Vega-Lite specifications built with ``altair``, drawn to SVG offline by
``vl-convert-python`` (no browser, no network), so the document carries its charts inline.

Each chart is one of three shapes the sections share — bars (grouped or stacked), lines over
weeks or months, a histogram of day counts — and carries its section's key in its SVG so a test
(and a reader of the source) can tell which chart is which.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import vl_convert

WIDTH = 560
HEIGHT = 220


def _svg(chart: alt.Chart, key: str) -> str:
    """The chart as an inline SVG element labelled with ``key``."""
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    return svg.replace("<svg ", f'<svg data-chart="{key}" role="img" aria-label="{key} chart" ', 1)


def _empty(key: str) -> str:
    """What a section with no rows draws: a chart with a sentence, so every section has one."""
    chart = alt.Chart(alt.Data(values=[{"text": "nothing in this period"}])).mark_text(fontSize=14).encode(text="text:N").properties(width=WIDTH, height=40)
    return _svg(chart, key)


def bars(key: str, rows: list[dict[str, Any]], *, x: str, y: str, colour: str, x_title: str, y_title: str, stacked: bool = True) -> str:
    """Bars of ``y`` by ``x``, coloured (stacked, or side by side) by ``colour``."""
    if not rows:
        return _empty(key)
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x}:N", title=x_title, sort=None),
        "y": alt.Y(f"{y}:Q", title=y_title, stack="zero" if stacked else None),
        "color": alt.Color(f"{colour}:N", title=None),
    }
    if not stacked:
        encoding["xOffset"] = alt.XOffset(f"{colour}:N")
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(**encoding).properties(width=WIDTH, height=HEIGHT)
    return _svg(chart, key)


def lines(key: str, rows: list[dict[str, Any]], *, x: str, y: str, colour: str, x_title: str, y_title: str) -> str:
    """Lines of ``y`` over ``x`` (weeks or months, in order), one per ``colour``."""
    if not rows:
        return _empty(key)
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(x=alt.X(f"{x}:O", title=x_title), y=alt.Y(f"{y}:Q", title=y_title), color=alt.Color(f"{colour}:N", title=None))
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _svg(chart, key)
