"""A store with people in it: the hand-checked scenario, imported by its admin, and one login per
role, each able to act through the command line and through the application's service.

On SQLite a person is the operating system login a process runs as (``LOGNAME``); on
PostgreSQL a database login of their own, made a member of ``caseledger_user`` by
``caseledger admin init-roles`` — the store proves who they are. Grants (``RoleGranted``,
``UserLinked``) are recorded by the admin through the command line, as a person would.

Who is who, on the scenario: po.adams and po.chen are officers linked to themselves (po.adams's
cases include off-007 at on-hyb; po.chen's off-003 at on-max); sup.hyb supervises on-hyb;
auditor and analyst hold those roles; the admin is the store's first user (SQLite: hq.admin,
who imports the scenario; PostgreSQL: the login that created the store).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from urllib.parse import urlparse, urlunparse

import msgspec
import psycopg
from psycopg import sql

from caseledger.application.commands import LedgerService
from caseledger.domain.store.application import open_application
from tests.support.cli import run_cli
from tests.support.paths import SCENARIO

PEOPLE = {
    "po.adams": ("officer", None, "po.adams"),
    "po.chen": ("officer", None, "po.chen"),
    "sup.hyb": ("supervisor", "on-hyb", None),
    "auditor": ("auditor", None, None),
    "analyst": ("analyst", None, None),
}
"""login: (role, site, linked officer)."""


@dataclass(frozen=True)
class Staffed:
    """The store and how to act in it as each person."""

    url: str
    admin: str

    @property
    def postgres(self) -> bool:
        return self.url.startswith("postgres")

    def url_for(self, login: str) -> str:
        """The store as ``login`` opens it (PostgreSQL: the URL with their database login)."""
        if not self.postgres:
            return self.url
        parsed = urlparse(self.url)
        host = parsed.netloc.rsplit("@", 1)[1]
        return urlunparse(parsed._replace(netloc=f"{login}@{host}"))

    def cli(self, login: str, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        """``caseledger --store … ARGS`` run by ``login``."""
        return run_cli(self.url_for(login), *args, login=login, stdin=stdin, env=env)

    def service(self, login: str) -> LedgerService:
        """The application's service as ``login`` (on SQLite a script names the OS login)."""
        return LedgerService(open_application(self.url_for(login)), login)

    def head(self) -> int:
        return open_application(self.url).head_position()


def staffed(url: str) -> Staffed:
    """Import the scenario as its admin and give each person of :data:`PEOPLE` a login and a role."""
    admin = (urlparse(url).username or "postgres") if url.startswith("postgres") else "hq.admin"
    store = Staffed(url, admin)
    imported = store.cli(admin, "import", str(SCENARIO))
    assert imported.returncode == 0, imported.stderr
    if store.postgres:
        with psycopg.connect(url, autocommit=True) as connection:
            for login in PEOPLE:
                exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone()
                if exists is None:
                    connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
        users = [argument for login in PEOPLE for argument in ("--user", login)]
        done = store.cli(admin, "admin", "init-roles", *users)
        assert done.returncode == 0, done.stderr
    lines = []
    for login, (role, site, officer) in PEOPLE.items():
        lines.append({"type": "RoleGranted", "occurred_at": "2026-03-20", "user": login, "role": role, **({"site": site} if site else {})})
        if officer:
            lines.append({"type": "UserLinked", "occurred_at": "2026-03-20", "user": login, "officer": officer})
    granted = store.cli(admin, "import", "-", stdin=b"".join(msgspec.json.encode(line) + b"\n" for line in lines))
    assert granted.returncode == 0, granted.stderr
    return store
