"""Mending one sealed block: a block that fails its census is made again by itself.

A census that finds one block of the timeline, the add-on tasks or the add-on totals wrong (rows
deleted or put back: :mod:`caseledger.projections.readmodels.sealing`) names the table and the
block. Those rows are derived again — the timeline's and the tasks' from the log, walked from
the first event with every chain entry authenticated and every event judged as a catch-up
judges it (a week's facts may sit anywhere in the log: a back-dated entry is recorded late);
a week's totals from that week's tasks, counted first — and the block's rows, its seal and
the table's seal are written in one transaction, with what was derived from the block: a
timeline block's world snapshots, weekly figures and head rows are cleared (the next catch-up
makes them again from the timeline), a task week's running totals are made again from it. The
other blocks, the other tables and the indexes stand. A mend that finds another process moved
on while it read the log writes nothing (the caller rebuilds instead). Reading the whole log is the price of not
knowing where a week's facts were recorded; it is paid once, by the process that found the
block, and writes one block instead of every read model.

A failure of anything else — a seal that fails its MAC, a block seal missing, a small table —
and a block that still fails after mending leave the caller to rebuild every read model.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from caseledger.domain.errors import CacheForged
from caseledger.domain.events.catalogue import SiteRegistered
from caseledger.domain.store.log import SiteZones
from caseledger.projections.engine.quarantine import Judge, Quarantined
from caseledger.projections.readmodels.database import Cursor
from caseledger.projections.readmodels.sealing import BlockSeal, SealedTable, Seals, Writing
from caseledger.projections.readmodels.tables import TOTALS, AddOnModel, AddOnTotals, ReadModel, Stamp, TimelineModel

if TYPE_CHECKING:
    from caseledger.projections.engine.projector import Projector

_FROM_THE_LOG: dict[str, ReadModel] = {TimelineModel.table: TimelineModel(), AddOnModel.table: AddOnModel()}
MENDABLE = frozenset({*_FROM_THE_LOG, TOTALS})
"""The tables whose blocks are mended alone."""

_BATCH = 20_000


def mend(projector: Projector, forged: CacheForged) -> bool:
    """Make the block ``forged`` names again (True), or say it cannot be mended alone (False)."""
    if forged.table not in MENDABLE or forged.block is None or projector.read_only:
        return False
    table, block = forged.table, forged.block
    tracking = AddOnTotals.tracking_name if table == TOTALS else _FROM_THE_LOG[table].name
    position = projector.positions_of_everything().get(tracking, 0)
    rows = _totals_of_week(projector, block, position) if table == TOTALS else _rows_from_the_log(projector, _FROM_THE_LOG[table], block, position)
    sealed = _sealed(projector, table)
    with projector.db.transaction(write=True) as cursor:
        if _tracked(cursor, projector, tracking) != position:
            return False  # another process moved on while the log was read: it may have written to this block
        writing = Writing(projector.seals, cursor)
        _replace(cursor, projector.seals, sealed, block, rows)
        if table == TimelineModel.table:  # what was derived from the block: made again by the next catch-up
            projector.snapshots.clear(cursor, writing)
        if table == AddOnModel.table and _tracked(cursor, projector, AddOnTotals.tracking_name) >= position:
            totals = projector.totals.sealed
            _replace(cursor, projector.seals, totals, block, _week_totals(cursor, projector, block, position))
    try:
        with projector.db.transaction(write=False) as cursor:
            blocks = projector.seals.read_blocks(cursor, table) or {}
            projector.seals.check_block(cursor, sealed, block, blocks.get(block, BlockSeal(0, 0, 0)))
    except CacheForged:
        return False
    return True


def _tracked(cursor: Cursor, projector: Projector, name: str) -> int:
    row = cursor.execute(f"SELECT position FROM {projector.db.table('cl_tracking')} WHERE name = ?", (name,)).fetchone()
    return int(row[0]) if row else 0


def _sealed(projector: Projector, table: str) -> SealedTable:
    return projector.totals.sealed if table == TOTALS else _FROM_THE_LOG[table].sealed(projector.db)


def _rows_from_the_log(projector: Projector, model: ReadModel, block: str, upto: int) -> list[tuple[Any, ...]]:
    """The rows of ``block`` the log gives ``model`` up to position ``upto``: every event judged
    in order, its chain entry authenticated first (as a catch-up does)."""
    sealed = model.sealed(projector.db)
    judge = Judge(projector.app, 0, projector.quarantined_positions)
    zones = SiteZones.of({})
    rows: list[tuple[Any, ...]] = []
    after = 0
    while after < upto:
        batch = [row for row in projector.db.chained_after(after, _BATCH) if row[0] <= upto]
        if not batch:
            break
        projector.authenticate(after, batch[-1][0], batch)
        for position, _, _, topic, state, login, leaf, *_ in batch:
            envelope = judge.judge(position, topic, state, login, chained=leaf is not None)
            if isinstance(envelope, Quarantined):
                continue
            if isinstance(envelope.data, SiteRegistered):
                zones.add(envelope.data.site, envelope.data.timezone)
            row = model.row(position, envelope, Stamp.of(envelope, zones.zone_of(envelope.at_site)))
            if row is not None and sealed.block_of(row) == block:
                rows.append(row)
        after = batch[-1][0]
    return rows


def _totals_of_week(projector: Projector, week: str, done: int) -> list[tuple[Any, ...]]:
    """The running totals of ``week`` from that week's tasks (counted against their block seal
    first) up to the totals' position ``done``."""
    with projector.db.transaction(write=False) as cursor:
        blocks = projector.seals.read_blocks(cursor, AddOnModel.table) or {}
        projector.seals.check_block(cursor, AddOnModel().sealed(projector.db), week, blocks.get(week, BlockSeal(0, 0, 0)))
        return _week_totals(cursor, projector, week, done)


def _week_totals(cursor: Cursor, projector: Projector, week: str, done: int) -> list[tuple[Any, ...]]:
    summed: Counter[tuple[str, str, str, str]] = Counter()
    for _position, officer, site, task_week, category, minutes, *_times in (
        AddOnModel().sealed(projector.db).select(cursor, "week = ? AND position <= ?", (week, done))
    ):
        summed[officer, site or "", task_week, category] += int(minutes)
    return [(*key, minutes) for key, minutes in sorted(summed.items())]


def _replace(cursor: Cursor, seals: Seals, sealed: SealedTable, block: str, rows: list[tuple[Any, ...]]) -> None:
    """Put ``rows`` in place of the block's, and seal the block and its table anew: the table's
    seal loses what the block's seal counted and gains the new rows (its position stays)."""
    where, params = sealed.blocking.rows_of(block)
    cursor.execute(f"DELETE FROM {sealed.table} WHERE {where}", params)
    stored = sealed.stored(cursor, rows)
    seals.restate(cursor, sealed.name, block, seals.block(cursor, sealed.name, block), (len(stored), sum(int.from_bytes(row[-1], "big") for row in stored)))
