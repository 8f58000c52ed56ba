"""Sustained load on PostgreSQL: 4 writer processes at 200 commands/s in all, for 60 s.

``python -m bench.load_bench [--seconds 60] [--rate 200] [--writers 4] [--background 200000]``

A durable throwaway PostgreSQL cluster; a store holding ``--background`` generated events plus
the hand-checked scenario (whose officers and offenders the writers share, so they race on the
same cases). Each writer (``tests.support.writer``) paces itself to rate/writers commands a second and
catches the read models up after every command. Reported: command latency p50/p99 (record +
read-model catch-up), the projection lag seen by a monitor polling head − read-model position
every 100 ms, refusals, and the chain verified afterwards. The counterpart measured in the same
run is the same load with the read-model catch-up left to the monitor alone (commands only), to
show what keeping projections current costs each command.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import msgspec

from bench import machine, parser


def _seed(url: str, background: int) -> None:
    from pathlib import Path

    from caseledger.application.imports import import_lines
    from caseledger.domain.store.application import open_application
    from caseledger.fixtures.generate import generate
    from caseledger.projections.engine.projector import Projector

    app = open_application(url)
    import_lines(app, [msgspec.json.encode(line) for line in generate(background, seed=3, until=dt.datetime.now(dt.UTC).date())], "bench", keep_recorded=True)
    scenario = Path(__file__).resolve().parent.parent / "fixtures" / "scenario.jsonl"
    import_lines(app, scenario.read_bytes().splitlines(), "bench")
    Projector(app).catch_up()


def _run(url: str, seconds: float, rate: float, writers: int, inline: bool) -> dict[str, Any]:
    from caseledger.domain.store.application import open_application
    from caseledger.projections.engine.projector import Projector

    app = open_application(url)
    projector = Projector(app)
    lags: list[int] = []
    done = threading.Event()

    def monitor() -> None:
        while not done.is_set():
            _head, models = projector.status()
            lags.append(max(model.lag for model in models))
            if not inline:
                projector.catch_up()
            time.sleep(0.1)

    watcher = threading.Thread(target=monitor)
    watcher.start()
    per_writer = rate / writers
    commands = int(per_writer * seconds)
    arguments = ["--commands", str(commands), "--rate", str(per_writer)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.writer", url, f"load{n}", *arguments, "--seed", str(n), *([] if inline else ["--no-catch-up"])],
            stdout=subprocess.PIPE,
        )
        for n in range(writers)
    ]
    started = time.perf_counter()
    reports = [msgspec.json.decode(process.communicate()[0]) for process in processes]
    elapsed = time.perf_counter() - started
    done.set()
    watcher.join()
    latencies = sorted(latency for report in reports for latency in report["latencies"])
    accepted = sum(len(report["positions"]) for report in reports)
    return {
        "commands": len(latencies),
        "accepted": accepted,
        "refused": sum(report["refused"] for report in reports),
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(0.99 * len(latencies)) - 1] * 1000,
        "lag_p99": sorted(lags)[int(0.99 * len(lags)) - 1] if lags else 0,
        "lag_max": max(lags, default=0),
    }


def main() -> None:
    arguments = parser(__doc__.split("\n\n")[0], 1)
    arguments.add_argument("--seconds", type=float, default=60)
    arguments.add_argument("--rate", type=float, default=200)
    arguments.add_argument("--writers", type=int, default=4)
    arguments.add_argument("--background", type=int, default=200_000)
    args = arguments.parse_args()

    from caseledger.domain.integrity.verify import verify
    from caseledger.domain.store.application import open_application
    from tests.support.postgres import throwaway_cluster

    with throwaway_cluster(durable=True) as server:
        url = server.create_database("load")
        _seed(url, args.background)
        inline = _run(url, args.seconds, args.rate, args.writers, inline=True)
        commands_only = _run(url, args.seconds, args.rate, args.writers, inline=False)
        verdict = verify(open_application(url))
    print(f"\nload benchmark — {machine()}")
    print(
        f"PostgreSQL (durable), {args.writers} writer processes, {args.rate:.0f} commands/s asked for {args.seconds:.0f} s, {args.background:,} background events\n"
    )
    print("| mode | commands (accepted / refused) | achieved rate | latency p50 / p99 | read-model lag p99 / max | chain |")
    print("|---|---:|---:|---:|---:|---|")
    for label, figures in (("catch-up after every command", inline), ("commands only; monitor catches up", commands_only)):
        print(
            f"| {label} | {figures['commands']:,} ({figures['accepted']:,} / {figures['refused']:,}) | {figures['rate']:.0f}/s "
            f"| {figures['p50']:.1f} / {figures['p99']:.1f} ms | {figures['lag_p99']} / {figures['lag_max']} events | {'intact' if verdict.ok else 'BROKEN'} |"
        )


if __name__ == "__main__":
    main()
