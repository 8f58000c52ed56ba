"""Where the ledger lives: ``--store`` URLs and the eventsourcing environment that opens them.

* ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db`` (SQLAlchemy's convention:
  the path is what follows the third slash). The default: :attr:`caseledger.domain.settings.Settings.store`.
* ``postgresql://user[:password]@host[:port]/dbname[?schema=name]``.

Each selects the library's persistence module and the backend's recorder class
(:mod:`caseledger.domain.store.sqlite`, :mod:`caseledger.domain.store.postgres`).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from eventsourcing.utils import get_topic

from caseledger.domain.errors import StoreURLError
from caseledger.domain.secrets.keys import store_key
from caseledger.domain.settings import Settings
from caseledger.domain.store.postgres import ChainedPostgresRecorder
from caseledger.domain.store.sqlite import ChainedSQLiteRecorder, database_name


def encryption_env() -> dict[str, str]:
    """Encryption at rest of event payloads, when a store key is configured
    (:func:`caseledger.domain.secrets.keys.store_key`): AES-GCM via the library's cipher on the
    ``cryptography`` package; the hash chain covers the ciphertext, so ``verify`` needs no key."""
    key = store_key()
    if not key:
        return {}
    return {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher", "CIPHER_KEY": key}


def redacted(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for anything printed or logged)."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    return parsed._replace(netloc=parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)).geturl()


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` store (None for any other URL)."""
    return Path(url[len("sqlite:///") :]) if url.startswith("sqlite:///") and len(url) > len("sqlite:///") else None


def require_existing(url: str) -> None:
    """Refuse a SQLite store file that does not exist (a command that only reads or adds to a
    store must not create an empty one at a mistyped path and report on it)."""
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise StoreURLError(f"no store at {str(path)!r}: check --store (import or demo creates one)")


def store_env(url: str) -> dict[str, str]:
    """The eventsourcing environment variables that select and configure the store at ``url``."""
    return {**_backend_env(url), **encryption_env()}


def _backend_env(url: str) -> dict[str, str]:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise StoreURLError(f"{url!r}: expected sqlite:///path/to/file.db")
        if not Path(path).parent.is_dir():  # (a folder on a read-only mount is there already)
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": database_name(path),
            "SQLITE_LOCK_TIMEOUT": str(Settings.current().lock_timeout_seconds),
            "APPLICATION_RECORDER_TOPIC": get_topic(ChainedSQLiteRecorder),
        }
    if parsed.scheme in ("postgresql", "postgres"):
        if not parsed.hostname or not parsed.path.strip("/"):
            raise StoreURLError(f"{url!r}: expected postgresql://user@host:port/dbname")
        try:
            port = parsed.port or 5432
        except ValueError:
            raise StoreURLError(f"{redacted(url)!r}: the port must be a number from 1 to 65535") from None
        settings = Settings.current()
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parsed.path.strip("/")),
            "POSTGRES_HOST": parsed.hostname,
            "POSTGRES_PORT": str(port),
            "POSTGRES_USER": unquote(parsed.username or settings.postgres_user),
            "POSTGRES_PASSWORD": unquote(parsed.password or settings.postgres_password),
            "POSTGRES_LOCK_TIMEOUT": str(settings.lock_timeout_seconds),
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "0",
            "APPLICATION_RECORDER_TOPIC": get_topic(ChainedPostgresRecorder),
        }
        schema = parse_qs(parsed.query).get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema[0]
        return env
    raise StoreURLError(f"{url!r}: the store must be a sqlite:/// or postgresql:// URL")


def store_identity(url: str) -> str:
    """What a client knows a store by (:mod:`caseledger.domain.integrity.witness`): a SQLite file
    by its resolved path, a PostgreSQL store by server, database and schema — never a password or login."""
    env = store_env(url)
    if "SQLITE_DBNAME" in env:
        return "sqlite:" + os.path.realpath(url[len("sqlite:///") :])
    return f"postgresql://{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']}?schema={env.get('POSTGRES_SCHEMA', 'public')}"
