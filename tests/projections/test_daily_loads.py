"""The running day-end caseloads behind coverage and weekly hours, on random valid streams:

* each officer's own and covered caseloads at the end of a day are exactly what counting every
  case of the world replayed to that instant gives (:class:`Caseloads`, the workload rules);
* coverage over a range of weeks — which starts from a world snapshot before the first week —
  equals the same weeks of coverage over the whole history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.application.imports import import_lines
from caseledger.domain.model.times import LocalDay, iso_week
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import site_zones
from caseledger.projections.catalogue import coverage
from caseledger.projections.engine.compute import compute, find, replay
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.caseloads import Caseloads, Cut
from caseledger.projections.replay.daily import day_end, zone_days
from caseledger.projections.replay.facts import View, Weeks, timeline
from caseledger.projections.replay.weekly import instant
from caseledger.projections.replay.world import World
from caseledger.projections.rules import load_rules
from tests.support.projection_helpers import FINE
from tests.support.stores import NewStore
from tests.support.streams import encoded, streams

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=4, deadline=None)
@given(lines=streams, seed=st.integers(0, 10**6))
def test_day_end_caseloads_equal_counting_every_case_then(new_store: NewStore, lines: list[dict[str, Any]], seed: int) -> None:
    app = open_application(new_store())
    import_lines(app, encoded(lines), "admin", keep_recorded=True)
    projector = Projector(app, snapshot_policy=FINE)
    projector.catch_up()
    view = View(now=NOW)
    with projector.db.transaction(write=False) as cursor:
        inputs = replay(cursor, projector.db, view, load_rules("current"), coverage.EVENT_TYPES)
        days = []
        for zone_day in zone_days(inputs, coverage.EVENT_TYPES):  # read each day as it ends: the histograms move on
            for info in zone_day.officers:
                loads_then = zone_day.officer_day(info)
                days.append((info.officer, info.site, zone_day.day, Counter(loads_then.own), loads_then.covered))
        facts = timeline(cursor, projector.db, view, inputs.gone, coverage.EVENT_TYPES)
    assert days, "the stream registers officers"
    for officer, site, day, own, covered in random.Random(seed).sample(days, min(40, len(days))):
        end = min(day_end(day, inputs.world.sites[site].timezone), int(NOW.timestamp() * 1_000_000))
        world = World.replay(fact for fact in facts if fact.occurred_us <= end)
        loads = Caseloads(Cut(world, View(as_of=instant(end), now=NOW)))
        counted: Counter[int] = Counter()
        for absent in loads.covers.get(officer, []):
            counted.update(loads.own.get(absent.officer, Counter()))
        assert (own, covered) == (loads.own.get(officer, Counter()), counted), (officer, day)


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=4, deadline=None)
@given(lines=streams, fraction=st.floats(0.2, 0.9), span=st.integers(0, 6))
def test_coverage_of_some_weeks_equals_those_weeks_of_the_whole(new_store: NewStore, lines: list[dict[str, Any]], fraction: float, span: int) -> None:
    app = open_application(new_store())
    import_lines(app, encoded(lines), "admin", keep_recorded=True)
    Projector(app, snapshot_policy=FINE).catch_up()
    rules = load_rules("current")
    for by_site in (False, True):
        whole = compute(app, find("coverage", by_site=by_site), View(now=NOW), rules).rows
        weeks = sorted({row["week"] for row in whole})
        first = weeks[int(fraction * (len(weeks) - 1))]
        last = weeks[min(len(weeks) - 1, weeks.index(first) + span)]
        some = compute(app, find("coverage", by_site=by_site), View(now=NOW), rules, weeks=Weeks(first, last)).rows
        assert some == [row for row in whole if first <= row["week"] <= last]
        assert some


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=3, deadline=None)
@given(lines=streams, fraction=st.floats(0.2, 0.95))
def test_at_a_bare_date_t_its_week_ends_with_workload_at_t(new_store: NewStore, lines: list[dict[str, Any]], fraction: float) -> None:
    """T a bare date (the end of that day at every site, as the report's): the row of T's week is
    workload at T — every fact dated by T at its own site, a warrant expired when T is after it —
    for every officer, whatever time zone they and their cases are in."""
    app = open_application(new_store())
    import_lines(app, encoded(lines), "admin", keep_recorded=True)
    Projector(app, snapshot_policy=FINE).catch_up()
    rules = load_rules("current")
    began = lines[0]["recorded_at"][:10]  # the ledger's first day: the standing population's admissions are dated years before
    days = sorted({line["occurred_at"][:10] for line in lines if line["occurred_at"][:10] >= began})
    cut = LocalDay(dt.date.fromisoformat(days[int(fraction * (len(days) - 1))]))
    weekly = compute(app, find("weekly_hours"), View(as_of=cut, now=NOW), rules).rows
    workload = {row["officer"]: row for row in compute(app, find("workload"), View(as_of=cut, now=NOW), rules).rows}
    mine = [row for row in weekly if row["week"] == iso_week(cut.day)]
    assert mine
    assert [(row["officer"], row["site"], row["case_hours"]) for row in mine] == [
        (row["officer"], workload[row["officer"]]["site"], workload[row["officer"]]["case_hours"]) for row in mine
    ]


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=3, deadline=None)
@given(lines=streams, seed=st.integers(0, 10**6))
def test_each_weekly_hours_row_is_workload_at_the_end_of_its_week(new_store: NewStore, lines: list[dict[str, Any]], seed: int) -> None:
    app = open_application(new_store())
    import_lines(app, encoded(lines), "admin", keep_recorded=True)
    Projector(app, snapshot_policy=FINE).catch_up()
    rules = load_rules("current")
    weekly = compute(app, find("weekly_hours"), View(now=NOW), rules).rows
    assert weekly
    zones = site_zones(app)
    for row in random.Random(seed).sample(weekly, min(12, len(weekly))):
        sunday = dt.date.fromisocalendar(int(row["week"][:4]), int(row["week"][6:]), 7)
        end = min(day_end(sunday, zones[row["site"]]), int(NOW.timestamp() * 1_000_000))
        (then,) = [load for load in compute(app, find("workload"), View(as_of=instant(end), now=NOW), rules).rows if load["officer"] == row["officer"]]
        assert (row["site"], row["case_hours"], row["addon_minutes"], row["estimated_weekly_hours"], row["overtime_hours"]) == (
            then["site"],
            then["case_hours"],
            then["addon_minutes_week"],
            then["estimated_weekly_hours"],
            then["overtime_hours"],
        )


ACROSS_ZONES: list[dict[str, object]] = [
    {
        "type": "SiteRegistered",
        "occurred_at": "2026-03-16",
        "site": "hal",
        "name": "Halifax",
        "kind": "institution",
        "region": "atlantic",
        "timezone": "America/Halifax",
        "security_levels": ["medium"],
    },
    {
        "type": "SiteRegistered",
        "occurred_at": "2026-03-16",
        "site": "van",
        "name": "Vancouver",
        "kind": "institution",
        "region": "pacific",
        "timezone": "America/Vancouver",
        "security_levels": ["medium"],
    },
    {"type": "OfficerRegistered", "occurred_at": "2026-03-16", "officer": "po-h", "name": "H", "site": "hal", "role": "institutional_po"},
    {"type": "OfficerRegistered", "occurred_at": "2026-03-16", "officer": "po-v", "name": "V", "site": "van", "role": "institutional_po"},
    {
        "type": "OffenderAdmitted",
        "occurred_at": "2026-03-16",
        "offender": "x1",
        "site": "hal",
        "security_level": "medium",
        "sentence_start": "2024-01-05",
        "statutory_release": "2026-01-05",
        "warrant_expiry": "2026-03-18",
        "complexity": [],
    },
    {
        "type": "OffenderAdmitted",
        "occurred_at": "2026-03-16",
        "offender": "x2",
        "site": "van",
        "security_level": "medium",
        "sentence_start": "2026-01-05",
        "statutory_release": "2029-01-05",
        "warrant_expiry": "2030-01-05",
        "complexity": [],
    },
    {"type": "CaseAssigned", "occurred_at": "2026-03-16", "offender": "x1", "officer": "po-v"},
    {"type": "CaseAssigned", "occurred_at": "2026-03-18T22:00:00-07:00", "offender": "x2", "officer": "po-h"},
]


def test_a_bare_date_t_counts_its_own_day_as_workload_does_across_time_zones(store_url: str) -> None:
    """Worked by hand. T = 2026-03-18, a bare date: the end of that day at every site. x2's
    assignment to po-h happened on the 18th in Vancouver (22:00 PDT), which is already the 19th
    in Halifax, and x1's warrant expires on the 18th (Halifax): at T, workload gives po-h x2 and
    po-v x1 (T is not after the expiry) — 1 case × 1.25 h each. Counting the 18th at each site's
    local midnight instead would give both 0 (po-h's Halifax day ends before the assignment; x1
    expires at Halifax's midnight, before Vancouver's day ends)."""
    app = open_application(store_url)
    import_lines(app, encoded(ACROSS_ZONES), "admin")
    view = View(as_of=LocalDay(dt.date(2026, 3, 18)), now=NOW)
    rules = load_rules("current")
    workload = [(row["officer"], row["own_caseload"], row["case_hours"]) for row in compute(app, find("workload"), view, rules).rows]
    weekly = [(row["officer"], row["case_hours"]) for row in compute(app, find("weekly_hours"), view, rules).rows]
    coverage = [(row["officer"], row["own_case_days"]) for row in compute(app, find("coverage"), view, rules).rows]
    assert workload == [("po-h", 1, 1.25), ("po-v", 1, 1.25)]
    assert weekly == [("po-h", 1.25), ("po-v", 1.25)]
    assert coverage == [("po-h", 1), ("po-v", 3)]  # po-h: the 18th only; po-v: x1 on the 16th, 17th and 18th


def test_an_officer_moving_between_time_zones_counts_each_day_once(store_url: str) -> None:
    """Worked by hand. Both officers on leave all of W12; at 04:30 UTC on Thursday 03-19 po-a moves
    Halifax → Vancouver and po-b Vancouver → Halifax. po-a: Halifax's Wednesday ends 02:59 UTC,
    before the move (Halifax: 16, 17, 18); Vancouver's Wednesday ends 06:59 UTC, after it — the 18th
    again, counted once (Vancouver: 19 … 22). po-b: Vancouver's Wednesday ends after the move and
    Halifax's before it, so no day end finds po-b on the 18th: it is counted with the 19th, at
    Halifax (Vancouver: 16, 17; Halifax: 18 … 22). Seven days each, as the week has."""
    moves: list[dict[str, object]] = [
        *ACROSS_ZONES[:4],
        {"type": "LeaveStarted", "occurred_at": "2026-03-16", "officer": "po-h", "kind": "annual"},
        {"type": "LeaveStarted", "occurred_at": "2026-03-16", "officer": "po-v", "kind": "annual"},
        {"type": "OfficerMoved", "occurred_at": "2026-03-19T04:30:00Z", "officer": "po-h", "site": "van"},
        {"type": "OfficerMoved", "occurred_at": "2026-03-19T04:30:00Z", "officer": "po-v", "site": "hal"},
    ]
    app = open_application(store_url)
    import_lines(app, encoded(moves), "admin")
    rows = compute(app, find("coverage"), View(as_of=LocalDay(dt.date(2026, 3, 25)), now=NOW), load_rules("current"), weeks=Weeks("2026-W12", "2026-W12")).rows
    assert [(row["officer"], row["site"], row["leave_days"]) for row in rows] == [
        ("po-h", "hal", 3),
        ("po-h", "van", 4),
        ("po-v", "hal", 5),
        ("po-v", "van", 2),
    ]
