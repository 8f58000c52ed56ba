"""addon_burden — add-on minutes per officer × ISO week × category, or per site (``--by site``).

A task's site and week are where and when it happened (an officer who moved mid-week has two
rows); share_of_week divides by the officer's own weekly hours; fte_equivalent by the rule
set's standard week. ``--from WEEK --to WEEK`` keeps those weeks.

Rows stream in key order straight from the database, so memory stays flat however long the
history: at "now" from the running totals the engine keeps (``cl_addon_totals``; when another
process has added tasks the totals do not hold yet, from the tasks), at a past cut by grouping
the tasks inside it. Retracted tasks are subtracted as the rows pass (there
are few of them), and a group left with no minutes is not written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from caseledger.projections.readmodels.tables import TOTALS, AddOnTotals
from caseledger.projections.replay.facts import retracted_addons, where
from caseledger.projections.replay.inputs import Inputs, columns, rounded_ratio

NAME = "addon_burden"
EVENT_TYPES = frozenset({"SiteRegistered", "OfficerRegistered"})
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns("officer:str, site:str, week:str, category:str, minutes:int, hours:float, share_of_week:float")
SITE_COLUMNS = columns("site:str, week:str, category:str, minutes:int, fte_equivalent:float")


def _groups(inputs: Inputs, keys: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], int]]:
    """Minutes inside the cut and the weeks, grouped by ``keys`` (columns among officer, site,
    week, category), in key order, without retracted tasks; groups left empty are skipped."""
    db, view = inputs.db, inputs.view
    week_sql, week_params = inputs.weeks.condition()
    at_now = view.as_of is None and view.known_at is None and AddOnTotals(db).current(inputs.cursor)
    expressions = [key if at_now or key != "site" else "COALESCE(site, '')" for key in keys]  # the totals keep no null site
    grouped = ", ".join(expressions)
    order = ", ".join(f"{expression} COLLATE {db.recorder.byte_order}" for expression in expressions)
    if at_now and len(keys) == 4:  # one total per key already: read them in key order
        query, params = f"SELECT {grouped}, minutes FROM {db.table(TOTALS)} WHERE 1 = 1{week_sql} ORDER BY {order}", week_params
    elif at_now:
        query, params = f"SELECT {grouped}, SUM(minutes) FROM {db.table(TOTALS)} WHERE 1 = 1{week_sql} GROUP BY {grouped} ORDER BY {order}", week_params
    else:
        cut_sql, cut_params = where(view)
        query = f"SELECT {grouped}, SUM(minutes) FROM {db.table('cl_addons')} WHERE 1 = 1{cut_sql}{week_sql} GROUP BY {grouped} ORDER BY {order}"
        params = [*cut_params, *week_params]
    withdrawn: Counter[tuple[str, ...]] = Counter()
    for officer, site, week, category, minutes in retracted_addons(inputs.cursor, db, view, inputs.gone):
        task = {"officer": officer, "site": site or "", "week": week, "category": category}
        if week in inputs.weeks:
            withdrawn[tuple(task[key] for key in keys)] += int(minutes)
    inputs.cursor.execute(query, params)
    for chunk in inputs.cursor.chunks():
        for *values, total in chunk:
            key = tuple(values)
            minutes = int(total) - withdrawn[key] if withdrawn else int(total)
            if minutes > 0:
                yield key, minutes


def compute(inputs: Inputs) -> Iterator[dict[str, Any]]:
    officers = inputs.world.officers
    standard = inputs.rules.weekly_hours
    weeks: dict[str, tuple[int, int]] = {}
    """Each officer's weekly hours as (denominator, 60 × numerator): share = minutes × d / (60 n)."""
    hours: dict[int, float] = {}
    """Hours by minutes (a million rows hold a few hundred distinct minute counts)."""
    for (officer, site, week, category), minutes in _groups(inputs, ("officer", "site", "week", "category")):
        fraction = weeks.get(officer)
        if fraction is None:
            info = officers.get(officer)
            weekly = info.weekly_hours if info is not None else standard
            fraction = weeks[officer] = (weekly.denominator, 60 * weekly.numerator)
        in_hours = hours.get(minutes)
        if in_hours is None:
            in_hours = hours[minutes] = rounded_ratio(minutes, 60, 2)
        yield {
            "officer": officer,
            "site": site or None,
            "week": week,
            "category": category,
            "minutes": minutes,
            "hours": in_hours,
            "share_of_week": rounded_ratio(minutes * fraction[0], fraction[1], 3),
        }


def compute_by_site(inputs: Inputs) -> Iterator[dict[str, Any]]:
    week_hours = inputs.rules.weekly_hours
    for (site, week, category), minutes in _groups(inputs, ("site", "week", "category")):
        yield {
            "site": site or None,
            "week": week,
            "category": category,
            "minutes": minutes,
            "fte_equivalent": rounded_ratio(minutes * week_hours.denominator, 60 * week_hours.numerator, 2),
        }
