"""``verify --deep``: every cache recomputed from the log and compared, the first difference named.

The MACs (:mod:`caseledger.projections.readmodels.sealing`) prove a cache row was written by a process holding the cache key;
they cannot prove that process computed it right, and a row put back from an earlier version can
slip past the seals' row count and MAC sum in theory. The deep check trusts nothing but the log:

1. the read models are rebuilt from the log into a scratch database (a temporary SQLite file,
   whatever the store), up to the position the store's read models reflect;
2. the timeline, the add-on tasks, the add-on totals and the weekly figures are compared row by
   row with the store's (MACs included: the same row under the same key has the same MAC);
3. every world snapshot (the head included) is recomputed by replaying the rebuilt timeline up to
   its boundary and compared byte for byte; the head's case rows are rewritten from the head's
   recomputed world and compared.

It reads the store and writes only to the scratch file; its cost is a rebuild's.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caseledger.domain.errors import CacheForged
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.projections.engine.projector import Projector, sealed_table
from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.readmodels.sealing import SEALS, Seals, Writing
from caseledger.projections.readmodels.tables import TOTALS, AddOnModel, AddOnTotals, TimelineModel
from caseledger.projections.replay.facts import View, retracted, timeline
from caseledger.projections.replay.headstate import HEAD_CASES, HEAD_REGISTRY, HeadState
from caseledger.projections.replay.snapshots import SNAPSHOTS, decode_world, encode_world
from caseledger.projections.replay.weekly import WEEKLY, WeeklyFigures
from caseledger.projections.replay.world import WORLD_TYPES, World


@dataclass(frozen=True)
class Difference:
    """The first place a cache is not what the log gives."""

    cache: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.cache} {self.where}: {self.detail}"


def deep_difference(app: LedgerApplication) -> Difference | None:
    """The first cache that differs from its recomputation from the log, or None. Nothing is
    caught up, repaired or created first: what is compared is what a reader would find now, at
    the lowest position any read model reflects (one that is further on is compared only where it
    can be: its rows up to there)."""
    if app.ledger_recorder.has_table("cl_tracking") and not app.ledger_recorder.has_table(SEALS):
        return Difference(SEALS, "", "the seal table is missing (dropped?): the read models cannot be vouched for")
    if app.ledger_recorder.has_table("cl_tracking") and app.ledger_recorder.has_table(SEALS):
        found = _read_model_difference(Projector(app, reading_only=True))
        if found is not None:
            return found
    forged_snapshots = app.forged_snapshots()
    if forged_snapshots:
        aggregate, version = forged_snapshots[0]
        return Difference(app.snapshots_table, f"{aggregate} v{version}", "fails its MAC")
    unfaithful = app.unfaithful_snapshot()
    if unfaithful is not None:
        return Difference(app.snapshots_table, f"{unfaithful[0]} v{unfaithful[1]}", "its state is not what its aggregate's events give")
    return None


def _read_model_difference(projector: Projector) -> Difference | None:
    """The first read model that differs from its rebuild from the log, or whose seals fail."""
    app = projector.app
    upto = min(projector.positions_of_everything().values())
    with tempfile.TemporaryDirectory(prefix="caseledger-deep-") as folder:
        scratch_app = open_application(f"sqlite:///{Path(folder) / 'scratch.db'}", payloads=False)
        scratch = Projector(app, db=Database(app, scratch_app.ledger_recorder), snapshot_policy=projector.snapshots.policy)
        scratch.rebuild(upto=upto)
        with projector.db.transaction(write=False) as mine, scratch.db.transaction(write=True) as theirs:
            found = _Comparison(projector, scratch, mine, theirs, upto).first()
    if found is not None:
        return found
    try:
        projector.check(rows=True)
    except CacheForged as forged:
        return Difference("seals", "", str(forged))
    return None


@dataclass(frozen=True)
class _Comparison:
    """The store's read models (``mine``, read) beside those rebuilt from the log (``theirs``)."""

    projector: Projector
    scratch: Projector
    mine: Cursor
    theirs: Cursor
    upto: int
    """The log position compared at: the lowest any of the store's read models reflects."""

    def first(self) -> Difference | None:
        try:
            return next(self._differences(), None)
        except CacheForged as forged:  # a row that fails its MAC, met while comparing
            return Difference("seals", "", str(forged))

    def _differences(self) -> Iterator[Difference]:
        db, rebuilt, mine, theirs = self.projector.db, self.scratch.db, self.mine, self.theirs
        for model in (TimelineModel(), AddOnModel()):
            stored = _rows(db, mine, model.table, "position <= ?", (self.upto,))
            yield from _compare(model.table, model.columns, stored, _rows(rebuilt, theirs, model.table))
        if self.projector.positions_of_everything()[AddOnTotals.tracking_name] == self.upto:
            yield from _compare(TOTALS, AddOnTotals.columns, _rows(db, mine, TOTALS), _rows(rebuilt, theirs, TOTALS))
        derived_here = self.projector.positions_of_everything()["snapshots"] == self.upto
        if derived_here:  # the weekly figures and the head were made at this position
            row = mine.execute(f"SELECT MAX(boundary_us) FROM {db.table(WEEKLY)}").fetchone()
            last_monday = int(row[0]) if row and row[0] is not None else -1
            weekly = _rows(rebuilt, theirs, WEEKLY, "boundary_us <= ?", (last_monday,))
            yield from _compare(WEEKLY, WeeklyFigures.columns, _rows(db, mine, WEEKLY), weekly)
        for boundary, head, position, *_meta in list(sealed_table(db, SNAPSHOTS).select(mine, order="boundary_us")):
            if int(position) > self.upto:
                continue
            world = _recomputed(rebuilt, theirs, int(boundary), int(position))
            try:
                stored_world = self.projector.snapshots.load(mine, int(boundary))
            except CacheForged as forged:
                yield Difference(SNAPSHOTS, f"boundary {boundary}", str(forged))
                return
            if stored_world != world:
                yield Difference(SNAPSHOTS, f"boundary {boundary}", "the world it holds is not the log's replayed to that boundary")
            if head and derived_here:
                yield from self._head(world, int(boundary))

    def _head(self, world: World, boundary: int) -> Iterator[Difference]:
        """The head's registry and case rows against those written from its recomputed world."""
        rebuilt = self.scratch.db
        writing = Writing(Seals(rebuilt), self.theirs)
        HeadState(rebuilt).clear(self.theirs, writing)
        HeadState(rebuilt).write(self.theirs, writing, world, boundary, None)
        for table, columns in ((HEAD_REGISTRY, HeadState.registry_columns), (HEAD_CASES, HeadState.case_columns)):
            yield from _compare(table, columns, _rows(self.projector.db, self.mine, table), _rows(rebuilt, self.theirs, table))


def _recomputed(db: Database, cursor: Cursor, boundary: int, position: int) -> World:
    """The world of every world fact that occurred before ``boundary`` at a log position up to
    ``position``, without those retracted by then — what a snapshot there holds."""
    gone = retracted(cursor, db, View(), upto=position)
    return decode_world(encode_world(World.replay(timeline(cursor, db, View(), gone, WORLD_TYPES, until_us=boundary, upto=position))))


_ORDER = {TOTALS: ("officer", "site", "week", "category"), WEEKLY: ("boundary_us", "officer"), HEAD_CASES: ("offender",), HEAD_REGISTRY: ("id",)}
"""Each table's key, in order (the timeline and the tasks: their position)."""


def _rows(db: Database, cursor: Cursor, table: str, where: str = "", params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
    """Every row of ``table`` (matching ``where``), checked against its MAC and uncloaked, in key
    order — streamed, so comparing a store of millions of rows holds a chunk of each side. Text
    keys sort by bytes on both backends; in an encrypted store both sides cloak names the same
    way, so their order (by cloaked bytes) is the same too. Rows are compared by content: the
    same row is stored with a fresh nonce, so a fresh MAC."""
    sealed = sealed_table(db, table)
    collation = db.recorder.byte_order
    order = ", ".join(key if key in ("position", "boundary_us", "id") else f"{key} COLLATE {collation}" for key in _ORDER.get(table, ("position",)))
    yield from sealed.select(cursor, where, params, order)


def _compare(table: str, columns: tuple[str, ...], stored: Iterable[tuple[Any, ...]], recomputed: Iterable[tuple[Any, ...]]) -> Iterator[Difference]:
    """The first difference between two key-ordered row streams."""
    for mine, theirs in itertools.zip_longest(stored, recomputed):
        if mine is None:
            yield Difference(table, _key(table, theirs), "missing: the log gives this row, the store has none")
            return
        if theirs is None:
            yield Difference(table, _key(table, mine), "the store holds this row, the log gives none")
            return
        if mine != theirs:
            if _key(table, mine) != _key(table, theirs):
                yield Difference(table, _key(table, theirs), f"the store has {_key(table, mine)} where the log gives this row")
                return
            changed = [name for name, a, b in zip(columns, mine, theirs, strict=True) if a != b]
            values = {name: mine[position] for position, name in enumerate(columns) if name in changed}
            yield Difference(table, _key(table, mine), f"{', '.join(changed)} differ (stored {values}, not what the log gives)")
            return


_KEYS = {TOTALS: 4, WEEKLY: 2}
"""How many leading columns make a row's key (one for the others)."""


def _key(table: str, row: tuple[Any, ...]) -> str:
    return "/".join(str(value) for value in row[: _KEYS.get(table, 1)])
