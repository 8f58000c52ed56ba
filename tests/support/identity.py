"""Who a test's commands are recorded as: on SQLite the operating system login the process is
given (``LOGNAME``), on PostgreSQL the database login of the store's URL — whatever name the
test asks for, which is the point (issue #11)."""

from __future__ import annotations

from urllib.parse import unquote, urlparse


def recorder_for(url: str, os_login: str) -> str:
    """The name events recorded through ``url`` by a process logged in as ``os_login`` carry."""
    parsed = urlparse(url)
    return unquote(parsed.username or "") if parsed.scheme.startswith("postgres") else os_login


def as_login(user: str) -> dict[str, str]:
    """Environment of a process run by the operating system login ``user``."""
    return {"LOGNAME": user, "USER": user}
