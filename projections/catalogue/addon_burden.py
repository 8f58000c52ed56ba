"""addon_burden — add-on minutes per officer × ISO week × category, or per site (``--by site``).

A task's site and week are where and when it happened (an officer who moved mid-week has two
rows); share_of_week divides by the officer's own weekly hours; fte_equivalent by the rule
set's standard week. Aggregated in SQL over the ``addons`` read model; retracted tasks are
subtracted afterwards.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from caseledger.projections.replay.facts import retracted_addons, where
from caseledger.projections.replay.inputs import Inputs, columns, rounded_ratio

NAME = "addon_burden"
EVENT_TYPES = frozenset({"SiteRegistered", "OfficerRegistered"})
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns("officer:str, site:str, week:str, category:str, minutes:int, hours:float, share_of_week:float")
SITE_COLUMNS = columns("site:str, week:str, category:str, minutes:int, fte_equivalent:float")


def _minutes(inputs: Inputs) -> Counter[tuple[str, str, str, str]]:
    """Minutes by (officer, site, week, category) inside the cut, without retracted tasks."""
    sql, params = where(inputs.view)
    inputs.cursor.execute(
        f"SELECT officer, site, week, category, SUM(minutes) FROM {inputs.db.table('cl_addons')} WHERE 1 = 1{sql} GROUP BY officer, site, week, category",
        params,
    )
    totals: Counter[tuple[str, str, str, str]] = Counter()
    for officer, site, week, category, minutes in inputs.cursor.fetchall():
        totals[(officer, site, week, category)] += int(minutes)
    for officer, site, week, category, minutes in retracted_addons(inputs.cursor, inputs.db, inputs.view, inputs.gone):
        totals[(officer, site, week, category)] -= int(minutes)
    return +totals


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    rows = []
    officers = inputs.world.officers
    standard = inputs.rules.weekly_hours
    for (officer, site, week, category), minutes in sorted(_minutes(inputs).items()):
        info = officers.get(officer)
        weekly = info.weekly_hours if info is not None else standard
        rows.append(
            {
                "officer": officer,
                "site": site,
                "week": week,
                "category": category,
                "minutes": minutes,
                "hours": rounded_ratio(minutes, 60, 2),
                "share_of_week": rounded_ratio(minutes * weekly.denominator, 60 * weekly.numerator, 3),
            }
        )
    return rows


def compute_by_site(inputs: Inputs) -> list[dict[str, Any]]:
    by_site: Counter[tuple[str, str, str]] = Counter()
    for (_officer, site, week, category), minutes in _minutes(inputs).items():
        by_site[(site, week, category)] += minutes
    week_hours = inputs.rules.weekly_hours
    return [
        {
            "site": site,
            "week": week,
            "category": category,
            "minutes": minutes,
            "fte_equivalent": rounded_ratio(minutes * week_hours.denominator, 60 * week_hours.numerator, 2),
        }
        for (site, week, category), minutes in sorted(by_site.items())
    ]
