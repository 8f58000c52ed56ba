"""coverage — case-days over time: who carried absent colleagues' cases, and whose nobody carried.

The workload projection is a photograph at T; this one counts each officer's state at the end of
every local day (the instant before the next local midnight at the site the officer is at then;
T's own day with the state at T), in ISO weeks (the specification's "Coverage and backfill"):

* ``leave_days`` — days on leave; ``own_case_days`` — Σ own caseload (counted even on leave);
* ``covered_case_days`` — Σ covered caseload (absent colleagues on leave this officer covers, each
  covering officer the whole caseload, as in workload); ``uncovered_case_days`` — Σ own caseload
  while on leave with no active coverage;
* ``covered_hours`` — Σ case hours of the role × weighted covered caseload / 7 per day.

``--by site`` rolls the officer-days up by site and week, adding ``uncovered_hours`` (the absent
officer's role and weighting) and ``backfill_fte`` = (covered + uncovered hours) / the week.

Each day's figures are the caseload rules of :mod:`caseledger.projections.replay.caseloads` at that
instant (warrant expiry, leave, coverage), on the world replayed from the first fact, so a
retracted event (a leave that never was) is in no day. The replay is whole — no snapshot is used
yet — and each day counts every case: the cost grows with history × days (BENCHMARKS.md).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from caseledger.domain.events.catalogue import SiteRegistered
from caseledger.domain.model.times import iso_week, zone
from caseledger.projections.catalogue import workload
from caseledger.projections.readmodels.tables import micros
from caseledger.projections.replay.caseloads import Caseloads, Cut, weighted
from caseledger.projections.replay.facts import Fact, View, timeline
from caseledger.projections.replay.inputs import Inputs, columns, rounded
from caseledger.projections.replay.world import World

NAME = "coverage"
EVENT_TYPES = workload.EVENT_TYPES
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns("officer:str, site:str, week:str, leave_days:int, own_case_days:int, covered_case_days:int, uncovered_case_days:int, covered_hours:float")
SITE_COLUMNS = columns(
    "site:str, week:str, officers_on_leave_days:int, covered_case_days:int, uncovered_case_days:int, covered_hours:float, uncovered_hours:float, backfill_fte:float"
)
DAY = dt.timedelta(days=1)


@dataclass
class Tally:
    """One officer's (or site's) days in one week at one site, exact until the end."""

    leave_days: int = 0
    own_case_days: int = 0
    covered_case_days: int = 0
    uncovered_case_days: int = 0
    covered_hours: Fraction = field(default_factory=Fraction)
    uncovered_hours: Fraction = field(default_factory=Fraction)


def _day_ends(world_zones: set[str], first: dt.date, t: dt.datetime | None, view: View) -> list[tuple[int, str, dt.date]]:
    """Every (instant µs, zone, local date) a day ends at, from ``first`` to T's date in each zone,
    in time order; T's own day ends at T."""
    ends = []
    for name in world_zones:
        last = view.local_date_of_t(name)
        day = first
        while day <= last:
            end = dt.datetime.combine(day + DAY, dt.time(), tzinfo=zone(name)) - dt.timedelta(microseconds=1)
            if day == last and t is not None:
                end = min(end, t)
            ends.append((micros(end), name, day))
            day += DAY
    ends.sort()
    return ends


def _days(inputs: Inputs) -> Iterator[tuple[str, str, str, dt.date, World, Caseloads]]:
    """(officer, site, week, day, world, caseloads) for every officer at the end of every day."""
    view = inputs.view
    facts: list[Fact] = timeline(inputs.cursor, inputs.db, view, inputs.gone, EVENT_TYPES)
    if not facts:
        return
    zones = {fact.data.timezone for fact in facts if isinstance(fact.data, SiteRegistered)}
    t = view.instant_of_t()
    world, applied = World.replay([]), 0
    for end_us, zone_name, day in _day_ends(zones, min(fact.local_date for fact in facts), t if isinstance(t, dt.datetime) else None, view):
        upto = applied
        while upto < len(facts) and facts[upto].occurred_us <= end_us:
            upto += 1
        if upto > applied:
            world.apply(facts[applied:upto])
            applied = upto
        here = [officer for officer in world.officers.values() if world.sites.get(officer.site) is not None and world.sites[officer.site].timezone == zone_name]
        if not here:
            continue
        loads = Caseloads(Cut(world, View(as_of=_instant(end_us), now=view.now)), only=[officer.officer for officer in here])
        week = iso_week(day)
        for officer in here:
            yield officer.officer, officer.site, week, day, world, loads


def _instant(us: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)


def tallies(inputs: Inputs) -> tuple[dict[tuple[str, str, str], Tally], dict[tuple[str, str], Tally]]:
    """The officer tallies by (officer, week, site) and the site tallies by (site, week), inside
    the weeks asked for."""
    rules, weeks = inputs.rules, inputs.weeks
    officers: defaultdict[tuple[str, str, str], Tally] = defaultdict(Tally)
    sites: defaultdict[tuple[str, str], Tally] = defaultdict(Tally)
    for name, site, week, _day, world, loads in _days(inputs):
        if week not in weeks:
            continue
        officer = world.officers[name]
        own = loads.count(name)
        covered = sum((loads.own.get(absent.officer, Counter()) for absent in loads.covers.get(name, [])), start=Counter())
        uncovered = own if officer.on_leave and not officer.covered_by else 0
        mine, at_site = officers[(name, week, site)], sites[(site, week)]
        covered_hours = rules.case_hours(officer.role) * weighted(rules, covered) / 7
        uncovered_hours = rules.case_hours(officer.role) * weighted(rules, loads.own.get(name, Counter())) / 7 if uncovered else Fraction(0)
        for tally in (mine, at_site):
            tally.leave_days += int(officer.on_leave)
            tally.covered_case_days += sum(covered.values())
            tally.uncovered_case_days += uncovered
            tally.covered_hours += covered_hours
            tally.uncovered_hours += uncovered_hours
        mine.own_case_days += own
    return dict(officers), dict(sites)


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    officers, _sites = tallies(inputs)
    rows = [
        {
            "officer": officer,
            "site": site,
            "week": week,
            "leave_days": tally.leave_days,
            "own_case_days": tally.own_case_days,
            "covered_case_days": tally.covered_case_days,
            "uncovered_case_days": tally.uncovered_case_days,
            "covered_hours": rounded(tally.covered_hours, 2),
        }
        for (officer, week, site), tally in officers.items()
    ]
    rows.sort(key=lambda row: (row["officer"], row["week"], row["site"]))
    return rows


def compute_by_site(inputs: Inputs) -> list[dict[str, Any]]:
    _officers, sites = tallies(inputs)
    week = inputs.rules.weekly_hours
    rows = [
        {
            "site": site,
            "week": label,
            "officers_on_leave_days": tally.leave_days,
            "covered_case_days": tally.covered_case_days,
            "uncovered_case_days": tally.uncovered_case_days,
            "covered_hours": rounded(tally.covered_hours, 2),
            "uncovered_hours": rounded(tally.uncovered_hours, 2),
            "backfill_fte": rounded((tally.covered_hours + tally.uncovered_hours) / week, 2),
        }
        for (site, label), tally in sites.items()
    ]
    rows.sort(key=lambda row: (row["site"], row["week"]))
    return rows
