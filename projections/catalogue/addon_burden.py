"""addon_burden — add-on minutes per officer × ISO week × category, or per site (``--by site``).

A task's site and week are where and when it happened (an officer who moved mid-week has two
rows); share_of_week divides by the officer's own weekly hours; fte_equivalent by the rule
set's standard week. ``--from WEEK --to WEEK`` keeps those weeks.

At "now", by officer, rows stream in key order from the running totals the engine keeps
(``cl_addon_totals``), so memory stays flat however long the history; by site, or when another
process has added tasks the totals do not hold yet, or at a past cut, the totals or the tasks
inside the cut are grouped in memory (one entry per output row) and written in key order. Retracted tasks are subtracted as the rows pass (there
are few of them), and a group left with no minutes is not written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

from caseledger.domain.model.times import iso_week
from caseledger.projections.readmodels.tables import AddOnTotals
from caseledger.projections.replay.addons import tasks_in_weeks
from caseledger.projections.replay.facts import retracted_addons
from caseledger.projections.replay.inputs import Inputs, columns, rounded_ratio

NAME = "addon_burden"
EVENT_TYPES = frozenset({"SiteRegistered", "OfficerRegistered"})
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns("officer:str, site:str, week:str, category:str, minutes:int, hours:float, share_of_week:float")
SITE_COLUMNS = columns("site:str, week:str, category:str, minutes:int, fte_equivalent:float")


GROUP_KEYS = ("officer", "site", "week", "category")
"""The key of every add-on group, in order."""


def grouped_minutes(inputs: Inputs, keys: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], int]]:
    """Minutes inside the cut and the weeks, grouped by ``keys`` (columns among officer, site,
    week, category), in key order, without retracted tasks; groups left empty are skipped. Every
    row read is checked against its MAC (:mod:`caseledger.projections.readmodels.sealing`), so
    the sums are made here, not in SQL."""
    db, view = inputs.db, inputs.view
    week_sql, week_params = inputs.weeks.condition()
    at_now = view.as_of is None and view.known_at is None and AddOnTotals(db).current(inputs.cursor)
    withdrawn: Counter[tuple[str, ...]] = Counter()
    for officer, site, week, category, minutes in retracted_addons(inputs.cursor, db, view, inputs.gone):
        task = {"officer": officer, "site": site or "", "week": week, "category": category}
        if week in inputs.weeks:
            withdrawn[tuple(task[key] for key in keys)] += int(minutes)
    if at_now and len(keys) == 4 and not db.app.cloak.on:  # one total per key already: read them in key order (cloaked names sort otherwise)
        order = ", ".join(f"{key} COLLATE {db.recorder.byte_order}" for key in keys)
        for officer, site, week, category, total in AddOnTotals(db).sealed.select(
            inputs.cursor, f"1 = 1{week_sql}", week_params, order, within=inputs.weeks.__contains__
        ):
            key = (officer, site, week, category)
            minutes = int(total) - withdrawn[key] if withdrawn else int(total)
            if minutes > 0:
                yield key, minutes
        return
    memo = ("addon groups by", keys)
    found = inputs.shared.get(memo)
    if not isinstance(found, list):  # grouped once per replay: weekly hours asks again under each rule set
        grouped: Counter[tuple[str, ...]] = Counter()
        places = [GROUP_KEYS.index(key) for key in keys]
        for full, minutes in _every_group(inputs).items():
            grouped[tuple([full[place] for place in places])] += minutes
        found = inputs.shared[memo] = [(group, grouped[group] - withdrawn[group]) for group in sorted(grouped) if grouped[group] > withdrawn[group]]
    yield from found


def _every_group(inputs: Inputs) -> Counter[tuple[str, str, str, str]]:
    """Minutes inside the cut and the weeks by (officer, site, week, category), retracted tasks
    included — read once per replay and shared by the groupings asked of it (:attr:`Inputs.shared`).

    When nothing is cut by known-at and the running totals are current, the weeks wholly before
    T come from the totals (their tasks all occurred by T: a week label is the task's local week,
    and T's local date differs by at most a day between sites, hence the day's margin), and only
    the weeks from T's on are summed from the tasks inside the cut — checked against the totals
    of those weeks (:func:`~caseledger.projections.replay.addons.tasks_in_weeks`)."""
    found = inputs.shared.get("addon groups")
    if isinstance(found, Counter):
        return found
    db, view, cursor = inputs.db, inputs.view, inputs.cursor
    week_sql, week_params = inputs.weeks.condition()
    grouped: Counter[tuple[str, str, str, str]] = Counter()
    totals = view.known_at is None and AddOnTotals(db).current(cursor)
    border = None if view.as_of is None else iso_week(view.local_date_of_t("UTC") - dt.timedelta(days=1))
    if totals:
        border_sql, border_params = ("", []) if border is None else (" AND week < ?", [border])
        before = (lambda week: week in inputs.weeks and week < border) if border is not None else inputs.weeks.__contains__
        for officer, site, week, category, total in AddOnTotals(db).sealed.select(
            cursor, f"1 = 1{week_sql}{border_sql}", [*week_params, *border_params], within=before
        ):
            grouped[(officer, site or "", week, category)] += int(total)
    if not totals or border is not None:
        border_sql, border_params = (" AND week >= ?", [border]) if totals and border is not None else ("", [])
        reached = (lambda week: week in inputs.weeks and week >= border) if totals and border is not None else inputs.weeks.__contains__
        for officer, site, week, category, task_minutes in tasks_in_weeks(inputs, f"1 = 1{week_sql}{border_sql}", [*week_params, *border_params], reached):
            grouped[(officer, site, week, category)] += task_minutes
    inputs.shared["addon groups"] = grouped
    return grouped


def compute(inputs: Inputs) -> Iterator[dict[str, Any]]:
    officers = inputs.world.officers
    standard = inputs.rules.weekly_hours
    weeks: dict[str, tuple[int, int]] = {}
    """Each officer's weekly hours as (denominator, 60 × numerator): share = minutes × d / (60 n)."""
    hours: dict[int, float] = {}
    """Hours by minutes (a million rows hold a few hundred distinct minute counts)."""
    for (officer, site, week, category), minutes in grouped_minutes(inputs, ("officer", "site", "week", "category")):
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
    for (site, week, category), minutes in grouped_minutes(inputs, ("site", "week", "category")):
        yield {
            "site": site or None,
            "week": week,
            "category": category,
            "minutes": minutes,
            "fte_equivalent": rounded_ratio(minutes * week_hours.denominator, 60 * week_hours.numerator, 2),
        }
