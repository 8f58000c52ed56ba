"""weekly_hours — each officer's estimated hours against the week, for every ISO week.

The workload projection is a photograph at T; the report's "officer-weeks over 37.5 hours" needs
it for every week of a period. One row per officer × ISO week, with workload's figures at the end
of the last local day the week counts for that officer (Sunday's end at the site the officer is at
then; T's own day with the state at T, as coverage counts days): the site then, the case hours of
the cases carried then (own unless on leave, plus the absent colleagues covered), the add-on
minutes of the whole week, estimated hours, the officer's weekly hours and the overtime. So every
row equals the workload export ``--as-of`` that instant for that officer (a test checks it).
``--from WEEK --to WEEK`` keeps those weeks and starts from the newest world snapshot before them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from caseledger.projections.catalogue import addon_burden, workload
from caseledger.projections.replay.caseloads import weighted
from caseledger.projections.replay.daily import week_tallies
from caseledger.projections.replay.inputs import Inputs, columns, rounded

NAME = "weekly_hours"
EVENT_TYPES = workload.EVENT_TYPES
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns(
    "officer:str, site:str, week:str, role:str, case_hours:float, addon_minutes:int, estimated_weekly_hours:float, weekly_hours:float, overtime_hours:float"
)


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    rules = inputs.rules
    ends = week_tallies(inputs, EVENT_TYPES).ends
    minutes = dict(addon_burden.grouped_minutes(inputs, ("officer", "week")))
    rows = []
    for (officer, week), end in sorted(ends.items()):
        added = minutes.get((officer, week), 0)
        case_hours = rules.case_hours(end.role) * weighted(rules, end.carried)
        estimated = case_hours + Fraction(added, 60)
        rows.append(
            {
                "officer": officer,
                "site": end.site,
                "week": week,
                "role": end.role,
                "case_hours": rounded(case_hours, 2),
                "addon_minutes": added,
                "estimated_weekly_hours": rounded(estimated, 2),
                "weekly_hours": float(end.weekly_hours),
                "overtime_hours": rounded(max(Fraction(0), estimated - end.weekly_hours), 2),
            }
        )
    return rows
