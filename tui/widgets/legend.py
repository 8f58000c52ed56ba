"""A legend line under a table: every abbreviation the shown rows use, spelled out where it
appears ("CCRA: Corrections and Conditional Release Act · CD: Commissioner's Directive"), so a
new officer reads "iedm", "CCC" or "SR" without the documentation. Built from the cells the
screen shows, it names only what they use (a Due list with no "CD 705" source has no "CD")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from textual.widgets import Label

from caseledger.tui.widgets.rowview import shown_text

ABBREVIATIONS = {
    "PO": "parole officer",
    "MAI": "manager, assessment and interventions",
    "CCC": "community correctional centre",
    "CCLO": "community corrections liaison officer (police)",
    "SIU": "structured intervention unit",
    "IEDM": "independent external decision-maker",
    "CCRA": "Corrections and Conditional Release Act",
    "CCRR": "Corrections and Conditional Release Regulations",
    "CD": "Commissioner's Directive",
    "DP": "day parole eligibility",
    "FP": "full parole eligibility",
    "SR": "statutory release",
    "WED": "warrant expiry date",
    "FTE": "full-time equivalent officers",
}
"""Each abbreviation the screens show, in words."""

AS_IDS = frozenset({"IEDM", "CCC"})
"""Abbreviations that are also choices' ids, shown in small letters ("level: iedm", "kind: ccc")."""

_FOUND = {
    short: re.compile(rf"(?<![\w.-]){short}(?![\w.-])" + (rf"|(?<![\w.-]){short.lower()}(?![\w.-])" if short in AS_IDS else "")) for short in ABBREVIATIONS
}
"""Each as a whole word: ``CD`` in "CD 705-1", ``PO`` in "CCC PO", ``iedm`` in "level: iedm"; not
``PO`` in the id "ON0-CBI-PO01", nor ``CCC`` in the site id "ON0-CCC"."""


def abbreviations_in(texts: Iterable[str]) -> list[str]:
    """The abbreviations used in ``texts``, in :data:`ABBREVIATIONS`' order."""
    joined = "\n".join(texts)
    return [short for short, found in _FOUND.items() if found.search(joined)]


def legend(texts: Iterable[str]) -> str:
    """``CD: Commissioner's Directive · SR: statutory release`` ('' when none is used)."""
    return " · ".join(f"{short}: {ABBREVIATIONS[short]}" for short in abbreviations_in(texts))


class Legend(Label):
    """The legend line of a screen: what its rows (and any words given with them) abbreviate."""

    DEFAULT_CSS = """
    Legend {
        width: 100%;
        color: $text-muted;
    }
    """

    def __init__(self, lead: str = "", **options: Any) -> None:
        super().__init__(lead, markup=False, **options)
        self.lead = lead
        """Words shown first, whatever the rows (what a column's values mean)."""

    def explain(self, rows: Sequence[tuple[Sequence[Any], Any]], *words: str) -> None:
        """Spell out the abbreviations of ``rows``' cells and of ``words`` (a header, a panel)."""
        found = legend([*words, *(shown_text(cell) for cells, _key in rows for cell in cells)])
        self.update(" · ".join(part for part in (self.lead, found) if part))
