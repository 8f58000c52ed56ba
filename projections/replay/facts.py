"""Reading facts out of the read models, as of T and as known at R.

A :class:`View` is the bitemporal cut: ``as_of`` keeps facts that occurred by T, ``known_at``
keeps facts recorded by R (either may be a timestamp or a bare local date, meaning the end of
that day at each fact's site). Retractions count once known — whatever their own occurred time
— and a retracted fact does not exist for projections. Everything a projection reads comes
through here, so every projection honours the same cut.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from caseledger.domain.errors import CacheForged
from caseledger.domain.events.catalogue import PAYLOAD_TYPES, EventRetracted, Payload, SiteRegistered
from caseledger.domain.model.retractions import retracted_positions
from caseledger.domain.model.times import Cutoff, LocalDay, utc_now, zone
from caseledger.domain.store.log import SiteZones, logged_at, site_zones
from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.readmodels.sealing import UNCOUNTED, SealedTable
from caseledger.projections.readmodels.tables import QUARANTINE, STAFF_ONLY, AddOnModel, TimelineBlocks, TimelineModel, in_weeks, micros

_DECODERS = {name: msgspec.json.Decoder(cls) for name, cls in PAYLOAD_TYPES.items()}


@dataclass(frozen=True)
class View:
    """The cut a projection is computed at: T (``as_of``) and R (``known_at``); None means now."""

    as_of: Cutoff | None = None
    known_at: Cutoff | None = None
    now: dt.datetime = field(default_factory=utc_now)

    def instant_of_t(self) -> dt.datetime | LocalDay:
        return self.as_of if self.as_of is not None else self.now

    def local_date_of_t(self, zone_name: str | None) -> dt.date:
        """T's local date at a site (a bare-date T is that date everywhere)."""
        t = self.instant_of_t()
        if isinstance(t, LocalDay):
            return t.day
        return t.astimezone(zone(zone_name or "UTC")).date()


def _condition(prefix: str, cutoff: Cutoff | None) -> tuple[str, list[Any]]:
    if cutoff is None:
        return "", []
    if isinstance(cutoff, LocalDay):
        return f" AND {prefix}_date <= ?", [cutoff.day.isoformat()]
    return f" AND {prefix}_us <= ?", [micros(cutoff)]


def where(view: View, *, occurred: bool = True) -> tuple[str, list[Any]]:
    """SQL conditions (``AND …``) and parameters selecting the facts inside ``view``."""
    known_sql, known_params = _condition("recorded", view.known_at)
    if not occurred:
        return known_sql, known_params
    as_of_sql, as_of_params = _condition("occurred", view.as_of)
    return as_of_sql + known_sql, as_of_params + known_params


@dataclass(frozen=True)
class Weeks:
    """A range of ISO week labels (``--from WEEK --to WEEK``; either end may be open)."""

    first: str | None = None
    last: str | None = None

    def condition(self) -> tuple[str, list[Any]]:
        """SQL conditions (``AND …``) on a ``week`` column (labels sort as the weeks do)."""
        sql, params = "", list[Any]()
        for operator, value in ((">=", self.first), ("<=", self.last)):
            if value is not None:
                sql, params = f"{sql} AND week {operator} ?", [*params, value]
        return sql, params

    def __contains__(self, week: str) -> bool:
        return (self.first is None or week >= self.first) and (self.last is None or week <= self.last)


EVERY_WEEK = Weeks()


@dataclass(frozen=True, slots=True)
class Fact:
    """One timeline fact: an event as projections see it."""

    position: int
    type: str
    at_site: str | None
    occurred_us: int
    local_date: dt.date
    data: Payload


def retracted(cursor: Cursor, db: Database, view: View, *, upto: int | None = None) -> set[int]:
    """Positions retracted by retractions known at ``view.known_at`` (their occurred time is
    irrelevant), among those at log positions up to ``upto`` when given."""
    known_sql, params = where(view, occurred=False)
    if upto is not None:
        known_sql, params = f"{known_sql} AND position <= ?", [*params, upto]
    decoder = _DECODERS["EventRetracted"]
    targets: dict[int, int] = {}
    for position, *_columns, data in list(TimelineModel().sealed(db).select(cursor, f"type = 'EventRetracted'{known_sql}", params, within=STAFF_ONLY)):
        retraction = decoder.decode(data)
        assert isinstance(retraction, EventRetracted)
        targets[position] = retraction.position
    return retracted_positions(targets)


def _rows(
    cursor: Cursor, db: Database, view: View, types: frozenset[str], *, since_us: int | None, until_us: int | None, upto: int | None
) -> Iterable[tuple[Any, ...]]:
    """The timeline rows (every column, each checked against its MAC) of ``types`` inside
    ``view``, in occurred order."""
    sql, params = where(view)
    for condition, value in (("occurred_us >= ?", since_us), ("occurred_us < ?", until_us), ("position <= ?", upto)):
        if value is not None:
            sql, params = f"{sql} AND {condition}", [*params, value]
    wanted = sorted(types)
    reaching = TimelineBlocks.reaching(types, since_us, until_us)
    return (
        TimelineModel().sealed(db).select(cursor, f"type IN ({','.join('?' * len(wanted))}){sql}", [*wanted, *params], "occurred_us, position", within=reaching)
    )


def timeline(
    cursor: Cursor,
    db: Database,
    view: View,
    gone: set[int],
    types: frozenset[str],
    *,
    since_us: int | None = None,
    until_us: int | None = None,
    upto: int | None = None,
) -> list[Fact]:
    """The facts of ``types`` inside ``view`` and not retracted, in occurred order (ties: position);
    only those that occurred in [``since_us``, ``until_us``) and are at log positions up to
    ``upto`` when given (how a query carries on from a snapshot)."""
    return [
        Fact(position, kind, at_site, occurred_us, dt.date.fromisoformat(local), _DECODERS[kind].decode(data))
        for position, kind, at_site, occurred_us, local, _recorded, _recorded_local, data in _rows(
            cursor, db, view, types, since_us=since_us, until_us=until_us, upto=upto
        )
        if position not in gone
    ]


Reached = tuple[int, str, int, str]
"""The latest (occurred µs, occurred local date, recorded µs, recorded local date) among some facts."""


def timeline_reaching(
    cursor: Cursor, db: Database, gone: set[int], types: frozenset[str], *, since_us: int | None, until_us: int | None, upto: int
) -> tuple[list[Fact], Reached | None]:
    """:func:`timeline` with no cut, and how far its rows reach in occurred and recorded time
    (retracted rows included; None when there are none) — read in the same pass, which is how
    the snapshots learn what they hold without a second query."""
    facts: list[Fact] = []
    occurred_us, occurred_date, recorded_us, recorded_date = -(2**62), "", -(2**62), ""
    rows = _rows(cursor, db, View(), types, since_us=since_us, until_us=until_us, upto=upto)
    for position, kind, at_site, occurred, local, recorded, recorded_local, data in rows:
        occurred_us, recorded_us = max(occurred_us, occurred), max(recorded_us, recorded)
        occurred_date, recorded_date = max(occurred_date, local), max(recorded_date, recorded_local)
        if position not in gone:
            facts.append(Fact(position, kind, at_site, occurred, dt.date.fromisoformat(local), _DECODERS[kind].decode(data)))
    if not occurred_date:
        return facts, None
    return facts, (occurred_us, occurred_date, recorded_us, recorded_date)


def retracted_addons(cursor: Cursor, db: Database, view: View, gone: set[int]) -> list[tuple[Any, ...]]:
    """The add-on rows (officer, site, week, category, minutes) among ``gone`` inside ``view``,
    to subtract from SQL aggregates (retractions are rare, add-ons are most of the log).

    Looked up by position, so no block is counted for them (their weeks are not known before
    they are read); instead every retracted position must be found in some read model — the
    tasks (at any cut), the timeline or the quarantine — so a retracted task whose row was
    deleted (its minutes would no longer be subtracted) is named, not missed."""
    if not gone:
        return []
    rows: list[tuple[Any, ...]] = []
    ordered = sorted(gone)
    tasks = AddOnModel().sealed(db)
    seen: set[int] = set()
    for chunk in _chunks(ordered):
        for position, officer, site, week, category, minutes, occurred_us, occurred_date, recorded_us, recorded_date in list(
            tasks.select(cursor, f"position IN ({','.join('?' * len(chunk))})", chunk, within=UNCOUNTED)
        ):
            seen.add(int(position))
            if _inside_view(view, occurred_us, occurred_date, recorded_us, recorded_date):
                rows.append((officer, site, week, category, minutes))
    held_somewhere(cursor, db, set(ordered) - seen, (TimelineModel().sealed(db), QUARANTINE.sealed(db)))
    return rows


def held_somewhere(cursor: Cursor, db: Database, positions: set[int], tables: Iterable[SealedTable]) -> None:
    """Every one of ``positions`` (retracted events not found where they were looked for first)
    is in one of ``tables``; else :class:`CacheForged` — its row was deleted, and with it what its
    retraction takes away. Looked up by position, counting no block."""
    missing = set(positions)
    for table in tables:
        for chunk in _chunks(sorted(missing)):
            missing -= {int(row[0]) for row in table.select(cursor, f"position IN ({','.join('?' * len(chunk))})", chunk, within=UNCOUNTED)}
    if missing:
        raise CacheForged(f"read model cl_timeline: the retracted event at position {min(missing)} is in no read model (its row deleted)")


def inside_cut(cutoff: Cutoff | None, moment_us: int, local_date: str) -> bool:
    """Whether a time (UTC µs, local date at its site) is inside a cut's bound, as :func:`where`
    selects (a bare-date cut by the local date)."""
    if cutoff is None:
        return True
    if isinstance(cutoff, LocalDay):
        return local_date <= cutoff.day.isoformat()
    return moment_us <= micros(cutoff)


def _inside_view(view: View, occurred_us: int, occurred_date: str, recorded_us: int, recorded_date: str) -> bool:
    return inside_cut(view.as_of, occurred_us, occurred_date) and inside_cut(view.known_at, recorded_us, recorded_date)


def _chunks(positions: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(positions), 500):
        yield positions[start : start + 500]


def registered_officers(cursor: Cursor, db: Database) -> list[str]:
    """Every registered officer's id, in the order they were registered."""
    rows = TimelineModel().sealed(db).select(cursor, "type = 'OfficerRegistered'", (), "position", within=STAFF_ONLY)
    return [msgspec.json.decode(row[-1])["officer"] for row in list(rows)]


def officer_addon_minutes(cursor: Cursor, db: Database, view: View, gone: set[int], *, officer: str, week: str) -> list[tuple[str, int]]:
    """One officer's add-on minutes of one ISO week inside ``view`` as (category, minutes), read
    through the (officer, week) index, each task checked against its MAC; retracted tasks come
    back as negative minutes to add."""
    sql, params = where(view)
    sealed = AddOnModel().sealed(db)
    tasks = sealed.select(cursor, f"officer = ? AND week = ?{sql}", [sealed.param("officer", officer), week, *params], within=in_weeks([week]))
    minutes = [(category, int(task_minutes)) for _position, _officer, _site, _week, category, task_minutes, *_times in list(tasks)]
    for task_officer, _site, task_week, category, task_minutes in retracted_addons(cursor, db, view, gone):
        if task_officer == officer and task_week == week:
            minutes.append((category, -task_minutes))
    return minutes


def registered_zones(db: Database) -> SiteZones:
    """Every registered site's time zone without scanning the whole log: the timeline read model
    says where the registrations are (an index lookup by type), the log itself is read at those
    positions and after the read model's position. The read model is only an index here — it is
    not covered by the hash chain, so nothing is taken from its rows but positions, and a site it
    fails to list makes :class:`SiteZones` read the whole log; a read model that cannot be read at
    all (dropped, damaged) means the whole log is read at once."""
    app = db.app
    try:
        position, registrations = _registration_positions(db)
        known = {
            event.envelope.data.site: event.envelope.data.timezone for event in logged_at(app, registrations) if isinstance(event.envelope.data, SiteRegistered)
        }
    except Exception:
        return SiteZones(app, site_zones(app), complete=True)
    return SiteZones(app, {**site_zones(app, after=position), **known})  # a site's first registration wins


def _registration_positions(db: Database) -> tuple[int, list[int]]:
    """The timeline read model's position and where it saw sites registered (empty without it)."""
    if not db.recorder.has_table("cl_tracking"):
        return 0, []
    with db.transaction(write=False) as cursor:
        row = cursor.execute(f"SELECT position FROM {db.table('cl_tracking')} WHERE name = 'timeline'").fetchone()
        position = int(row[0]) if row else 0
        if not position:
            return 0, []
        cursor.execute(f"SELECT position FROM {db.table('cl_timeline')} WHERE type = 'SiteRegistered' AND position <= ?", (position,))
        return position, [int(found) for (found,) in cursor.fetchall()]
