"""An insider editing a store's tables by hand, holding no key: the hostile DBA of issue #23 (the
owner, or whoever can write the SQLite file) and, on PostgreSQL, a user login with ``psql``.

Every edit is plain SQL against the real database. What the forger knows is the public chain's
formula (:func:`~caseledger.domain.integrity.chain.leaf_hash`,
:func:`~caseledger.domain.integrity.chain.node_hash`), so it can recompute leaves and heads; what
it lacks is every key, so a chain row's MAC is either left as it was or made up.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg

from caseledger.domain.integrity.chain import GENESIS, leaf_hash, node_hash

Row = tuple[Any, ...]
MADE_UP_MAC_SIZE = 16
"""Bytes of a MAC the forger invents (a BLAKE2b-128's length: it cannot compute the real one)."""


@dataclass(frozen=True)
class Forger:
    """SQL against the store at ``url`` as its owner, or (PostgreSQL) as the user login ``login``."""

    url: str
    login: str | None = None

    @property
    def postgres(self) -> bool:
        return self.url.startswith("postgres")

    @property
    def events(self) -> str:
        return "caseledger_events" if self.postgres else "stored_events"

    @property
    def position(self) -> str:
        return "notification_id" if self.postgres else "rowid"

    def as_login(self, login: str) -> Forger:
        """The same store as another person: on PostgreSQL their own database login; on SQLite
        whoever can write the file is its owner."""
        return Forger(self.url, login if self.postgres else None)

    def sql(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run one statement (``%s`` placeholders) and commit; the rows it returns."""
        if not self.postgres:
            connection = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            try:
                rows = connection.execute(statement.replace("%s", "?"), tuple(params)).fetchall()
                connection.commit()
                return rows
            finally:
                connection.close()
        with psycopg.connect(self._connection_url(), autocommit=True) as server:
            cursor = server.execute(statement, tuple(params))
            return cursor.fetchall() if cursor.description else []

    def _connection_url(self) -> str:
        if self.login is None:
            return self.url
        parsed = urlparse(self.url)
        return urlunparse(parsed._replace(netloc=f"{self.login}@{parsed.netloc.rsplit('@', 1)[1]}"))

    def columns(self, table: str) -> list[str]:
        if self.postgres:
            return [
                name for (name,) in self.sql("SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position", (table,))
            ]
        return [row[1] for row in self.sql(f"PRAGMA table_info({table})")]

    # --- events ------------------------------------------------------------------------------

    def head(self) -> int:
        [(head,)] = self.sql(f"SELECT COALESCE(MAX({self.position}), 0) FROM {self.events}")
        return int(head)

    def state(self, position: int) -> bytes:
        [(state,)] = self.sql(f"SELECT state FROM {self.events} WHERE {self.position} = %s", (position,))
        return bytes(state)

    def event(self, position: int) -> tuple[str, int, str, bytes]:
        """(originator id, version, topic, state) of the event at ``position``."""
        [(originator, version, topic, state)] = self.sql(
            f"SELECT originator_id, originator_version, topic, state FROM {self.events} WHERE {self.position} = %s", (position,)
        )
        return str(originator), int(version), str(topic), bytes(state)

    def set_state(self, position: int, state: bytes) -> None:
        self.sql(f"UPDATE {self.events} SET state = %s WHERE {self.position} = %s", (state, position))

    def edit(self, position: int, find: bytes, replace: bytes) -> None:
        """Replace ``find`` by ``replace`` in the stored bytes of the event at ``position``."""
        state = self.state(position)
        assert find in state, f"position {position} holds no {find!r}: {state!r}"
        self.set_state(position, state.replace(find, replace, 1))

    def delete_event(self, position: int) -> None:
        self.sql(f"DELETE FROM {self.events} WHERE {self.position} = %s", (position,))

    def renumber(self, first: int, by: int) -> None:
        """Move every event at ``first`` or later ``by`` positions (two steps: positions are unique)."""
        far = 1_000_000_000
        self.sql(f"UPDATE {self.events} SET {self.position} = {self.position} + %s WHERE {self.position} >= %s", (far, first))
        self.sql(f"UPDATE {self.events} SET {self.position} = {self.position} - %s WHERE {self.position} >= %s", (far - by, far))
        if self.postgres:
            self.sql(f"SELECT setval(pg_get_serial_sequence('{self.events}', 'notification_id'), (SELECT MAX(notification_id) FROM {self.events}))")

    def swap(self, first: int, second: int) -> None:
        """Make the events at ``first`` and ``second`` trade places (a reorder: each stays whole)."""
        far = 1_000_000_000
        for source, target in ((first, far), (second, first), (far, second)):
            self.sql(f"UPDATE {self.events} SET {self.position} = %s WHERE {self.position} = %s", (target, source))

    def insert_event(self, topic: str, state: bytes, position: int | None = None) -> int:
        """Insert an event of a new aggregate (version 1) at ``position`` (default: the tail, as a
        user login can); its position."""
        originator = uuid.uuid4()
        identity: Any = originator if self.postgres else originator.hex
        if position is None:
            if self.postgres:
                [(inserted,)] = self.sql(
                    f"INSERT INTO {self.events} (originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %s) RETURNING notification_id",
                    (identity, topic, state),
                )
                return int(inserted)
            position = self.head() + 1
        self.sql(
            f"INSERT INTO {self.events} ({self.position}, originator_id, originator_version, topic, state) VALUES (%s, %s, 1, %s, %s)",
            (position, identity, topic, state),
        )
        return position

    # --- the chain ---------------------------------------------------------------------------

    def chain_head(self, position: int) -> bytes:
        if position == 0:
            return GENESIS
        [(head,)] = self.sql("SELECT head FROM cl_chain WHERE position = %s", (position,))
        return bytes(head)

    def macs(self) -> dict[int, bytes]:
        """Each chain row's MAC."""
        return {int(position): bytes(mac) for position, mac in self.sql("SELECT position, mac FROM cl_chain")}

    def rechain(self, first: int) -> None:
        """Recompute the public chain from ``first`` over the events as they now stand, as a forger
        who knows the formula: rows from ``first`` on are replaced. A MAC it cannot compute: the
        row's old one where there was a row, else made-up bytes."""
        events = [
            (int(p), str(o), int(v), str(t), bytes(s))
            for p, o, v, t, s in self.sql(
                f"SELECT {self.position}, originator_id, originator_version, topic, state FROM {self.events} WHERE {self.position} >= %s ORDER BY {self.position}",
                (first,),
            )
        ]
        head = self.chain_head(first - 1)
        macs = self.macs()
        self.sql("DELETE FROM cl_chain WHERE position >= %s", (first,))
        for position, originator, version, topic, state in events:
            leaf = leaf_hash(position, originator, version, topic, state)
            head = node_hash(head, leaf)
            self.add_chain_row(position, leaf, head, mac=macs.get(position))

    def add_chain_row(self, position: int, leaf: bytes, head: bytes, *, mac: bytes | None = None) -> None:
        """Insert one chain row; its MAC ``mac``, else made-up bytes (the forger cannot compute it)."""
        self.sql("INSERT INTO cl_chain (position, leaf, head, mac) VALUES (%s, %s, %s, %s)", (position, leaf, head, mac or os.urandom(MADE_UP_MAC_SIZE)))

    def chain_row_for(self, position: int, *, mac: bytes | None = None) -> None:
        """The correct public chain row of the event at ``position``, following the row before it
        (its MAC: ``mac``, else made up)."""
        leaf = leaf_hash(position, *self.event(position))
        self.add_chain_row(position, leaf, node_hash(self.chain_head(position - 1), leaf), mac=mac)

    def flip_chain_byte(self, position: int, column: str) -> None:
        """Change the first byte of ``column`` (leaf, head, mac) of the chain row at ``position``."""
        [(value,)] = self.sql(f"SELECT {column} FROM cl_chain WHERE position = %s", (position,))
        changed = bytes([bytes(value)[0] ^ 0xFF]) + bytes(value)[1:]
        self.sql(f"UPDATE cl_chain SET {column} = %s WHERE position = %s", (changed, position))

    def truncate(self, keep: int) -> None:
        """Cut the tail: the events after ``keep`` and their chain rows."""
        self.sql(f"DELETE FROM {self.events} WHERE {self.position} > %s", (keep,))
        self.sql("DELETE FROM cl_chain WHERE position > %s", (keep,))
