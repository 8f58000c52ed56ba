"""Errors the write side raises. Each says which field broke which rule, so a person can fix it."""

from __future__ import annotations

import sqlite3

import psycopg
from eventsourcing.persistence import PersistenceError


class LedgerError(Exception):
    """Base of every error caseledger reports to a user instead of a traceback."""


class DomainError(LedgerError):
    """A command or an imported line breaks a rule; nothing was recorded.

    ``field`` names the offending field (``"$"`` for the whole record), ``rule`` says what is wrong.
    """

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class AccessRefused(LedgerError):
    """The person's roles do not allow what they asked (the message names the rule and who they
    are); nothing was recorded or read (:mod:`caseledger.domain.model.access`)."""

    def __init__(self, rule: str) -> None:
        super().__init__(f"refused: {rule}")
        self.rule = rule


class ConflictError(LedgerError):
    """Another writer changed the same case at the same moment and retries ran out."""


class ImportFailed(LedgerError):
    """An import line is invalid: ``line N: field: reason``. The whole import was rolled back."""

    def __init__(self, line: int, field: str, rule: str) -> None:
        super().__init__(f"line {line}: {field}: {rule}")
        self.line = line
        self.field = field
        self.rule = rule


class StoreURLError(LedgerError):
    """``--store`` is not a URL caseledger understands."""


class ReadOnlyStore(LedgerError):
    """A write was asked of a read-only replica; nothing was recorded."""


class CacheForged(LedgerError):
    """A cache of the log — an aggregate snapshot, a read-model row or a table's seal — fails its
    MAC or disagrees with the log: it is not used (exit 1, like a broken chain). ``table`` and
    ``block``: the one sealed block found wrong, when the failure is that block's alone (it can
    be repaired by itself)."""

    def __init__(self, message: str, table: str | None = None, block: str | None = None) -> None:
        super().__init__(message)
        self.table, self.block = table, block


class LogUnauthenticated(LedgerError):
    """The log does not authenticate — an entry whose MAC is not the ledger key's, a chain that no
    longer holds what the read models were sealed at or a client saw: no figure is served and
    nothing is rebuilt from it (exit 1, naming the first position)."""

    def __init__(self, position: int, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(
            f"the log does not authenticate at position {position}: {reason} — no figure is served and nothing was rebuilt from it; "
            "`caseledger verify` names every break (restore the store from a backup, or ask its admin)"
        )


STORE_FAILURES: tuple[type[Exception], ...] = (PersistenceError, sqlite3.Error, psycopg.Error, OSError)
"""What the store or the disk raises when it cannot do what was asked — a full disk, a read-only
file or folder, a server that went away — as opposed to what a person typed wrong."""


def store_failure(error: Exception) -> str:
    """One line saying what the store or the disk refused (never a traceback)."""
    reason = getattr(error, "strerror", None) or " ".join(str(error).split()) or type(error).__name__
    return f"the store or the disk refused: {reason}"
