"""Projection figures on the 1,000,000-event store, against the per-event approach, same run.

``python -m bench.projection_bench [--events 1000000] [--baseline-events 20000]``

For SQLite and PostgreSQL (a durable throwaway cluster), on a store holding the generator's
N-event file:

* full rebuild of every read model — batched (the engine) vs per-event (one transaction per
  event with its tracking record, as the library's ``ProjectionRunner`` does; run on the first
  ``--baseline-events`` events, its rate is per event either way);
* every projection exported (computed and written as CSV) as of an arbitrary past time and as
  known at an arbitrary past time, and as of now;
* command-to-projection latency: an add-on task recorded through the service with the engine's
  catch-up as its ``on_recorded`` hook, until its effect is in the read models (p50/p95 of 200);
* peak RSS of each measurement (each runs in its own process).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import machine, parser
from caseledger.projections.engine.projector import Projector
from caseledger.projections.readmodels.sealing import Writing

OUT = Path(__file__).resolve().parent / "out"


def _child(mode: str, url: str, limit: int) -> dict[str, Any]:
    from caseledger.domain.store.application import open_application

    app = open_application(url)
    if mode == "rebuild":
        projector = Projector(app)
        started = time.perf_counter()
        events = projector.rebuild()
        return {"events": events, "seconds": time.perf_counter() - started}
    if mode == "per-event":
        projector = PerEventProjector(app)
        projector.clear()
        started = time.perf_counter()
        events = projector.catch_up(upto=limit)
        return {"events": events, "seconds": time.perf_counter() - started}
    if mode == "exports":
        return _exports(app)
    if mode == "latency":
        return _latency(app)
    raise SystemExit(f"unknown mode {mode}")


class PerEventProjector(Projector):
    """The engine with one transaction per event (its rows and its tracking record), as the
    library's ``ProjectionRunner`` commits — the naive approach the batched rebuild is measured against."""

    def _apply(self, batch: list[tuple[int, str, bytes, str | None]], positions: dict[str, int]) -> None:
        for event in batch:
            super()._apply([event], positions)
            positions = {name: max(position, event[0]) for name, position in positions.items()}

    def clear(self) -> None:
        with self.db.transaction(write=True) as cursor:
            writing = Writing(self.seals, cursor)
            for model in self.models:
                model.clear(cursor, writing, self.db)
                cursor.execute(f"UPDATE {self.db.table('cl_tracking')} SET position = 0 WHERE name = ?", (model.name,))


def _exports(app: Any) -> dict[str, Any]:
    from caseledger.domain.model.times import LocalDay
    from caseledger.projections.catalogue import PROJECTIONS
    from caseledger.projections.engine.compute import compute
    from caseledger.projections.output.formats import _csv
    from caseledger.projections.replay.facts import View
    from caseledger.projections.rules import load_rules

    projector = Projector(app)
    projector.catch_up()
    rules = load_rules("current")
    views = {
        "as of 2024-07-15 (local day)": View(as_of=LocalDay(dt.date(2024, 7, 15))),
        "as of 2024-10-01T12:00Z, known at 2024-10-15T00:00Z": View(
            as_of=dt.datetime(2024, 10, 1, 12, tzinfo=dt.UTC), known_at=dt.datetime(2024, 10, 15, tzinfo=dt.UTC)
        ),
        "now": View(),
    }
    timings: dict[str, dict[str, float]] = {}
    for label, view in views.items():
        timings[label] = {}
        for name, projection in PROJECTIONS.items():
            started = time.perf_counter()
            result = compute(app, projection, view, rules, projector)
            _csv(projection.columns, result.rows, result.meta, io.BytesIO())
            timings[label][name] = time.perf_counter() - started
    return {"timings": timings}


def _latency(app: Any) -> dict[str, Any]:
    from tests.support.commands import ScriptedService

    projector = Projector(app)
    projector.catch_up()
    officer = next(line for line in _officers(app))
    service = ScriptedService(app, "bench", on_recorded=lambda _position: projector.catch_up())
    samples = []
    for index in range(200):
        started = time.perf_counter()
        position = service.log_addon_task(officer, "scanning_faxing", 5 + index % 50, occurred_at=dt.datetime.now(dt.UTC))
        samples.append(time.perf_counter() - started)
        assert projector.positions()["addons"] >= position
    samples.sort()
    return {"p50_ms": statistics.median(samples) * 1000, "p95_ms": samples[int(0.95 * len(samples)) - 1] * 1000}


def _officers(app: Any) -> list[str]:
    from caseledger.domain.store.log import read_log

    for event in read_log(app, types=["OfficerRegistered"], batch=10):
        return [event.envelope.data.officer]
    return []


def _measure(mode: str, url: str, limit: int = 0) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", "bench.projection_bench", "--child", mode, url, str(limit)], check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def _ensure_store(url: str, path: Path) -> None:
    from caseledger.application.imports import import_lines
    from caseledger.domain.store.application import open_application

    app = open_application(url)
    if app.head_position() == 0:
        print(f"importing {path.name} into {url.rsplit('@', maxsplit=1)[-1]} …", file=sys.stderr)
        with open(path, "rb") as handle:
            import_lines(app, handle, "bench", keep_recorded=True)


def main() -> None:
    args = parser(__doc__.split("\n\n")[0], 3).parse_args()
    if args.child:
        mode, url, limit = args.child
        result = _child(mode, url, int(limit))
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    from bench.import_bench import _events_file
    from tests.support.postgres import throwaway_cluster

    path = _events_file(args.events, args.seed)
    report: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="caseledger-bench-") as folder, throwaway_cluster(durable=True) as server:
        stores = {"SQLite": f"sqlite:///{folder}/store.db", "PostgreSQL": server.create_database("store")}
        for backend, url in stores.items():
            _ensure_store(url, path)
            report[backend] = {
                "rebuild": _measure("rebuild", url),
                "per_event": _measure("per-event", url, args.baseline_events),
                "exports": _measure("exports", url),
                "latency": _measure("latency", url),
            }
    _print(report, path, args.baseline_events)


def _print(report: dict[str, dict[str, Any]], path: Path, baseline: int) -> None:
    print(f"\nprojection benchmark — {machine()}")
    print(f"store: {path.name}\n")
    print(
        f"| store | rebuild events/s | rebuild peak RSS | per-event events/s (first {baseline:,}) | ratio | slowest export (which) | export peak RSS | command→projection p50 / p95 |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---:|")
    for backend, figures in report.items():
        rebuild, per_event, exports, latency = figures["rebuild"], figures["per_event"], figures["exports"], figures["latency"]
        rate = rebuild["events"] / rebuild["seconds"]
        per_event_rate = per_event["events"] / per_event["seconds"]
        slowest = max(((seconds, f"{name}, {label}") for label, row in exports["timings"].items() for name, seconds in row.items()))
        print(
            f"| {backend} | {rate:,.0f} ({rebuild['events']:,} in {rebuild['seconds']:.1f} s) | {rebuild['peak_mb']:.0f} MB "
            f"| {per_event_rate:,.0f} | {rate / per_event_rate:.1f}× | {slowest[0]:.2f} s ({slowest[1]}) | {exports['peak_mb']:.0f} MB "
            f"| {latency['p50_ms']:.1f} / {latency['p95_ms']:.1f} ms |"
        )
    print("\nexport seconds by projection and cut:")
    for backend, figures in report.items():
        for label, row in figures["exports"]["timings"].items():
            cells = ", ".join(f"{name} {seconds:.2f}" for name, seconds in row.items())
            print(f"- {backend}, {label}: {cells}")


if __name__ == "__main__":
    main()
