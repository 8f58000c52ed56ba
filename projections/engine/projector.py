"""The projection engine: batched catch-up with exactly-once tracking, rebuild, status.

Each read model has a tracking row (``cl_tracking``: name → last position applied). A
catch-up reads the log after the lowest tracked position in batches; for each batch it writes
every model's rows **and** advances every model's tracking row in one transaction. A crash
mid-batch rolls back both, so an event is never lost or counted twice. Two processes catching
up at once cannot both win: a tracking row only moves from the position the batch started at
(and rows are keyed by position), so the loser's transaction fails, rolls back, and it re-reads.

The library's ``ProjectionRunner`` commits one transaction per event and needs subscriptions
(which its SQLite recorder lacks); this engine polls ``after position`` instead, on both stores,
and is what ``caseledger rebuild`` and every export run first.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from eventsourcing.persistence import IntegrityError, InternalError

from caseledger.domain.errors import CacheForged, LogUnauthenticated
from caseledger.domain.events.catalogue import SiteRegistered
from caseledger.domain.integrity.chain import CHAIN_TABLE, GENESIS
from caseledger.domain.integrity.verify import UNCHAINED, walk, walk_rows
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.keys import held_ledger_key
from caseledger.domain.store.log import SiteZones
from caseledger.domain.store.snapshots import REPORTS
from caseledger.projections.engine.mending import mend
from caseledger.projections.engine.quarantine import Judge, Quarantined
from caseledger.projections.errors import ProjectionError
from caseledger.projections.readmodels.database import Database
from caseledger.projections.readmodels.pseudonyms import PSEUDONYMS, Pseudonyms
from caseledger.projections.readmodels.sealing import SEALS, Census, SealedTable, Seals, Writing
from caseledger.projections.readmodels.tables import (
    QUARANTINE,
    READ_MODELS,
    TOTALS,
    AddOnModel,
    AddOnTotals,
    QuarantineModel,
    ReadModel,
    Stamp,
    TimelineModel,
)
from caseledger.projections.replay.facts import View, registered_zones, retracted
from caseledger.projections.replay.headstate import HEAD_CASES, HEAD_REGISTRY, HeadState
from caseledger.projections.replay.snapshots import DERIVED_TABLES, SNAPSHOTS, SnapshotPolicy, Snapshots
from caseledger.projections.replay.weekly import WEEKLY, WeeklyFigures

T = TypeVar("T")
_RANDOM = random.SystemRandom()
"""Which blocks ``status`` samples: not predictable by whoever edits the database."""


BATCH = 10_000
LOSSES_BEFORE_COUNTING = 5
ATTEMPTS = 20
REBUILD_ATTEMPTS = 3
MENDS = 4
"""How many single blocks one reading mends, one after another, before it rebuilds everything."""
"""A rebuild is one transaction (all or nothing): tried again whole when it lost to another
writer of the caches (two rebuilds at once, a catch-up), at most this many times."""

SEALED_TRACKING: dict[str, str] = {
    TimelineModel.table: TimelineModel.name,
    AddOnModel.table: AddOnModel.name,
    QuarantineModel.table: QuarantineModel.name,
    TOTALS: AddOnTotals.tracking_name,
    **dict.fromkeys(DERIVED_TABLES, "snapshots"),
}
"""Every sealed table, with the tracking row whose position its seal must carry."""


def sealed_table(db: Database, name: str) -> SealedTable:
    """The sealed table ``name``, as the module that keeps it defines it (columns, cloaking)."""
    head = HeadState(db)
    tables = {
        TimelineModel.table: TimelineModel().sealed(db),
        AddOnModel.table: AddOnModel().sealed(db),
        QuarantineModel.table: QUARANTINE.sealed(db),
        TOTALS: AddOnTotals(db).sealed,
        PSEUDONYMS: Pseudonyms(db).sealed,
        SNAPSHOTS: Snapshots(db).sealed,
        WEEKLY: WeeklyFigures(db).sealed,
        HEAD_CASES: head.sealed_cases,
        HEAD_REGISTRY: head.sealed_registry,
    }
    return tables[name]


class _LostRace(Exception):
    """Another process advanced a tracking row first; re-read and go on."""


@dataclass(frozen=True)
class ModelStatus:
    name: str
    position: int
    lag: int
    ahead: int = 0
    """Positions the read model holds beyond the log's head: the log lost events (a tail cut)
    or the tracking row was edited — either way its figures cannot be trusted until rebuilt."""


class Projector:
    """Keeps the read models of one store up to date."""

    def __init__(
        self,
        app: LedgerApplication,
        models: Sequence[ReadModel] = READ_MODELS,
        snapshot_policy: SnapshotPolicy | None = None,
        *,
        db: Database | None = None,
        reading_only: bool = False,
    ) -> None:
        """``reading_only``: this engine will only read (``verify --deep``), as on a replica: it
        creates nothing, migrates nothing, catches up nothing."""
        self.app = app
        self.db = db or Database(app)
        self.repairs = []
        self.models = (*models, QUARANTINE)
        """The read models, then the quarantine, which every catch-up keeps (it is what the others leave out)."""
        self._judge: Judge | None = None
        self._zones: SiteZones | None = None
        self.snapshots = Snapshots(self.db, snapshot_policy)
        self.totals = AddOnTotals(self.db)
        self.pseudonyms = Pseudonyms(self.db)
        self.seals = Seals(self.db)
        self.read_only = reading_only or self.db.recorder.read_only or not self.db.recorder.writes_caches
        """A replica (its read models arrive by replication) or a reader that must not write."""
        if self.read_only or not self.db.recorder.owns_store:
            if not (self.db.recorder.has_table("cl_tracking") and self.db.recorder.has_table(SEALS)):
                raise ProjectionError(
                    "there are no sealed read models to read yet (on a replica: they arrive from the primary once it has caught up; "
                    "on a store with roles: its owner makes them with `caseledger admin init-roles`)"
                )
        else:
            self._seals_missing = self.db.recorder.has_table("cl_tracking") and not self.db.recorder.has_table(SEALS)
            self._create_tables()

    _authenticated = 0
    """The log position up to which this engine has authenticated the chain entries."""

    repairs: list[str]
    """What this engine found forged and repaired, until a front end says so (the TUI, whose
    stderr is under its screens)."""

    _seals_missing = False
    """The read models are tracked but their seal table is gone (dropped): an alarm, not a fresh
    start — the next catch-up repairs them only if the log authenticates (:meth:`repair`)."""

    def _create_tables(self) -> None:
        """Create the read-model tables if missing (retried: processes starting together race)."""
        retryable: tuple[type[Exception], ...] = (*self.db.recorder.transient_errors, IntegrityError, InternalError)
        for attempt in range(8):
            try:
                self._create_tables_once()
                return
            except retryable:
                if attempt == 7:
                    raise
                time.sleep(random.uniform(0.05, 0.3))

    def _create_tables_once(self) -> None:
        tracking = self.db.table("cl_tracking")
        with self.db.transaction(write=True) as cursor:
            self.seals.create(cursor)
            self.seals.start(cursor, list(SEALED_TRACKING))
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {tracking} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)")
            for model in self.models:
                for statement in model.create_statements(self.db):
                    cursor.execute(statement)
                model.create_indexes(cursor, self.db)
                cursor.execute(f"SELECT 1 FROM {tracking} WHERE name = ?", (model.name,))
                if cursor.fetchone() is None:
                    cursor.execute(f"INSERT INTO {tracking} VALUES (?, 0)", (model.name,))
            self.totals.create(cursor)
            self.snapshots.create(cursor)
            self.pseudonyms.create(cursor)
            self.seals.create_blocks(cursor, [sealed_table(self.db, name) for name in (*SEALED_TRACKING, PSEUDONYMS)])

    def positions(self) -> dict[str, int]:
        """Each read model's last applied log position."""
        return {name: position for name, position in self._tracked().items() if name != QUARANTINE.name}

    def _tracked(self) -> dict[str, int]:
        """Each read model's last applied log position, and the quarantine's."""
        with self.db.transaction(write=False) as cursor:
            cursor.execute(f"SELECT name, position FROM {self.db.table('cl_tracking')}")
            known = dict(cursor.fetchall())
        return {model.name: int(known.get(model.name, 0)) for model in self.models}

    def positions_of_everything(self) -> dict[str, int]:
        """Every tracking row's position: the read models', the add-on totals' and the snapshots'."""
        with self.db.transaction(write=False) as cursor:
            cursor.execute(f"SELECT name, position FROM {self.db.table('cl_tracking')}")
            return {str(name): int(position) for name, position in cursor.fetchall()}

    def status(self) -> tuple[int, list[ModelStatus]]:
        """The head position and each read model's position and lag (events not yet applied)."""
        head = self.app.head_position()
        positions = self.positions()
        return head, [ModelStatus(name, position, max(0, head - position), max(0, position - head)) for name, position in positions.items()]

    def counts_by_type(self) -> tuple[int, dict[str, int]] | None:
        """(the position, how many events of each type the read models hold up to it) — the
        timeline's by its type index, the tasks' from their seal, the quarantine's — each table's
        total checked against its seal (:class:`CacheForged` when one is short); None when the
        read models reflect different positions (then the log is counted). What ``status``
        shows without reading every event of the log."""
        totals: Counter[str] = Counter()
        with self.db.transaction(write=False) as cursor:
            cursor.execute(f"SELECT name, position FROM {self.db.table('cl_tracking')}")
            tracked = {str(name): int(position) for name, position in cursor.fetchall()}
            positions = {tracked.get(model.name, 0) for model in self.models}
            if len(positions) != 1:
                return None
            for model in (TimelineModel, QuarantineModel):
                cursor.execute(f"SELECT type, COUNT(*) FROM {self.db.table(model.table)} GROUP BY type")
                found = {str(kind): int(count) for kind, count in cursor.fetchall()}
                seal = self.seals.read(cursor, model.table)
                if sum(found.values()) != seal.rows:
                    raise CacheForged(f"read model {model.table}: holds {sum(found.values())} rows, its seal {seal.rows} (rows deleted or put back)")
                totals.update(found)
            tasks = self.seals.read(cursor, AddOnModel.table).rows
            if tasks:
                totals["AddOnTaskLogged"] += tasks
        return positions.pop(), dict(totals)

    def quarantined(self) -> list[Quarantined]:
        """Every event the read side has quarantined so far, in log order (each row checked
        against its MAC; the caller has caught up), each marked retracted when an effective
        retraction names it."""
        with self.db.transaction(write=False) as cursor:
            listed = QUARANTINE.listed(cursor, self.db)
            gone = retracted(cursor, self.db, View()) if listed else set()
        return [Quarantined(*row, retracted=row[0] in gone) for row in listed]

    def judged(self) -> int:
        """The log position up to which events have been judged (the quarantine's tracking row)."""
        return self._tracked()[QUARANTINE.name]

    def quarantined_positions(self) -> list[int]:
        """The positions of the quarantined events, in log order (for a checkpoint that must say
        which breaks it signs over)."""
        with self.db.transaction(write=False) as cursor:
            return [row[0] for row in QUARANTINE.listed(cursor, self.db)]

    def _judge_at(self, position: int) -> Judge:
        """The judge whose state is the log's as of ``position`` (kept while it is: catching up
        goes on from where it stopped; a race lost or another process's progress starts anew)."""
        if self._judge is None or self._judge.position != position:
            self._judge = Judge(self.app, position, self.quarantined_positions)
        return self._judge

    def _site_zones(self) -> SiteZones:
        """Every site's time zone (located through the timeline read model, read from the log),
        looked up once, then kept current as sites register."""
        if self._zones is None:
            self._zones = registered_zones(self.db)
        return self._zones

    def catch_up(self, on_progress: Callable[[int], None] | None = None, *, upto: int | None = None) -> int:
        """Apply every event not yet applied (up to ``upto``), then bring the world snapshots up to
        the timeline; return how many positions were processed (none on a replica, which
        reads what the primary's engine wrote). Then check the seals (:meth:`check`: what a
        query reads is counted by the query, :func:`~caseledger.projections.engine.compute.counted`)
        and, if one fails, :meth:`repair`."""
        try:
            return self._catch_up(on_progress, upto=upto)
        except LogUnauthenticated as alarm:
            raise self.located(alarm) from None

    def _catch_up(self, on_progress: Callable[[int], None] | None, *, upto: int | None) -> int:
        if self.read_only:
            self.check()
            return 0
        try:
            if self._seals_missing:
                raise CacheForged("the read models' seal table is missing (dropped?)")
            self.check()  # first: an edited tracking row would have the catch-up redo what is done
            if self._applied_unjudged():
                REPORTS.warning("caseledger: the read models hold events applied before events were judged on read: they are rebuilt from the log once")
                return self.rebuild(on_progress=on_progress)
            processed = self._catch_up_models(on_progress, upto)
            self._refresh_derived()  # reads rows (each checked): a forged one stops it here
            self.check()
            self.pseudonyms.refresh()  # last, and not in a rebuild: only a catch-up needs the pseudonym key
        except CacheForged as error:
            forged = error.with_traceback(None)  # its frames hold the cursor that read the forged row open
        else:
            return processed
        return self.repair(forged, alone=False)  # a catch-up that failed part way: everything, from the log

    def _applied_unjudged(self) -> bool:
        """Whether a read model is ahead of the quarantine: it then holds events applied before
        this engine judged what it reads (read models made by an older release), and any of them
        may be one the quarantine would have kept out."""
        tracked = self._tracked()
        return any(position > tracked[QUARANTINE.name] for position in tracked.values())

    def _clear(self, chosen: Sequence[ReadModel], *, keep_indexes: bool) -> None:
        """Empty ``chosen`` (and what is derived from them) and set their tracking to 0, in one
        transaction — again if it lost a deadlock to another process writing the same caches (two
        rebuilds at once, or a rebuild and a catch-up) or found a seal the other had just written:
        the clearing is the same whoever won."""
        lost: tuple[type[Exception], ...] = (*self.db.recorder.conflict_errors, IntegrityError)
        for attempt in range(ATTEMPTS):
            try:
                with self.db.transaction(write=True) as cursor:
                    writing = Writing(self.seals, cursor)
                    for model in chosen:
                        if not keep_indexes:
                            model.drop_indexes(cursor, self.db)
                        model.clear(cursor, writing, self.db)
                        if model.name == "timeline":
                            self.snapshots.clear(cursor, writing)
                            self.pseudonyms.clear(cursor, writing)
                        if model.name == "addons":
                            self.totals.clear(cursor, writing)
                        cursor.execute(f"UPDATE {self.db.table('cl_tracking')} SET position = 0 WHERE name = ?", (model.name,))
                return
            except lost:
                if attempt == ATTEMPTS - 1:
                    raise

    def _why_read_only(self, action: str, instead: str) -> str:
        """Why this engine may not ``action``, and who may ``instead``: a replica's primary, or
        the store's owner (or its projector role) where this login may not write the caches."""
        if self.db.recorder.read_only:
            return f"a read replica cannot {action}: {instead} on the primary"
        return f"this login cannot {action}: only the store's owner or its projector role may {instead}"

    def repair(self, forged: CacheForged, *, alone: bool = True) -> int:
        """Report ``forged`` and make again, from the log, the one block it names (``alone``:
        where it can, :mod:`.mending`) or every read model (a replica cannot: its primary must,
        so there the error stands); return how many positions were replayed (0 for a block)."""
        if self.read_only:
            if self.db.recorder.read_only:
                raise CacheForged(f"{forged} — rebuild the read models on the primary; the replica follows it") from None
            raise CacheForged(f"{forged} — the store's owner or its projector role rebuilds the read models") from None
        self.repairs.append(str(forged))
        if alone and self._mended(forged):
            return 0
        processed = self.rebuild()  # all or nothing, each batch authenticated first: a log that does not authenticate rebuilds nothing
        REPORTS.warning("caseledger: warning: %s: every read model is rebuilt from the log (which authenticates), the failing one is not used", forged)
        self._seals_missing = False
        self.check(rows=True)
        self.pseudonyms.refresh()  # after the timeline it reads: a cut or rewritten log has them computed again
        return processed

    def _mended(self, forged: CacheForged) -> bool:
        """Whether the one block ``forged`` names was made again by itself (:mod:`.mending`), and said."""
        try:
            mended = mend(self, forged)
        except CacheForged:
            return False
        if mended:
            REPORTS.warning("caseledger: warning: %s: that block is made again from the log (which authenticates); the other blocks stand", forged)
        return mended

    def located(self, alarm: LogUnauthenticated) -> LogUnauthenticated:
        """``alarm`` naming the first position that does not authenticate, where a walk of the log
        with the ledger key finds one before it: a seal or a client's witness notices a rewrite at
        the head it knows, and the rewrite may start long before. (A process that opened the
        store holding no cache key of the store's cannot walk it so: the alarm stands as it is.)"""
        recorder = self.app.ledger_recorder
        key = recorder.chain_key or held_ledger_key(recorder, self.app.env.get("CIPHER_KEY"))
        if key is None:
            return alarm
        for step in walk(recorder, key):
            if step.position >= alarm.position:
                break
            if step.problem not in (None, UNCHAINED):
                return LogUnauthenticated(step.position, f"{step.problem}; and at position {alarm.position}: {alarm.reason}")
        return alarm

    def written_here(self, first: int, last: int) -> None:
        """Positions ``first`` to ``last`` were just written by this process, chained and MAC'd by
        it in one transaction (an import): its catch-up does not walk them again (the entry before
        them, which they chain from, is still walked). What it leaves open: a DBA who changes
        those rows between that commit and this process's catch-up — ``verify`` still names it."""
        self._written = (first, last)

    _written: tuple[int, int] | None = None

    def _authenticate_unless_written_here(self, after: int, upto: int, batch: Sequence[tuple[Any, ...]]) -> None:
        written = self._written
        if written is None or upto < written[0] or after >= written[1]:
            self.authenticate(after, upto, batch)
            return
        first, last = written
        if after < first - 1:
            self.authenticate(after, first - 1, batch)
        if upto > last:
            self.authenticate(last, upto, batch)

    def authenticate(self, after: int, upto: int, batch: Sequence[tuple[Any, ...]]) -> None:
        """The chain entries after ``after`` up to ``upto`` follow from the head there (which the
        seals vouch for) and carry the ledger key's MACs, before any of their events is applied —
        and so does the entry at ``after`` itself, with the event now at that position (events
        moved under an untouched chain would otherwise enter the read models twice). An event at
        ``after`` with no chain entry (quarantined) is no cut tail: the walk says it is unchained.
        ``batch`` holds the events with their chain rows, read in one query to apply them
        (:meth:`Database.chained_after`); only the entry at ``after`` is read again, and the chain
        rows of the range are counted: one more than the batch holds is a chain entry whose event
        is gone, and then the range is walked as the log is now, to name it."""
        recorder = self.app.ledger_recorder
        start = recorder.chain_before(after) if after else None
        begin, head = (int(start[0]), bytes(start[2])) if start is not None else (0, GENESIS)
        if after and recorder.head_at(after) is None and not recorder.events_at([after]):
            raise LogUnauthenticated(after, "the read models reached this position; the log has no chain entry there (a cut tail)")
        whole = f"originator_id, originator_version, topic, state, {recorder.identity_column}"
        chain_columns = "leaf, head, " + ("mac" if recorder.chain_has_macs else "NULL")
        events = recorder.between(recorder.events_table, whole, begin, after) if after else []
        chain = recorder.between(recorder.table(CHAIN_TABLE), chain_columns, begin, after) if after else []
        read = [row for row in batch if after < row[0] <= upto]
        links = [(row[0], row[6], row[7], row[8]) for row in read if row[6] is not None]
        if recorder.chain_count(after, upto) == len(links):
            events += read
            chain += links
        else:  # a chain entry without its event: walk the range as the log is now
            events = recorder.between(recorder.events_table, whole, begin, upto)
            chain = recorder.between(recorder.table(CHAIN_TABLE), chain_columns, begin, upto)
        for step in walk_rows(iter(events), iter(chain), self.app.ledger_key, start=(begin, head)):
            if step.position >= after and step.problem not in (None, UNCHAINED):
                raise LogUnauthenticated(step.position, step.problem)

    def trusting(self, work: Callable[[], T]) -> T:
        """``work()``; if what it read failed its MAC or its census, again after :meth:`repair` —
        block by block while single blocks are mended (at most :data:`MENDS`), then after
        rebuilding every read model."""
        for attempt in range(MENDS + 1):
            try:
                return work()
            except CacheForged as forged:
                self.repair(forged, alone=attempt < MENDS)
        return work()

    def _refresh_derived(self) -> None:
        """Bring what is derived from the read models — the add-on totals, the world snapshots and
        weekly figures — up to them (each retried if another process moved it first)."""
        lost: tuple[type[Exception], ...] = (*self.db.recorder.conflict_errors, IntegrityError)
        for _ in range(ATTEMPTS):
            if self.totals.refresh(lost):
                break
        for _ in range(ATTEMPTS):
            if self.snapshots.refresh():
                break

    def _catch_up_models(self, on_progress: Callable[[int], None] | None, upto: int | None) -> int:
        """Apply batches until the head (or ``upto``). A batch that keeps losing at one position is
        not always a race: a row an insider put in its way (a key the batch must write) looks the
        same, so after a few losses the tables are counted against their seals."""
        processed = losses = 0
        for _ in range(ATTEMPTS * 1000):
            positions = self._tracked()
            low = min(positions.values())
            if upto is not None and low >= upto:
                return processed
            batch = self.db.chained_after(low, BATCH if upto is None else min(BATCH, upto - low))
            if not batch:
                return processed
            if batch[-1][0] > self._authenticated:
                self._authenticate_unless_written_here(max(low, self._authenticated), batch[-1][0], batch)
                self._authenticated = batch[-1][0]
            try:
                self._apply(batch, positions)
            except _LostRace:
                losses += 1
                if losses % LOSSES_BEFORE_COUNTING == 0:
                    self.check(rows=True)
                continue
            processed, losses = processed + len(batch), 0
            if on_progress is not None:
                on_progress(processed)
        raise ProjectionError("catch-up kept losing races with other processes; try again")

    def _apply(self, batch: list[tuple[Any, ...]], positions: dict[str, int]) -> None:
        """Judge each event of ``batch`` (:meth:`Database.chained_after`'s rows; :mod:`.quarantine`),
        give the models the rows of those accepted and the quarantine the others, then write them
        with the tracking rows."""
        low = min(positions.values())
        judge = self._judge_at(low)
        rows: dict[str, list[tuple[Any, ...]]] = {model.name: [] for model in self.models}
        active = [(model, rows[model.name], positions[model.name]) for model in self.models]
        quarantine, quarantined_after = rows[QUARANTINE.name], positions[QUARANTINE.name]
        zones = self._site_zones()
        for position, _, _, topic, state, login, leaf, *_ in batch:
            envelope = judge.judge(position, topic, state, login, chained=leaf is not None)
            if isinstance(envelope, Quarantined):
                if position > quarantined_after:
                    quarantine.append(QUARANTINE.quarantined_row(envelope.position, envelope.type, envelope.author, envelope.reason))
                continue
            if isinstance(envelope.data, SiteRegistered):
                zones.add(envelope.data.site, envelope.data.timezone)
            stamp = Stamp.of(envelope, zones.zone_of(envelope.at_site))
            for model, model_rows, applied in active:
                if position > applied:
                    row = model.row(position, envelope, stamp)
                    if row is not None:
                        model_rows.append(row)
        last = batch[-1][0]
        tracking = self.db.table("cl_tracking")
        lost_race: tuple[type[Exception], ...] = (*self.db.recorder.conflict_errors, IntegrityError)
        try:
            with self.db.transaction(write=True) as cursor:
                writing = Writing(self.seals, cursor)
                for model in self.models:
                    if positions[model.name] >= last:
                        continue
                    model.write(cursor, writing, self.db, rows[model.name])
                    cursor.execute(
                        f"UPDATE {tracking} SET position = ? WHERE name = ? AND position = ?",
                        (last, model.name, positions[model.name]),
                    )
                    if cursor.rowcount != 1:
                        raise _LostRace
                    writing.reseal([model.table], last)
        except lost_race as error:
            raise _LostRace from error

    def check(self, *, rows: bool | Collection[str] = False, sample: int = 0) -> tuple[list[str], int]:
        """Check every seal against its MAC, its table's tracking row and the log's chain, and
        its block seals against it — and take a census of ``rows`` (table names; True: every
        table, and every snapshot's world): each row's MAC checked, the rows counted and summed
        against the seals, block by block; or, with ``sample``, of that many blocks chosen at
        random among every table's (and the newest week of each table kept by week: most changes
        land there).
        :class:`CacheForged` names the first that fails
        (:mod:`caseledger.projections.readmodels.sealing`). Returns the blocks ``sample`` counted,
        as ``table/block``, and how many blocks the tables hold."""
        every = set(SEALED_TRACKING) if rows is True else set(rows or ())
        census = Census(self.seals)
        with self.db.transaction(write=False) as cursor:
            cursor.execute(f"SELECT name, position FROM {self.db.table('cl_tracking')}")
            tracked = {str(name): int(position) for name, position in cursor.fetchall()}
            held: list[tuple[str, str]] = []
            for table, tracking in SEALED_TRACKING.items():
                seal = self.seals.read(cursor, table)
                self.seals.check_position(cursor, seal, tracked.get(tracking, 0))
                if table in every:
                    self.seals.check_rows(cursor, sealed_table(self.db, table))
                elif sample:
                    held += [(table, block) for block in census.sealed_blocks(cursor, sealed_table(self.db, table))]
                else:
                    self.seals.read_blocks(cursor, table, seal)  # they add up to the seal
            weeks = [(table, block) for table, block in held if block.isdigit() or "-W" in block]  # the tables kept by week
            newest = {table: max((block for name, block in weeks if name == table), key=lambda block: (len(block), block)) for table, _ in weeks}
            chosen = set(_RANDOM.sample(held, min(sample, len(held)))) | set(newest.items())
            for table, block in sorted(chosen):
                census.count(cursor, sealed_table(self.db, table), block.__eq__)
            if rows is True:
                self.snapshots.check_worlds(cursor)
        return sorted(f"{table}/{block}" for table in SEALED_TRACKING for block in census.counted(table)), census.held()

    def rebuild(
        self, names: Sequence[str] = (), on_progress: Callable[[int], None] | None = None, *, keep_indexes: bool = False, upto: int | None = None
    ) -> int:
        """Empty the named read models (all if none) and replay the whole log into them.

        Their secondary indexes are dropped first and each built once at the end: kept during the
        refill, every insert updates them and the rebuild slows as they grow (measured at 3M
        events: 74 s with them, 41 s without; ``bench.rebuild_bench`` keeps
        them, ``keep_indexes``, as its baseline).

        All or nothing: the clearing, the refill (each batch's chain entries authenticated before it
        is applied: a log that does not authenticate rebuilds nothing), the indexes and the derived
        tables are one transaction (:meth:`Database.all_or_nothing`), so a failure or a ``kill -9`` anywhere
        leaves the read models, their indexes and seals as they were. Meanwhile readers read the
        old ones (PostgreSQL; SQLite in WAL mode), and other writers of the store wait (SQLite
        has one writer; on PostgreSQL a catch-up waits for the tracking rows).
        ``upto``: refill only up to that log position (``verify --deep`` compares with read
        models that reflect it)."""
        if self.read_only:
            raise ProjectionError(self._why_read_only("rebuild its read models", "rebuild them"))
        chosen = [model for model in self.models if not names or model.name in names]
        unknown = set(names) - {model.name for model in self.models}
        if unknown:
            raise ProjectionError(f"no read model named {', '.join(sorted(unknown))}")
        retried: tuple[type[Exception], ...] = (*self.db.recorder.conflict_errors, *self.db.recorder.transient_errors, IntegrityError, _LostRace)
        for attempt in range(REBUILD_ATTEMPTS):
            try:
                with self.db.all_or_nothing():
                    self._clear(chosen, keep_indexes=keep_indexes)
                    processed = self._catch_up_models(on_progress, upto)
                    self._create_tables()  # builds the indexes
                    self._refresh_derived()  # after the indexes: the snapshots read the timeline by type and time
                return processed
            except retried:
                self._judge = None
                if attempt == REBUILD_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover
