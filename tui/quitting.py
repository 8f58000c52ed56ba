"""Quit means quit: ``q`` gives the terminal back at once, whatever store work is running.

Textual runs thread workers in the event loop's default executor, and when the app ends,
``asyncio.run`` shuts that executor down *waiting* for every thread — and the interpreter joins
them again at exit. A catch-up of a million events or the census of every read-model row against
its seal (started when the UI opens) then kept the process alive for seconds after the screen was
gone (6.4 s at 1M events, 21 s at 3M): a terminal that looks frozen.

So the terminal UI's executor does not wait (:class:`AbandoningExecutor`), and once the app has
restored the terminal the process ends without joining the abandoned threads
(:func:`end_process`). Nothing recorded is lost: an entry being recorded is waited for (one
transaction); everything else a worker may be doing is a read, or a catch-up batch whose
transaction the database rolls back when the process ends (the read models are tracked exactly
once: the next catch-up applies it again).
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import NoReturn


class AbandoningExecutor(ThreadPoolExecutor):
    """A thread pool whose shutdown never waits for the work still running (see the module)."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=True)


def abandon_store_work_on_quit() -> None:
    """Run this event loop's thread workers in an :class:`AbandoningExecutor` (call it in the
    running loop before the first worker starts)."""
    asyncio.get_running_loop().set_default_executor(AbandoningExecutor(thread_name_prefix="caseledger-store"))


class InFlight:
    """How many entries are being recorded right now (by any worker thread)."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    @contextmanager
    def recording(self) -> Iterator[None]:
        with self._lock:
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1

    def __bool__(self) -> bool:
        return self._count > 0


def end_process(code: int, in_flight: InFlight) -> NoReturn:
    """End the process with ``code`` once no entry is being recorded, without joining the threads
    of abandoned store work (the output written so far is flushed first)."""
    while in_flight:
        time.sleep(0.02)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
