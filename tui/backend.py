"""Everything the terminal UI asks of the store, as plain data — called from thread workers only.

No Textual here: each method is a blocking call a worker runs, and its result is a plain object
the worker posts back to the UI (harlequin's model). One lock serialises store access from the
UI's workers, so a refresh and a recording never interleave on one connection pool.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import msgspec

from domain import payloads as p
from domain.history import HistoryLine, case_history
from domain.log import LoggedEvent, read_log, site_zones
from domain.service import LedgerService
from domain.store import LedgerApplication, open_application
from domain.times import Cutoff, utc_now
from projections.catalogue import PROJECTIONS
from projections.compute import compute, find
from projections.database import Database
from projections.engine import Projector
from projections.export import write_export
from projections.facts import View, retracted, retracted_addons, timeline, where
from projections.inputs import Inputs
from projections.privacy import deidentify, store_secret
from projections.rules import Rules, load_rules
from projections.world import World

LONG_SIU_DAYS = 15
"""An SIU stay longer than this is an alert (CD 711: reviews are due at day 5 and 30)."""


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
    offender: str
    location: str
    complexity: str
    siu_days: int | None
    plan: str
    next_dates: str


@dataclass
class LogPage:
    events: list[LoggedEvent]
    first: int
    last: int
    head: int
    filters: dict[str, Any] = field(default_factory=dict)


class Backend:
    """The store, the read models and the service, for one UI session."""

    def __init__(self, store_url: str, user: str, now: dt.datetime | None = None) -> None:
        self.lock = threading.RLock()
        self.app: LedgerApplication = open_application(store_url)
        self.projector = Projector(self.app)
        self.service = LedgerService(self.app, user, on_recorded=lambda _position: self.projector.catch_up())
        self.user = user
        self.fixed_now = now
        self.rules: Rules = load_rules("current")

    # -- time ---------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.fixed_now or utc_now()

    def view(self, as_of: Cutoff | None = None, known_at: Cutoff | None = None) -> View:
        return View(as_of=as_of, known_at=known_at, now=self.now())

    # -- reads --------------------------------------------------------------------------------

    def head(self) -> int:
        with self.lock:
            return self.app.head_position()

    def catch_up(self) -> int:
        with self.lock:
            return self.projector.catch_up()

    def officer_for(self, user: str) -> str:
        """The officer whose week the UI shows: the user, if registered, else the first registered
        officer (the demo opens as a real officer even when run by an unregistered login)."""
        with self.lock:
            self.projector.catch_up()
            db = self.projector.db
            with db.transaction(write=False) as cursor:
                cursor.execute(f"SELECT data FROM {db.table('cl_timeline')} WHERE type = 'OfficerRegistered' ORDER BY position")
                officers = [msgspec.json.decode(row[0])["officer"] for row in cursor.fetchall()]
        return user if user in officers or not officers else next((o for o in officers if "PO" in o.upper()), officers[0])

    def officers(self) -> list[dict[str, Any]]:
        """Every officer's workload row now (the Site screen and the officer picker)."""
        with self.lock:
            return compute(self.app, find("workload"), self.view(), self.rules, self.projector).rows

    def _inputs(self, cursor: Any, view: View, types: frozenset[str]) -> Inputs:
        """One replay of the cut, shared by every projection a screen shows."""
        db = self.projector.db
        gone = retracted(cursor, db, view)
        return Inputs(World.replay(timeline(cursor, db, view, gone, types)), view, self.rules, cursor, db, gone)

    def recent_weeks(self, officer: str, weeks: int = 8) -> list[tuple[str, float]]:
        """The officer's estimated weekly hours at the end of each of the last ``weeks`` ISO weeks
        (the current one up to now): one pass over the facts, stopping at each week's end."""
        from projections.catalogue.workload import assess
        from projections.readmodels import micros

        now = self.now()
        monday = now.date() - dt.timedelta(days=now.date().weekday())
        ends = [dt.datetime.combine(monday - dt.timedelta(weeks=n), dt.time(), tzinfo=now.tzinfo) - dt.timedelta(microseconds=1) for n in range(weeks - 2, -1, -1)] + [now]
        series = []
        with self.lock:
            db = self.projector.db
            view = self.view()
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
                    loads = assess(Inputs(world, View(as_of=end, now=now), self.rules, cursor, db, gone), only=officer)
                    if loads:
                        year, number, _ = end.date().isocalendar()
                        series.append((f"{year}-W{number:02d}", float(round(loads[0].estimated, 2))))
        return series

    def week(self, officer: str) -> WeekData:
        """My week: one catch-up, one replay for workload, SIU stays and release leads, and the
        officer's own add-on minutes straight from the add-on read model."""
        types = PROJECTIONS["workload"].event_types | PROJECTIONS["siu_stays"].event_types | PROJECTIONS["release_lead_time"].event_types
        with self.lock:
            self.projector.catch_up()
            view = self.view()
            db = self.projector.db
            with db.transaction(write=False) as cursor:
                inputs = self._inputs(cursor, view, types)
                rows = PROJECTIONS["workload"].compute(inputs)
                stays = PROJECTIONS["siu_stays"].compute(inputs)
                releases = PROJECTIONS["release_lead_time"].compute(inputs)
                sql, params = where(view)
                cursor.execute(
                    f"SELECT week, category, SUM(minutes) FROM {db.table('cl_addons')} WHERE officer = ?{sql} GROUP BY week, category",
                    [officer, *params],
                )
                minutes = cursor.fetchall()
                for task_officer, _site, task_week, category, task_minutes in retracted_addons(cursor, db, view, inputs.gone):
                    if task_officer == officer:
                        minutes.append((task_week, category, -task_minutes))
        mine = next((row for row in rows if row["officer"] == officer), None)
        week = _iso_week(view.now)
        by_category: Counter[str] = Counter()
        for task_week, category, total in minutes:
            if task_week == week:
                by_category[category] += int(total)
        own = {case.offender for case in inputs.world.cases.values() if case.officer == officer}
        return WeekData(
            officer,
            mine,
            dict(sorted((+by_category).items())),
            _alerts(mine, rows, stays, releases, own),
            self.recent_weeks(officer) if mine is not None else [],
        )

    def caseload(self, officer: str) -> list[CaseRow]:
        with self.lock:
            db = self.projector.db
            view = self.view()
            types = frozenset(p.PAYLOAD_TYPES) - {"AddOnTaskLogged", "EventRetracted"}
            with db.transaction(write=False) as cursor:
                gone = retracted(cursor, db, view)
                facts = timeline(cursor, db, view, gone, types)
            world = World.replay(facts)
            hearings: dict[str, dt.date] = {}
            eligibility: dict[str, tuple[dt.date | None, dt.date | None]] = {}
            for fact in facts:
                if isinstance(fact.data, p.HearingScheduled):
                    hearings[fact.data.offender] = fact.data.hearing_date
                elif isinstance(fact.data, p.OffenderAdmitted):
                    eligibility[fact.data.offender] = (fact.data.day_parole_eligibility, fact.data.full_parole_eligibility)
        today = view.now.date()
        rows = []
        for case in sorted(world.cases.values(), key=lambda c: c.offender):
            if case.officer != officer:
                continue
            siu = (today - case.stay.started_on).days if case.stay is not None else None
            day, full = eligibility.get(case.offender, (None, None))
            upcoming = [f"hearing {hearings[case.offender]}"] if case.offender in hearings and hearings[case.offender] >= today else []
            upcoming += [f"DP {day}"] if day and day >= today else []
            upcoming += [f"FP {full}"] if full and full >= today else []
            rows.append(
                CaseRow(
                    case.offender,
                    case.location or "—",
                    ", ".join(sorted(case.factors)) or "—",
                    siu,
                    f"since {case.plan.started_on}" if case.plan else "no plan",
                    "; ".join(upcoming) or "—",
                )
            )
        return rows

    def history(self, offender: str, as_of: Cutoff | None = None, known_at: Cutoff | None = None) -> list[HistoryLine]:
        with self.lock:
            return case_history(self.app, offender, site_zones(self.app), as_of=as_of, known_at=known_at)

    def log_page(
        self,
        after: int,
        limit: int,
        *,
        types: list[str],
        actor: str | None,
        offender: str | None,
        known_at: Cutoff | None,
        occurred_from: Cutoff | None = None,
        occurred_to: Cutoff | None = None,
    ) -> LogPage:
        """Up to ``limit`` events after ``after`` that pass the filters (reads on until it has them).
        ``occurred_from``/``occurred_to`` bound the occurred time (bare dates: local days, inclusive)."""
        with self.lock:
            zones = site_zones(self.app) if (known_at or occurred_from or occurred_to) is not None else {}
            found: list[LoggedEvent] = []
            for event in read_log(self.app, after=after, types=types, batch=max(limit, 200)):
                envelope = event.envelope
                if actor and envelope.recorded_by != actor:
                    continue
                if offender and getattr(envelope.data, "offender", None) != offender:
                    continue
                zone_name = zones.get(envelope.at_site or "", "UTC")
                if known_at is not None and not _within(envelope.recorded_at, known_at, zone_name):
                    continue
                if occurred_to is not None and not _within(envelope.occurred_at, occurred_to, zone_name):
                    continue
                if occurred_from is not None and not _not_before(envelope.occurred_at, occurred_from, zone_name):
                    continue
                found.append(event)
                if len(found) >= limit:
                    break
            head = self.app.head_position()
        first = found[0].position if found else after
        last = found[-1].position if found else after
        return LogPage(found, first, last, head)

    # -- writes -------------------------------------------------------------------------------

    def record(self, data: p.Payload, occurred_at: dt.datetime | dt.date | str, note: str | None = None) -> int:
        with self.lock:
            return self.service.record(data, occurred_at, note)

    def export(self, name: str, fmt: str, path: str, *, deidentified: bool, as_of: Cutoff | None, rules: str) -> int:
        with self.lock:
            result = compute(self.app, find(name), self.view(as_of=as_of), load_rules(rules), self.projector)
            rows = deidentify(result.rows, store_secret(Database(self.app))) if deidentified else result.rows
            write_export(result.projection.columns, rows, {**result.meta, "deidentified": deidentified}, fmt, path)
            return len(rows)


def _within(moment: dt.datetime, cutoff: Cutoff, zone_name: str) -> bool:
    from domain.times import within

    return within(moment, cutoff, zone_name)


def _not_before(moment: dt.datetime, cutoff: Cutoff, zone_name: str) -> bool:
    from domain.times import LocalDay, zone

    if isinstance(cutoff, LocalDay):
        return moment.astimezone(zone(zone_name)).date() >= cutoff.day
    return moment >= cutoff


def _iso_week(moment: dt.datetime) -> str:
    year, week, _ = moment.date().isocalendar()
    return f"{year}-W{week:02d}"


def _alerts(mine: dict[str, Any] | None, everyone: list[dict[str, Any]], stays: list[dict[str, Any]], releases: list[dict[str, Any]], own: set[str]) -> list[str]:
    alerts = []
    if mine and mine["ratio_utilization"] is not None and mine["ratio_utilization"] > 1:
        alerts.append(f"Over ratio: {mine['effective_caseload']} cases against a standard of {mine['ratio_standard']}")
    if mine and mine["overtime_hours"] > 0:
        alerts.append(f"Estimated {mine['estimated_weekly_hours']} h this week: {mine['overtime_hours']} h over {mine['weekly_hours']}")
    for stay in stays:
        if stay["offender"] in own and stay["ended_on"] is None and stay["dwell_days"] > LONG_SIU_DAYS:
            alerts.append(f"Long SIU stay: {stay['offender']} for {stay['dwell_days']} days")
    for release in releases:
        if release["offender"] in own and release["short_lead"] and release["released_on"] is None:
            lead = "no plan" if release["no_plan"] else f"plan lead {release['plan_lead_days']} days"
            alerts.append(f"Short release-plan lead: {release['offender']} ({lead})")
    site = mine["site"] if mine else None
    for row in everyone:
        if row["site"] == site and row["uncovered_caseload"]:
            alerts.append(f"Uncovered caseload: {row['officer']} is on leave with {row['uncovered_caseload']} cases and no coverage")
    return alerts
