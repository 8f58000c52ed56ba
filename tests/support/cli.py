"""``caseledger`` run as a separate process, the way people and scripts run it: the one way tests
start the command line, and the two checks most of them make of what it did."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal, overload

from tests.support.identity import as_login
from tests.support.paths import ROOT

TIMEOUT = 300
"""Seconds before a hung command fails the test (a few seconds is usual, a loaded machine slower)."""


class Spawning:
    """Whether the running test may start a process: only one marked ``slow`` may (set before
    each test by ``tests/conftest.py``; allowed outside a test run)."""

    allowed = True


SPAWNING = Spawning()


@overload
def run_cli(
    store: str | None,
    *args: str,
    login: str | None = ...,
    env: Mapping[str, str] | None = ...,
    base_env: Mapping[str, str] | None = ...,
    stdin: bytes | None = ...,
    text: Literal[False] = ...,
    under: Sequence[str] = ...,
    file_size_limit: int | None = ...,
    cwd: Path = ...,
) -> subprocess.CompletedProcess[bytes]: ...


@overload
def run_cli(
    store: str | None,
    *args: str,
    login: str | None = ...,
    env: Mapping[str, str] | None = ...,
    base_env: Mapping[str, str] | None = ...,
    stdin: bytes | None = ...,
    text: Literal[True],
    under: Sequence[str] = ...,
    file_size_limit: int | None = ...,
    cwd: Path = ...,
) -> subprocess.CompletedProcess[str]: ...


def run_cli(
    store: str | None,
    *args: str,
    login: str | None = None,
    env: Mapping[str, str] | None = None,
    base_env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    text: bool = False,
    under: Sequence[str] = (),
    file_size_limit: int | None = None,
    cwd: Path = ROOT,
) -> subprocess.CompletedProcess[bytes] | subprocess.CompletedProcess[str]:
    """``caseledger [--store STORE] ARGS`` in a new Python process; its exit code, stdout and stderr
    (bytes, or text with ``text=True``), whatever the exit code.

    The process gets ``base_env`` (default: this process's environment) with ``env`` on top, run
    by the operating system login ``login`` when given (who records on SQLite). ``under`` is a
    command the CLI runs inside (``faketime -f …``); ``file_size_limit`` caps every file it
    writes (a disk that fills up)."""
    assert SPAWNING.allowed, "run_cli starts a process (seconds): mark the test @pytest.mark.slow"
    environment = {**(os.environ if base_env is None else base_env), **(as_login(login) if login else {}), **(env or {})}
    command = [*under, sys.executable, "-m", "caseledger.cli.main", *(("--store", store) if store is not None else ()), *args]
    limit = _no_room_past(file_size_limit) if file_size_limit is not None else None
    return subprocess.run(command, input=stdin, capture_output=True, check=False, text=text, cwd=cwd, env=environment, preexec_fn=limit, timeout=TIMEOUT)


def _no_room_past(limit: int) -> Callable[[], None]:
    def no_room() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return no_room


def verified(url: str) -> bytes:
    """``caseledger verify``'s report of an intact store (the test fails if it is not)."""
    done = run_cli(url, "verify")
    assert done.returncode == 0, done.stderr
    return done.stdout


def refused(done: subprocess.CompletedProcess[bytes], message: str) -> None:
    """The command was refused the contract's way: exit 2, one line naming ``message``, no traceback."""
    lines = done.stderr.decode().strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert lines == [f"caseledger: {message}"] or (len(lines) == 1 and message in lines[0]), lines
    assert b"Traceback" not in done.stderr
