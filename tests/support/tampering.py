"""Tampering as an insider with database access would: SQL straight against the store's tables."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg


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
    with psycopg.connect(url.replace("postgresql://", "postgresql://"), autocommit=True) as connection:
        cursor = connection.execute(statement.replace("stored_events", "caseledger_events").replace("rowid", "notification_id"), params)
        return cursor.fetchall() if cursor.description else []


def truncate_tail(url: str, keep: int) -> None:
    sql(url, "DELETE FROM stored_events WHERE rowid > %s", (keep,))
    sql(url, "DELETE FROM cl_chain WHERE position > %s", (keep,))
