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

NAME = "release_lead_time"
EVENT_TYPES = BASE_TYPES | {"ReleasePlanStarted", "ReleaseDecisionRecorded"}
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns(
    "offender:str, site:str, officer:str, release_type:str, plan_started_on:date, decision_on:date, released_on:date, "
    "plan_lead_days:int, decision_to_release_days:int, arrived_on:date, arrival_to_plan_days:int, no_plan:bool, short_lead:bool"
)


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    minimum = inputs.rules.minimum_plan_lead_days
    rows = []
    for row in inputs.world.releases:
        anchor = row.decision_on if row.decision_on is not None else row.released_on
        plan_started = row.plan.started_on if row.plan is not None else None
        arrived = row.plan.arrived_on if row.plan is not None else None
        lead = days(anchor, plan_started)
        rows.append(
            {
                "offender": row.offender,
                "site": row.site,
                "officer": row.officer,
                "release_type": row.release_type,
                "plan_started_on": plan_started,
                "decision_on": row.decision_on,
                "released_on": row.released_on,
                "plan_lead_days": lead,
                "decision_to_release_days": days(row.released_on, row.decision_on),
                "arrived_on": arrived,
                "arrival_to_plan_days": days(plan_started, arrived),
                "no_plan": row.plan is None,
                "short_lead": row.plan is None or (lead is not None and lead < minimum),
            }
        )
    rows.sort(key=lambda r: (r["offender"], r["decision_on"] or r["released_on"]))
    return rows
