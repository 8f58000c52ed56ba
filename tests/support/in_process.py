"""``caseledger`` run inside the test's own process, as one person on one machine: the command
line's :func:`~caseledger.cli.main.main` with that person's environment (their login, their user
config folder, the keys they hold), its exit code and both streams captured.

Tens of times faster than a new process (:func:`tests.support.cli.run_cli`), so a test can run
dozens of commands; what it cannot do is what only a process can (a signal, a resource limit).
Warnings the program logs (no handler configured: Python prints them on stderr) are captured
with stderr too, since pytest's log capture would otherwise keep them.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from caseledger.cli.main import main

SETTINGS = ("CASELEDGER_STORE", "CASELEDGER_USER", "CASELEDGER_KEY", "CASELEDGER_KEY_FILE", "CASELEDGER_CACHE_KEY_FILE", "CASELEDGER_DEBUG")
"""The settings a client's environment holds or not, whatever the test process's has."""


@dataclass(frozen=True)
class Done:
    """What one command did: its exit code, standard output and standard error."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def said(self) -> str:
        return self.stdout + self.stderr


@dataclass(frozen=True)
class Client:
    """One person's caseledger on one machine: the operating system login ``login`` (who records
    on SQLite), the user config folder ``config`` (what this client remembers), and the
    environment's settings ``env`` (the keys it holds)."""

    login: str
    config: Path
    env: dict[str, str] = field(default_factory=dict)

    @contextlib.contextmanager
    def environment(self) -> Iterator[None]:
        """This process's environment as this client's, for as long as the block runs (the
        application opened directly, as a script of theirs would)."""
        with pytest.MonkeyPatch.context() as patch:
            for name in SETTINGS:
                patch.delenv(name, raising=False)
            for name, value in {"LOGNAME": self.login, "USER": self.login, "XDG_CONFIG_HOME": str(self.config), **self.env}.items():
                patch.setenv(name, value)
            yield

    def run(self, store: str, *args: str) -> Done:
        """``caseledger --store STORE ARGS``."""
        out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        warnings = logging.StreamHandler(err)
        warnings.setFormatter(logging.Formatter("%(message)s"))
        logger = logging.getLogger("caseledger")
        with self.environment(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            logger.addHandler(warnings)
            try:
                code = main(["--store", store, *args])
            finally:
                logger.removeHandler(warnings)
                if store.startswith("postgresql"):
                    # The command's Application is garbage once main returns, but its connection pool
                    # (2–3 server connections) is closed only when the cycle collector runs: hundreds
                    # of commands in one test process ran the session's server out of connection slots.
                    gc.collect()
        return Done(code, _text(out), _text(err))


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8", errors="replace")
