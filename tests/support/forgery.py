"""Events written around the program, as an insider with SQL would: straight into the events
table (as the login ``url`` connects with), with a correct chain row — the chain's public formula,
and the MAC under the ledger key, which a user's client holds (the cache key's) — or with none."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

import msgspec
import psycopg

from caseledger.domain.integrity.chain import GENESIS, chain_rows


def envelope(recorded_by: str, data: dict[str, Any], *, at_site: str | None = None, occurred_at: str = "2026-03-20T12:00:00+00:00") -> bytes:
    """A stored event's state as the program writes it (plain store), with any ``data`` at all."""
    state: dict[str, Any] = {"recorded_at": "2026-03-21T12:00:00Z", "occurred_at": occurred_at, "recorded_by": recorded_by, "data": data}
    if at_site is not None:
        state["at_site"] = at_site
    return msgspec.json.encode(state)


def append_by_hand(url: str, topic: str, state: bytes, *, key: bytes, chained: bool = True) -> int:
    """Insert one event of ``topic`` with ``state`` (a new aggregate's first) and, if ``chained``,
    its chain row after the last one, MAC'd with the ledger ``key``; return its log position."""
    originator = uuid.uuid4()
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            cursor = connection.execute("INSERT INTO stored_events VALUES (?, 1, ?, ?)", (originator.hex, topic, state))
            position = cursor.lastrowid
            assert position is not None
            if chained:
                previous = connection.execute("SELECT head FROM cl_chain WHERE position < ? ORDER BY position DESC LIMIT 1", (position,)).fetchone()
                rows = chain_rows(previous[0] if previous else GENESIS, [(position, originator, 1, topic, state, None)], key)
                connection.executemany("INSERT INTO cl_chain (position, leaf, head, mac) VALUES (?, ?, ?, ?)", rows)
            connection.commit()
        finally:
            connection.close()
        return position
    with psycopg.connect(url) as server:
        inserted = server.execute(
            "INSERT INTO caseledger_events (originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %s) RETURNING notification_id",
            (originator, topic, state),
        ).fetchone()
        assert inserted is not None
        position = int(inserted[0])
        if chained:
            previous = server.execute("SELECT head FROM cl_chain WHERE position < %s ORDER BY position DESC LIMIT 1", (position,)).fetchone()
            login = server.execute("SELECT session_user").fetchone()
            assert login is not None
            for row in chain_rows(bytes(previous[0]) if previous else GENESIS, [(position, originator, 1, topic, state, str(login[0]))], key):
                server.execute("INSERT INTO cl_chain (position, leaf, head, mac) VALUES (%s, %s, %s, %s)", row)
    return position
