"""Import throughput: caseledger's bulk importer vs the library's default path, same run.

``python -m bench.import_bench [--events 1000000] [--baseline-events 20000]``

For SQLite (a fresh file) and PostgreSQL (a fresh *durable* throwaway cluster: fsync on),
imports the generator's N-event file with ``import --keep-recorded`` semantics and measures
events/s and peak memory (each measurement in its own process, so peak RSS is its own). The
default path runs on the first ``--baseline-events`` lines only: at one transaction per event
a million would take tens of minutes; its rate is per event either way.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import machine, parser

OUT = Path(__file__).resolve().parent / "out"


def _events_file(events: int, seed: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"events-{events}-seed{seed}.jsonl"
    if not path.exists():
        print(f"generating {path.name} …", file=sys.stderr)
        until = dt.datetime.now(dt.UTC).date().isoformat()  # the generated days stop at the event count long before
        command = ["-m", "caseledger.fixtures.generate", "--events", str(events), "--seed", str(seed), "--until", until, "-o", str(path)]
        subprocess.run([sys.executable, *command], check=True)
    return path


def _measure(mode: str, url: str, path: Path, limit: int | None) -> dict[str, float]:
    """Run one measurement in a child process; return its events, seconds and peak RSS."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.import_bench", "--child", mode, url, str(path), str(limit or 0)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


def _child(mode: str, url: str, path: str, limit: int) -> None:
    from bench.default_path import import_one_command_at_a_time
    from caseledger.application.imports import import_lines
    from caseledger.domain.store.application import open_application

    with open(path, "rb") as handle:
        lines = itertools.islice(handle, limit) if limit else handle
        started = time.perf_counter()
        if mode == "bulk":
            events = import_lines(open_application(url), lines, "bench", keep_recorded=True).events
        else:
            events = import_one_command_at_a_time(url, lines, "bench")
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"events": events, "seconds": seconds, "peak_mb": peak_mb}))


def main() -> None:
    args = parser(__doc__.split("\n\n")[0], 4).parse_args()
    if args.child:
        mode, url, path, limit = args.child
        _child(mode, url, path, int(limit))
        return

    from tests.support.postgres import throwaway_cluster

    path = _events_file(args.events, args.seed)
    rows = []
    with tempfile.TemporaryDirectory(prefix="caseledger-bench-") as folder, throwaway_cluster(durable=True) as server:
        stores = {
            "SQLite": lambda name: f"sqlite:///{folder}/{name}.db",
            "PostgreSQL": server.create_database,
        }
        for backend, make in stores.items():
            bulk = _measure("bulk", make("bulk"), path, None)
            naive = _measure("default", make("naive"), path, args.baseline_events)
            rows.append((backend, bulk, naive))
    print(f"\nimport benchmark — {machine()}")
    print(f"file: {path.name} ({path.stat().st_size / 1e6:.0f} MB)\n")
    print(f"| store | bulk import events/s | bulk peak RSS | default path events/s (first {args.baseline_events}) | default peak RSS | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for backend, bulk, naive in rows:
        bulk_rate = bulk["events"] / bulk["seconds"]
        naive_rate = naive["events"] / naive["seconds"]
        print(
            f"| {backend} | {bulk_rate:,.0f} ({bulk['events']:,} in {bulk['seconds']:.1f} s) | {bulk['peak_mb']:.0f} MB "
            f"| {naive_rate:,.0f} | {naive['peak_mb']:.0f} MB | {bulk_rate / naive_rate:.1f}× |"
        )


if __name__ == "__main__":
    main()
