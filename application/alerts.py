"""The alerts an officer sees on *My week*: what in the projections needs a person's attention —
over ratio, over the week, a short release-plan lead, a colleague's uncovered caseload, and each
deadline overdue or due soon (an SIU stay's reviews are deadlines like the others: no separate
threshold for a long stay)."""

from __future__ import annotations

from typing import Any

from caseledger.application.text import DEADLINE_WORDS
from caseledger.projections.screens.officer import DueRow


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def deadline_alert(row: DueRow) -> str:
    """``Overdue: off-1 correctional plan, due 2026-06-10 (20 days ago)``, or due soon."""
    what = f"{row.offender} {DEADLINE_WORDS.get(row.deadline, row.deadline)}, due {row.due_on}"
    if row.status == "overdue":
        return f"Overdue: {what} ({_days(-row.days_left)} ago)"
    return f"Due soon: {what} ({'today' if row.days_left == 0 else 'in ' + _days(row.days_left)})"


def alerts(
    mine: dict[str, Any] | None,
    everyone: list[dict[str, Any]],
    releases: list[dict[str, Any]],
    own: set[str],
    pressing: list[DueRow],
) -> list[str]:
    """Alerts for one officer: their ``workload`` row (``mine``), every officer's rows, the
    ``release_lead_time`` rows, the offenders on their own caseload, and their overdue and
    due-soon deadlines — the workload first (a few lines), then one per deadline, overdue first
    (there may be many)."""
    found = []
    if mine and mine["ratio_utilization"] is not None and mine["ratio_utilization"] > 1:
        found.append(f"Over ratio: {mine['effective_caseload']} cases against a standard of {mine['ratio_standard']}")
    if mine and mine["overtime_hours"] > 0:
        found.append(f"Estimated {mine['estimated_weekly_hours']} h this week: {mine['overtime_hours']} h over {mine['weekly_hours']}")
    for release in releases:
        if release["offender"] in own and release["short_lead"] and release["released_on"] is None:
            lead = "no plan" if release["no_plan"] else f"plan lead {release['plan_lead_days']} days"
            found.append(f"Short release-plan lead: {release['offender']} ({lead})")
    site = mine["site"] if mine else None
    for row in everyone:
        if row["site"] == site and row["uncovered_caseload"]:
            found.append(f"Uncovered caseload: {row['officer']} is on leave with {row['uncovered_caseload']} cases and no coverage")
    return found + [deadline_alert(row) for row in pressing]
