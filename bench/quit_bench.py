"""Quit means quit (issue #24, point 6): seconds from ``q`` to the end of the terminal UI's process.

``python -m bench.quit_bench [--sizes 1000000,3000000] [--rounds 3] [--seed 7]``

Each SQLite store holds the generator's first N events (made once in ``bench/out`` by the rebuild
benchmark's helper; read models caught up once before measuring). The real terminal UI runs in a
pseudo-terminal of 120×40 (``pty.fork``) as the generator's admin. Once *My week* is painted the
benchmark waits 1.5 s — the start-up checks and the week's figures are still running in worker
threads, as when a person opens the UI and changes their mind — sends ``q`` and times until the
process has ended (``waitpid``).

* **head**: ``caseledger tui`` as shipped (:func:`caseledger.tui.app.run`: store work still
  running is abandoned, :mod:`caseledger.tui.quitting`);
* **naive**: the same app with ``quit_at_once=False`` — Textual's default, which waits for every
  worker thread before the process ends — measured in the same run.

The growth exponent is log(t₂/t₁)/log(N₂/N₁) between consecutive sizes (0 flat, 1 linear).
"""

from __future__ import annotations

import argparse
import fcntl
import itertools
import math
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time

from bench import machine
from bench.rebuild_bench import _store

OPENERS = {
    "head": "from caseledger.tui.app import run; import sys; run(sys.argv[1], None)",
    "naive": "from caseledger.tui.app import CaseLedgerApp; import sys; CaseLedgerApp(sys.argv[1], None, quit_at_once=False).run()",
}
PAINTED = b"My week"
SETTLE_SECONDS = 1.5


def _drain(fd: int, seconds: float) -> bytes:
    """What the UI writes for ``seconds`` (read, so it never blocks on a full terminal); stops early at its end."""
    seen, until = b"", time.monotonic() + seconds
    while (left := until - time.monotonic()) > 0:
        ready, _w, _x = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child has ended: the terminal is gone
            break
        if not chunk:
            break
        seen += chunk
    return seen


def _quit_seconds(url: str, opener: str) -> float:
    """One run: open the UI in a pseudo-terminal, wait for *My week*, 1.5 s more, ``q``; seconds to exit."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the UI
        environment = {**os.environ, "LOGNAME": "admin", "USER": "admin", "TERM": "xterm-256color"}  # noqa: TID251 — the child's environment, not a setting read
        os.execve(sys.executable, [sys.executable, "-c", OPENERS[opener], url], environment)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen, deadline = b"", time.monotonic() + 120
    while PAINTED not in seen and time.monotonic() < deadline:
        seen += _drain(fd, 0.1)
    if PAINTED not in seen:
        os.kill(pid, 9)
        raise SystemExit(f"{opener}: My week was not painted within 120 s")
    _drain(fd, SETTLE_SECONDS)
    started = time.perf_counter()
    os.write(fd, b"q")
    while True:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        _drain(fd, 0.01)
    seconds = time.perf_counter() - started
    os.close(fd)
    return seconds


def _caught_up(url: str) -> None:
    from caseledger.domain.store.application import open_application
    from caseledger.projections.engine.projector import Projector

    Projector(open_application(url)).catch_up()


def main() -> None:
    parsed = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parsed.add_argument("--sizes", default="1000000,3000000", help="store sizes (events), comma-separated")
    parsed.add_argument("--rounds", type=int, default=3, help="runs per figure (the median is printed)")
    parsed.add_argument("--seed", type=int, default=7, help="generator seed")
    args = parsed.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"# quit: seconds from q to the process's end — {machine()}")
    medians: dict[str, list[float]] = {"head": [], "naive": []}
    for size in sizes:
        url = _store(size, args.seed)
        _caught_up(url)
        runs: dict[str, list[float]] = {"head": [], "naive": []}
        for _round in range(args.rounds):
            for opener, seconds in runs.items():  # alternated, so a busy moment of the machine falls on both
                seconds.append(_quit_seconds(url, opener))
        for opener, seconds in runs.items():
            medians[opener].append(statistics.median(seconds))
        head, naive = medians["head"][-1], medians["naive"][-1]
        print(
            f"{size:>9,} events  head {head:6.2f} s  naive {naive:6.2f} s  head/naive {head / naive:5.3f}"
            f"  (runs: head {', '.join(f'{s:.2f}' for s in runs['head'])}; naive {', '.join(f'{s:.2f}' for s in runs['naive'])})"
        )
    for index, (small, large) in enumerate(itertools.pairwise(sizes)):
        growth = {opener: math.log(values[index + 1] / values[index]) / math.log(large / small) for opener, values in medians.items()}
        print(f"growth {small:,} → {large:,}: head {growth['head']:.2f}, naive {growth['naive']:.2f}")


if __name__ == "__main__":
    main()
