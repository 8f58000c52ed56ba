"""Read models that cannot be edited unseen: a MAC on every row, a seal on every table.

The read models are caches of the log kept beside it, outside its hash chain: an insider who
multiplies ``cl_addons.minutes`` or deletes timeline rows would change the exports while their
provenance still vouches for the log position. So, under the cache key kept outside the
database (:mod:`caseledger.domain.secrets.mac`):

* every row carries ``mac``, the MAC of its columns under its table's name, so a changed,
  invented or moved row fails when it is read — and every reader reads rows in Python and checks
  them (no read-side sum is left to SQL over rows it did not check);
* every table has a **seal** (``cl_seals``): the log position it reflects, the chain head at that
  position, how many rows it holds and the sum of their MACs (mod 2**128), itself under a MAC.
  Before read models are used, every seal is checked against the log's chain (a cut tail, an
  edited tracking row) — cheap, a few lookups; exports, ``status``, the TUI at start and
  ``verify --deep`` also take a census: every row's MAC checked, the rows counted and their MACs
  summed against the seal (a deleted or moved row, an older authentic version put back).

**Blocks, so trust costs what a query reads.** A table's rows fall into blocks (:class:`Blocking`:
the timeline by the UTC week its facts occurred in, the registrations and retractions every
query reads in one block of their own; the add-on tasks and totals by their week; the small
tables in one block), and every block has a seal of its own in ``cl_block_seals`` — its rows'
count and MAC sum, under a MAC — which the table's seal adds up: the blocks' seals, read whole
(a few hundred rows), must sum to it. A census can then count one block against its seal: a
read transaction that carries a :class:`Census` counts, before each query, the blocks that query
can reach (``within``) and that it has not counted yet — an export at "now" counts the weeks
since the snapshot it starts from, not the years before it, which the snapshot vouches for.

A failure raises :class:`CacheForged`, naming the table (and block) and row; the caller reports
it and repairs the read models from the log (:meth:`Projector.repair`), never using what failed.
Residual risk, in docs/security.md ("Caches that cannot lie"): a row deleted from a table an officer screen reads, after the
TUI's census, is noticed by the next census or deep verification, not by that screen; putting
back older authentic rows so that both count and MAC sum match is a subset-sum problem over
rows the insider must have copied earlier, and ``verify --deep`` still catches it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from caseledger.domain.errors import CacheForged, LogUnauthenticated
from caseledger.domain.secrets.mac import CacheSeal
from caseledger.domain.store.cloak import Cloak
from caseledger.domain.store.roles import cache_table_statement
from caseledger.projections.readmodels.database import Cursor, Database

SEALS = "cl_seals"
BLOCK_SEALS = "cl_block_seals"
_MODULUS = 2**128


def _digest(macs: Iterable[bytes | memoryview]) -> int:
    return sum(int.from_bytes(bytes(mac), "big") for mac in macs) % _MODULUS


@dataclass
class Seal:
    """One table's seal: what it reflects and what it holds."""

    table: str
    position: int
    head: str
    rows: int
    digest: int


@dataclass(frozen=True)
class BlockSeal:
    """One block's seal: its rows' count and MAC sum, and the log position it last changed at."""

    rows: int
    digest: int
    changed: int

    def parts(self) -> tuple[int, str, int]:
        """What its MAC covers (after the table's name and the block's)."""
        return self.rows, str(self.digest), self.changed


Hidden = Mapping[str, Literal["name", "blob"]]
"""Which columns an encrypted store cloaks, and how (:mod:`caseledger.domain.store.cloak`)."""


@dataclass(frozen=True)
class ChangedAfter:
    """The blocks written after log position ``position`` (their seals say when they last
    changed): what a read of the rows at positions after it can reach, in a table whose rows are
    keyed by log position (the timeline, the tasks) — a row is only ever written with its block's seal."""

    position: int


Within = Callable[[str], bool] | ChangedAfter | None
"""Which blocks a query can reach (a test of a block's key, or those changed after a position);
None: every block."""


def _no_block(_block: str) -> bool:
    return False


UNCOUNTED: Within = _no_block
"""A lookup that counts nothing itself: rows found by position whose absence another check
notices (each such call says which)."""


class Blocking:
    """How a table's rows fall into blocks: the block of a row (from ``columns``, which no store
    cloaks) and the SQL that selects one block's rows. This one keeps a table in one block."""

    columns: tuple[str, ...] = ()

    def key(self, values: Sequence[Any]) -> str:
        """The block of a row whose ``columns`` hold ``values``."""
        return ""

    def rows_of(self, block: str) -> tuple[str, list[Any]]:
        """A WHERE clause (and its parameters) selecting the rows of ``block``."""
        return "", []

    def describe(self, block: str) -> str:
        """``block`` in words, after "rows" ("" for the one block of a whole table)."""
        return ""


WHOLE = Blocking()
"""One block for the whole table: the small tables, counted whole when counted at all."""


class ByColumn(Blocking):
    """One block per value of a column (the add-on tasks and totals: their week)."""

    def __init__(self, column: str) -> None:
        self.columns = (column,)

    def key(self, values: Sequence[Any]) -> str:
        return str(values[0])

    def rows_of(self, block: str) -> tuple[str, list[Any]]:
        return f"{self.columns[0]} = ?", [block]

    def describe(self, block: str) -> str:
        return f" of {self.columns[0]} {block}"


class SealedTable:
    """One sealed table: ``columns`` (in table order, ``mac`` last and not listed), those in
    ``hidden`` cloaked in an encrypted store. Rows go in and come out plain; what is stored, and
    what the MAC covers, is the cloaked row."""

    def __init__(self, db: Database, name: str, columns: Sequence[str], hidden: Hidden | None = None, blocking: Blocking = WHOLE) -> None:
        self.db, self.name, self.columns, self.blocking = db, name, tuple(columns), blocking
        self._block_at = [self.columns.index(column) for column in blocking.columns]
        self.table = db.table(name)
        self.cloak: Cloak = db.app.cloak
        self.hidden = dict(hidden or {}) if self.cloak.on else {}
        self._hidden = [(index, self.hidden[column]) for index, column in enumerate(self.columns) if column in self.hidden]

    @property
    def seal(self) -> CacheSeal:
        return self.db.app.seal

    def mac(self, row: Sequence[Any]) -> bytes:
        """The MAC of a row as stored (values as Python gives them: bytes, not a driver's memoryview)."""
        return self.seal.mac(self.name, row)

    def param(self, column: str, value: str | None) -> str | None:
        """``value`` as ``column`` stores it (cloaked if it is a hidden name), for a WHERE clause."""
        return self.cloak.name(value) if self.hidden.get(column) == "name" else value

    def _stored(self, row: Sequence[Any]) -> Sequence[Any]:
        if not self._hidden:
            return row
        stored = list(row)
        for index, kind in self._hidden:
            stored[index] = self.cloak.name(stored[index]) if kind == "name" else self.cloak.blob(stored[index])
        return stored

    def with_mac(self, row: Sequence[Any]) -> tuple[Any, ...]:
        stored = self._stored(row)
        return (*stored, self.mac(stored))

    def block_of(self, row: Sequence[Any]) -> str:
        """The block of a row (stored or plain: the columns that place it are never cloaked)."""
        return self.blocking.key([row[index] for index in self._block_at])

    def checked(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """``row`` (its stored columns, then its MAC) without the MAC and uncloaked, or :class:`CacheForged`."""
        *values, mac = row
        values = [bytes(value) if isinstance(value, memoryview) else value for value in values]
        if not self.seal.valid(self.name, values, mac):
            raise CacheForged(f"read model {self.name}: the row at {self.columns[0]} {values[0]!r} fails its MAC (edited or invented)")
        for index, kind in self._hidden:
            values[index] = self.cloak.unname(values[index]) if kind == "name" else self.cloak.unblob(values[index])
        return tuple(values)

    def select(
        self, cursor: Cursor, where: str = "", params: Sequence[Any] = (), order: str = "", limit: int | None = None, *, within: Within = None
    ) -> Iterable[tuple[Any, ...]]:
        """Every row matching ``where`` (the first ``limit``), checked, in ``order``: a chunk's
        MACs in one loop (:meth:`CacheSeal.first_forged`, as a census checks them), then its rows
        — through :meth:`checked` only where a column is cloaked or the driver gave a memoryview.
        In a transaction that takes a census (:class:`Census`), the blocks ``within`` names (every
        block when None: the safe default) are counted first, once per transaction."""
        census = getattr(cursor, "census", None)
        if isinstance(census, Census):
            census.count(cursor, self, within)
        clauses = f"{' WHERE ' + where if where else ''}{' ORDER BY ' + order if order else ''}{f' LIMIT {int(limit)}' if limit is not None else ''}"
        cursor.execute(f"SELECT {', '.join(self.columns)}, mac FROM {self.table}{clauses}", params)
        for chunk in cursor.chunks():
            if self._hidden or any(isinstance(value, memoryview) for value in chunk[0]):
                checked = [self.checked(row) for row in chunk]
            else:
                forged = self.seal.first_forged(self.name, chunk)
                if forged is not None:
                    raise CacheForged(f"read model {self.name}: the row at {self.columns[0]} {chunk[forged][0]!r} fails its MAC (edited or invented)")
                checked = [row[:-1] for row in chunk]
            if isinstance(census, Census):  # after the MACs: a row that passes is authentic, so only its block can be wrong
                self._in_sealed_blocks(census, checked)
            yield from checked

    def _in_sealed_blocks(self, census: Census, chunk: Sequence[Sequence[Any]]) -> None:
        stray = next((row for row in chunk if not census.holds(self, row)), None)
        if stray is not None:
            raise CacheForged(f"read model {self.name}: the row at {self.columns[0]} {stray[0]!r} is in a block no seal counts (put back)", self.name)

    def insert(self, cursor: Cursor, writing: Writing, rows: Sequence[Sequence[Any]]) -> None:
        writing.added(self.name, self.stored(cursor, rows), self.block_of)

    def stored(self, cursor: Cursor, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Insert ``rows`` with their MACs and return them as stored (the caller seals them)."""
        sealed = [self.with_mac(row) for row in rows]
        if sealed:
            cursor.executemany(f"INSERT INTO {self.table} ({', '.join(self.columns)}, mac) VALUES ({','.join('?' * (len(self.columns) + 1))})", sealed)
        return sealed

    def delete(self, cursor: Cursor, writing: Writing, where: str = "", params: Sequence[Any] = ()) -> None:
        clause = f" WHERE {where}" if where else ""
        placing = "".join(f", {column}" for column in self.blocking.columns)
        cursor.execute(f"SELECT mac{placing} FROM {self.table}{clause}", params)
        writing.removed(self.name, [(mac, self.blocking.key(values)) for mac, *values in cursor.fetchall()])
        cursor.execute(f"DELETE FROM {self.table}{clause}", params)

    def census(self, cursor: Cursor, block: str | None = None) -> tuple[int, int]:
        """(rows, MAC sum) as the table (or its ``block``) holds them now, every row checked
        against its MAC on the way (a row moved where no reader looks, its MAC kept, or a MAC
        changed to balance the sum, fails here). :class:`CacheForged` names the first bad row."""
        where, params = self.blocking.rows_of(block) if block is not None else ("", [])
        cursor.execute(f"SELECT {', '.join(self.columns)}, mac FROM {self.table}{' WHERE ' + where if where else ''}", params)
        rows = digest = 0
        for chunk in cursor.chunks(20_000):
            forged = self.seal.first_forged(self.name, chunk)
            if forged is not None:
                raise CacheForged(f"read model {self.name}: the row at {self.columns[0]} {chunk[forged][0]!r} fails its MAC (edited, moved or invented)")
            rows += len(chunk)
            digest += _digest(row[-1] for row in chunk)
        return rows, digest % _MODULUS

    def block_census(self, cursor: Cursor) -> dict[str, tuple[int, int]]:
        """(rows, MAC sum) of every block, in one pass over the table, each row checked (how the
        block seals of a store made before them are first written, and how a full census checks them)."""
        cursor.execute(f"SELECT {', '.join(self.columns)}, mac FROM {self.table}")
        found: dict[str, list[int]] = {}
        for chunk in cursor.chunks(20_000):
            forged = self.seal.first_forged(self.name, chunk)
            if forged is not None:
                raise CacheForged(f"read model {self.name}: the row at {self.columns[0]} {chunk[forged][0]!r} fails its MAC (edited, moved or invented)")
            for row in chunk:
                tally = found.setdefault(self.block_of(row), [0, 0])
                tally[0] += 1
                tally[1] += int.from_bytes(row[-1], "big")
        return {block: (rows, digest % _MODULUS) for block, (rows, digest) in found.items()}


class Seals:
    """The ``cl_seals`` table, and each table's block seals (``cl_block_seals``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.table(SEALS)
        self.blocks = db.table(BLOCK_SEALS)

    @property
    def seal(self) -> CacheSeal:
        """The cache key's MACs (read when first needed: a process that only reports positions needs no key)."""
        return self.db.app.seal

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (name TEXT PRIMARY KEY, position BIGINT NOT NULL, head TEXT NOT NULL, rows BIGINT NOT NULL, "
            f"digest TEXT NOT NULL, mac {self.db.recorder.binary_type} NOT NULL)"
        )

    def create_blocks(self, cursor: Cursor, tables: Sequence[SealedTable]) -> None:
        """Make the block seals' table; when it is new and the tables hold rows (read models made
        before blocks), seal their blocks as they are now — each table counted whole first,
        against its seal, so a forged table is not sealed block by block (its blocks are left
        unsealed, which the next check finds)."""
        recorder = self.db.recorder
        if recorder.table_exists(cursor, BLOCK_SEALS):
            return
        cursor.execute(
            f"CREATE TABLE {self.blocks} (name TEXT NOT NULL, block TEXT NOT NULL, rows BIGINT NOT NULL, digest TEXT NOT NULL, "
            f"changed BIGINT NOT NULL, mac {recorder.binary_type} NOT NULL, PRIMARY KEY (name, block))"
        )
        if recorder.login is not None:
            cursor.execute(cache_table_statement(self.blocks))
        for table in tables:
            try:
                seal = self.read(cursor, table.name)
                found = table.block_census(cursor)
                _matches(table.name, seal, sum(rows for rows, _ in found.values()), sum(digest for _, digest in found.values()) % _MODULUS)
            except CacheForged:
                continue  # no block sealed from forged rows: the next check finds the blocks short of the seal, and repairs
            for block, (rows, digest) in found.items():
                self.write_block(cursor, table.name, block, BlockSeal(rows, digest, seal.position))

    def _mac(self, seal: Seal) -> bytes:
        return self.seal.mac(SEALS, (seal.table, seal.position, seal.head, seal.rows, str(seal.digest)))

    def read(self, cursor: Cursor, name: str) -> Seal:
        """The seal of table ``name``, checked (a table never sealed is sealed empty at 0)."""
        row = cursor.execute(f"SELECT position, head, rows, digest, mac FROM {self.table} WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise CacheForged(f"read model {name}: its seal is missing")
        position, head, rows, digest, mac = row
        seal = Seal(name, int(position), str(head), int(rows), int(digest))
        if not self.seal.valid(SEALS, (name, seal.position, seal.head, seal.rows, str(seal.digest)), mac):
            raise CacheForged(f"read model {name}: its seal fails its MAC (edited)")
        return seal

    def write(self, cursor: Cursor, seal: Seal) -> None:
        cursor.execute(f"DELETE FROM {self.table} WHERE name = ?", (seal.table,))
        cursor.execute(f"INSERT INTO {self.table} VALUES (?,?,?,?,?,?)", (seal.table, seal.position, seal.head, seal.rows, str(seal.digest), self._mac(seal)))

    def read_blocks(self, cursor: Cursor, name: str, seal: Seal | None = None) -> dict[str, BlockSeal] | None:
        """Every block seal of table ``name``, each checked against its MAC, and together against
        the table's seal: a block seal deleted, or one put back from before, makes them add up to
        something else. None when the store has no block seals yet (a replica, or a login that
        may not make them, reading read models made before them)."""
        if not self.db.recorder.table_exists(cursor, BLOCK_SEALS):
            return None
        cursor.execute(f"SELECT block, rows, digest, changed, mac FROM {self.blocks} WHERE name = ?", (name,))
        blocks: dict[str, BlockSeal] = {}
        for block, rows, digest, changed, mac in cursor.fetchall():
            sealed = BlockSeal(int(rows), int(digest), int(changed))
            if not self.seal.valid(BLOCK_SEALS, (name, block, *sealed.parts()), mac):
                raise CacheForged(f"read model {name}: the seal of its block {block!r} fails its MAC (edited)")
            blocks[str(block)] = sealed
        table_seal = seal or self.read(cursor, name)
        if sum(block.rows for block in blocks.values()) != table_seal.rows or sum(block.digest for block in blocks.values()) % _MODULUS != table_seal.digest:
            raise CacheForged(f"read model {name}: its block seals do not add up to its seal (a block seal deleted or put back)")
        return blocks

    def write_block(self, cursor: Cursor, name: str, block: str, sealed: BlockSeal) -> None:
        cursor.execute(f"DELETE FROM {self.blocks} WHERE name = ? AND block = ?", (name, block))
        if sealed.rows or sealed.digest:
            mac = self.seal.mac(BLOCK_SEALS, (name, block, *sealed.parts()))
            cursor.execute(f"INSERT INTO {self.blocks} VALUES (?,?,?,?,?,?)", (name, block, sealed.rows, str(sealed.digest), sealed.changed, mac))

    def block(self, cursor: Cursor, name: str, block: str) -> BlockSeal:
        row = cursor.execute(f"SELECT rows, digest, changed, mac FROM {self.blocks} WHERE name = ? AND block = ?", (name, block)).fetchone()
        if row is None:
            return BlockSeal(0, 0, 0)
        sealed = BlockSeal(int(row[0]), int(row[1]), int(row[2]))
        if not self.seal.valid(BLOCK_SEALS, (name, block, *sealed.parts()), row[3]):
            raise CacheForged(f"read model {name}: the seal of its block {block!r} fails its MAC (edited)")
        return sealed

    def restate(self, cursor: Cursor, name: str, block: str, was: BlockSeal, now: tuple[int, int]) -> None:
        """Block ``block`` of table ``name`` held ``was`` by its seal and holds ``now``: seal the
        block (changed at the table's position) and the table so (its position and chain head stay)."""
        seal = self.read(cursor, name)
        rows, digest = seal.rows - was.rows + now[0], (seal.digest - was.digest + now[1]) % _MODULUS
        self.write(cursor, Seal(name, seal.position, seal.head, rows, digest))
        self.write_block(cursor, name, block, BlockSeal(now[0], now[1] % _MODULUS, seal.position))

    def start(self, cursor: Cursor, names: Sequence[str]) -> None:
        """Seal ``names`` empty at position 0 where they have no seal yet (a new store)."""
        for name in names:
            if cursor.execute(f"SELECT 1 FROM {self.table} WHERE name = ?", (name,)).fetchone() is None:
                self.write(cursor, Seal(name, 0, "", 0, 0))

    def check_position(self, cursor: Cursor, seal: Seal, tracked: int) -> None:
        """The seal reflects the position its table's tracking row says, and the log still holds,
        at that position, the chain head the seal was made at."""
        if seal.position != tracked:
            raise CacheForged(f"read model {seal.table}: sealed at position {seal.position}, but its tracking row says {tracked} (edited)")
        if self.db.chain_head(cursor, seal.position) != seal.head:  # the seal is authentic (its MAC checked): the log changed under it
            raise LogUnauthenticated(
                seal.position, f"read model {seal.table} was sealed at a chain head this log no longer holds there (a cut, rolled-back or rewritten log)"
            )

    def check_rows(self, cursor: Cursor, table: SealedTable) -> None:
        """The table holds exactly the rows its seal counts (same number, same MAC sum), block by
        block, in one pass."""
        seal = self.read(cursor, table.name)
        blocks = self.read_blocks(cursor, table.name, seal)
        if blocks is None:
            _matches(table.name, seal, *table.census(cursor))
            return
        found = table.block_census(cursor)
        for block in sorted(set(blocks) | set(found)):
            sealed = blocks.get(block)
            _block_matches(table, block, found.get(block, (0, 0)), (sealed.rows, sealed.digest) if sealed else (0, 0))

    def check_block(self, cursor: Cursor, table: SealedTable, block: str, sealed: BlockSeal) -> None:
        """The rows of one block of ``table`` are the ones its block seal counts."""
        _block_matches(table, block, table.census(cursor, block), (sealed.rows, sealed.digest))


def _matches(name: str, seal: Seal, rows: int, digest: int) -> None:
    if rows != seal.rows:
        raise CacheForged(f"read model {name}: holds {rows} rows, its seal {seal.rows} (rows deleted or put back)")
    if digest != seal.digest:
        raise CacheForged(f"read model {name}: its rows are not the ones sealed (older versions put back)")


def _block_matches(table: SealedTable, block: str, found: tuple[int, int], sealed: tuple[int, int]) -> None:
    which = table.blocking.describe(block)
    if found[0] != sealed[0]:
        raise CacheForged(f"read model {table.name}: holds {found[0]} rows{which}, its seal {sealed[0]} (rows deleted or put back)", table.name, block)
    if found[1] != sealed[1]:
        raise CacheForged(f"read model {table.name}: its rows{which} are not the ones sealed (older versions put back)", table.name, block)


@dataclass
class Census:
    """What one read transaction counts before it trusts what it reads: set on its cursor
    (``cursor.census``), it has :meth:`SealedTable.select` count, before each query, the blocks
    that query can reach and this census has not counted yet. ``sample``: instead of queries,
    :meth:`sampled` counts that many blocks of a table chosen at random (``status``)."""

    seals: Seals
    _blocks: dict[str, dict[str, BlockSeal]] = field(default_factory=dict)
    _counted: dict[str, set[str]] = field(default_factory=dict)
    _written: set[str] = field(default_factory=set)

    def written(self, name: str) -> None:
        """This transaction wrote table ``name``: its seals are resealed at its end, so it is
        not counted from now on (what it read of it before, it counted)."""
        self._written.add(name)

    def sealed_blocks(self, cursor: Cursor, table: SealedTable) -> dict[str, BlockSeal]:
        """The table's block seals, read and added up against its seal once per census (a store
        without block seals yet: its table is counted whole here, once, as one block)."""
        if table.name not in self._blocks:
            blocks = self.seals.read_blocks(cursor, table.name)
            self._counted[table.name] = set()
            if blocks is None:
                self.seals.check_rows(cursor, table)
                blocks = {"": BlockSeal(0, 0, 0)}
                self._counted[table.name].add("")
            self._blocks[table.name] = blocks
        return self._blocks[table.name]

    def count(self, cursor: Cursor, table: SealedTable, within: Within) -> None:
        """Count the blocks of ``table`` that ``within`` names and this census has not counted —
        in one pass over the table when they are most of it (a query by block reads its rows
        through an index; a pass reads the table in order)."""
        if table.name in self._written:
            return
        blocks, counted = self.sealed_blocks(cursor, table), self._counted[table.name]
        if isinstance(within, ChangedAfter):
            reached = {block for block, sealed in blocks.items() if sealed.changed > within.position}
            wanted = [block for block in sorted(reached) if block not in counted]
        else:
            wanted = [block for block in sorted(blocks) if block not in counted and (within is None or within(block))]
        if len(wanted) > 1 and 2 * (len(wanted) + len(counted)) > len(blocks):
            self.seals.check_rows(cursor, table)
            counted.update(blocks)
            return
        for block in wanted:
            self.seals.check_block(cursor, table, block, blocks[block])
            counted.add(block)

    def holds(self, table: SealedTable, row: Sequence[Any]) -> bool:
        """Whether ``row`` (read from ``table``) is in a block the table's seals know: an old
        authentic row put back into a block whose seal is gone is in none, and no count meets it."""
        blocks = self._blocks.get(table.name)
        return blocks is None or table.name in self._written or table.block_of(row) in blocks or list(blocks) == [""]

    def counted(self, name: str) -> set[str]:
        """The blocks of table ``name`` counted so far."""
        return set(self._counted.get(name, ()))

    def held(self) -> int:
        """How many blocks the tables this census has read the seals of hold."""
        return sum(len(blocks) for blocks in self._blocks.values())


@contextlib.contextmanager
def counting(cursor: Cursor, seals: Seals) -> Iterator[Cursor]:
    """Have ``cursor``'s transaction take a census as it reads (:class:`Census`) — unless it is
    part of a rebuild's one transaction, whose rows this process has just written itself."""
    if seals.db.all_in_one or isinstance(cursor.census, Census):
        yield cursor
        return
    cursor.census = Census(seals)
    try:
        yield cursor
    finally:
        cursor.census = None


class Writing:
    """What one write transaction adds to and removes from sealed tables, block by block, then
    their new seals."""

    def __init__(self, seals: Seals, cursor: Cursor) -> None:
        self.seals, self.cursor = seals, cursor
        self._delta: dict[str, dict[str, list[int]]] = {}

    def _touch(self, name: str) -> dict[str, list[int]]:
        census = getattr(self.cursor, "census", None)
        if isinstance(census, Census):
            census.written(name)
        return self._delta.setdefault(name, {})

    def added(self, name: str, rows: Sequence[Sequence[Any]], block_of: Callable[[Sequence[Any]], str]) -> None:
        """Rows (columns, then the MAC) were inserted into ``name``; ``block_of`` places each."""
        delta = self._touch(name)
        for row in rows:
            tally = delta.setdefault(block_of(row), [0, 0])
            tally[0] += 1
            tally[1] += int.from_bytes(row[-1], "big")

    def removed(self, name: str, macs: Sequence[tuple[bytes | memoryview, str]]) -> None:
        """Rows (their MAC and block) were deleted from ``name``."""
        delta = self._touch(name)
        for mac, block in macs:
            tally = delta.setdefault(block, [0, 0])
            tally[0] -= 1
            tally[1] -= int.from_bytes(bytes(mac), "big")

    def cleared(self, name: str) -> None:
        """The table was emptied outright (a rebuild): its seal starts again from nothing."""
        self._touch(name)
        self.seals.write(self.cursor, Seal(name, 0, "", 0, 0))
        if self.seals.db.recorder.table_exists(self.cursor, BLOCK_SEALS):
            self.cursor.execute(f"DELETE FROM {self.seals.blocks} WHERE name = ?", (name,))
        self._delta.pop(name, None)

    def reseal(self, names: Sequence[str], position: int) -> None:
        """Write the seals of ``names`` at ``position`` with this transaction's changes, and the
        seals of the blocks they changed."""
        head = self.seals.db.chain_head(self.cursor, position)
        for name in names:
            seal = self.seals.read(self.cursor, name)
            delta = self._delta.pop(name, {})
            rows, digest = sum(tally[0] for tally in delta.values()), sum(tally[1] for tally in delta.values())
            self.seals.write(self.cursor, Seal(name, position, head, seal.rows + rows, (seal.digest + digest) % _MODULUS))
            for block, (block_rows, block_digest) in delta.items():
                if block_rows or block_digest:
                    was = self.seals.block(self.cursor, name, block)
                    self.seals.write_block(self.cursor, name, block, BlockSeal(was.rows + block_rows, (was.digest + block_digest) % _MODULUS, position))
