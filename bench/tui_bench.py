"""The terminal UI on the 1,000,000-event store: first paint, keypress latency, paged vs whole tables.

``python -m bench.tui_bench [--events 1000000] [--baseline-events 20000]``

Runs the real app headless (Textual's ``run_test``) on a SQLite store holding the generator's
N-event file, read models caught up:

* first paint — from constructing the app to its first screen on the terminal; and until
  *My week* shows its data (computed in a worker, the UI never waits for it);
* keypress — press → rendered, p50/p95 over screen switches and audit paging once every screen
  exists (data loads happen in workers afterwards, as a person sees them), and separately the
  slowest first visit of a screen (building it); Pilot's own key handling is included;
* UI-thread stalls — a 10 ms heartbeat timer on the UI thread during all of the above: the
  longest gaps show how long the UI could not respond while workers loaded data;
* the audit table paged (100 rows a page, as the app does) against the naive approach — loading
  the first ``--baseline-events`` rows of the log into one DataTable — in the same run.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench import machine, parser

OUT = Path(__file__).resolve().parent / "out"


def _store(events: int, seed: int) -> str:
    from bench.import_bench import _events_file
    from caseledger.application.imports import import_lines
    from caseledger.domain.store.application import open_application
    from caseledger.projections.engine.projector import Projector

    url = f"sqlite:///{OUT}/tui-store-{events}-seed{seed}.db"
    app = open_application(url)
    if app.head_position() == 0:
        print("importing the benchmark file …", file=sys.stderr)
        with open(_events_file(events, seed), "rb") as handle:
            import_lines(app, handle, "bench", keep_recorded=True)
    print("catching up read models …", file=sys.stderr)
    Projector(app).catch_up()
    return url


async def _wait_loaded(pilot: Any) -> None:
    from caseledger.tui.screens.base import DataScreen

    while True:
        await pilot.pause()
        screen = pilot.app.screen
        if getattr(pilot.app, "ready", False) and (not isinstance(screen, DataScreen) or screen.loads):
            await pilot.app.workers.wait_for_complete()
            return
        await asyncio.sleep(0.01)


async def _measure(url: str, baseline: int) -> dict[str, Any]:
    from textual.widgets import DataTable

    from caseledger.application.interchange import render_line
    from caseledger.domain.store.log import read_log
    from caseledger.tui.app import CaseLedgerApp

    started = time.perf_counter()
    app = CaseLedgerApp(url, "bench", poll_seconds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        first_paint = time.perf_counter() - started
        await _wait_loaded(pilot)
        week_loaded = time.perf_counter() - started
        beats: list[float] = []
        app.set_interval(0.01, lambda: beats.append(time.perf_counter()))
        first_visits = []
        for key in ["2", "3", "4", "5", "6", "1"]:
            begin = time.perf_counter()
            await pilot.press(key)
            first_visits.append(time.perf_counter() - begin)
            await _wait_loaded(pilot)
        keys = ["2", "4", "5", "]", "]", "[", "1", "6", "3", "5", "]", "1"] * 5
        latencies = []
        for key in keys:
            begin = time.perf_counter()
            await pilot.press(key)
            latencies.append(time.perf_counter() - begin)
            await _wait_loaded(pilot)
        latencies.sort()
        gaps = sorted(later - earlier for earlier, later in itertools.pairwise(beats))
        await pilot.press("5")
        await _wait_loaded(pilot)
        begin = time.perf_counter()
        await pilot.press("]")
        await _wait_loaded(pilot)
        paged = time.perf_counter() - begin
        table = app.screen.query_one(DataTable)
        rows = [render_line(event.position, event.envelope) for _, event in zip(range(baseline), read_log(app.session.app), strict=False)]
        begin = time.perf_counter()
        table.clear(columns=True)
        table.add_columns("position", "type", "occurred", "recorded", "by", "site", "fields")
        for row in rows:
            table.add_row(row.get("position", row.get("log_position")), row["type"], row["occurred_at"], row["recorded_at"], row["recorded_by"], "", str(row))
        await pilot.pause()
        whole = time.perf_counter() - begin
    return {
        "first_paint": first_paint,
        "first_visit_max": max(first_visits),
        "week_loaded": week_loaded,
        "max_gap": gaps[-1],
        "gap_p95": gaps[int(0.95 * len(gaps)) - 1],
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * len(latencies)) - 1],
        "paged": paged,
        "whole": whole,
    }


def main() -> None:
    args = parser(__doc__.split("\n\n")[0], 1).parse_args()
    url = _store(args.events, args.seed)
    figures = asyncio.run(_measure(url, args.baseline_events))
    print(f"\nTUI benchmark — {machine()}")
    print(f"store: {args.events:,} events (SQLite), 120×40\n")
    print(
        f"| first paint | My week loaded | first visit of a screen (max) | keypress p50 / p95 | UI-thread stall p95 / max | audit page (100 rows, paged) | naive: {args.baseline_events:,} rows into one table | ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {figures['first_paint'] * 1000:.0f} ms | {figures['week_loaded']:.2f} s | {figures['first_visit_max'] * 1000:.0f} ms "
        f"| {figures['p50'] * 1000:.0f} / {figures['p95'] * 1000:.0f} ms | {figures['gap_p95'] * 1000:.0f} / {figures['max_gap'] * 1000:.0f} ms "
        f"| {figures['paged'] * 1000:.0f} ms | {figures['whole'] * 1000:.0f} ms | {figures['whole'] / figures['paged']:.1f}× |"
    )


if __name__ == "__main__":
    main()
