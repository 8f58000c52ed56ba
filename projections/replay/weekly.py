"""Each officer's carried caseload at the end of every week, kept beside the world snapshots.

*My week* charts an officer's estimated hours at the end of each of the last eight ISO weeks.
Replaying the world to eight past instants costs what eight queries cost; instead, while the
engine replays forward to write snapshots (:mod:`caseledger.projections.replay.snapshots`), it
stops at every Monday 00:00 UTC and records, per registered officer, what the workload projection
would count at the instant before: the officer's role, the officer's local ISO week at that
instant, and the cases carried as a histogram by number of complexity factors (rule-free: any
rule set's multipliers and case hours apply to it afterwards). Add-on minutes are not kept here —
they are summed from the add-on read model per (officer, week) through its index.

The rows obey the snapshots' invariant (every world fact up to the tracked position, retractions
applied) and are deleted and rewritten with them, so they serve views at "now"; a week a
concurrent writer has made stale is computed by a replay instead (see :func:`week_ends`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

from caseledger.domain.model.times import iso_week
from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.readmodels.sealing import SealedTable, Writing
from caseledger.projections.readmodels.tables import micros
from caseledger.projections.replay.caseloads import Caseloads, Cut
from caseledger.projections.replay.facts import View
from caseledger.projections.replay.world import World

WEEKLY = "cl_officer_weeks"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def week_starts(after_us: int, upto_us: int) -> list[int]:
    """Every Monday 00:00 UTC in (``after_us``, ``upto_us``], as microseconds."""
    day = (_EPOCH + dt.timedelta(microseconds=after_us)).date()
    monday = day + dt.timedelta(days=7 - day.weekday())
    starts: list[int] = []
    while (start := micros(dt.datetime.combine(monday, dt.time(), tzinfo=dt.UTC))) <= upto_us:
        starts.append(start)
        monday += dt.timedelta(weeks=1)
    return starts


def instant(us: int) -> dt.datetime:
    """UTC microseconds as an aware datetime."""
    return _EPOCH + dt.timedelta(microseconds=us)


@dataclass(frozen=True)
class Carried:
    """What one officer carried at the end of one week."""

    role: str
    week: str
    factors: Counter[int]


def carried(world: World, view: View, only: str | None = None) -> dict[str, Carried]:
    """What every registered officer (or just officer ``only``) carries at ``view``'s T."""
    cut = Cut(world, view)
    caseloads = Caseloads(cut, None if only is None else [only])
    return {
        officer.officer: Carried(officer.role, iso_week(cut.today_at(officer.site)), caseloads.effective(officer))
        for officer in world.officers.values()
        if only is None or officer.officer == only
    }


class WeeklyFigures:
    """The ``cl_officer_weeks`` table: (week boundary, officer) → what was carried (each row
    with its MAC, :mod:`caseledger.projections.readmodels.sealing`)."""

    columns = ("boundary_us", "officer", "role", "week", "factors")

    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.table(WEEKLY)
        self.sealed = SealedTable(db, WEEKLY, self.columns, {"officer": "name"})

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (boundary_us BIGINT NOT NULL, officer TEXT NOT NULL, role TEXT NOT NULL, "
            f"week TEXT NOT NULL, factors TEXT NOT NULL, mac {self.db.recorder.binary_type} NOT NULL, PRIMARY KEY (boundary_us, officer))"
        )

    def forget_after(self, cursor: Cursor, writing: Writing, boundary_us: int | None) -> None:
        """Delete the rows after ``boundary_us`` (all when None): they are about to be rewritten."""
        if boundary_us is None:
            self.sealed.delete(cursor, writing)
        else:
            self.sealed.delete(cursor, writing, "boundary_us > ?", (boundary_us,))

    def write(self, cursor: Cursor, writing: Writing, world: World, boundary_us: int) -> None:
        """Record what every officer of ``world`` carries at the instant before ``boundary_us``."""
        view = View(as_of=instant(boundary_us - 1), now=instant(boundary_us))
        rows = [(boundary_us, officer, found.role, found.week, json.dumps(sorted(found.factors.items()))) for officer, found in carried(world, view).items()]
        self.sealed.insert(cursor, writing, rows)

    def read(self, cursor: Cursor, officer: str, boundaries: list[int]) -> dict[int, Carried | None]:
        """What ``officer`` carried at each of ``boundaries`` that has figures (None: figures
        exist for that week but the officer was not registered yet); weeks without figures are
        left out."""
        found: dict[int, Carried | None] = {}
        for boundary in boundaries:
            rows = list(self.sealed.select(cursor, "boundary_us = ? AND officer = ?", (boundary, self.sealed.param("officer", officer))))
            if not rows:
                if list(self.sealed.select(cursor, "boundary_us = ?", (boundary,), limit=1)):  # checked: a junk row must not stand for a week
                    found[boundary] = None
                continue
            _boundary, _officer, role, week, factors = rows[0]
            found[boundary] = Carried(role, week, Counter({int(number): int(count) for number, count in json.loads(factors)}))
        return found
