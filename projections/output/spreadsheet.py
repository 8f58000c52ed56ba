"""Text a spreadsheet would evaluate, made inert as OWASP advises against CSV injection: a text
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote
before it (``'=HYPERLINK(…)`` shows as text in Excel, LibreOffice and Google Sheets).

Only text is touched — a number's cell (``-3.5``) is a number's, written as it is. The quote is
reversible: a text that already starts with quotes before one of those characters gets one more,
so a reader drops exactly one ``'`` from a text cell whose quotes are followed by one of them
(docs/projections.md's "Export files").
"""

from __future__ import annotations

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads a cell starting with as a formula (OWASP's list)."""

_QUOTE = "'"
_LOOKED_AT = frozenset((*FORMULA_LEADS, _QUOTE))


def inert(text: str | None) -> str | None:
    """``text`` with a ``'`` before it when a spreadsheet would evaluate it (see the module)."""
    if not text or text[0] not in _LOOKED_AT:
        return text
    return _QUOTE + text if text.lstrip(_QUOTE).startswith(FORMULA_LEADS) else text
