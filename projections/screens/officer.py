"""What an officer's screens read: *My week*'s figures, *Due*, the caseload, who the user is.

One function per screen takes the projector (read models kept up to date by the caller), the rule
set and the cut, and reads one consistent view of the read models (*My week*'s alerts are worded
from its figures by the caller). None replays the history: the world comes from the newest
valid snapshot and the facts since (:mod:`caseledger.projections.replay.snapshots`), the chart's
past weeks from the engine's weekly figures, add-on minutes through the add-on read model's
(officer, week) index.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from caseledger.domain.model.times import iso_week
from caseledger.projections.catalogue import deadlines, release_lead_time, workload
from caseledger.projections.catalogue.deadlines import COMPLETING, Reading
from caseledger.projections.catalogue.workload import addon_minutes, assess
from caseledger.projections.engine.projector import Projector
from caseledger.projections.readmodels.database import Cursor
from caseledger.projections.readmodels.tables import micros
from caseledger.projections.replay.caseloads import Cut, weighted
from caseledger.projections.replay.facts import View, officer_addon_minutes, registered_officers, retracted
from caseledger.projections.replay.inputs import Inputs
from caseledger.projections.replay.weekly import carried, instant
from caseledger.projections.replay.world import World
from caseledger.projections.rules import Rules

WEEK_US = 7 * 24 * 3600 * 1_000_000
NEXT_DATES = 3
"""Caseload shows the nearest dates ahead, soonest first (all of them would not fit 80 columns)."""


@dataclass(frozen=True)
class WeekFigures:
    """What *My week* is drawn from, for one officer, before any alert is worded."""

    workload: dict[str, Any] | None
    """The officer's ``workload`` row (None: they have none at the cut)."""
    site_workloads: list[dict[str, Any]]
    """The ``workload`` rows of the officer and of every officer at their site."""
    releases: list[dict[str, Any]]
    """The ``release_lead_time`` rows of the officer's own cases."""
    own: set[str]
    """The offenders on the officer's own caseload."""
    pressing: list[DueRow]
    """The deadlines overdue or due soon of what the officer carries."""
    addon_by_category: dict[str, int]
    weekly_hours: list[tuple[str, float]]
    """Estimated hours (case hours + add-on hours) at the end of each recent week."""


@dataclass(frozen=True)
class DueRow:
    """One open deadline on the officer's *Due* screen."""

    offender: str
    deadline: str
    status: str
    """``overdue``, ``due_soon`` or ``open``."""
    due_on: dt.date
    days_left: int
    """Due date − today at the instance's site (negative: overdue by that many days)."""
    opened_on: dt.date
    site: str | None
    whose: str = "own"
    source: str = ""


def completing_entry(deadline: str) -> tuple[str, dict[str, str]]:
    """The entry that completes ``deadline``: its event type and the field values that make it
    count (the Due screen's record key opens the form on it)."""
    kind, values = COMPLETING[deadline]
    return kind, dict(values)


def due_rows(inputs: Inputs, officer: str) -> list[DueRow]:
    """The open deadlines of the cases ``officer`` carries (own, then covered), overdue first, then
    by due date."""
    covering = inputs.world.covered_by(officer)

    def row(reading: Reading) -> DueRow:
        due = reading.due
        whose = "own" if reading.officer == officer else f"covering {reading.officer}"
        days_left = (reading.due_on - inputs.today_at(due.site)).days
        return DueRow(
            due.offender, due.deadline, reading.status, reading.due_on, days_left, due.opened_on, due.site, whose, inputs.rules.deadline(due.deadline).source
        )

    return [row(reading) for reading in deadlines.open_for(inputs, {officer} | covering)]


@dataclass
class CaseRow:
    """One case on an officer's caseload."""

    offender: str
    location: str
    complexity: str
    siu_days: int | None
    plan: str
    next_dates: str
    whose: str = "own"
    """``own``, or ``covering po.x`` for a case of an absent colleague this officer covers."""


def officer_for(projector: Projector, user: str) -> str:
    """The officer whose week the UI shows: the user, if registered, else the first registered
    officer (the demo opens as a real officer even when run by an unregistered login)."""
    with projector.db.transaction(write=False) as cursor:
        officers = registered_officers(cursor, projector.db)
    return user if user in officers or not officers else next((o for o in officers if "PO" in o.upper()), officers[0])


def week_figures(projector: Projector, rules: Rules, view: View, officer: str) -> WeekFigures:
    """My week's figures, from the world at the cut (the newest snapshot and what happened since): the
    officer's workload row and their site's (for uncovered caseloads), their own cases' release
    leads, the deadlines overdue or due soon of what they carry, their own add-on minutes, and the
    chart of recent weeks."""
    db = projector.db
    with db.transaction(write=False) as cursor:
        gone = retracted(cursor, db, view)
        world = projector.snapshots.world_for_officer(cursor, officer, view, gone)
        inputs = Inputs(world, view, rules, cursor, db, gone)
        me = world.officers.get(officer)
        site = {other.officer for other in world.officers.values() if me is not None and other.site == me.site}
        rows = workload.compute(inputs, site | {officer})
        mine = next((row for row in rows if row["officer"] == officer), None)
        own = {case.offender for case in world.cases.values() if case.officer == officer}
        releases = [release_lead_time.row(inputs, release) for release in world.releases if release.offender in own]
        pressing = [row for row in due_rows(inputs, officer) if row.status != "open"]
        today = inputs.today_at(me.site if me is not None else None)
        minutes = officer_addon_minutes(cursor, db, view, gone, officer=officer, week=iso_week(today))
        everything_now = world if view.as_of is None and view.known_at is None else projector.snapshots.world_at(cursor, View(now=view.now), gone)
        chart = recent_weeks(projector, cursor, rules, officer, now=everything_now, at=view.now, today=today) if mine is not None else []
    by_category: Counter[str] = Counter()
    for category, total in minutes:
        by_category[category] += total
    return WeekFigures(mine, rows, releases, own, pressing, dict(sorted((+by_category).items())), chart)


def due(projector: Projector, rules: Rules, view: View, officer: str) -> list[DueRow]:
    """*Due*: the officer's open deadlines at the cut (see :func:`due_rows`)."""
    db = projector.db
    with db.transaction(write=False) as cursor:
        gone = retracted(cursor, db, view)
        world = projector.snapshots.world_for_officer(cursor, officer, view, gone)
        return due_rows(Inputs(world, view, rules, cursor, db, gone), officer)


def recent_weeks(
    projector: Projector, cursor: Cursor, rules: Rules, officer: str, *, now: World, at: dt.datetime, today: dt.date, weeks: int = 8
) -> list[tuple[str, float]]:
    """The officer's estimated weekly hours in each of the last ``weeks`` ISO weeks (the current
    one, the week of ``today`` — the local date at ``at`` at the officer's site —, up to ``at``):
    the case hours of what they carried when the week ended (the engine's weekly figures are taken
    at Monday 00:00 UTC) plus every add-on minute of their local ISO week, whenever in it the task
    happened. On a Sunday evening in Canada, when UTC's Monday has begun, the current week is still
    the site's Sunday's.

    What was carried comes from the engine's weekly figures
    (:mod:`caseledger.projections.replay.weekly`); a week they do not cover, or that a concurrent
    writer made stale, is replayed instead — unless every fact occurred before that week ended,
    when it is the world ``now`` (every fact known at ``at``). Add-on minutes come from the add-on
    read model through its (officer, week) index."""
    db, snapshots = projector.db, projector.snapshots
    monday = micros(dt.datetime.combine(today - dt.timedelta(days=today.weekday()), dt.time(), tzinfo=dt.UTC))
    boundaries = [monday - n * WEEK_US for n in range(weeks - 2, -1, -1)]
    gone = retracted(cursor, db, View(now=at))
    stale, latest = snapshots.stale_point(cursor), snapshots.latest_occurred(cursor)
    kept = snapshots.weekly.read(cursor, officer, [b for b in boundaries if stale is None or b <= stale])
    current = View(as_of=at, now=at)
    """T = ``at``: the current week's point, and the add-on minutes of every past week (all known by now)."""
    series = []
    for boundary in boundaries:
        end = View(as_of=instant(boundary - 1), now=at)
        if boundary in kept:
            found = kept[boundary]
        else:
            source = now if latest is None or latest < boundary else snapshots.world_at(cursor, end, gone)
            found = carried(source, end, officer).get(officer)
        if found is not None:
            minutes = addon_minutes(Inputs(World(), current, rules, cursor, db, gone), {officer: found.week}, only=[officer])[officer]
            estimated = rules.case_hours(found.role) * weighted(rules, found.factors) + Fraction(minutes, 60)
            series.append((iso_week(end.local_date_of_t("UTC")), float(round(estimated, 2))))
    world = snapshots.world_at(cursor, current, gone) if latest is not None and latest > micros(at) else now
    loads = assess(Inputs(world, current, rules, cursor, db, gone), only=[officer])
    if loads:
        series.append((iso_week(today), float(round(loads[0].estimated, 2))))
    return series


def caseload(projector: Projector, view: View, officer: str) -> list[CaseRow]:
    """The officer's cases at the cut — their own, then those of absent colleagues they cover
    (counted in My week's "Covered", so listed here too, marked whose) — with where each is, its
    complexity, SIU days, release-plan status and the three nearest dates still ahead, soonest
    first (of the hearing, granted release, day and full parole eligibility, statutory release,
    warrant expiry)."""
    db = projector.db
    with db.transaction(write=False) as cursor:
        world = projector.snapshots.world_for_officer(cursor, officer, view, retracted(cursor, db, view))
    me = world.officers.get(officer)
    today = Cut(world, view).today_at(me.site if me is not None else None)
    covering = world.covered_by(officer)
    rows = []
    mine = [case for case in world.cases.values() if case.officer == officer]
    theirs = [case for case in world.cases.values() if case.officer in covering]
    for case in [*sorted(mine, key=lambda c: c.offender), *sorted(theirs, key=lambda c: (c.officer or "", c.offender))]:
        stay = world.open_stay(case)
        hearing, day, full = world.hearings.get(case.offender), case.day_parole_eligibility, case.full_parole_eligibility
        dates = (
            ("hearing", hearing),
            ("release", case.granted_release),
            ("DP", day),
            ("FP", full),
            ("SR", case.statutory_release),
            ("WED", case.warrant_expiry),
        )
        ahead = sorted((when, label) for label, when in dates if when is not None and when >= today)
        upcoming = [f"{label} {when}" for when, label in ahead[:NEXT_DATES]]
        rows.append(
            CaseRow(
                case.offender,
                case.location or "—",
                ", ".join(sorted(case.factors)) or "—",
                (today - stay.started_on).days if stay is not None else None,
                f"since {case.plan.started_on}" if case.plan else "no plan",
                "; ".join(upcoming) or "—",
                "own" if case.officer == officer else f"covering {case.officer}",
            )
        )
    return rows
