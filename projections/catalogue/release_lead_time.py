"""release_lead_time — one row per release decision, plus one per release no decision matched.

The anchor is the decision's date, or the release's when there is no decision. The plan is
the plan current when the anchor happened (the latest ``ReleasePlanStarted`` before it, of any
type); ``officer`` is the assignment just before the anchor; ``site`` is where the anchor
happened; ``released_on`` is the date of the release matched to a granted decision (a release
matches the latest granted, unmatched decision of its type); ``arrived_on`` is the latest
completed transfer before the plan started, and null when there is no plan.
"""

from __future__ import annotations

from typing import Any

from caseledger.projections.replay.inputs import BASE_TYPES, Inputs, columns, days
from caseledger.projections.replay.world import ReleaseRow

NAME = "release_lead_time"
EVENT_TYPES = BASE_TYPES | {"ReleasePlanStarted", "ReleaseDecisionRecorded"}
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns(
    "offender:str, site:str, officer:str, release_type:str, plan_started_on:date, decision_on:date, released_on:date, "
    "plan_lead_days:int, decision_to_release_days:int, arrived_on:date, arrival_to_plan_days:int, no_plan:bool, short_lead:bool"
)


def row(inputs: Inputs, release: ReleaseRow) -> dict[str, Any]:
    """One decision's (or unmatched release's) row."""
    anchor = release.decision_on if release.decision_on is not None else release.released_on
    plan_started = release.plan.started_on if release.plan is not None else None
    arrived = release.plan.arrived_on if release.plan is not None else None
    lead = days(anchor, plan_started)
    return {
        "offender": release.offender,
        "site": release.site,
        "officer": release.officer,
        "release_type": release.release_type,
        "plan_started_on": plan_started,
        "decision_on": release.decision_on,
        "released_on": release.released_on,
        "plan_lead_days": lead,
        "decision_to_release_days": days(release.released_on, release.decision_on),
        "arrived_on": arrived,
        "arrival_to_plan_days": days(plan_started, arrived),
        "no_plan": release.plan is None,
        "short_lead": release.plan is None or (lead is not None and lead < inputs.rules.minimum_plan_lead_days),
    }


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    rows = [row(inputs, release) for release in inputs.world.releases]
    rows.sort(key=lambda r: (r["offender"], r["decision_on"] or r["released_on"]))
    return rows
