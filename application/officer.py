"""What an officer's screens show, as plain data: *My week*, the caseload, who the user is.

Each function takes the projector (read models kept up to date by the caller), the rule set and
the cut, and reads a consistent snapshot of the read models. Every one of them still replays the
national history to show one officer (My week twice: the week, then the chart of recent weeks);
reading a kept head state instead is issue #9's work.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from caseledger.application.alerts import alerts
from caseledger.domain.model.times import iso_week
from caseledger.projections.catalogue import PROJECTIONS
from caseledger.projections.catalogue.workload import assess
from caseledger.projections.compute import replay
from caseledger.projections.readmodels.engine import Projector
from caseledger.projections.readmodels.tables import micros
from caseledger.projections.replay.facts import View, officer_addon_minutes, registered_officers, retracted, timeline
from caseledger.projections.replay.inputs import Inputs
from caseledger.projections.replay.world import World
from caseledger.projections.rules import Rules

WEEK_TYPES = PROJECTIONS["workload"].event_types | PROJECTIONS["siu_stays"].event_types | PROJECTIONS["release_lead_time"].event_types
"""The timeline types *My week* replays: workload, SIU stays and release leads, in one pass."""


@dataclass
class WeekData:
    """What *My week* shows for one officer."""

    officer: str
    workload: dict[str, Any] | None
    addon_by_category: dict[str, int]
    alerts: list[str]
    weekly_hours: list[tuple[str, float]] = field(default_factory=list)
    """Estimated hours (case hours + add-on hours) at the end of each recent week."""


@dataclass
class CaseRow:
    """One case on an officer's caseload."""

    offender: str
    location: str
    complexity: str
    siu_days: int | None
    plan: str
    next_dates: str


def officer_for(projector: Projector, user: str) -> str:
    """The officer whose week the UI shows: the user, if registered, else the first registered
    officer (the demo opens as a real officer even when run by an unregistered login)."""
    with projector.db.transaction(write=False) as cursor:
        officers = registered_officers(cursor, projector.db)
    return user if user in officers or not officers else next((o for o in officers if "PO" in o.upper()), officers[0])


def week(projector: Projector, rules: Rules, view: View, officer: str) -> WeekData:
    """My week: one replay for workload, SIU stays and release leads, and the officer's own
    add-on minutes straight from the add-on read model."""
    db = projector.db
    with db.transaction(write=False) as cursor:
        inputs = replay(cursor, db, view, rules, WEEK_TYPES)
        rows = PROJECTIONS["workload"].compute(inputs)
        stays = PROJECTIONS["siu_stays"].compute(inputs)
        releases = PROJECTIONS["release_lead_time"].compute(inputs)
        minutes = officer_addon_minutes(cursor, db, view, inputs.gone, officer)
    mine = next((row for row in rows if row["officer"] == officer), None)
    this_week = iso_week(view.now.date())
    by_category: Counter[str] = Counter()
    for task_week, category, total in minutes:
        if task_week == this_week:
            by_category[category] += total
    own = {case.offender for case in inputs.world.cases.values() if case.officer == officer}
    return WeekData(
        officer,
        mine,
        dict(sorted((+by_category).items())),
        alerts(mine, rows, stays, releases, own),
        recent_weeks(projector, rules, view.now, officer) if mine is not None else [],
    )


def recent_weeks(projector: Projector, rules: Rules, now: dt.datetime, officer: str, weeks: int = 8) -> list[tuple[str, float]]:
    """The officer's estimated weekly hours at the end of each of the last ``weeks`` ISO weeks
    (the current one up to now): one pass over the facts, stopping at each week's end."""
    monday = now.date() - dt.timedelta(days=now.date().weekday())
    ends = [
        dt.datetime.combine(monday - dt.timedelta(weeks=n), dt.time(), tzinfo=now.tzinfo) - dt.timedelta(microseconds=1) for n in range(weeks - 2, -1, -1)
    ] + [now]
    series = []
    db = projector.db
    view = View(now=now)
    with db.transaction(write=False) as cursor:
        gone = retracted(cursor, db, view)
        facts = timeline(cursor, db, view, gone, PROJECTIONS["workload"].event_types)
        world = World()
        start = 0
        for end in ends:
            limit = micros(end)
            stop = start
            while stop < len(facts) and facts[stop].occurred_us <= limit:
                stop += 1
            world.apply(facts[start:stop])
            start = stop
            loads = assess(Inputs(world, View(as_of=end, now=now), rules, cursor, db, gone), only=officer)
            if loads:
                series.append((iso_week(end.date()), float(round(loads[0].estimated, 2))))
    return series


def caseload(projector: Projector, view: View, officer: str) -> list[CaseRow]:
    """The officer's cases at the cut, with where each is, its complexity, SIU days, release-plan
    status and the next dates (hearing, day and full parole eligibility) still ahead."""
    db = projector.db
    with db.transaction(write=False) as cursor:
        world = projector.snapshots.world_at(cursor, view, retracted(cursor, db, view))
    today = view.now.date()
    rows = []
    for case in sorted(world.cases.values(), key=lambda c: c.offender):
        if case.officer != officer:
            continue
        stay = world.open_stay(case)
        hearing, day, full = world.hearings.get(case.offender), case.day_parole_eligibility, case.full_parole_eligibility
        upcoming = [f"hearing {hearing}"] if hearing and hearing >= today else []
        upcoming += [f"DP {day}"] if day and day >= today else []
        upcoming += [f"FP {full}"] if full and full >= today else []
        rows.append(
            CaseRow(
                case.offender,
                case.location or "—",
                ", ".join(sorted(case.factors)) or "—",
                (today - stay.started_on).days if stay is not None else None,
                f"since {case.plan.started_on}" if case.plan else "no plan",
                "; ".join(upcoming) or "—",
            )
        )
    return rows


def site_rows(everyone: list[dict[str, Any]], officer: str, *, all_sites: bool) -> tuple[str | None, list[dict[str, Any]]]:
    """The *Site* screen's rows: the officer's site (or every site), uncovered caseloads first,
    then the most over ratio; and the officer's site (None when the officer has no row)."""
    mine = next((row["site"] for row in everyone if row["officer"] == officer), None)
    shown = [row for row in everyone if all_sites or mine is None or row["site"] == mine]
    shown.sort(key=lambda r: (-r["uncovered_caseload"], -(r["ratio_utilization"] or 0), r["officer"]))
    return mine, shown
