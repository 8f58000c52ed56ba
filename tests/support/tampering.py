"""Tampering as an insider with database access would: SQL straight against the store's tables."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg

from caseledger.domain.integrity.chain import chain_rows
from caseledger.domain.store.application import open_application
from caseledger.domain.store.migrations import build_tree


def sql(url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run SQL straight against the store's database, as an attacker with database access would."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            rows = connection.execute(statement.replace("%s", "?"), params).fetchall()
            connection.commit()
            return rows
        finally:
            connection.close()
    with psycopg.connect(url, autocommit=True) as server:
        cursor = server.execute(statement.replace("stored_events", "caseledger_events").replace("rowid", "notification_id"), params)
        return cursor.fetchall() if cursor.description else []


def truncate_tail(url: str, keep: int) -> None:
    """Cut the log after position ``keep``: the events, their chain rows and the Merkle log's
    leaves and nodes past the cut, as an insider who knows the layout would."""
    sql(url, "DELETE FROM stored_events WHERE rowid > %s", (keep,))
    sql(url, "DELETE FROM cl_chain WHERE position > %s", (keep,))
    rebuild_tree(url)


def rebuild_tree(url: str) -> None:
    """Make the Merkle log again from the events as they now are — its formula is public, like the
    chain's: only a signed tree head, a client's remembered head or a checkpoint catches this."""
    app = open_application(url)
    with app.ledger_recorder.transaction(write=True) as cursor:
        build_tree(app.ledger_recorder, cursor)


def rewrite_consistently(url: str, position: int, find: bytes, replace: bytes, key: bytes | None = None, *, tree: bool = True) -> None:
    """Change the stored event at ``position`` (plain JSON ``find`` → ``replace``) and recompute
    the chain from there on, as an insider who knows the chain's formula would. Without ``key``
    (a DBA holding none) the entries keep the MACs they had, which ``verify`` names; with it (an
    insider holding the ledger key) they get new ones, and ``verify`` alone finds nothing — a
    signed checkpoint, a client's remembered head or ``verify --deep`` must."""
    sqlite = url.startswith("sqlite")
    events_table, position_column, recorder = ("stored_events", "rowid", "NULL") if sqlite else ("caseledger_events", "notification_id", "recorded_by")
    [(state,)] = sql(url, f"SELECT state FROM {events_table} WHERE {position_column} = %s", (position,))
    sql(url, f"UPDATE {events_table} SET state = %s WHERE {position_column} = %s", (bytes(state).replace(find, replace), position))
    [(previous,)] = sql(url, "SELECT head FROM cl_chain WHERE position = %s", (position - 1,))
    events = sql(
        url,
        f"SELECT {position_column}, originator_id, originator_version, topic, state, {recorder} FROM {events_table} WHERE {position_column} >= %s ORDER BY {position_column}",
        (position,),
    )
    rows = chain_rows(bytes(previous), [(int(p), str(o), int(v), t, bytes(s), r) for p, o, v, t, s, r in events], key)
    for row, leaf, head, mac in rows:
        if key is None:
            sql(url, "UPDATE cl_chain SET leaf = %s, head = %s WHERE position = %s", (leaf, head, row))
        else:
            sql(url, "UPDATE cl_chain SET leaf = %s, head = %s, mac = %s WHERE position = %s", (leaf, head, mac, row))
    if tree:  # the Merkle log too (``tree=False``: an insider who leaves it as it was)
        rebuild_tree(url)
