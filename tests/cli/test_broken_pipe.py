"""`caseledger events | head -1`: the reader closes the pipe after one line, and the command ends
quietly (exit 0, nothing on standard error) rather than with Python's "Exception ignored …
BrokenPipeError" and exit 120 as the interpreter flushes what was still buffered.

The log must be larger than a pipe's buffer (64 KiB on Linux), so that the command is still
writing when the reader leaves: 2,000 generated events print about 560 KB. Standard output is
buffered, as in a person's shell (the suite's environment may set ``PYTHONUNBUFFERED``, which
hides the failure).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from caseledger.fixtures.generate import generate
from tests.support.cli import TIMEOUT, run_cli
from tests.support.generated import GENERATED_UNTIL
from tests.support.identity import as_login
from tests.support.paths import ROOT


@pytest.mark.slow
def test_a_reader_that_leaves_early_ends_the_command_quietly(tmp_path: Path) -> None:
    stream = tmp_path / "events.jsonl"
    stream.write_bytes(b"".join(msgspec.json.encode(line) + b"\n" for line in generate(2000, 1, until=GENERATED_UNTIL)))
    store = f"sqlite:///{tmp_path}/pipe.db"
    unbuffered = {"PYTHONUNBUFFERED"}  # as a person runs it: standard output buffered, so some is left to flush at exit
    env = {**{name: value for name, value in os.environ.items() if name not in unbuffered}, **as_login("hq.admin")}
    command = [sys.executable, "-m", "caseledger.cli.main", "--store", store]  # a pipe to read from: not run_cli's captured output
    imported = run_cli(store, "import", str(stream), login="hq.admin")
    assert imported.returncode == 0, imported.stderr

    events = subprocess.Popen([*command, "events"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    assert events.stdout is not None and events.stderr is not None
    first = events.stdout.readline()
    events.stdout.close()  # the reader had enough
    errors = events.stderr.read()
    returncode = events.wait(timeout=TIMEOUT)

    assert first.startswith(b"{")
    assert (returncode, errors) == (0, b"")
