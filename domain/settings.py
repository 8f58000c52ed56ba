"""Every setting caseledger takes from its environment, read in one place: :meth:`Settings.current`.

======================================== =========================================================== ==========================================
Variable                                 What it sets                                                When unset or empty
======================================== =========================================================== ==========================================
``CASELEDGER_STORE``                     the store URL, when ``--store`` is not given                ``caseledger.db`` in the user data folder
``CASELEDGER_USER``                      whose view the TUI opens, when ``--user`` is not given      the login's own view
``CASELEDGER_KEY``                       the store key (base64 AES key): the store is encrypted      ``CASELEDGER_KEY_FILE``
``CASELEDGER_KEY_FILE``                  a file holding the store key (read only without the above)  the store is not encrypted
``CASELEDGER_CACHE_KEY_FILE``            a plain store's cache key file (never created)              ``cache-key`` in the user config folder,
                                                                                                     created on first use
``CASELEDGER_PSEUDONYM_KEY_FILE``        the pseudonym key file of the process that computes         ``pseudonym-key`` in the user config
                                         de-identified exports' pseudonyms (never created)           folder, created on first use
``CASELEDGER_CHECKPOINT_PUBLIC_KEY``     the PEM key a checkpoint must be signed with (the pin),     ``verify --checkpoint`` refuses
                                         when ``verify --public-key`` is not given
``CASELEDGER_LOCK_TIMEOUT``              seconds a writer waits for the store's write lock, held by  60
                                         another session, before it gives up (nothing recorded)
``CASELEDGER_EXPORT_DIR``                the folder the TUI's Export screen writes a file name       the user documents folder (platformdirs:
                                         into (a path typed whole is taken as typed; the command     ``XDG_DOCUMENTS_DIR``, else ``~/Documents``),
                                         line's ``-o`` is relative to the current folder)            created on first export
``CASELEDGER_DEBUG``                     any value: an unexpected error shows its traceback          one line on stderr
``LOGNAME`` (``USER``, …)                the operating system login, who records on SQLite           the password database
                                         (the first set of ``LOGNAME``, ``USER``, ``LNAME``,
                                         ``USERNAME``: :func:`getpass.getuser`)
``USER``, ``PGPASSWORD``                 the PostgreSQL login and password when the URL has none     ``postgres``, no password
``XDG_CONFIG_HOME``,                     where the user config and data folders are (platformdirs)   ``~/.config/caseledger``,
``XDG_DATA_HOME``                                                                                    ``~/.local/share/caseledger``
======================================== =========================================================== ==========================================

The user config folder holds the key files caseledger creates (``cache-key``, ``pseudonym-key``,
``checkpoint-ed25519.pem``: :mod:`caseledger.domain.secrets`) and, if the user writes one, the
**user config file** ``config.toml``: the ``CASELEDGER_`` settings above but the key itself and
``CASELEDGER_DEBUG``, named in lower case without the prefix (``store = "postgresql://…"``,
``key_file = "/secure/store.key"``, ``lock_timeout = 30``). A key is never written in it (name its
file instead): a config file is copied and shown where a key file is not. The environment wins
over the file, and a command-line flag (``--store``, ``--user``, ``checkpoint --key``, ``verify
--public-key``) over both. Both are read whenever a setting is needed (a test or a long-lived TUI
sees a change); an empty ``CASELEDGER_`` variable counts as unset; a file that is not TOML, or
names a setting that does not exist, is refused in one line naming the file and the line or key.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from caseledger.domain.errors import DomainError, LedgerError
from caseledger.domain.inputs import SMALL_FILE_CAP, read_regular

APP_NAME = "caseledger"
PUBLIC_KEY_VARIABLE = "CASELEDGER_CHECKPOINT_PUBLIC_KEY"
"""Named in the refusal of an unpinned checkpoint, so it is a constant."""
LOCK_TIMEOUT_VARIABLE = "CASELEDGER_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 60
"""Seconds a writer waits for the store's write lock, held by another session: a command's own
transaction holds it for milliseconds, so a minute is long enough for an honest queue and short
enough that a session holding it on purpose stalls no writer for longer (a writer queued behind
a long import gives up too, and says so: try again when it is done)."""
LOCK_TIMEOUTS = range(1, 3601)
CONFIG_FILE = "config.toml"
FILE_SETTINGS = ("store", "user", "key_file", "cache_key_file", "pseudonym_key_file", "checkpoint_public_key", "lock_timeout", "export_dir")
"""What the user config file may set: each is ``CASELEDGER_`` + its name in upper case."""


class SettingError(LedgerError):
    """A variable holds what its setting cannot be (the message names the variable)."""


@dataclass(frozen=True)
class Settings:
    """What the environment says, with the user's folders; each field is one row of the table above."""

    store: str
    """The store URL (before ``--store``)."""
    user: str | None
    """Whose view the TUI opens (before ``--user``)."""
    key: str | None
    """The store key as given (validated by :func:`caseledger.domain.secrets.keys.store_key`)."""
    key_file: str | None
    """The store key file, as given (error messages name it as the user wrote it)."""
    cache_key_file: Path | None
    """A plain store's cache key file, when one is given."""
    pseudonym_key_file: Path | None
    """The pseudonym key file, when one is given (:func:`caseledger.domain.secrets.keys.pseudonym_key`)."""
    checkpoint_public_key: Path | None
    """The pinned checkpoint signer (before ``verify --public-key``): a checkpoint carries its own
    public key, so without a pin it proves nothing about who signed it."""
    lock_timeout: str | None
    """Seconds a writer waits for the write lock, as given (:attr:`lock_timeout_seconds` checks it)."""
    debug: bool
    postgres_user: str
    postgres_password: str
    config_dir: Path
    """The user config folder, where the key files caseledger creates live."""
    export_dir: Path
    """Where the TUI writes exports and reports named by a bare file name: never the folder the UI
    was started from (on a fresh clone, the checkout: ``git status`` would show the exports)."""
    export_dir_given: bool = False
    """Whether :attr:`export_dir` was set (a folder that must exist) or is the default (created)."""

    @classmethod
    def current(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """The settings ``environ`` (the process's environment) and the user config file give now."""
        data_dir = Path(platformdirs.user_data_dir(APP_NAME))
        config_dir = Path(platformdirs.user_config_dir(APP_NAME))
        filed = user_config(config_dir / CONFIG_FILE)

        def setting(name: str) -> str | None:
            return environ.get(f"CASELEDGER_{name.upper()}") or filed.get(name) or None

        cache_key_file, public_key = setting("cache_key_file"), setting("checkpoint_public_key")
        pseudonym_key_file = setting("pseudonym_key_file")
        export_dir = setting("export_dir")
        return cls(
            store=setting("store") or f"sqlite:///{data_dir / 'caseledger.db'}",
            user=setting("user"),
            key=environ.get("CASELEDGER_KEY") or None,
            key_file=setting("key_file"),
            cache_key_file=Path(cache_key_file) if cache_key_file else None,
            pseudonym_key_file=Path(pseudonym_key_file) if pseudonym_key_file else None,
            checkpoint_public_key=Path(public_key) if public_key else None,
            lock_timeout=setting("lock_timeout"),
            debug=bool(environ.get("CASELEDGER_DEBUG")),
            postgres_user=environ.get("USER", "postgres"),
            postgres_password=environ.get("PGPASSWORD", ""),
            config_dir=config_dir,
            export_dir=Path(export_dir) if export_dir else Path(platformdirs.user_documents_dir()),
            export_dir_given=export_dir is not None,
        )

    @property
    def remembered_heads_dir(self) -> Path:
        """Where this user's clients remember, per store, the last (position, chain head) they saw
        (:mod:`caseledger.domain.integrity.witness`)."""
        return self.config_dir / "seen"

    @property
    def lock_timeout_seconds(self) -> int:
        """:attr:`lock_timeout` as whole seconds (60 when unset); refused in one line otherwise."""
        if self.lock_timeout is None:
            return DEFAULT_LOCK_TIMEOUT
        try:
            seconds = int(self.lock_timeout)
        except ValueError:
            seconds = 0
        if seconds not in LOCK_TIMEOUTS:
            raise SettingError(f"{LOCK_TIMEOUT_VARIABLE}: a whole number of seconds from 1 to {LOCK_TIMEOUTS[-1]}, not {self.lock_timeout!r}")
        return seconds

    @property
    def default_cache_key_file(self) -> Path:
        """A plain store's cache key file when ``CASELEDGER_CACHE_KEY_FILE`` is unset (created on first use)."""
        return self.config_dir / "cache-key"

    @property
    def default_pseudonym_key_file(self) -> Path:
        """The pseudonym key file when ``CASELEDGER_PSEUDONYM_KEY_FILE`` is unset (created on first use)."""
        return self.config_dir / "pseudonym-key"

    @property
    def default_checkpoint_key_file(self) -> Path:
        """The checkpoint signing key when ``checkpoint --key`` is not given (created on first use)."""
        return self.config_dir / "checkpoint-ed25519.pem"

    @staticmethod
    def os_login() -> str:
        """The operating system login as the login session reports it (``LOGNAME`` first)."""
        return getpass.getuser()


def user_config(path: Path) -> dict[str, str]:
    """The settings the user config file ``path`` holds, as text (none when there is no file);
    refused in one line naming the file and the line or the key."""
    if not path.exists():
        return {}
    try:
        table = tomllib.loads(read_regular(path, str(path), SMALL_FILE_CAP).decode())
    except UnicodeDecodeError:
        raise SettingError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingError(f"{path}: not TOML: {error}") from None
    except DomainError as error:
        raise SettingError(str(error)) from None
    settings: dict[str, str] = {}
    for name, value in table.items():
        if name == "key":
            raise SettingError(f"{path}: key: a key is never written in the config file: put it in a file of its own and name it with key_file")
        if name not in FILE_SETTINGS:
            raise SettingError(f"{path}: {name}: no such setting (it may hold {', '.join(FILE_SETTINGS)})")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise SettingError(f"{path}: {name}: a text in quotes{' or a whole number' if name == 'lock_timeout' else ''}, not {value!r}")
        settings[name] = str(value)
    return settings
