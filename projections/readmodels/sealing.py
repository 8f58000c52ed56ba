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

A failure raises :class:`CacheForged`, naming the table and row; the caller reports it and
rebuilds the read models from the log (:meth:`Projector.repair`), never using what failed.
Residual risk, in docs/security.md ("Caches that cannot lie"): a row deleted from a table an officer screen reads, after the
TUI's census, is noticed by the next census or deep verification, not by that screen; putting
back older authentic rows so that both count and MAC sum match is a subset-sum problem over
rows the insider must have copied earlier, and ``verify --deep`` still catches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from caseledger.domain.errors import CacheForged, LogUnauthenticated
from caseledger.domain.secrets.mac import CacheSeal
from caseledger.domain.store.cloak import Cloak
from caseledger.projections.readmodels.database import Cursor, Database

SEALS = "cl_seals"
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


Hidden = Mapping[str, Literal["name", "blob"]]
"""Which columns an encrypted store cloaks, and how (:mod:`caseledger.domain.store.cloak`)."""


class SealedTable:
    """One sealed table: ``columns`` (in table order, ``mac`` last and not listed), those in
    ``hidden`` cloaked in an encrypted store. Rows go in and come out plain; what is stored, and
    what the MAC covers, is the cloaked row."""

    def __init__(self, db: Database, name: str, columns: Sequence[str], hidden: Hidden | None = None) -> None:
        self.db, self.name, self.columns = db, name, tuple(columns)
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

    def checked(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """``row`` (its stored columns, then its MAC) without the MAC and uncloaked, or :class:`CacheForged`."""
        *values, mac = row
        values = [bytes(value) if isinstance(value, memoryview) else value for value in values]
        if not self.seal.valid(self.name, values, mac):
            raise CacheForged(f"read model {self.name}: the row at {self.columns[0]} {values[0]!r} fails its MAC (edited or invented)")
        for index, kind in self._hidden:
            values[index] = self.cloak.unname(values[index]) if kind == "name" else self.cloak.unblob(values[index])
        return tuple(values)

    def select(self, cursor: Cursor, where: str = "", params: Sequence[Any] = (), order: str = "", limit: int | None = None) -> Iterable[tuple[Any, ...]]:
        """Every row matching ``where`` (the first ``limit``), checked, in ``order``: a chunk's
        MACs in one loop (:meth:`CacheSeal.first_forged`, as a census checks them), then its rows
        — through :meth:`checked` only where a column is cloaked or the driver gave a memoryview."""
        clauses = f"{' WHERE ' + where if where else ''}{' ORDER BY ' + order if order else ''}{f' LIMIT {int(limit)}' if limit is not None else ''}"
        cursor.execute(f"SELECT {', '.join(self.columns)}, mac FROM {self.table}{clauses}", params)
        for chunk in cursor.chunks():
            if self._hidden or any(isinstance(value, memoryview) for value in chunk[0]):
                for row in chunk:
                    yield self.checked(row)
                continue
            forged = self.seal.first_forged(self.name, chunk)
            if forged is not None:
                raise CacheForged(f"read model {self.name}: the row at {self.columns[0]} {chunk[forged][0]!r} fails its MAC (edited or invented)")
            for row in chunk:
                yield row[:-1]

    def insert(self, cursor: Cursor, writing: Writing, rows: Sequence[Sequence[Any]]) -> None:
        sealed = [self.with_mac(row) for row in rows]
        if sealed:
            cursor.executemany(f"INSERT INTO {self.table} ({', '.join(self.columns)}, mac) VALUES ({','.join('?' * (len(self.columns) + 1))})", sealed)
        writing.added(self.name, [row[-1] for row in sealed])

    def delete(self, cursor: Cursor, writing: Writing, where: str = "", params: Sequence[Any] = ()) -> None:
        clause = f" WHERE {where}" if where else ""
        cursor.execute(f"SELECT mac FROM {self.table}{clause}", params)
        writing.removed(self.name, [mac for (mac,) in cursor.fetchall()])
        cursor.execute(f"DELETE FROM {self.table}{clause}", params)

    def census(self, cursor: Cursor) -> tuple[int, int]:
        """(rows, MAC sum) as the table holds them now, every row checked against its MAC on the
        way (one pass over the table: a row moved where no reader looks, its MAC kept, or a MAC
        changed to balance the sum, fails here). :class:`CacheForged` names the first bad row."""
        cursor.execute(f"SELECT {', '.join(self.columns)}, mac FROM {self.table}")
        rows = digest = 0
        for chunk in cursor.chunks(20_000):
            forged = self.seal.first_forged(self.name, chunk)
            if forged is not None:
                raise CacheForged(f"read model {self.name}: the row at {self.columns[0]} {chunk[forged][0]!r} fails its MAC (edited, moved or invented)")
            rows += len(chunk)
            digest += _digest(row[-1] for row in chunk)
        return rows, digest % _MODULUS


class Seals:
    """The ``cl_seals`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.table(SEALS)

    @property
    def seal(self) -> CacheSeal:
        """The cache key's MACs (read when first needed: a process that only reports positions needs no key)."""
        return self.db.app.seal

    def create(self, cursor: Cursor) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (name TEXT PRIMARY KEY, position BIGINT NOT NULL, head TEXT NOT NULL, rows BIGINT NOT NULL, "
            f"digest TEXT NOT NULL, mac {self.db.recorder.binary_type} NOT NULL)"
        )

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
        """The table holds exactly the rows its seal counts (same number, same MAC sum)."""
        seal = self.read(cursor, table.name)
        rows, digest = table.census(cursor)
        if rows != seal.rows:
            raise CacheForged(f"read model {table.name}: holds {rows} rows, its seal {seal.rows} (rows deleted or put back)")
        if digest != seal.digest:
            raise CacheForged(f"read model {table.name}: its rows are not the ones sealed (older versions put back)")


class Writing:
    """What one write transaction adds to and removes from sealed tables, then their new seals."""

    def __init__(self, seals: Seals, cursor: Cursor) -> None:
        self.seals, self.cursor = seals, cursor
        self._delta: dict[str, tuple[int, int]] = {}

    def added(self, name: str, macs: Sequence[bytes]) -> None:
        rows, digest = self._delta.get(name, (0, 0))
        self._delta[name] = (rows + len(macs), digest + _digest(macs))

    def removed(self, name: str, macs: Sequence[bytes | memoryview]) -> None:
        rows, digest = self._delta.get(name, (0, 0))
        self._delta[name] = (rows - len(macs), digest - _digest(macs))

    def cleared(self, name: str) -> None:
        """The table was emptied outright (a rebuild): its seal starts again from nothing."""
        self.seals.write(self.cursor, Seal(name, 0, "", 0, 0))
        self._delta.pop(name, None)

    def reseal(self, names: Sequence[str], position: int) -> None:
        """Write the seals of ``names`` at ``position`` with this transaction's changes."""
        head = self.seals.db.chain_head(self.cursor, position)
        for name in names:
            seal = self.seals.read(self.cursor, name)
            rows, digest = self._delta.pop(name, (0, 0))
            self.seals.write(self.cursor, Seal(name, position, head, seal.rows + rows, (seal.digest + digest) % _MODULUS))
