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

from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.application.imports import import_lines
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import site_zones
from caseledger.projections.catalogue import coverage
from caseledger.projections.compute import compute, find, replay
from caseledger.projections.readmodels.engine import Projector
from caseledger.projections.replay.caseloads import Caseloads, Cut
from caseledger.projections.replay.daily import day_end, officer_days
from caseledger.projections.replay.facts import View, Weeks, timeline
from caseledger.projections.replay.weekly import instant
from caseledger.projections.replay.world import World
from caseledger.projections.rules import load_rules
from tests.projections.test_projection_properties import encoded, streams
from tests.support.projection_helpers import FINE

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@settings(max_examples=4, deadline=None)
@given(lines=streams, seed=st.integers(0, 10**6))
def test_day_end_caseloads_equal_counting_every_case_then(new_store, lines, seed) -> None:  # type: ignore[no-untyped-def]
    app = open_application(new_store())
    import_lines(app, encoded(lines), "admin", keep_recorded=True)
    projector = Projector(app, snapshot_policy=FINE)
    projector.catch_up()
    view = View(now=NOW)
    with projector.db.transaction(write=False) as cursor:
        inputs = replay(cursor, projector.db, view, load_rules("current"), coverage.EVENT_TYPES)
        days = [(day.officer.officer, day.officer.site, day.day, Counter(day.own), day.covered) for day in officer_days(inputs, coverage.EVENT_TYPES)]
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


@settings(max_examples=4, deadline=None)
@given(lines=streams, fraction=st.floats(0.2, 0.9), span=st.integers(0, 6))
def test_coverage_of_some_weeks_equals_those_weeks_of_the_whole(new_store, lines, fraction, span) -> None:  # type: ignore[no-untyped-def]
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


@settings(max_examples=3, deadline=None)
@given(lines=streams, seed=st.integers(0, 10**6))
def test_each_weekly_hours_row_is_workload_at_the_end_of_its_week(new_store, lines, seed) -> None:  # type: ignore[no-untyped-def]
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
