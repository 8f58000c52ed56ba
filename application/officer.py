"""What an officer's screens show, as plain data: *My week*, *Due*, the caseload, the *Site*
screen's order, who the user is.

The read side computes each screen's rows (:mod:`caseledger.projections.screens.officer`, one
function per screen); here *My week*'s figures become the alerts an officer reads
(:mod:`.alerts`), and the *Site* screen's rows are put in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caseledger.application.alerts import alerts
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import Rules
from caseledger.projections.screens.officer import CaseRow, DueRow, caseload, completing_entry, due, officer_for, week_figures

__all__ = ["CaseRow", "DueRow", "WeekData", "caseload", "completing_entry", "due", "officer_for", "site_rows", "week"]


@dataclass
class WeekData:
    """What *My week* shows for one officer."""

    officer: str
    workload: dict[str, Any] | None
    addon_by_category: dict[str, int]
    alerts: list[str]
    weekly_hours: list[tuple[str, float]] = field(default_factory=list)
    """Estimated hours (case hours + add-on hours) at the end of each recent week."""


def week(projector: Projector, rules: Rules, view: View, officer: str) -> WeekData:
    """*My week*: the officer's figures at the cut (:func:`~caseledger.projections.screens.officer.week_figures`)
    and the alerts they call for."""
    figures = week_figures(projector, rules, view, officer)
    found = alerts(figures.workload, figures.site_workloads, figures.releases, figures.own, figures.pressing)
    return WeekData(officer, figures.workload, figures.addon_by_category, found, figures.weekly_hours)


def site_rows(everyone: list[dict[str, Any]], officer: str, *, all_sites: bool) -> tuple[str | None, list[dict[str, Any]]]:
    """The *Site* screen's rows: the officer's site (or every site), uncovered caseloads first,
    then the most overdue deadlines, then the most over ratio; and the officer's site (None when
    the officer has no row)."""
    mine = next((row["site"] for row in everyone if row["officer"] == officer), None)
    shown = [row for row in everyone if all_sites or mine is None or row["site"] == mine]
    shown.sort(key=lambda r: (-r["uncovered_caseload"], -r.get("overdue", 0), -(r["ratio_utilization"] or 0), r["officer"]))
    return mine, shown
