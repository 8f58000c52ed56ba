"""A throwaway PostgreSQL cluster, for the test suite and the benchmarks.

Started from the server binaries on the machine (``initdb``/``pg_ctl`` on PATH, or Debian's
``/usr/lib/postgresql/*/bin``). PostgreSQL refuses to run as root, so as root the cluster is
initialised and started as the ``postgres`` OS user via ``runuser``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql


class ClusterUnavailable(RuntimeError):
    """The PostgreSQL binaries are missing or the cluster would not start (the message says why)."""


_PG_OS_USER = "postgres"


def _version_key(path: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin/initdb -> numeric version tuple
    match = re.search(r"/postgresql/([\d.]+)/bin/", path)
    if not match:
        return (0,)
    return tuple(int(p) for p in match.group(1).split(".") if p)


def _find_pg_bin(name: str) -> str | None:
    """Locate a PostgreSQL server binary on PATH or in /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = [p for p in glob.glob(f"/usr/lib/postgresql/*/bin/{name}") if os.access(p, os.X_OK)]
    if not candidates:
        return None
    # Prefer 15 (what the project targets), otherwise the newest available.
    candidates.sort(key=lambda p: (_version_key(p)[:1] == (15,), _version_key(p)))
    return candidates[-1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _world_traversable(path: str) -> bool:
    """True if every ancestor of ``path`` can be traversed by other users."""
    p = Path(path).resolve()
    for parent in [p, *p.parents]:
        try:
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    base_dir: str
    as_postgres: bool = False
    """Whether its processes run as the ``postgres`` OS user (when this process is root)."""

    def connect(self, dbname: str = "postgres", *, autocommit: bool = False) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=dbname,
            connect_timeout=10,
            autocommit=autocommit,
        )

    def url(self, name: str) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its postgresql:// URL."""
        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)


def _run(cmd: list[str], *, as_postgres: bool, cwd: str, what: str) -> None:
    if as_postgres:
        cmd = ["runuser", "-u", _PG_OS_USER, "--", *cmd]
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stdout}")


@contextlib.contextmanager
def throwaway_cluster(*, durable: bool = False, passwords: bool = False) -> Iterator[PostgresServer]:
    """A fresh PostgreSQL cluster on a free loopback port, removed on exit.

    ``durable=False`` (tests) turns fsync and synchronous commit off; benchmarks use
    ``durable=True`` so the figures are those of a real server. ``passwords``: TCP logins must
    give their password (SCRAM), as on a real server; otherwise every login is trusted.
    """
    initdb = _find_pg_bin("initdb")
    pg_ctl = _find_pg_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise ClusterUnavailable(
            "PostgreSQL server binaries (initdb/pg_ctl) not found on PATH nor in "
            "/usr/lib/postgresql/*/bin; install PostgreSQL 15 "
            "(e.g. `apt-get install -y postgresql`) to run the postgresql tests.",
        )

    as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0
    if as_postgres:
        if shutil.which("runuser") is None:
            raise ClusterUnavailable("running as root but `runuser` is not available")
        try:
            import pwd

            pw = pwd.getpwnam(_PG_OS_USER)
        except KeyError:
            raise ClusterUnavailable(
                f"running as root but there is no {_PG_OS_USER!r} OS user to run PostgreSQL as (PostgreSQL refuses to run as root)",
            ) from None

    # The postgres user must be able to reach the directory, so don't use a
    # temp dir under e.g. /root (mode 0700) when running as root.
    parent = tempfile.gettempdir()
    if as_postgres and not _world_traversable(parent):
        parent = "/tmp"
    base_dir = tempfile.mkdtemp(prefix="caseledger-pg-", dir=parent)
    data_dir = os.path.join(base_dir, "data")
    sock_dir = os.path.join(base_dir, "sock")
    log_file = os.path.join(base_dir, "postgres.log")
    os.mkdir(sock_dir, 0o700)
    if as_postgres:
        for p in (base_dir, sock_dir):
            os.chown(p, pw.pw_uid, pw.pw_gid)

    started = False
    try:
        try:
            _run(
                [
                    initdb,
                    "-D",
                    data_dir,
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ],
                as_postgres=as_postgres,
                cwd=base_dir,
                what="initdb",
            )
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            raise ClusterUnavailable(str(exc)) from exc

        # Picking a free port is racy (another process may grab it between
        # our probe and the postmaster binding it), so retry a few times.
        last_error: Exception | None = None
        port = 0
        for _attempt in range(5):
            port = _free_port()
            opts = (
                f"-p {port} -k {sock_dir} -c listen_addresses=127.0.0.1 "
                + ("" if durable else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off ")
                + "-c max_connections=200"
            )
            try:
                _run(
                    [pg_ctl, "-D", data_dir, "-o", opts, "-w", "-t", "60", "-l", log_file, "start"],
                    as_postgres=as_postgres,
                    cwd=base_dir,
                    what="pg_ctl start",
                )
                started = True
                break
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                last_error = exc
                # Make sure a half-started server doesn't linger before retrying.
                subprocess.run(
                    (["runuser", "-u", _PG_OS_USER, "--"] if as_postgres else []) + [pg_ctl, "-D", data_dir, "-m", "immediate", "stop"],
                    cwd=base_dir,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    check=False,  # best effort: there may be no server left to stop
                )
        if not started:
            log = Path(log_file).read_text(errors="replace") if os.path.exists(log_file) else ""
            raise ClusterUnavailable(f"{last_error}\n--- postgres log ---\n{log}")

        server = PostgresServer(host="127.0.0.1", port=port, user="postgres", password="postgres", base_dir=base_dir, as_postgres=as_postgres)
        if passwords:
            _require_passwords(server, pg_ctl, data_dir)
        yield server
    finally:
        if started:
            subprocess.run(
                (["runuser", "-u", _PG_OS_USER, "--"] if as_postgres else []) + [pg_ctl, "-D", data_dir, "-m", "immediate", "-w", "stop"],
                cwd="/",
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,  # best effort: the directory is removed either way
                timeout=120,
            )
        shutil.rmtree(base_dir, ignore_errors=True)


def _require_passwords(server: PostgresServer, pg_ctl: str, data_dir: str) -> None:
    """Give the superuser its password, then make TCP logins prove theirs (sockets stay trusted)."""
    with server.connect(autocommit=True) as conn:
        conn.execute("SET password_encryption = 'scram-sha-256'")
        conn.execute("ALTER ROLE postgres PASSWORD 'postgres'")
    hba = Path(data_dir) / "pg_hba.conf"
    hba.write_text("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost replication all 127.0.0.1/32 scram-sha-256\n")
    _run([pg_ctl, "-D", data_dir, "reload"], as_postgres=server.as_postgres, cwd=server.base_dir, what="pg_ctl reload")


@contextlib.contextmanager
def streaming_replica(primary: PostgresServer) -> Iterator[PostgresServer]:
    """A hot standby of ``primary``: a second cluster made with ``pg_basebackup -R`` (base
    backup plus ``standby.signal`` and the connection back), started on its own port and
    streaming the primary's WAL — read-only, as an analysts' replica is. Removed on exit."""
    basebackup, pg_ctl = _find_pg_bin("pg_basebackup"), _find_pg_bin("pg_ctl")
    if basebackup is None or pg_ctl is None:
        raise ClusterUnavailable("pg_basebackup/pg_ctl not found: install the PostgreSQL 15 server")
    base_dir = os.path.join(primary.base_dir, "replica")
    data_dir, log_file = os.path.join(base_dir, "data"), os.path.join(base_dir, "postgres.log")
    os.mkdir(base_dir, 0o700)
    if primary.as_postgres:
        import pwd

        pw = pwd.getpwnam(_PG_OS_USER)
        os.chown(base_dir, pw.pw_uid, pw.pw_gid)
    _run(
        [basebackup, "-h", primary.host, "-p", str(primary.port), "-U", primary.user, "-D", data_dir, "-R", "-X", "stream", "-c", "fast"],
        as_postgres=primary.as_postgres,
        cwd=base_dir,
        what="pg_basebackup",
    )
    port = _free_port()
    opts = f"-p {port} -k {os.path.join(primary.base_dir, 'sock')} -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_connections=200"
    try:
        _run(
            [pg_ctl, "-D", data_dir, "-o", opts, "-w", "-t", "60", "-l", log_file, "start"],
            as_postgres=primary.as_postgres,
            cwd=base_dir,
            what="pg_ctl start (replica)",
        )
    except RuntimeError as error:
        raise ClusterUnavailable(f"{error}\n--- replica log ---\n{Path(log_file).read_text(errors='replace')}") from error
    try:
        yield PostgresServer(primary.host, port, primary.user, primary.password, base_dir, primary.as_postgres)
    finally:
        subprocess.run(
            (["runuser", "-u", _PG_OS_USER, "--"] if primary.as_postgres else []) + [pg_ctl, "-D", data_dir, "-m", "immediate", "-w", "stop"],
            cwd="/",
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,  # best effort: the primary's directory, holding this one, is removed after
            timeout=120,
        )


def wait_for_replay(primary: PostgresServer, replica: PostgresServer, timeout: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    import time

    with primary.connect(autocommit=True) as conn:
        (target,) = one(conn.execute("SELECT pg_current_wal_lsn()"))
    deadline = time.monotonic() + timeout
    with replica.connect(autocommit=True) as conn:
        while one(conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)))[0] is not True:
            if time.monotonic() > deadline:
                raise TimeoutError("the replica did not catch up with the primary")
            time.sleep(0.05)


def one(cursor: psycopg.Cursor[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The row a query that always returns one gave."""
    row = cursor.fetchone()
    assert row is not None, "the query returned no row"
    return row
