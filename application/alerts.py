"""The alerts an officer sees on *My week*: what in the projections needs a person's attention."""

from __future__ import annotations

from typing import Any

LONG_SIU_DAYS = 15
"""An open SIU stay longer than this is an alert (CD 711: reviews are due at day 5 and 30; the
deadlines issue will replace this single threshold with the specification's deadline table)."""


def alerts(
    mine: dict[str, Any] | None,
    everyone: list[dict[str, Any]],
    stays: list[dict[str, Any]],
    releases: list[dict[str, Any]],
    own: set[str],
) -> list[str]:
    """Alerts for one officer: their ``workload`` row (``mine``), every officer's rows, the
    ``siu_stays`` and ``release_lead_time`` rows, and the offenders on their own caseload."""
    found = []
    if mine and mine["ratio_utilization"] is not None and mine["ratio_utilization"] > 1:
        found.append(f"Over ratio: {mine['effective_caseload']} cases against a standard of {mine['ratio_standard']}")
    if mine and mine["overtime_hours"] > 0:
        found.append(f"Estimated {mine['estimated_weekly_hours']} h this week: {mine['overtime_hours']} h over {mine['weekly_hours']}")
    for stay in stays:
        if stay["offender"] in own and stay["ended_on"] is None and stay["dwell_days"] > LONG_SIU_DAYS:
            found.append(f"Long SIU stay: {stay['offender']} for {stay['dwell_days']} days")
    for release in releases:
        if release["offender"] in own and release["short_lead"] and release["released_on"] is None:
            lead = "no plan" if release["no_plan"] else f"plan lead {release['plan_lead_days']} days"
            found.append(f"Short release-plan lead: {release['offender']} ({lead})")
    site = mine["site"] if mine else None
    for row in everyone:
        if row["site"] == site and row["uncovered_caseload"]:
            found.append(f"Uncovered caseload: {row['officer']} is on leave with {row['uncovered_caseload']} cases and no coverage")
    return found
