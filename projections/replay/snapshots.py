"""State snapshots of the replayed world, so a query replays only what happened since one.

The projection engine keeps, in ``cl_snapshots``, the world (:class:`World`) replayed from every
timeline fact that occurred before a *boundary*: one at each UTC month start (a chain for past
cuts) and one rolling *head* just after the newest fact (for "now"), rewritten once
``head_every`` world facts (:class:`SnapshotPolicy`) have arrived since the newest snapshot. Each row records the log
position it reflects, the latest occurred and recorded times among its facts, and which facts it
left out as retracted. They are written, with their tracking row ``snapshots``, in one
transaction after each catch-up.

The invariant the engine keeps: a snapshot at boundary B holds every world fact at a position up
to its tracked position that occurred before B, minus the facts retracted by then. A fact that
arrives back-dated (occurred before B) or a retraction touching a fact before B makes the engine
delete every snapshot from that point and re-snapshot forward.

A query at (as of T, known at R) takes the newest snapshot that is still valid for it and
replays only the facts that occurred from its boundary on. A snapshot is valid when

* all its facts are inside the cut: latest occurred ≤ T and latest recorded ≤ R (as instants,
  or as local dates for a bare-date cut, exactly like the cut's own SQL condition);
* the facts the query leaves out as retracted (retractions known at R), among those before B,
  are exactly the ones the snapshot left out;
* nothing the engine has not snapshotted yet (a concurrent writer's batch) touches a time before B.

Then the snapshot plus the facts from B on, in (occurred, position) order, are exactly the facts
of the cut in that order, so the world is the one a full replay gives (the property tests in
``tests/projections/test_snapshots.py`` check it against full replays and subset stores).
Otherwise an older snapshot, or a full replay, is used.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

import msgspec
from eventsourcing.persistence import IntegrityError

from caseledger.domain.errors import CacheForged
from caseledger.domain.events.catalogue import EventRetracted
from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.readmodels.sealing import UNCOUNTED, ChangedAfter, SealedTable, Seals, Writing, counting
from caseledger.projections.readmodels.tables import QUARANTINE, STAFF_ONLY, AddOnModel, TimelineModel, micros
from caseledger.projections.replay.facts import Reached, View, held_somewhere, inside_cut, retracted, timeline, timeline_reaching
from caseledger.projections.replay.headstate import HEAD_CASES, HEAD_REGISTRY, HeadState
from caseledger.projections.replay.weekly import WEEKLY, WeeklyFigures, instant, week_starts
from caseledger.projections.replay.world import CASE_TYPES, ENCODER, WORLD_FORMAT, WORLD_TYPES, World, decoder


@dataclass(frozen=True)
class SnapshotPolicy:
    """When the engine writes snapshots: at each UTC ``period`` start ("month", or "day" — the
    tests' choice, so that short generated streams pass many boundaries), and a new head once
    ``head_every`` world facts have arrived since the newest snapshot."""

    period: Literal["month", "day"] = "month"
    head_every: int = 2_000
    """A query at "now" replays at most about this many facts after the head (a few ms)."""
    recent: int = 24
    """Period snapshots kept, newest first; older ones are thinned to every third period (a
    quarter, for months): the chain holds worlds that grow with history, so keeping every month
    of ten years would store ~120 of them. A cut older than two years replays up to a quarter."""

    def kept_when_old(self, boundary_us: int) -> bool:
        """Whether a snapshot older than the ``recent`` ones is kept: every third period."""
        day = instant(boundary_us).date()
        return day.toordinal() % 3 == 0 if self.period == "day" else day.month % 3 == 1

    def starts(self, after_us: int, upto_us: int) -> list[int]:
        """Every period start in (``after_us``, ``upto_us``], as UTC microseconds."""
        day = instant(after_us).date()
        starts: list[int] = []
        while True:
            day = self._next(day)
            start = micros(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC))
            if start > upto_us:
                return starts
            starts.append(start)

    def _next(self, day: dt.date) -> dt.date:
        """The first day of the period after the one holding ``day``."""
        if self.period == "day":
            return day + dt.timedelta(days=1)
        return dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)


SNAPSHOTS = "cl_snapshots"
SNAPSHOT_COLUMNS = ("boundary_us", "head", "position", "occurred_us", "occurred_date", "recorded_us", "recorded_date", "excluded", "state_digest")
"""The sealed columns; the world itself (``state``, megabytes) is sealed through its digest, so
listing the snapshots checks their MACs without reading any world."""
DERIVED_TABLES = (SNAPSHOTS, WEEKLY, HEAD_CASES, HEAD_REGISTRY)
"""The tables kept with the snapshots' tracking row, sealed at its position."""
TRACKING_NAME = "snapshots"
_NOTHING = -(2**62)
"""The latest occurred/recorded microseconds of an empty snapshot (before any real time)."""


_DECODER = decoder(World)


def state_digest(state: bytes) -> str:
    return hashlib.blake2b(state, digest_size=32).hexdigest()


def stored_world(state: bytes, boundary: int) -> World:
    """The world a snapshot at ``boundary`` stored — refused (:class:`CacheForged`, so the read
    models are rebuilt) when another caseledger made it: of another shape (a field changed type:
    it does not even decode) or of another :data:`WORLD_FORMAT`."""
    try:
        world = decode_world(state)
    except msgspec.ValidationError as error:
        raise CacheForged(f"read model {SNAPSHOTS}: snapshot {boundary} was made by an older caseledger ({error})") from None
    if world.format != WORLD_FORMAT:
        raise CacheForged(f"read model {SNAPSHOTS}: snapshot {boundary} was made by an older caseledger (world format {world.format}, now {WORLD_FORMAT})")
    return world


def encode_world(world: World) -> bytes:
    return ENCODER.encode(world)


def decode_world(state: bytes) -> World:
    """The world in ``state``. The collector is paused meanwhile: decoding makes hundreds of
    thousands of objects, and collections triggered by their allocation made it superlinear (a
    16 MB snapshot took 0.40 s with it running). Nothing is frozen afterwards: since a case's
    factors and open episodes are tuples, the decoded world leaves the collector little to scan
    (measured the same with and without ``gc.freeze``), and freezing would keep a long-running
    TUI's discarded screens from ever being collected."""
    running = gc.isenabled()
    gc.disable()
    try:
        return _DECODER.decode(state)
    finally:
        if running:
            gc.enable()


@dataclass(frozen=True)
class Reach:
    """The latest occurred and recorded times among a snapshot's facts (microseconds and local dates)."""

    occurred_us: int = _NOTHING
    occurred_date: str = ""
    recorded_us: int = _NOTHING
    recorded_date: str = ""

    def widened(self, seen: Reached | None) -> Reach:
        """This reach and that of more facts (None when there were none)."""
        if seen is None:
            return self
        occurred_us, occurred_date, recorded_us, recorded_date = seen
        return Reach(
            max(self.occurred_us, int(occurred_us)),
            max(self.occurred_date, occurred_date),
            max(self.recorded_us, int(recorded_us)),
            max(self.recorded_date, recorded_date),
        )


@dataclass(frozen=True)
class _Snapshot:
    boundary_us: int
    position: int
    reach: Reach
    excluded: list[int]
    head: bool


class Snapshots:
    """The snapshot read model of one store: kept by :meth:`refresh`, used by :meth:`world_at`."""

    def __init__(self, db: Database, policy: SnapshotPolicy | None = None) -> None:
        self.db = db
        self.policy = policy or SnapshotPolicy()
        self.table = db.table(SNAPSHOTS)
        self.timeline = db.table("cl_timeline")
        self.tracking = db.table("cl_tracking")
        self.weekly = WeeklyFigures(db)
        self.head = HeadState(db)
        self.sealed = SealedTable(db, SNAPSHOTS, SNAPSHOT_COLUMNS)
        self.timeline_rows = TimelineModel().sealed(db)
        self.seals = Seals(db)
        self._types = sorted(WORLD_TYPES)

    def create(self, cursor: Cursor) -> None:
        """Create the table and the tracking row if missing (inside the engine's creation)."""
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (boundary_us BIGINT PRIMARY KEY, head INTEGER NOT NULL, position BIGINT NOT NULL, "
            "occurred_us BIGINT NOT NULL, occurred_date TEXT NOT NULL, recorded_us BIGINT NOT NULL, recorded_date TEXT NOT NULL, "
            f"excluded TEXT NOT NULL, state_digest TEXT NOT NULL, mac {self.db.recorder.binary_type} NOT NULL, state {self.db.recorder.binary_type})"
        )
        cursor.execute(f"SELECT 1 FROM {self.tracking} WHERE name = ?", (TRACKING_NAME,))
        if cursor.fetchone() is None:
            cursor.execute(f"INSERT INTO {self.tracking} VALUES (?, 0)", (TRACKING_NAME,))
        self.weekly.create(cursor)
        self.head.create(cursor)

    def clear(self, cursor: Cursor, writing: Writing) -> None:
        """Forget every snapshot (the timeline they came from is being rebuilt)."""
        cursor.execute(f"DELETE FROM {self.table}")
        cursor.execute(f"UPDATE {self.tracking} SET position = 0 WHERE name = ?", (TRACKING_NAME,))
        for table in DERIVED_TABLES:
            if table != SNAPSHOTS:
                cursor.execute(f"DELETE FROM {self.db.table(table)}")
            writing.cleared(table)

    # -- keeping them ---------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Bring the snapshots up to the timeline read model's position: drop those a back-dated
        fact or a retraction made stale, write the month boundaries passed and, when due, a new
        head. Returns False when another process got there first — moved the tracking row, or
        wrote a row this one meant to write (its snapshots stand; nothing of this attempt is kept)."""
        lost: tuple[type[Exception], ...] = (_Superseded, IntegrityError, *self.db.recorder.conflict_errors)
        try:
            with self.db.transaction(write=True) as cursor, counting(cursor, self.seals):  # what the snapshots are made of is counted
                tracked, upto = self._position(cursor, TRACKING_NAME), self._position(cursor, "timeline")
                if upto == tracked:
                    return True
                writing = Writing(self.seals, cursor)
                stale = self.dirty_point(cursor, tracked, upto)
                if stale is not None:
                    self.sealed.delete(cursor, writing, "boundary_us > ?", (stale,))
                    self.weekly.forget_after(cursor, writing, stale)
                self._extend(cursor, writing, upto)
                self._thin(cursor, writing)
                cursor.execute(f"UPDATE {self.tracking} SET position = ? WHERE name = ? AND position = ?", (upto, TRACKING_NAME, tracked))
                if cursor.rowcount != 1:
                    raise _Superseded
                writing.reseal(DERIVED_TABLES, upto)
        except lost:
            return False
        return True

    def _extend(self, cursor: Cursor, writing: Writing, upto: int) -> None:
        """Write what is due — snapshots at the period starts passed, weekly figures at the Mondays
        passed, a new head — replaying forward from the newest snapshot still standing."""
        newest = self._newest(cursor)
        latest = self.latest_occurred(cursor)
        if latest is None:
            return
        after = newest.boundary_us if newest is not None else self._earliest_occurred(cursor)
        periods, mondays = self.policy.starts(after, latest), week_starts(after, latest)
        stops = sorted({*periods, *mondays})
        if not stops and self._world_facts_since(cursor, newest.position if newest is not None else 0, upto) < self.policy.head_every:
            return
        start = newest.boundary_us if newest is not None else None
        world = self.load(cursor, newest.boundary_us) if newest is not None else World(format=WORLD_FORMAT)
        reach = newest.reach if newest is not None else Reach()
        gone = retracted(cursor, self.db, View(), upto=upto)
        left_out = self.occurred_of(cursor, gone)
        self.sealed.delete(cursor, writing, "head = 1")
        self.weekly.forget_after(cursor, writing, start)
        touched: set[str] | None = set() if newest is not None and newest.head else None  # None: every case row is rewritten
        for stop in [*stops, None]:
            facts, seen = timeline_reaching(cursor, self.db, gone, WORLD_TYPES, since_us=start, until_us=stop, upto=upto)
            world.apply(facts)
            if touched is not None:
                touched.update(offender for fact in facts if isinstance(offender := getattr(fact.data, "offender", None), str))
            reach = reach.widened(seen)
            boundary = reach.occurred_us + 1 if stop is None else stop
            if start is not None and boundary <= start:
                return  # nothing happened after the last stop: no head to write
            if stop in mondays:
                self.weekly.write(cursor, writing, world, boundary)
            if stop is None or stop in periods:
                excluded = sorted(position for position, occurred in left_out.items() if occurred < boundary)
                state = self.db.app.cloak.blob(encode_world(world))
                meta = (boundary, int(stop is None), upto, reach.occurred_us, reach.occurred_date, reach.recorded_us, reach.recorded_date)
                self.sealed.insert(cursor, writing, [(*meta, json.dumps(excluded), state_digest(state))])
                cursor.execute(f"UPDATE {self.table} SET state = ? WHERE boundary_us = ?", (state, boundary))
            if stop is None:
                self.head.write(cursor, writing, world, boundary, touched)
            start = boundary

    def _thin(self, cursor: Cursor, writing: Writing) -> None:
        """Keep the ``recent`` period snapshots and every third one before them (see the policy)."""
        cursor.execute(f"SELECT boundary_us FROM {self.table} WHERE head = 0 ORDER BY boundary_us DESC")
        older = [int(boundary) for (boundary,) in cursor.fetchall()][self.policy.recent :]
        for boundary in older:
            if not self.policy.kept_when_old(boundary):
                self.sealed.delete(cursor, writing, "boundary_us = ?", (boundary,))

    # -- reading what they rest on ---------------------------------------------------------------

    def _position(self, cursor: Cursor, name: str) -> int:
        row = cursor.execute(f"SELECT position FROM {self.tracking} WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def _newest(self, cursor: Cursor) -> _Snapshot | None:
        found = self._candidates(cursor, limit=1)
        return found[0] if found else None

    def _candidates(self, cursor: Cursor, limit: int | None = None) -> list[_Snapshot]:
        """The snapshots, newest first, each checked against its MAC."""
        found = []
        for boundary, head, position, occ_us, occ_date, rec_us, rec_date, excluded, _digest in self.sealed.select(cursor, order="boundary_us DESC"):
            found.append(_Snapshot(int(boundary), int(position), Reach(int(occ_us), occ_date, int(rec_us), rec_date), json.loads(excluded), bool(head)))
            if limit is not None and len(found) >= limit:
                break
        return found

    def load(self, cursor: Cursor, boundary: int) -> World:
        """The world of the snapshot at ``boundary``: its row checked against its MAC, its state
        against the digest the row seals."""
        rows = list(self.sealed.select(cursor, "boundary_us = ?", (boundary,)))
        assert rows, "a snapshot listed in this transaction is gone"
        return stored_world(self.db.app.cloak.unblob(self._state(cursor, boundary, rows[0][-1])), boundary)

    def _state(self, cursor: Cursor, boundary: int, digest: str) -> bytes:
        row = cursor.execute(f"SELECT state FROM {self.table} WHERE boundary_us = ?", (boundary,)).fetchone()
        state = bytes(row[0]) if row is not None and row[0] is not None else b""
        if state_digest(state) != digest:
            raise CacheForged(f"read model {SNAPSHOTS}: the world of snapshot {boundary} is not the one sealed (edited)")
        return state

    def check_worlds(self, cursor: Cursor) -> None:
        """Every snapshot's world against the digest its row seals (hashed, not decoded)."""
        for boundary, *_meta, digest in list(self.sealed.select(cursor)):
            self._state(cursor, int(boundary), digest)

    def _extreme(self, cursor: Cursor, direction: str) -> int | None:
        """The latest (``DESC``) or earliest (``ASC``) occurred time of a world fact, read from the
        row that has it, checked (one index probe per type): a forged far-future row would
        otherwise have the snapshots stop at every month until the year 9999."""
        # counts no block: the facts from the newest snapshot's boundary on are read next, and counted
        rows = (self.timeline_rows.select(cursor, "type = ?", (kind,), f"occurred_us {direction}", limit=1, within=UNCOUNTED) for kind in self._types)
        found = [int(row[3]) for selected in rows for row in selected]
        if not found:
            return None
        return max(found) if direction == "DESC" else min(found)

    def latest_occurred(self, cursor: Cursor) -> int | None:
        """When the latest world fact occurred (None: there are none)."""
        return self._extreme(cursor, "DESC")

    def _earliest_occurred(self, cursor: Cursor) -> int:
        earliest = self._extreme(cursor, "ASC")
        assert earliest is not None, "called only when there are world facts"
        return earliest - 1

    def _arrivals(self, cursor: Cursor, after: int, upto: int | None) -> list[tuple[int, str, int]]:
        """(position, type, occurred) of every timeline row after position ``after`` (up to
        ``upto``): a range of the primary key. Filtering by type is left to Python — with a type
        condition the planner prefers the (type, occurred) index and reads every row of the type."""
        bound, params = ("" if upto is None else " AND position <= ?"), ([after] if upto is None else [after, upto])
        rows = self.timeline_rows.select(cursor, f"position > ?{bound}", params, within=ChangedAfter(after))
        return [(int(position), kind, int(occurred)) for position, kind, _site, occurred, *_rest in list(rows)]

    def _world_facts_since(self, cursor: Cursor, after: int, upto: int) -> int:
        return sum(1 for _position, kind, _occurred in self._arrivals(cursor, after, upto) if kind in WORLD_TYPES)

    def occurred_of(self, cursor: Cursor, positions: Iterable[int]) -> dict[int, int]:
        """When each of ``positions`` (retracted events) that is a world fact occurred (others are
        left out). Each must be in some read model (:func:`~.facts.held_somewhere`): a retracted
        fact whose row was deleted would leave the snapshots that hold it standing, and no count
        meets it — its block is not looked up by position."""
        wanted, found, seen = sorted(positions), dict[int, int](), set[int]()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = list(self.timeline_rows.select(cursor, f"position IN ({','.join('?' * len(chunk))})", chunk, within=UNCOUNTED))
            seen.update(int(row[0]) for row in rows)
            found.update((int(position), int(occurred)) for position, kind, _site, occurred, *_rest in rows if kind in WORLD_TYPES)
        if len(seen) < len(wanted):
            held_somewhere(cursor, self.db, set(wanted) - seen, (AddOnModel().sealed(self.db), QUARANTINE.sealed(self.db)))
        return found

    def dirty_point(self, cursor: Cursor, after: int, upto: int | None) -> int | None:
        """The earliest occurred time that the timeline's facts after position ``after`` (up to
        ``upto``) change for the world: a new world fact, or any fact a new retraction retracts
        or revives (following retractions of retractions). None when they change nothing."""
        arrivals = self._arrivals(cursor, after, upto)
        earliest = [occurred for _position, kind, occurred in arrivals if kind in WORLD_TYPES]
        frontier = self._targets(cursor, [position for position, kind, _occurred in arrivals if kind == "EventRetracted"])
        touched: set[int] = set()
        while frontier:
            touched |= frontier
            frontier = self._targets(cursor, sorted(frontier)) - touched
        earliest += self.occurred_of(cursor, touched).values()
        return min(earliest, default=None)

    def _targets(self, cursor: Cursor, positions: list[int]) -> set[int]:
        """The positions retracted by the retractions among ``positions``."""
        targets: set[int] = set()
        for start in range(0, len(positions), 500):
            chunk = positions[start : start + 500]
            rows = list(self.timeline_rows.select(cursor, f"position IN ({','.join('?' * len(chunk))}) AND type = 'EventRetracted'", chunk, within=STAFF_ONLY))
            targets |= {msgspec.json.decode(row[-1], type=EventRetracted).position for row in rows}
        return targets

    # -- using them ------------------------------------------------------------------------------

    def stale_point(self, cursor: Cursor) -> int | None:
        """The earliest time the facts not yet snapshotted change (None: they change nothing);
        snapshots and weekly figures after it are stale for a query (a concurrent writer's batch).
        None at once when the snapshots reflect the timeline's position: there are no such facts
        (and a census counts no block for them)."""
        done = self._position(cursor, TRACKING_NAME)
        if done == self._position(cursor, "timeline"):
            return None
        return self.dirty_point(cursor, done, None)

    def usable(self, cursor: Cursor, view: View, gone: set[int]) -> _Snapshot | None:
        """The newest snapshot valid for ``view`` whose retracted facts are ``gone`` (see the module)."""
        stale = self.stale_point(cursor)
        left_out = self.occurred_of(cursor, gone)
        for snapshot in self._candidates(cursor):
            if stale is not None and snapshot.boundary_us > stale:
                continue
            if not inside_cut(view.as_of, snapshot.reach.occurred_us, snapshot.reach.occurred_date):
                continue
            if not inside_cut(view.known_at, snapshot.reach.recorded_us, snapshot.reach.recorded_date):
                continue
            if snapshot.excluded == sorted(position for position, occurred in left_out.items() if occurred < snapshot.boundary_us):
                return snapshot
        return None

    def world_for_officer(self, cursor: Cursor, officer: str, view: View, gone: set[int]) -> World:
        """What one officer's screens need of the world at ``view``: at "now", when the head
        snapshot is valid, the partial world its case rows give (:mod:`.headstate`); otherwise the
        whole world (:meth:`world_at`)."""
        return self._partial(cursor, view, gone, officers=(officer,)) or self.world_at(cursor, view, gone)

    def world_for_sites(self, cursor: Cursor, sites: Collection[str], view: View, gone: set[int]) -> World:
        """What the Site screen of ``sites`` needs of the world at ``view``: as
        :meth:`world_for_officer`, for every officer of those sites."""
        return self._partial(cursor, view, gone, sites=sites) or self.world_at(cursor, view, gone)

    def _partial(self, cursor: Cursor, view: View, gone: set[int], *, officers: Collection[str] = (), sites: Collection[str] = ()) -> World | None:
        """The head's partial world for ``officers`` or ``sites`` when ``view`` is "now" and the
        head snapshot is valid for it; else None."""
        if view.as_of is None and view.known_at is None:
            snapshot = self.usable(cursor, view, gone)
            if snapshot is not None and snapshot.head and self.head.boundary(cursor) == snapshot.boundary_us:
                return self.head.world_for(cursor, view, gone, officers=officers, sites=sites)
        return None

    def world_at(self, cursor: Cursor, view: View, gone: set[int], types: frozenset[str] = WORLD_TYPES) -> World:
        """The world at ``view`` (retracted facts ``gone``): the newest valid snapshot and every
        world fact from its boundary on; when none is valid, a full replay of the facts of
        ``types`` (all a projection reads — the fields the others set, it never looks at)."""
        snapshot = self.usable(cursor, view, gone) if types & CASE_TYPES else None  # without cases, a few registrations replay faster than a world decodes
        if snapshot is None:
            return World.replay(timeline(cursor, self.db, view, gone, types))
        world = self.load(cursor, snapshot.boundary_us)
        world.apply(timeline(cursor, self.db, view, gone, WORLD_TYPES, since_us=snapshot.boundary_us))
        return world

    def world_before(self, cursor: Cursor, view: View, gone: set[int], start_us: int) -> tuple[World, int | None]:
        """A world holding only facts that occurred before ``start_us`` (inside ``view``, retracted
        facts ``gone``) and the occurred time from which the facts after it follow: the newest
        valid snapshot that reaches no further, or an empty world and None (replay from the first
        fact) when there is none — how a query over a period skips the history before it."""
        before = View(as_of=instant(start_us), known_at=view.known_at, now=view.now)
        snapshot = self.usable(cursor, before, gone)
        if snapshot is None:
            return World.replay([]), None
        return self.load(cursor, snapshot.boundary_us), snapshot.boundary_us


class _Superseded(Exception):
    """Another process moved the snapshots' tracking row while this one worked."""
