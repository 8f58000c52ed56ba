"""Rebuild throughput and whether it stays flat: secondary indexes dropped and built at the end
(the product) against kept through the refill (the old path), in the same run, at several sizes.

``python -m bench.rebuild_bench [--sizes 250000,1000000,3000000] [--seed 7]`` (SQLite; the
stores are made once per size in ``bench/out`` and reused). For each size and path it prints the
whole rebuild's events/s, the rate over the first and the last 10% of the log, and the growth
exponent of the rebuild time between sizes (1.0 = linear).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from typing import Any

from bench import machine
from bench.import_bench import OUT, _events_file


def _store(size: int, seed: int) -> str:
    """A SQLite store holding the first ``size`` generated events (made once, then reused)."""
    path = OUT / f"rebuild-{size}-seed{seed}.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        from caseledger.application.imports import import_lines
        from caseledger.domain.store.application import open_application

        events = _events_file(size, seed)
        print(f"importing {events.name} …", file=sys.stderr)
        with open(events, "rb") as handle:
            import_lines(open_application(url), handle, "bench", keep_recorded=True)
    return url


def _child(url: str, keep_indexes: bool) -> dict[str, Any]:
    """One rebuild, timing each batch (run in its own process, so peak RSS is its own)."""
    from caseledger.domain.store.application import open_application
    from caseledger.projections.engine.projector import Projector

    app = open_application(url)
    head = app.head_position()
    projector = Projector(app)
    marks: list[tuple[float, int]] = []
    started = time.perf_counter()
    projector.rebuild(on_progress=lambda done: marks.append((time.perf_counter() - started, done)), keep_indexes=keep_indexes)
    seconds = time.perf_counter() - started
    return {"events": head, "seconds": seconds, "marks": marks, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _first_and_last_tenth(marks: list[tuple[float, int]]) -> tuple[float, float]:
    """Events/s over the first tenth of the log (to the first batch ending at or past 10%) and the
    last (from the last batch ending at or before 90%): flat means the two are alike."""
    total, end = marks[-1][1], marks[-1][0]
    first_t, first_done = next((t, done) for t, done in marks if done >= 0.1 * total)
    last_t, last_done = next(((t, done) for t, done in reversed(marks) if done <= 0.9 * total), (0.0, 0))
    return first_done / first_t, (total - last_done) / (end - last_t)


def _measure(url: str, keep_indexes: bool) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.rebuild_bench", "--child", url, "keep" if keep_indexes else "drop"], check=True, capture_output=True, text=True
    )
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def main() -> None:
    parsed = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parsed.add_argument("--sizes", default="250000,1000000,3000000", help="comma-separated store sizes (events)")
    parsed.add_argument("--seed", type=int, default=7)
    parsed.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parsed.parse_args()
    if args.child:
        url, mode = args.child
        print(json.dumps(_child(url, keep_indexes=mode == "keep")))
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"\nrebuild benchmark — {machine()} — SQLite\n")
    print("| events | path | rebuild events/s (seconds) | first 10% ev/s | last 10% ev/s | last/first | peak RSS | time growth exponent |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    previous: dict[str, tuple[int, float]] = {}
    for size in sizes:
        url = _store(size, args.seed)
        for path, keep in (("indexes kept (old)", True), ("indexes dropped, built at the end", False)):
            figures = _measure(url, keep)
            marks = [(float(t), int(done)) for t, done in figures["marks"]]
            first, last = _first_and_last_tenth(marks)
            growth = ""
            if path in previous:
                events_before, seconds_before = previous[path]
                growth = f"{math.log(figures['seconds'] / seconds_before) / math.log(size / events_before):.2f}"
            previous[path] = (size, figures["seconds"])
            print(
                f"| {size:,} | {path} | {figures['events'] / figures['seconds']:,.0f} ({figures['seconds']:.1f} s) | {first:,.0f} | {last:,.0f} "
                f"| {last / first:.2f} | {figures['peak_mb']:.0f} MB | {growth} |"
            )


if __name__ == "__main__":
    main()
