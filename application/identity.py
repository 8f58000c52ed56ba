"""Who is at the keyboard: the login the store proves.

On PostgreSQL the database login (``session_user``) is who records and reads: the server writes
it beside every event, so no client can record under another name, and ``--user`` or
``CASELEDGER_USER`` cannot change it. On SQLite — one laptop, one trust domain — it is the
operating system login as the login session reports it (``LOGNAME``); whoever can write the
file can write anything in it, so there the name guards against mistakes, not insiders
(docs/security.md, "Threat model"). ``--user`` only chooses whose view the terminal UI opens.
"""

from __future__ import annotations

import re

from caseledger.domain.errors import DomainError
from caseledger.domain.events import catalogue as p
from caseledger.domain.settings import Settings
from caseledger.domain.store.application import LedgerApplication


def identity(app: LedgerApplication, user: str | None = None) -> str:
    """Who is recording or reading: the login the store proves (PostgreSQL), else ``user``, else
    the operating system login (``LOGNAME``, as the login session sets it: SQLite is one trust
    domain, docs/security.md "Threat model")."""
    return app.ledger_recorder.login or checked_actor(user or Settings.os_login())


def checked_actor(user: str) -> str:
    """A user id must be an identifier like every other id in the ledger."""
    if not re.fullmatch(p.IDENTIFIER_PATTERN, user):
        raise DomainError("login", f"{user!r} is not a name caseledger can record: a login must match {p.IDENTIFIER_PATTERN}")
    return user
