"""The head snapshot's world kept case by case, so one officer's screen reads one officer's cases.

Decoding the whole head snapshot costs what the world weighs — every case ever admitted — so
*My week* and *Caseload* would grow with history. Beside each head snapshot the engine keeps
the same world in rows: ``cl_head_registry`` (every site and officer, one small row, with the
head's boundary) and ``cl_head_cases`` (one row per case, indexed by its officer, holding the
case with the episodes it is in the middle of — its open SIU stay, pending transfers, open
deadline instances — and every release row of the offender, and their scheduled hearing). Rows
of cases no fact touched since the previous head are left as they are.

:func:`HeadState.world_for` then builds a partial world for one officer at "now": the registry,
every case a fact after the head touches (replayed from their rows), and — once those facts have
moved officers and coverage on — the cases of the officer, of the absent colleagues they cover
and of their site. Each case's state depends only on its own facts and each officer's only on
theirs, so every case in the partial world is exactly what the full world holds; what the screens
read (their cases, their site's officers, open stays, open deadlines and release rows of their
offenders) is therefore the same. A stay orphaned by a re-admission (open, but no longer its case's) is not
carried: a stay is open while its case is in it. Property tests compare both paths.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from typing import TypeVar

import msgspec

from caseledger.domain.errors import CacheForged
from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.readmodels.sealing import SealedTable, Writing
from caseledger.projections.replay.facts import View, timeline
from caseledger.projections.replay.world import (
    ENCODER,
    WORLD_FORMAT,
    WORLD_TYPES,
    Case,
    Due,
    OfficerInfo,
    ReleaseRow,
    SiteInfo,
    Stay,
    TransferRequest,
    World,
    decoder,
)

_Row = TypeVar("_Row")

HEAD_CASES = "cl_head_cases"
HEAD_REGISTRY = "cl_head_registry"


class CaseRecord(msgspec.Struct, array_like=True, gc=False):
    """One case at the head, with what it refers to, self-contained."""

    case: Case
    stay: Stay | None
    pending: list[TransferRequest]
    releases: list[ReleaseRow]
    open_grants: list[int]
    """Indexes into ``releases``."""
    hearing: dt.date | None = None
    deadlines: list[Due] = []
    """The case's open deadline instances."""


class Registry(msgspec.Struct, gc=False):
    boundary_us: int
    sites: dict[str, SiteInfo]
    officers: dict[str, OfficerInfo]
    cases_of: dict[str, int] = {}
    """How many case rows each officer has: a row moved out of an officer's reach (its officer
    column edited) or deleted would otherwise just vanish from their screens unseen."""
    cclos: dict[str, str] = {}
    format: int = 0
    """The world format of the rows (:data:`WORLD_FORMAT`); rows of another are rebuilt, not read."""


def _record(world: World, case: Case, releases: list[int]) -> CaseRecord:
    local = {index: number for number, index in enumerate(releases)}
    return CaseRecord(
        case,
        world.open_stay(case),
        [world.transfers[index] for index in case.pending],
        [world.releases[index] for index in releases],
        [local[index] for index in case.open_grants if index in local],
        world.hearings.get(case.offender),
        [world.deadlines[index] for index in case.open_deadlines],
    )


class HeadState:
    """The ``cl_head_registry`` and ``cl_head_cases`` tables (each row with its MAC)."""

    case_columns = ("offender", "officer", "state")
    registry_columns = ("id", "boundary_us", "state")

    def __init__(self, db: Database) -> None:
        self.db = db
        self.cases, self.registry = db.table(HEAD_CASES), db.table(HEAD_REGISTRY)
        self.sealed_cases = SealedTable(db, HEAD_CASES, self.case_columns, {"offender": "name", "officer": "name", "state": "blob"})
        self.sealed_registry = SealedTable(db, HEAD_REGISTRY, self.registry_columns, {"state": "blob"})

    def create(self, cursor: Cursor) -> None:
        binary = self.db.recorder.binary_type
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.registry} (id INTEGER PRIMARY KEY, boundary_us BIGINT NOT NULL, state {binary} NOT NULL, mac {binary} NOT NULL)"
        )
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.cases} (offender TEXT PRIMARY KEY, officer TEXT, state {binary} NOT NULL, mac {binary} NOT NULL)")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS cl_head_cases_officer ON {self.cases} (officer)")

    def clear(self, cursor: Cursor, writing: Writing) -> None:
        self.sealed_registry.delete(cursor, writing)
        self.sealed_cases.delete(cursor, writing)

    def write(self, cursor: Cursor, writing: Writing, world: World, boundary_us: int, touched: set[str] | None) -> None:
        """Keep ``world`` (the head at ``boundary_us``): the registry, and the rows of the cases in
        ``touched`` (every case when None)."""
        self.sealed_registry.delete(cursor, writing)
        cases_of = Counter(case.officer for case in world.cases.values() if case.officer is not None)
        registry = Registry(boundary_us, world.sites, world.officers, dict(cases_of), world.cclos, WORLD_FORMAT)
        self.sealed_registry.insert(cursor, writing, [(1, boundary_us, ENCODER.encode(registry))])
        chosen = world.cases if touched is None else {offender: world.cases[offender] for offender in touched if offender in world.cases}
        releases: defaultdict[str, list[int]] = defaultdict(list)
        for index, release in enumerate(world.releases):
            if release.offender in chosen:
                releases[release.offender].append(index)
        if touched is None:
            self.sealed_cases.delete(cursor, writing)
        else:
            for offender in chosen:
                self.sealed_cases.delete(cursor, writing, "offender = ?", (self.sealed_cases.param("offender", offender),))
        self.sealed_cases.insert(
            cursor,
            writing,
            [
                (
                    offender,
                    case.officer,
                    ENCODER.encode(_record(world, case, releases.get(offender, []))),
                )
                for offender, case in chosen.items()
            ],
        )

    def _registry(self, cursor: Cursor) -> Registry | None:
        rows = list(self.sealed_registry.select(cursor, "id = 1"))
        return _older_shape(_REGISTRY.decode, rows[0][2], HEAD_REGISTRY) if rows else None

    def boundary(self, cursor: Cursor) -> int | None:
        rows = list(self.sealed_registry.select(cursor, "id = 1"))
        return int(rows[0][1]) if rows else None

    def world_for(self, cursor: Cursor, view: View, gone: set[int], *, officers: Collection[str] = (), sites: Collection[str] = ()) -> World:
        """The partial world at ``view`` (a "now" whose valid snapshot is the head these rows
        keep — the caller checks) that the screens of ``officers`` (an officer's own) or of
        ``sites`` (the Site screen of a supervisor's sites) need: the cases of every officer of
        their sites and of the colleagues they cover (see the module)."""
        registry = self._registry(cursor)
        assert registry is not None, "checked by the caller"
        if registry.format != WORLD_FORMAT:
            raise CacheForged(f"read model {HEAD_REGISTRY}: made by an older caseledger (world format {registry.format}, now {WORLD_FORMAT})")
        world = World(sites=registry.sites, officers=registry.officers, cclos=registry.cclos)
        after = timeline(cursor, self.db, view, gone, WORLD_TYPES, since_us=registry.boundary_us)
        touched = {offender for fact in after if isinstance(offender := getattr(fact.data, "offender", None), str)}
        self._load(cursor, world, "offender", sorted(touched))
        world.apply(after)
        chosen = set(officers) | {other.officer for other in world.officers.values() if other.site in sites}
        at_their_sites = {world.officers[officer].site for officer in chosen if officer in world.officers}
        carrying = set(chosen).union(*(world.covered_by(officer) for officer in chosen))
        carrying |= {other.officer for other in world.officers.values() if other.site in at_their_sites}
        found = self._load(cursor, world, "officer", sorted(carrying), skip=touched)
        for carrier in carrying:
            if found[carrier] != registry.cases_of.get(carrier, 0):
                raise CacheForged(
                    f"read model {HEAD_CASES}: {found[carrier]} case rows of {carrier!r}, the head registry says {registry.cases_of.get(carrier, 0)}"
                )
        return world

    def _load(self, cursor: Cursor, world: World, column: str, keys: list[str], skip: set[str] | frozenset[str] = frozenset()) -> Counter[str]:
        """Add the cases whose ``column`` is one of ``keys`` to ``world``, renumbering the
        episodes they refer to into its lists; return how many rows each officer had."""
        seen: Counter[str] = Counter()
        for start in range(0, len(keys), 500):
            chunk = [self.sealed_cases.param(column, key) for key in keys[start : start + 500]]
            for offender, officer, state in list(self.sealed_cases.select(cursor, f"{column} IN ({','.join('?' * len(chunk))})", chunk)):
                seen[officer] += 1
                if offender in skip or offender in world.cases:
                    continue
                record = _older_shape(_RECORDS.decode, bytes(state), HEAD_CASES)
                case = record.case
                if record.stay is not None:
                    case.stay = len(world.stays)
                    world.stays.append(record.stay)
                case.pending = tuple(range(len(world.transfers), len(world.transfers) + len(record.pending)))
                world.transfers.extend(record.pending)
                first = len(world.releases)
                world.releases.extend(record.releases)
                case.open_grants = tuple(first + index for index in record.open_grants)
                case.open_deadlines = tuple(range(len(world.deadlines), len(world.deadlines) + len(record.deadlines)))
                world.deadlines.extend(record.deadlines)
                if record.hearing is not None:
                    world.hearings[offender] = record.hearing
                world.cases[offender] = case
        return seen


def _older_shape(decode: Callable[[bytes], _Row], state: bytes, table: str) -> _Row:
    """A row decoded; one of another shape (another world format's fields) is rebuilt, not read."""
    try:
        return decode(state)
    except msgspec.ValidationError as error:
        raise CacheForged(f"read model {table}: made by an older caseledger ({error})") from None


_RECORDS = decoder(CaseRecord)
_REGISTRY = decoder(Registry)
