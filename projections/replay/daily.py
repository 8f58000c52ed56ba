"""Every officer's caseload at the end of every local day, kept up to date as the facts apply.

The coverage and weekly-hours projections count each officer's state at the end of each local
day (the instant before the next local midnight at the officer's site; T's own day with the state
at T). Counting every case at every day's end costs history × days; instead :class:`RunningLoads`
keeps each officer's own caseload as a histogram by number of complexity factors and, at each
day's end, recounts only the cases a fact touched since the last one and those whose warrant
expired in between (a heap of expiry instants). Who covers whom is read off the officers (there
are few of them). The figures are exactly :class:`~caseledger.projections.replay.caseloads.Caseloads`'
at that instant — a test compares the two on every day of generated histories.

:func:`zone_days` starts from the newest valid world snapshot before the first day wanted
(:meth:`~caseledger.projections.replay.snapshots.Snapshots.world_before`), so a quarter costs
the quarter's facts and days, not the whole history.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from caseledger.domain.events.catalogue import SiteRegistered
from caseledger.domain.model.times import LocalDay, iso_week, zone
from caseledger.projections.readmodels.tables import micros
from caseledger.projections.replay.caseloads import Caseloads, Cut, covers_of
from caseledger.projections.replay.facts import Fact, View, timeline
from caseledger.projections.replay.inputs import Inputs
from caseledger.projections.replay.snapshots import Snapshots
from caseledger.projections.replay.world import Case, OfficerInfo, World

DAY = dt.timedelta(days=1)
NO_CASES: Counter[int] = Counter()
NO_ONE: list[OfficerInfo] = []


def day_end(day: dt.date, zone_name: str) -> int:
    """The last microsecond of local ``day`` in ``zone_name``."""
    return micros(dt.datetime.combine(day + DAY, dt.time(), tzinfo=zone(zone_name))) - 1


class RunningLoads:
    """Each officer's counted own cases (a histogram by number of factors) as the world moves on."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.own: defaultdict[str, Counter[int]] = defaultdict(Counter)
        self.count: defaultdict[str, int] = defaultdict(int)
        """The size of each officer's histogram (summed once per change, not once per day)."""
        self._held: dict[str, tuple[str, int]] = {}
        """Each counted case's (officer, number of factors)."""
        self._expiry: dict[str, int] = {}
        self._heap: list[tuple[int, str]] = []

    def _expires_us(self, case: Case) -> int:
        """The first instant the case no longer counts: local midnight after its warrant expiry date
        at the site it is at (the last representable instant for an expiry that far away)."""
        site = self.world.sites.get(case.where)
        if case.warrant_expiry >= dt.date.max - DAY:
            return 2**62
        return day_end(case.warrant_expiry, site.timezone if site is not None else "UTC") + 1

    def recount(self, offender: str, now_us: int) -> None:
        """Count ``offender``'s case again, as it is at ``now_us``."""
        held = self._held.pop(offender, None)
        if held is not None:
            histogram = self.own[held[0]]
            self.count[held[0]] -= 1
            histogram[held[1]] -= 1
            if not histogram[held[1]]:
                del histogram[held[1]]
        case = self.world.cases.get(offender)
        if case is None or case.officer is None:
            return
        expires = self._expires_us(case)
        if now_us >= expires:
            return
        self._held[offender] = (case.officer, len(case.factors))
        self.own[case.officer][len(case.factors)] += 1
        self.count[case.officer] += 1
        if self._expiry.get(offender) != expires:
            self._expiry[offender] = expires
            heapq.heappush(self._heap, (expires, offender))

    def recount_all(self, now_us: int) -> None:
        for offender in self.world.cases:
            self.recount(offender, now_us)

    def advance(self, facts: list[Fact], now_us: int) -> None:
        """Apply ``facts`` to the world and recount what they touched and what expired by ``now_us``."""
        self.world.apply(facts)
        if any(isinstance(fact.data, SiteRegistered) for fact in facts):  # a site's zone moves its cases' expiry instants
            self.recount_all(now_us)
        else:
            for offender in {getattr(fact.data, "offender", None) for fact in facts} - {None}:
                self.recount(str(offender), now_us)
        heap = self._heap
        while heap and heap[0][0] <= now_us:
            expires, offender = heapq.heappop(heap)
            if self._expiry.get(offender) == expires:
                del self._expiry[offender]
                self.recount(offender, now_us)


@dataclass(slots=True)
class OfficerDay:
    """One officer at the end of one local day: as registered then, and the day's caseloads (read
    at once: the histograms move on with the next day)."""

    officer: OfficerInfo
    day: dt.date
    week: str
    own: Counter[int]
    """The officer's own counted cases (counted even on leave)."""
    own_count: int
    absent: list[OfficerInfo]
    """The colleagues on leave whose caseloads the officer covers."""
    owns: dict[str, Counter[int]]
    """Every officer's own counted cases then (the covered colleagues' among them)."""
    last_of_week: bool
    """The last day this week counts for the officer (Sunday, or T's date)."""

    @property
    def covered(self) -> Counter[int]:
        covered: Counter[int] = Counter()
        for colleague in self.absent:
            covered.update(self.owns.get(colleague.officer, NO_CASES))
        return covered

    def carried(self) -> Counter[int]:
        """The cases the officer carries: their own unless on leave, and those covered (a copy)."""
        if not self.absent:
            return Counter() if self.officer.on_leave else Counter(self.own)
        return self.covered + (NO_CASES if self.officer.on_leave else self.own)


def _day_ends(zones: set[str], first: dt.date, last_of: dict[str, dt.date], t_us: int | None) -> list[tuple[int, str, dt.date]]:
    """Every (instant µs, zone, local date) a day ends at, from ``first`` to each zone's last date,
    in time order; T's own day ends at T (``t_us``) when T is an instant."""
    ends = []
    for name in zones:
        day = first
        while day <= last_of.get(name, first - DAY):
            end = day_end(day, name)
            ends.append((min(end, t_us) if t_us is not None else end, name, day))
            day += DAY
    ends.sort()
    return ends


def _monday(week: str) -> dt.date:
    return dt.date.fromisocalendar(int(week[:4]), int(week[6:]), 1)


OFFICER_CHANGES = frozenset({"OfficerRegistered", "OfficerMoved", "SiteRegistered"})
"""Facts that change which officers are at which site (the rest leave the lists as they are)."""
COVER_CHANGES = frozenset({"LeaveStarted", "LeaveEnded", "CoverageStarted", "CoverageEnded"}) | OFFICER_CHANGES
"""Facts that change who covers whom."""


@dataclass(frozen=True, slots=True)
class ZoneDay:
    """The end of one local day in one time zone: the officers at its sites, the caseloads then."""

    day: dt.date
    week: str
    last_of_week: bool
    """Sunday, or T's date."""
    officers: list[OfficerInfo]
    own: dict[str, Counter[int]]
    count: dict[str, int]
    covers: dict[str, list[OfficerInfo]]

    def officer_day(self, officer: OfficerInfo, day: dt.date | None = None) -> OfficerDay:
        """The officer at this day's end (counted for ``day``: a date an officer moving between
        zones would otherwise miss)."""
        name, day = officer.officer, day or self.day
        own = self.own.get(name, NO_CASES)
        last = day.isoweekday() == 7 or (self.last_of_week and day == self.day)
        return OfficerDay(officer, day, iso_week(day), own, self.count.get(name, 0), self.covers.get(name, NO_ONE), self.own, last)


def zone_days(inputs: Inputs, types: frozenset[str]) -> Iterator[ZoneDay]:
    """Every local day's end, in each zone that has officers, of the weeks asked for (from the
    first fact's date when open), up to T's local date, in time order. Officers are listed by
    zone, and who covers whom worked out, again only after facts that change them."""
    view, cursor, db, weeks = inputs.view, inputs.cursor, inputs.db, inputs.weeks
    first = _monday(weeks.first) if weeks.first else None
    last = _monday(weeks.last) + 6 * DAY if weeks.last else None
    start_us = micros(dt.datetime.combine(first - DAY, dt.time(), tzinfo=dt.UTC)) if first is not None else None
    world, since_us = Snapshots(db).world_before(cursor, view, inputs.gone, start_us) if start_us is not None else (World.replay([]), None)
    facts = timeline(cursor, db, view, inputs.gone, types, since_us=since_us)
    if not facts and not world.officers:
        return
    zones = {site.timezone for site in world.sites.values()} | {fact.data.timezone for fact in facts if isinstance(fact.data, SiteRegistered)}
    t = view.instant_of_t()
    now = View(now=view.now)  # no day after today's is counted, whatever T: the days to come have not happened
    last_of = {name: min(view.local_date_of_t(name), now.local_date_of_t(name), last or dt.date.max) for name in zones}
    at_t = {name for name, day in last_of.items() if isinstance(t, LocalDay) and day == t.day}
    """The zones whose last day is a bare-date T's: counted after every other, with the state at T."""
    begin = first if first is not None else min(fact.local_date for fact in facts)
    loads, applied = RunningLoads(world), 0
    loads.recount_all(-(2**62))
    by_zone: dict[str, list[OfficerInfo]] = {}
    covers: dict[str, list[OfficerInfo]] = {}
    stale_officers = stale_covers = True
    before_t = {name: day - DAY if name in at_t else day for name, day in last_of.items()}
    for end_us, zone_name, day in _day_ends(zones, begin, before_t, micros(t) if isinstance(t, dt.datetime) else None):
        upto = applied
        while upto < len(facts) and facts[upto].occurred_us <= end_us:
            upto += 1
        batch = facts[applied:upto]
        loads.advance(batch, end_us)
        applied = upto
        kinds = {fact.type for fact in batch}
        if stale_officers or kinds & OFFICER_CHANGES:
            by_zone = {}
            for officer in world.officers.values():
                site = world.sites.get(officer.site)
                if site is not None:
                    by_zone.setdefault(site.timezone, []).append(officer)
        if stale_covers or kinds & COVER_CHANGES:
            covers = covers_of(world)
        stale_officers = stale_covers = False
        here = by_zone.get(zone_name)
        if here:
            yield ZoneDay(day, iso_week(day), day.isoweekday() == 7 or day == last_of[zone_name], here, loads.own, loads.count, covers)
    if at_t and isinstance(t, LocalDay):
        yield from _days_at(t.day, world, facts[applied:], view, at_t)


def _days_at(day: dt.date, world: World, rest: list[Fact], view: View, zones: set[str]) -> Iterator[ZoneDay]:
    """A bare-date T's own day in ``zones``: every fact dated by then at its own site applied, and
    the cases counted as workload counts them at T (a warrant expired when T's date is after it)."""
    world.apply(rest)
    loads = Caseloads(Cut(world, view))
    count = {name: histogram.total() for name, histogram in loads.own.items()}
    for zone_name in sorted(zones):
        here = [officer for officer in world.officers.values() if (site := world.sites.get(officer.site)) is not None and site.timezone == zone_name]
        if here:
            yield ZoneDay(day, iso_week(day), True, here, loads.own, count, loads.covers)


@dataclass
class DayTally:
    """One officer's days in one week at one site in one role, rule-free (histograms by number of
    factors: any rule set's multipliers and case hours apply afterwards, the weighting being a sum)."""

    leave_days: int = 0
    own_case_days: int = 0
    covered_case_days: int = 0
    uncovered_case_days: int = 0
    covered: Counter[int] | None = None
    """Σ over the days of the covered caseload (None: nobody was covered)."""
    uncovered: Counter[int] | None = None
    """Σ over the days on leave with nobody covering of the own caseload (None: there were none)."""


@dataclass(frozen=True)
class WeekEnd:
    """One officer at the end of the last day a week counts: where, in what role, carrying what."""

    site: str
    role: str
    weekly_hours: Fraction
    carried: Counter[int]


@dataclass(frozen=True)
class WeekTallies:
    days: dict[tuple[str, str, str, str], DayTally]
    """By (officer, week, site, role)."""
    ends: dict[tuple[str, str], WeekEnd]
    """By (officer, week)."""


def _tally_more(tally: DayTally, day: OfficerDay, ends: dict[tuple[str, str], WeekEnd]) -> None:
    """What an officer-day adds besides its own count: cases covered, a day on leave (and cases
    nobody carried), the week's end."""
    officer = day.officer
    if day.absent:
        covered = day.covered
        if tally.covered is None:
            tally.covered = Counter()
        tally.covered.update(covered)
        tally.covered_case_days += covered.total()
    if officer.on_leave:
        tally.leave_days += 1
        if not officer.covered_by:
            tally.uncovered_case_days += day.own_count
            if tally.uncovered is None:
                tally.uncovered = Counter()
            tally.uncovered.update(day.own)
    if day.last_of_week:
        ends[(officer.officer, day.week)] = WeekEnd(officer.site, officer.role, officer.weekly_hours, day.carried())


def _tally(days: dict[tuple[str, str, str, str], DayTally], ends: dict[tuple[str, str], WeekEnd], day: OfficerDay) -> None:
    """One officer-day, whole."""
    officer = day.officer
    tally = days.setdefault((officer.officer, day.week, officer.site, officer.role), DayTally())
    tally.own_case_days += day.own_count
    _tally_more(tally, day, ends)


def week_tallies(inputs: Inputs, types: frozenset[str]) -> WeekTallies:
    """Every officer's days summed by week, site and role, and each officer's week ends, inside
    the weeks asked for — worked out once per replay and shared by the projections (and rule sets)
    that read them (:attr:`Inputs.shared`)."""
    found = inputs.shared.get(("week tallies", types))
    if isinstance(found, WeekTallies):
        return found
    days: dict[tuple[str, str, str, str], DayTally] = {}
    ends: dict[tuple[str, str], WeekEnd] = {}
    weeks = inputs.weeks
    counted: dict[str, dt.date] = {}
    """Each officer's last local date counted: an officer who moves between time zones meets a
    date at two sites' day ends, or at neither; each date counts once, at the first day end that
    finds the officer, and a date skipped so is counted with the next one, at the new site."""
    for zone_day in zone_days(inputs, types):
        day, week = zone_day.day, zone_day.week
        count, covers, last_of_week = zone_day.count, zone_day.covers, zone_day.last_of_week
        for officer in zone_day.officers:
            name = officer.officer
            previous = counted.get(name)
            if previous is not None and previous >= day:
                continue
            counted[name] = day
            if previous is not None and previous < day - DAY:  # a date skipped by a move: rare, the long way
                for missed in (previous + DAY * step for step in range(1, (day - previous).days)):
                    if iso_week(missed) in weeks:
                        _tally(days, ends, zone_day.officer_day(officer, missed))
            if week not in weeks:
                continue
            key = (name, week, officer.site, officer.role)
            tally = days.get(key)
            if tally is None:
                tally = days[key] = DayTally()
            tally.own_case_days += count.get(name, 0)
            if name in covers or officer.on_leave or last_of_week:  # the few officer-days that need more than a count
                _tally_more(tally, zone_day.officer_day(officer), ends)
    tallies = inputs.shared[("week tallies", types)] = WeekTallies(days, ends)
    return tallies
