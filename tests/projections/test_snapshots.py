"""World snapshots: a query that starts from one gives exactly what a full replay gives.

Properties on random valid streams (back-dated entries and retractions included, imported in
random chunks with a catch-up after each, on SQLite and PostgreSQL), with snapshots taken every
UTC day and a head every 25 facts so that short streams pass many boundaries:

* the world rebuilt from the newest valid snapshot equals the world replayed from nothing, at
  "now", at past local days, at past known-at instants and at both together — and snapshots were
  in fact used;
* every projection computed through snapshots equals the one computed with the snapshots gone;
* *My week*'s chart read from the weekly figures equals the chart replayed week by week;
* each officer's *My week*, *Caseload* and *Due* from the head's case rows equal those from the world.

The hand-checked scenario below walks the invalidation rules one event at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.application.imports import import_lines
from caseledger.application.officer import caseload, due, week
from caseledger.domain.model.times import LocalDay
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.domain.store.log import read_log
from caseledger.projections.catalogue.workload import assess
from caseledger.projections.engine.projector import Projector
from caseledger.projections.readmodels.sealing import Writing
from caseledger.projections.replay.caseloads import Cut, weighted
from caseledger.projections.replay.facts import View, retracted, timeline
from caseledger.projections.replay.inputs import Inputs
from caseledger.projections.replay.snapshots import SnapshotPolicy
from caseledger.projections.replay.weekly import instant
from caseledger.projections.replay.world import WORLD_TYPES, World
from caseledger.projections.rules import load_rules
from caseledger.projections.screens.officer import recent_weeks
from caseledger.projections.screens.site import site_officers
from tests.support.commands import ScriptedService
from tests.support.projection_helpers import FINE, everything
from tests.support.stores import NewStore
from tests.support.streams import NOW, encoded, stream, streams


def import_in_chunks(app: LedgerApplication, lines: list[dict[str, object]], cuts: list[int], policy: SnapshotPolicy = FINE) -> Projector:
    """Import ``lines`` in chunks, catching up (and snapshotting) after each."""
    projector = Projector(app, snapshot_policy=policy)
    start = 0
    for bound in sorted({cut % len(lines) for cut in cuts} | {len(lines)}):
        import_lines(app, encoded(lines[start:bound]), "admin", keep_recorded=True)  # the stream's first user (its registrations' recorder)
        projector.catch_up()
        start = bound
    return projector


def through_snapshot(projector: Projector, view: View) -> tuple[World, World, int | None]:
    """The world at ``view`` through snapshots, from a full replay, and the boundary used."""
    db = projector.db
    with db.transaction(write=False) as cursor:
        gone = retracted(cursor, db, view)
        used = projector.snapshots.usable(cursor, view, gone)
        via = projector.snapshots.world_at(cursor, view, gone)
        full = World.replay(timeline(cursor, db, view, gone, WORLD_TYPES))
    return via, full, used.boundary_us if used is not None else None


def at(pick: float, values: Sequence[object]) -> int:
    """The index ``pick`` (0 to 1) of the way along ``values``."""
    return int(pick * (len(values) - 1))


def cuts_of(app: LedgerApplication, picks: list[float]) -> list[View]:
    """ "Now", and at each pick (a fraction of the way through): a past local day, a past known-at
    instant, an instant with a known-at, and a local day known as of that day."""
    events = [event.envelope for event in read_log(app)]
    days = sorted({envelope.occurred_at.date() for envelope in events})
    moments = sorted(envelope.recorded_at for envelope in events)
    occurred = sorted(envelope.occurred_at for envelope in events)
    views = [View(now=NOW)]
    for pick in picks:
        day, moment, instant = days[at(pick, days)], moments[at(pick, moments)], occurred[at(pick, occurred)]
        views += [
            View(as_of=LocalDay(day), now=NOW),
            View(known_at=moment, now=NOW),
            View(as_of=instant, known_at=moment, now=NOW),
            View(as_of=LocalDay(day), known_at=LocalDay(day), now=NOW),
        ]
    return views


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=6, deadline=None)
@given(lines=streams, cuts=st.lists(st.integers(1, 10**6), min_size=1, max_size=5), picks=st.lists(st.floats(0, 1), min_size=1, max_size=3))
def test_a_world_from_a_snapshot_equals_a_full_replay(new_store: NewStore, lines: list[dict[str, Any]], cuts: list[int], picks: list[float]) -> None:
    app = open_application(new_store())
    projector = import_in_chunks(app, lines, cuts, SnapshotPolicy(period="day", head_every=25, recent=2))  # old days thinned too
    used = 0
    for view in cuts_of(app, picks):
        via, full, boundary = through_snapshot(projector, view)
        assert via == full, view
        used += boundary is not None
    assert used > 0, "no cut could start from a snapshot: the property says nothing"


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=3, deadline=None)
@given(lines=streams, cuts=st.lists(st.integers(1, 10**6), min_size=1, max_size=4), pick=st.floats(0.2, 0.8))
def test_projections_through_snapshots_equal_projections_without_them(new_store: NewStore, lines: list[dict[str, Any]], cuts: list[int], pick: float) -> None:
    app = open_application(new_store())
    projector = import_in_chunks(app, lines, cuts)
    views = cuts_of(app, [pick])
    with_snapshots = [everything(app, view) for view in views]
    with projector.db.transaction(write=True) as cursor:
        cursor.execute(f"DELETE FROM {projector.db.table('cl_snapshots')}")
    assert [everything(app, view) for view in views] == with_snapshots


# -- the rules, one event at a time --------------------------------------------------------------


def boundaries(projector: Projector) -> list[tuple[str, int]]:
    """The snapshots kept: (boundary as UTC text, head?) in order."""
    with projector.db.transaction(write=False) as cursor:
        cursor.execute(f"SELECT boundary_us, head FROM {projector.db.table('cl_snapshots')} ORDER BY boundary_us")
        rows = cursor.fetchall()
    return [(instant(int(us)).isoformat(), int(head)) for us, head in rows]


def test_back_dated_entries_and_retractions_re_snapshot_the_periods_they_touch(store_url: str) -> None:
    """Monthly snapshots, a head every 2 world facts. Working:

    Jan 5 site s1, officer po1, offender o1 admitted; Feb 2 o1 assigned to po1; Feb 3 o1 flagged
    ``mental_health``; Mar 2 offender o2 admitted. Snapshots: 2026-02-01 (Jan's facts; none
    before the month of the first fact), 2026-03-01 (plus Feb's) and a head just after Mar 2
    (every fact).

    A complexity flag on o1 back-dated to Feb 10 touches every snapshot after Feb 10: 03-01 and
    the head are re-made (03-01 now holds two factors), 02-01 stands.

    Retracting o1's assignment (occurred Feb 2) touches every snapshot after Feb 2. Re-made, they
    leave it out (o1 has no officer). Asked as known just before the retraction, those snapshots
    do not fit (the query still counts the assignment), so the query starts from 02-01, the
    newest snapshot from before Feb 2, and still sees o1 assigned to po1.
    """
    app = open_application(store_url)
    projector = Projector(app, snapshot_policy=SnapshotPolicy(period="month", head_every=2))
    service = ScriptedService(app, "po1", on_recorded=lambda _position: projector.catch_up())
    service.register_site("s1", "Site one", "institution", "ontario", "UTC", security_levels=["minimum"], occurred_at="2026-01-05T09:00:00+00:00")
    service.register_officer("po1", "Officer one", "s1", "institutional_po", occurred_at="2026-01-05T09:05:00+00:00")
    service.admit_offender(
        "o1", "s1", "minimum", dt.date(2025, 1, 1), dt.date(2027, 1, 1), warrant_expiry=dt.date(2028, 1, 1), occurred_at="2026-01-05T10:00:00+00:00"
    )
    assignment = service.assign_case("o1", "po1", occurred_at="2026-02-02T10:30:00+00:00")
    service.flag_complexity("o1", "mental_health", occurred_at="2026-02-03T12:00:00+00:00")
    service.admit_offender(
        "o2", "s1", "minimum", dt.date(2025, 1, 1), dt.date(2027, 1, 1), warrant_expiry=dt.date(2028, 1, 1), occurred_at="2026-03-02T08:00:00+00:00"
    )
    head = "2026-03-02T08:00:00.000001+00:00"
    assert boundaries(projector) == [("2026-02-01T00:00:00+00:00", 0), ("2026-03-01T00:00:00+00:00", 0), (head, 1)]
    march = View(as_of=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), now=NOW)
    assert through_snapshot(projector, march)[2] == int(dt.datetime(2026, 3, 1, tzinfo=dt.UTC).timestamp() * 1_000_000)

    service.flag_complexity("o1", "substance_use", occurred_at="2026-02-10T12:00:00+00:00")
    assert boundaries(projector) == [("2026-02-01T00:00:00+00:00", 0), ("2026-03-01T00:00:00+00:00", 0), (head, 1)]
    via, full, _ = through_snapshot(projector, march)
    assert via.cases["o1"].factors == ("mental_health", "substance_use") == full.cases["o1"].factors

    retraction = service.retract(assignment, "entered in error", occurred_at="2026-03-05T09:00:00+00:00")
    via, full, used = through_snapshot(projector, View(now=NOW))
    assert via.cases["o1"].officer is None and via == full
    assert used is not None and used >= int(dt.datetime(2026, 3, 1, tzinfo=dt.UTC).timestamp() * 1_000_000)
    recorded = next(event.envelope.recorded_at for event in read_log(app) if event.position == retraction)
    before = View(known_at=recorded - dt.timedelta(microseconds=1), now=NOW)
    via, full, used = through_snapshot(projector, before)
    assert used == int(dt.datetime(2026, 2, 1, tzinfo=dt.UTC).timestamp() * 1_000_000)
    assert via.cases["o1"].officer == "po1" and via == full


@pytest.mark.parametrize("period", ["day", "month"])
def test_period_starts_are_every_boundary_after_a_time_up_to_another(period: str) -> None:
    """Day: after 2026-01-30 12:00 up to 2026-02-02 00:00 → Jan 31, Feb 1, Feb 2 (the upper end
    counts). Month: after 2025-11-15 up to 2026-02-01 → Dec 1, Jan 1, Feb 1 (across a year)."""
    policy = SnapshotPolicy(period="day" if period == "day" else "month")
    us = lambda text: int(dt.datetime.fromisoformat(text).timestamp() * 1_000_000)  # noqa: E731
    if period == "day":
        expected = ["2026-01-31", "2026-02-01", "2026-02-02"]
        found = policy.starts(us("2026-01-30T12:00:00+00:00"), us("2026-02-02T00:00:00+00:00"))
    else:
        expected = ["2025-12-01", "2026-01-01", "2026-02-01"]
        found = policy.starts(us("2025-11-15T00:00:00+00:00"), us("2026-02-01T00:00:00+00:00"))
    assert found == [us(f"{day}T00:00:00+00:00") for day in expected]


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 10**6), cuts=st.lists(st.integers(1, 10**6), min_size=1, max_size=3))
def test_the_chart_of_recent_weeks_from_weekly_figures_equals_one_replayed(new_store: NewStore, seed: int, cuts: list[int]) -> None:
    """Three weeks of generated events (so Mondays pass; the first two weeks also enter the
    standing population's history), imported in chunks: each officer's chart read from the weekly
    figures equals the chart with the figures gone (each week replayed)."""
    lines = stream(seed, 4500, 3)
    app = open_application(new_store())
    projector = import_in_chunks(app, lines, cuts)
    at = max(event.envelope.occurred_at for event in read_log(app)) + dt.timedelta(hours=1)
    rules = load_rules("current")

    def charts() -> dict[str, list[tuple[str, float]]]:
        with projector.db.transaction(write=False) as cursor:
            world = projector.snapshots.world_at(cursor, View(now=at), retracted(cursor, projector.db, View(now=at)))
            today = Cut(world, View(now=at)).today_at
            return {
                officer: recent_weeks(projector, cursor, rules, officer, now=world, at=at, today=today(world.officers[officer].site))
                for officer in sorted(world.officers)
            }

    with projector.db.transaction(write=False) as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT boundary_us) FROM {projector.db.table('cl_officer_weeks')}")
        assert (cursor.fetchone() or (0,))[0] >= 2
    kept = charts()
    assert any(len(series) >= 3 for series in kept.values())
    with projector.db.transaction(write=True) as cursor:
        cursor.execute(f"DELETE FROM {projector.db.table('cl_officer_weeks')}")
    assert charts() == kept


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 10**6), pick=st.floats(0, 1))
def test_weekly_figures_carry_what_the_workload_projection_counts(new_store: NewStore, seed: int, pick: float) -> None:
    """At a week's end, each officer's kept figure under either rule set gives the workload
    projection's own case hours at that instant."""
    app = open_application(new_store())
    projector = import_in_chunks(app, stream(seed, 3000, 3), [1])
    with projector.db.transaction(write=False) as cursor:
        cursor.execute(f"SELECT DISTINCT boundary_us FROM {projector.db.table('cl_officer_weeks')} ORDER BY boundary_us")
        weeks = [int(boundary) for (boundary,) in cursor.fetchall()]
        boundary = weeks[int(pick * (len(weeks) - 1))]
        end = View(as_of=instant(boundary - 1), now=NOW)
        gone = retracted(cursor, projector.db, end)
        world = projector.snapshots.world_at(cursor, end, gone)
        for name in ("current", "proposed"):
            rules = load_rules(name)
            loads = assess(Inputs(world, end, rules, cursor, projector.db, gone))
            for load in loads:
                kept = projector.snapshots.weekly.read(cursor, load.officer.officer, [boundary])
                figure = kept[boundary]
                assert figure is not None
                assert rules.case_hours(figure.role) * weighted(rules, figure.factors) == load.case_hours


def test_old_period_snapshots_are_thinned_to_every_third_period(store_url: str) -> None:
    """Daily snapshots over ten days of events, keeping the 3 newest: the older ones left are
    only those on days whose ordinal is a multiple of three (months: Jan, Apr, Jul, Oct)."""
    app = open_application(store_url)
    policy = SnapshotPolicy(period="day", head_every=10_000, recent=3)
    projector = Projector(app, snapshot_policy=policy)
    service = ScriptedService(app, "po1", on_recorded=lambda _position: projector.catch_up())
    service.register_site("s1", "Site one", "institution", "ontario", "UTC", security_levels=["minimum"], occurred_at="2026-01-01T09:00:00+00:00")
    for day in range(1, 11):
        service.register_officer(f"po{day}", "Officer", "s1", "institutional_po", occurred_at=f"2026-01-{day:02d}T10:00:00+00:00")
    kept = [dt.date.fromisoformat(text[:10]) for text, head in boundaries(projector) if not head]
    older = [dt.date(2026, 1, 2) + dt.timedelta(days=n) for n in range(6)]  # Jan 2–7; Jan 8–10 are the newest three
    assert kept == [day for day in older if day.toordinal() % 3 == 0] + [dt.date(2026, 1, 8), dt.date(2026, 1, 9), dt.date(2026, 1, 10)]
    assert len(kept) < 9  # nine days passed; some were thinned
    monthly = SnapshotPolicy()
    assert [monthly.kept_when_old(int(dt.datetime(2026, month, 1, tzinfo=dt.UTC).timestamp() * 1_000_000)) for month in range(1, 13)] == [
        month in (1, 4, 7, 10) for month in range(1, 13)
    ]


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=4, deadline=None)
@given(lines=streams, cuts=st.lists(st.integers(1, 10**6), min_size=1, max_size=4))
def test_an_officers_screens_from_the_head_case_rows_equal_those_from_the_whole_world(
    new_store: NewStore, lines: list[dict[str, Any]], cuts: list[int]
) -> None:
    """Every officer's *My week*, *Caseload* and *Due* at now, built from the head's case rows (written
    whole, then case by case as chunks arrive) plus the facts after the head, equal those built
    from the whole world (the rows deleted). When the last chunk left no valid head (a
    back-dated fact made it stale), the snapshots are made again with a head at the end."""
    app = open_application(new_store())
    projector = import_in_chunks(app, lines, cuts, SnapshotPolicy(period="day", head_every=40))
    rules, view = load_rules("current"), View(now=NOW)

    def head_is_valid() -> bool:
        with projector.db.transaction(write=False) as cursor:
            used = projector.snapshots.usable(cursor, view, retracted(cursor, projector.db, view))
            return used is not None and used.head and projector.snapshots.head.boundary(cursor) == used.boundary_us

    if not head_is_valid():
        with projector.db.transaction(write=True) as cursor:
            projector.snapshots.clear(cursor, Writing(projector.seals, cursor))
        projector.catch_up()
    assert head_is_valid()
    with projector.db.transaction(write=False) as cursor:
        world = projector.snapshots.world_at(cursor, view, retracted(cursor, projector.db, view))
    officers = sorted(world.officers)
    from_rows = {
        officer: (week(projector, rules, view, officer), caseload(projector, view, officer), due(projector, rules, view, officer)) for officer in officers
    }
    with projector.db.transaction(write=True) as cursor:
        cursor.execute(f"DELETE FROM {projector.db.table('cl_head_registry')}")
    assert {
        officer: (week(projector, rules, view, officer), caseload(projector, view, officer), due(projector, rules, view, officer)) for officer in officers
    } == from_rows
    own = [row for screens in from_rows.values() for row in screens[1] if row.whose == "own"]
    assert len(own) == sum(1 for case in world.cases.values() if case.officer in world.officers)
    covered = sum(len(screens[1]) for screens in from_rows.values()) - len(own)
    assert covered == sum(
        sum(1 for case in world.cases.values() if case.officer == absent.officer) * len(absent.covered_by & set(officers))
        for absent in world.officers.values()
        if absent.on_leave
    )


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=4, deadline=None)
@given(lines=streams, cuts=st.lists(st.integers(1, 10**6), min_size=1, max_size=4), pick=st.floats(0, 1))
def test_a_sites_screen_from_the_head_case_rows_equals_that_from_the_whole_world(
    new_store: NewStore, lines: list[dict[str, Any]], cuts: list[int], pick: float
) -> None:
    """A supervisor's Site screen of one or two sites at now — workload rows, overdue deadlines
    carried, notes — built from the head's case rows of those sites' officers and the colleagues
    they cover equals the whole world's rows of those officers (the head's rows deleted, so the
    whole world is replayed)."""
    app = open_application(new_store())
    projector = import_in_chunks(app, lines, cuts, SnapshotPolicy(period="day", head_every=40))
    rules, view = load_rules("current"), View(now=NOW)
    with projector.db.transaction(write=True) as cursor:  # a head at the end, whatever the last chunk left
        projector.snapshots.clear(cursor, Writing(projector.seals, cursor))
    projector.catch_up()
    with projector.db.transaction(write=False) as cursor:
        world = projector.snapshots.world_at(cursor, view, retracted(cursor, projector.db, view))
    every_site = sorted(world.sites)
    first = int(pick * (len(every_site) - 1)) if every_site else 0
    chosen = frozenset(every_site[first : first + 2])
    from_rows = site_officers(projector, rules, view, chosen)
    assert sorted(row["officer"] for row in from_rows[0]) == sorted(officer.officer for officer in world.officers.values() if officer.site in chosen)
    with projector.db.transaction(write=True) as cursor:
        cursor.execute(f"DELETE FROM {projector.db.table('cl_head_registry')}")
    assert site_officers(projector, rules, view, chosen) == from_rows


def test_an_officers_partial_world_replays_what_happened_after_the_head(store_url: str) -> None:
    """po1, po2 and po3 at institution s1 (ratio 25 under current rules; 1.25 case hours a case,
    ×1.25 per complexity factor). Before the head: o1 (flagged ``mental_health``) and o2 assigned
    to po1, o3 to po2, o4 to po3. After the head (not snapshotted, replayed from the rows): po2 on
    leave with po1 covering; po3 on leave, uncovered; o2 placed in SIU; o5 admitted and assigned
    to po1.

    Working for po1 at now: own cases o1, o2, o5 (3); covered: po2's o3 (1); effective 4;
    weighted 1.25 + 1 + 1 + 1 = 4.25; case hours 1.25 × 4.25 = 5.3125 → 5.31. Alerts: po3 on
    leave with 1 case (o4) and no coverage. Caseload: o1, o2 (SIU since the placement), o5, then
    the covered o3 (po2's, marked). The same from the whole world."""
    app = open_application(store_url)
    projector = Projector(app, snapshot_policy=SnapshotPolicy(head_every=3))
    service = ScriptedService(app, "po1", on_recorded=lambda _position: projector.catch_up())
    at = "2026-02-0{}T{:02d}:00:00+00:00".format
    service.register_site("s1", "Site one", "institution", "ontario", "UTC", security_levels=["minimum"], occurred_at=at(2, 8))
    for officer in ("po1", "po2", "po3"):
        service.register_officer(officer, "Officer", "s1", "institutional_po", occurred_at=at(2, 9))
    for offender, officer in (("o1", "po1"), ("o2", "po1"), ("o3", "po2"), ("o4", "po3")):
        service.admit_offender(offender, "s1", "minimum", dt.date(2025, 1, 1), dt.date(2027, 1, 1), warrant_expiry=dt.date(2028, 1, 1), occurred_at=at(3, 9))
        service.assign_case(offender, officer, occurred_at=at(3, 10))
    service.flag_complexity("o1", "mental_health", occurred_at=at(3, 11))
    projector.snapshots.policy = SnapshotPolicy(head_every=10**9)
    with projector.db.transaction(write=False) as cursor:
        head = projector.snapshots.head.boundary(cursor)
    service.start_leave("po2", "annual", occurred_at=at(4, 9))
    service.start_coverage("po2", "po1", occurred_at=at(4, 9))
    service.start_leave("po3", "sick", occurred_at=at(4, 10))
    service.start_siu_placement("o2", "safety", occurred_at=at(5, 9))
    service.admit_offender("o5", "s1", "minimum", dt.date(2025, 1, 1), dt.date(2027, 1, 1), warrant_expiry=dt.date(2028, 1, 1), occurred_at=at(5, 10))
    service.assign_case("o5", "po1", occurred_at=at(5, 11))
    now = dt.datetime(2026, 2, 6, 12, tzinfo=dt.UTC)
    view, rules = View(now=now), load_rules("current")
    with projector.db.transaction(write=False) as cursor:
        assert projector.snapshots.head.boundary(cursor) == head  # the facts above are after the head
        partial = projector.snapshots.world_for_officer(cursor, "po1", view, set())
    assert set(partial.cases) == {"o1", "o2", "o3", "o4", "o5"}  # touched, po1's, the covered po2's, site mate po3's
    from_rows = (week(projector, rules, view, "po1"), caseload(projector, view, "po1"))
    mine = from_rows[0].workload
    assert mine is not None and (mine["own_caseload"], mine["covered_caseload"], mine["effective_caseload"], mine["case_hours"]) == (3, 1, 4, 5.31)
    assert "Uncovered caseload: po3 is on leave with 1 cases and no coverage" in from_rows[0].alerts
    assert [(row.offender, row.siu_days, row.whose) for row in from_rows[1]] == [
        ("o1", None, "own"),
        ("o2", 1, "own"),
        ("o5", None, "own"),
        ("o3", None, "covering po2"),
    ]
    with projector.db.transaction(write=True) as cursor:
        cursor.execute(f"DELETE FROM {projector.db.table('cl_head_registry')}")
    assert (week(projector, rules, view, "po1"), caseload(projector, view, "po1")) == from_rows
