"""Files caseledger reads by name: regular files only, never more than a cap.

A name a person typed may be ``/dev/zero``, a FIFO or a 24 GB file: read whole, it would hold the
process until the kernel killed it. So every file read by name is opened without blocking (a FIFO
with no writer does not hang the open), refused unless it is a regular file, and refused when it
is larger than what it may hold — one line naming the option and the rule. A stream read line by
line (an import, which may be standard input) is read a line at a time, each line capped, so a
stream without line breaks is refused at the cap, never held whole.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from caseledger.domain.errors import DomainError, ImportFailed

KIB = 1024
MIB = 1024 * KIB

RULES_FILE_CAP = 1 * MIB
"""A rules file (a few kilobytes of TOML)."""
SMALL_FILE_CAP = 64 * KIB
"""A checkpoint or a key file (a few hundred bytes)."""
IMPORT_LINE_CAP = 1 * MIB
"""One import line, one event: its longest texts are 2000 characters (at most 12 bytes each as
JSON escapes), so a line over a mebibyte is no event."""


def open_regular(path: str | Path, field: str) -> IO[bytes]:
    """``path`` opened for reading, if it is a regular file; a refusal is ``field: reason``, the
    reason bare (``No such file or directory``, ``not a regular file``) for the caller to word."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise DomainError(field, str(error.strerror)) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise DomainError(field, "not a regular file")
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def read_regular(path: str | Path, field: str, cap: int) -> bytes:
    """The bytes of the regular file ``path``, refused above ``cap`` bytes (counted as read, so a
    file that grows meanwhile is refused too)."""
    with open_regular(path, field) as file:
        data = file.read(cap + 1)
    if len(data) > cap:
        raise DomainError(field, f"larger than {_size(cap)}")
    return data


def capped_lines(stream: IO[bytes], cap: int = IMPORT_LINE_CAP) -> Iterator[bytes]:
    """The lines of ``stream``, each read at most ``cap`` bytes at a time; a longer line is
    refused naming its number (``line N: $: …``)."""
    number = 0
    while line := stream.readline(cap + 1):
        number += 1
        if len(line) > cap:
            raise ImportFailed(number, "$", f"longer than {_size(cap)}: a line holds one event")
        yield line


def _size(cap: int) -> str:
    return f"{cap // MIB} MiB" if cap % MIB == 0 else f"{cap // KIB} KiB"
