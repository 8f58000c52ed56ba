"""weekly_hours — each officer's estimated hours against the week, for every ISO week.

The workload projection is a photograph at T; the report's "officer-weeks over 37.5 hours" needs
it for every week of a period. One row per officer × ISO week, with workload's figures at the end
of the last local day the week counts for that officer (Sunday's end at the site the officer is at
then; T's own day with the state at T, as coverage counts days): the site then, the case hours of
the cases carried then (own unless on leave, plus the absent colleagues covered), the add-on
minutes of the whole week (the officer's tasks labelled with that ISO week, the week of each
task's own site), estimated hours, the officer's weekly hours and the overtime. So a row equals
the workload export ``--as-of`` that instant for that officer (tests check it, and at a bare-date
T across time zones) — but for an officer whose tasks were labelled in another zone's week.
``--from WEEK --to WEEK`` keeps those weeks and starts from the newest world snapshot before them.
"""

from __future__ import annotations

from typing import Any

from caseledger.projections.catalogue import addon_burden, workload
from caseledger.projections.replay.daily import week_tallies
from caseledger.projections.replay.inputs import Inputs, columns, rounded_ratio

NAME = "weekly_hours"
EVENT_TYPES = workload.EVENT_TYPES
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns(
    "officer:str, site:str, week:str, role:str, case_hours:float, addon_minutes:int, estimated_weekly_hours:float, weekly_hours:float, overtime_hours:float"
)


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    """The rows, in integers over one denominator per row (case hours p/q per case, multipliers
    over their common scale S, minutes over 60): exact as fractions, a fraction of their cost."""
    rules = inputs.rules
    scale = rules.multiplier_scale
    ends = week_tallies(inputs, EVENT_TYPES).ends
    minutes = dict(addon_burden.grouped_minutes(inputs, ("officer", "week")))
    rows = []
    for (officer, week), end in sorted(ends.items()):
        added = minutes.get((officer, week), 0)
        per_case = rules.case_hours(end.role)
        weight = sum(count * rules.scaled_multiplier(factors) for factors, count in end.carried.items())
        denominator = per_case.denominator * scale * 60
        case_hours = per_case.numerator * weight * 60
        estimated = case_hours + added * per_case.denominator * scale
        week_hours = end.weekly_hours
        over = estimated * week_hours.denominator - week_hours.numerator * denominator
        rows.append(
            {
                "officer": officer,
                "site": end.site,
                "week": week,
                "role": end.role,
                "case_hours": rounded_ratio(case_hours, denominator, 2),
                "addon_minutes": added,
                "estimated_weekly_hours": rounded_ratio(estimated, denominator, 2),
                "weekly_hours": float(week_hours),
                "overtime_hours": rounded_ratio(max(0, over), denominator * week_hours.denominator, 2),
            }
        )
    return rows
