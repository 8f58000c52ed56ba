"""The read models: what the projection engine keeps, table by table, row by event.

Two read models cover every projection:

* ``timeline`` — every event except add-on tasks, one row each: its type, where and when it
  happened (UTC microseconds and local date at its site), when it was recorded (likewise), and
  its fields as JSON. The case, officer, release, SIU, transfer, CCLO and staffing projections
  replay it; it is small (add-ons are most of the log).
* ``addons`` — one narrow row per add-on task (officer, site, ISO week, category, minutes and
  the same four times), aggregated in SQL by the add-on and workload projections.

Both keep *facts*, not answers: a projection "as of T, known at R" filters the facts by
``occurred ≤ T`` and ``recorded ≤ R`` and computes from what is left, which is exactly what a
store holding only those events would give. Local dates are kept beside the instants because a
bare-date cutoff means "the end of that day at each event's site".
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import msgspec

from caseledger.domain.events.catalogue import AddOnTaskLogged
from caseledger.domain.model.times import iso_week, zone
from caseledger.domain.store.mapper import StoredEnvelope
from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.readmodels.sealing import WHOLE, Blocking, ByColumn, ChangedAfter, Hidden, SealedTable, Seals, Within, Writing, counting

_encoder = msgspec.json.Encoder()


def micros(moment: dt.datetime) -> int:
    """Exact UTC microseconds since the epoch of an aware datetime.

    ``timestamp()`` is a float, but its whole seconds are exact (float spacing near 2e9 s is
    ~2.4e-7 s, so x.999999 never rounds up to x+1) and the microseconds come from the datetime
    itself — three times faster than subtracting datetimes, and exact."""
    return math.floor(moment.timestamp()) * 1_000_000 + moment.microsecond


@dataclass(frozen=True, slots=True)
class Stamp:
    """An event's two times, each as UTC microseconds and as a local date at its site."""

    occurred_us: int
    occurred_date: str
    recorded_us: int
    recorded_date: str

    @classmethod
    def of(cls, envelope: StoredEnvelope[Any], zone_name: str) -> Stamp:
        tz = zone(zone_name)
        occurred, recorded = envelope.occurred_at, envelope.recorded_at
        return cls(
            math.floor(occurred.timestamp()) * 1_000_000 + occurred.microsecond,
            occurred.astimezone(tz).date().isoformat(),
            math.floor(recorded.timestamp()) * 1_000_000 + recorded.microsecond,
            recorded.astimezone(tz).date().isoformat(),
        )


WEEK_US = 7 * 86_400 * 1_000_000
_MONDAY_US = -3 * 86_400 * 1_000_000
"""The Monday before the epoch (a Thursday), 00:00 UTC: UTC weeks are counted from it."""

STAFF_TYPES = frozenset(
    {"SiteRegistered", "OfficerRegistered", "OfficerMoved", "LeaveStarted", "LeaveEnded", "CoverageStarted", "CoverageEnded"}
    | {"UserLinked", "RoleGranted", "RoleRevoked", "EventRetracted"}
)
"""The timeline's few facts about sites, staff, users and retractions: queries read them from the
first (the retractions, the registrations, staffing's replay), so they are one block of their own."""

STAFF_BLOCK = "staff"


def utc_week(occurred_us: int) -> int:
    """The UTC week (Monday to Sunday, counted from the epoch's) an instant falls in."""
    return (occurred_us - _MONDAY_US) // WEEK_US


class TimelineBlocks(Blocking):
    """The timeline's blocks: the staff facts (:data:`STAFF_TYPES`) in one, every other fact in the
    UTC week it occurred in — queries read facts by type from an occurred time on (a snapshot's
    boundary), so the weeks from there are the blocks they reach."""

    columns = ("type", "occurred_us")
    _staff = sorted(STAFF_TYPES)

    def key(self, values: Sequence[Any]) -> str:
        kind, occurred_us = values
        return STAFF_BLOCK if kind in STAFF_TYPES else str(utc_week(int(occurred_us)))

    def rows_of(self, block: str) -> tuple[str, list[Any]]:
        marks = ",".join("?" * len(self._staff))
        if block == STAFF_BLOCK:
            return f"type IN ({marks})", list(self._staff)
        start = int(block) * WEEK_US + _MONDAY_US
        return f"occurred_us >= ? AND occurred_us < ? AND type NOT IN ({marks})", [start, start + WEEK_US, *self._staff]

    def describe(self, block: str) -> str:
        if block == STAFF_BLOCK:
            return " of sites, staff and retractions"
        monday = dt.date(1970, 1, 1) + dt.timedelta(microseconds=int(block) * WEEK_US + _MONDAY_US)
        return f" that occurred in the week of {monday.isoformat()} (UTC)"

    @staticmethod
    def reaching(types: Iterable[str], since_us: int | None = None, until_us: int | None = None) -> Within:
        """The blocks a query for facts of ``types`` that occurred in [``since_us``, ``until_us``) reaches."""
        kinds = set(types)
        staff, others = bool(kinds & STAFF_TYPES), bool(kinds - STAFF_TYPES)
        first = utc_week(since_us) if since_us is not None else None
        last = utc_week(until_us) if until_us is not None else None

        def within(block: str) -> bool:
            if block == STAFF_BLOCK:
                return staff
            week = int(block)
            return others and (first is None or week >= first) and (last is None or week <= last)

        return within


STAFF_ONLY: Within = TimelineBlocks.reaching(STAFF_TYPES)
"""The staff block alone (the retractions, the registrations)."""


def in_weeks(weeks: Iterable[str]) -> Within:
    """The blocks of the add-on tasks or totals of ``weeks`` (ISO weeks)."""
    wanted = set(weeks)
    return wanted.__contains__


class ReadModel:
    """A set of tables fed by the engine; subclasses say which events they take and how."""

    name = ""
    table = ""
    columns: ClassVar[tuple[str, ...]] = ()
    """The table's columns in order (``mac`` follows, :mod:`.sealing`)."""
    hidden: ClassVar[Hidden] = {}
    """The columns an encrypted store cloaks."""
    blocking: ClassVar[Blocking] = WHOLE
    """How its rows fall into sealed blocks (:mod:`.sealing`)."""
    indexes: ClassVar[dict[str, str]] = {}
    """Secondary indexes by name: the columns each covers. Kept apart from the table so a full
    rebuild can drop them and build each once at the end (see :meth:`Projector.rebuild`)."""
    retired_indexes: ClassVar[tuple[str, ...]] = ()
    """Indexes an older release made that no query uses now: dropped when the tables are made."""

    def create_statements(self, db: Database) -> list[str]:
        raise NotImplementedError

    def create_indexes(self, cursor: Cursor, db: Database) -> None:
        for index in self.retired_indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {db.table(index)}")
        for index, columns in self.indexes.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {db.table(self.table)} ({columns})")

    def drop_indexes(self, cursor: Cursor, db: Database) -> None:
        for index in self.indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {db.table(index)}")

    def row(self, position: int, envelope: StoredEnvelope[Any], stamp: Stamp) -> tuple[Any, ...] | None:
        """The row for one event, or None if this model does not keep it."""
        raise NotImplementedError

    def sealed(self, db: Database) -> SealedTable:
        return SealedTable(db, self.table, self.columns, self.hidden, self.blocking)

    def write(self, cursor: Cursor, writing: Writing, db: Database, rows: list[tuple[Any, ...]]) -> None:
        self.sealed(db).insert(cursor, writing, rows)

    def clear(self, cursor: Cursor, writing: Writing, db: Database) -> None:
        cursor.execute(f"DELETE FROM {db.table(self.table)}")
        writing.cleared(self.table)


_TIMES = "occurred_us BIGINT NOT NULL, occurred_date TEXT NOT NULL, recorded_us BIGINT NOT NULL, recorded_date TEXT NOT NULL"


class TimelineModel(ReadModel):
    name = "timeline"
    table = "cl_timeline"
    columns = ("position", "type", "at_site", "occurred_us", "occurred_date", "recorded_us", "recorded_date", "data")
    hidden: ClassVar[Hidden] = {"at_site": "name", "data": "blob"}
    blocking: ClassVar[Blocking] = TimelineBlocks()
    indexes: ClassVar[dict[str, str]] = {"cl_timeline_type_occurred": "type, occurred_us", "cl_timeline_occurred": "occurred_us"}
    """Projections read facts by type up to an occurred time; the sites' zones by type alone; a
    census counts a week's facts by occurred time."""

    def create_statements(self, db: Database) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {db.table(self.table)} (position BIGINT PRIMARY KEY, type TEXT NOT NULL, at_site TEXT, {_TIMES}, data {db.recorder.binary_type} NOT NULL, "
            f"mac {db.recorder.binary_type} NOT NULL)"
        ]

    def row(self, position: int, envelope: StoredEnvelope[Any], stamp: Stamp) -> tuple[Any, ...] | None:
        data = envelope.data
        if isinstance(data, AddOnTaskLogged):
            return None
        return (
            position,
            type(data).__name__,
            envelope.at_site,
            stamp.occurred_us,
            stamp.occurred_date,
            stamp.recorded_us,
            stamp.recorded_date,
            _encoder.encode(data),
        )


class AddOnModel(ReadModel):
    name = "addons"
    table = "cl_addons"
    columns = ("position", "officer", "site", "week", "category", "minutes", "occurred_us", "occurred_date", "recorded_us", "recorded_date")
    hidden: ClassVar[Hidden] = {"officer": "name", "site": "name"}
    blocking: ClassVar[Blocking] = ByColumn("week")
    indexes: ClassVar[dict[str, str]] = {"cl_addons_week_officer": "week, officer"}
    """Tasks are read by week (and officer), and counted by week."""
    retired_indexes: ClassVar[tuple[str, ...]] = ("cl_addons_officer_week",)
    """Before blocks, tasks were indexed by officer first."""

    def create_statements(self, db: Database) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {db.table(self.table)} (position BIGINT PRIMARY KEY, officer TEXT NOT NULL, site TEXT, "
            f"week TEXT NOT NULL, category TEXT NOT NULL, minutes INTEGER NOT NULL, {_TIMES}, mac {db.recorder.binary_type} NOT NULL)",
        ]

    def row(self, position: int, envelope: StoredEnvelope[Any], stamp: Stamp) -> tuple[Any, ...] | None:
        data = envelope.data
        if not isinstance(data, AddOnTaskLogged):
            return None
        return (
            position,
            data.officer,
            envelope.at_site,
            iso_week(dt.date.fromisoformat(stamp.occurred_date)),
            data.category,
            data.minutes,
            stamp.occurred_us,
            stamp.occurred_date,
            stamp.recorded_us,
            stamp.recorded_date,
        )


class QuarantineModel(ReadModel):
    """The events the read side refused to apply (:mod:`caseledger.projections.engine.quarantine`):
    position, type, proven recorder and why — one row each, sealed like every read model, so
    the list ``status``, ``verify`` and the Audit screen show cannot be edited unseen. It takes
    no row from an applied event; the engine gives it the quarantined ones."""

    name = "quarantine"
    table = "cl_quarantine"
    columns = ("position", "type", "author", "reason")
    hidden: ClassVar[Hidden] = {"author": "name", "reason": "blob"}

    def create_statements(self, db: Database) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {db.table(self.table)} (position BIGINT PRIMARY KEY, type TEXT NOT NULL, author TEXT NOT NULL, "
            f"reason {db.recorder.binary_type} NOT NULL, mac {db.recorder.binary_type} NOT NULL)"
        ]

    def row(self, position: int, envelope: StoredEnvelope[Any], stamp: Stamp) -> tuple[Any, ...] | None:
        return None

    @staticmethod
    def quarantined_row(position: int, kind: str, author: str, reason: str) -> tuple[Any, ...]:
        return (position, kind, author, reason.encode())

    def listed(self, cursor: Cursor, db: Database) -> list[tuple[int, str, str, str]]:
        """Every quarantined event (position, type, author, reason), each row checked, in log order."""
        return [(int(position), kind, author, bytes(reason).decode()) for position, kind, author, reason in self.sealed(db).select(cursor, order="position")]


QUARANTINE = QuarantineModel()

TOTALS = "cl_addon_totals"


class AddOnTotals:
    """Add-on minutes summed per (officer, site, week, category) over every task recorded
    (retractions are subtracted by the reader: they are rare, tasks are most of the log); a task
    with no site is kept under site ``''``. The add-on projections at "now" read it in key order
    instead of grouping every task; a past cut groups the tasks themselves.

    It follows the ``addons`` read model with its own tracking row (``addon_totals``): after each
    catch-up the tasks since its position are read (each checked against its MAC), grouped, and
    added to the totals of their keys, so a rebuild of millions of tasks sums them once at the
    end instead of per batch (measured: per-batch upserts cost 30% of the rebuild), and totals
    behind the add-on read model (a table just made, a rebuild) are brought up to it by the next
    catch-up. A reader finding the totals behind the tasks groups the tasks instead."""

    tracking_name = "addon_totals"
    columns = ("officer", "site", "week", "category", "minutes")

    def __init__(self, db: Database) -> None:
        self.db = db
        self.table, self.tracking = db.table(TOTALS), db.table("cl_tracking")
        self.sealed = SealedTable(db, TOTALS, self.columns, AddOnModel.hidden, ByColumn("week"))
        self.tasks = AddOnModel().sealed(db)
        self.seals = Seals(db)

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (officer TEXT NOT NULL, site TEXT NOT NULL, week TEXT NOT NULL, category TEXT NOT NULL, "
            f"minutes BIGINT NOT NULL, mac {self.db.recorder.binary_type} NOT NULL, PRIMARY KEY (officer, site, week, category))"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS cl_addon_totals_week ON {self.table} (week)")
        if cursor.execute(f"SELECT 1 FROM {self.tracking} WHERE name = ?", (self.tracking_name,)).fetchone() is None:
            cursor.execute(f"INSERT INTO {self.tracking} VALUES (?, 0)", (self.tracking_name,))

    def clear(self, cursor: Cursor, writing: Writing) -> None:
        cursor.execute(f"DELETE FROM {self.table}")
        writing.cleared(TOTALS)
        cursor.execute(f"UPDATE {self.tracking} SET position = 0 WHERE name = ?", (self.tracking_name,))

    def _positions(self, cursor: Cursor) -> tuple[int, int]:
        """(the totals' position, the add-on read model's)."""
        cursor.execute(f"SELECT name, position FROM {self.tracking} WHERE name IN ('addons', ?)", (self.tracking_name,))
        positions = dict(cursor.fetchall())
        return int(positions.get(self.tracking_name, -1)), int(positions.get("addons", 0))

    def current(self, cursor: Cursor) -> bool:
        """Whether the totals hold every task the add-on read model holds."""
        done, upto = self._positions(cursor)
        return done == upto

    def refresh(self, lost: tuple[type[Exception], ...]) -> bool:
        """Add the tasks after the totals' position, up to the add-on read model's, in one
        transaction with the tracking row; False when another process moved it first (``lost``:
        the errors that mean so)."""
        moved: tuple[type[Exception], ...] = (_Moved, *lost)
        try:
            with self.db.transaction(write=True) as cursor, counting(cursor, self.seals):
                done, upto = self._positions(cursor)
                if done >= upto:
                    return True
                cursor.execute(f"UPDATE {self.tracking} SET position = ? WHERE name = ? AND position = ?", (upto, self.tracking_name, done))
                if cursor.rowcount != 1:  # first, so a second process waits here for this one, then finds the row moved
                    raise _Moved
                writing = Writing(self.seals, cursor)
                added: Counter[tuple[str, str, str, str]] = Counter()
                rows = self.tasks.select(cursor, "position > ? AND position <= ?", (done, upto), within=ChangedAfter(done))
                for _position, officer, site, week, category, minutes, *_times in rows:
                    added[officer, site or "", week, category] += int(minutes)
                existing = self._existing(cursor, writing, added) if self.seals.read(cursor, TOTALS).rows else {}
                self.sealed.insert(cursor, writing, [(*key, existing.get(key, 0) + minutes) for key, minutes in sorted(added.items())])
                writing.reseal([TOTALS], upto)
        except moved:
            return False
        return True

    def _existing(self, cursor: Cursor, writing: Writing, added: Counter[tuple[str, str, str, str]]) -> dict[tuple[str, ...], int]:
        """The totals already kept for the keys in ``added`` (checked), removed to be written anew."""
        weeks = sorted({key[2] for key in added})
        existing: dict[tuple[str, ...], int] = {}
        for start in range(0, len(weeks), 500):
            chunk = weeks[start : start + 500]
            for *key, minutes in self.sealed.select(cursor, f"week IN ({','.join('?' * len(chunk))})", chunk, within=in_weeks(chunk)):
                if tuple(key) in added:
                    existing[tuple(key)] = int(minutes)
        for officer, site, week, category in existing:
            cloaked = (self.sealed.param("officer", officer), self.sealed.param("site", site), week, category)
            self.sealed.delete(cursor, writing, "officer = ? AND site = ? AND week = ? AND category = ?", cloaked)
        return existing


class _Moved(Exception):
    """Another process moved a tracking row first."""


READ_MODELS: tuple[ReadModel, ...] = (TimelineModel(), AddOnModel())
"""Every read model, in the order the engine feeds them."""
