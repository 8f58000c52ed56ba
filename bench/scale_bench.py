"""The read side at national scale: every figure of issue #9's table, at several store sizes, with
the replay-everything path measured in the same run and each figure's growth with the log.

``python -m bench.scale_bench [--sizes 250000,1000000,3000000] [--postgres-size 1000000] [--seed 7]``

Each SQLite store holds the generator's first N events (made once in ``bench/out`` by the
rebuild benchmark's helper, read models caught up, world snapshots and weekly figures built).
The PostgreSQL store is a throwaway durable cluster loaded with the same file; its exports run on
a streaming read replica (a second cluster made with ``pg_basebackup -R``), as analysts' should,
while the officers' screens (*My week*, *Caseload*) read the primary. Every
measurement runs in its own process, so its peak RSS is its own; wall time is measured inside
that process from opening the store to the last row written (interpreter start-up and imports
excluded), after one warm-up run of the same figure. "Now" is one hour after the last event occurred, so *My week*'s chart covers weeks
that have data.

*Replay everything* is the same query with no snapshot usable — the world replayed from the first
fact, as every query did before snapshots (the weekly figures and add-on totals are still used,
so it is kinder than the old code, which replayed twice for *My week*); for addon_burden it is
grouping every task in the add-on read model (the old path; a known-at far ahead selects it).
The growth exponent is log(t₂/t₁)/log(N₂/N₁) between consecutive sizes: 0 is flat, 1 linear.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench import machine
from bench.rebuild_bench import _store

FIGURES = (
    "week",
    "caseload",
    "due",
    "site (every officer, with overdue deadlines)",
    "site of one supervisor (its officers and whom they cover)",
    "export workload (now)",
    "export addon_burden (now)",
    "export addon_burden (one quarter)",
    "export staffing (as of mid-period)",
    "export release_lead_time (as of mid, known at mid + 10 d)",
    "export transfers (now)",
    "export deadlines (now)",
    "export deadlines (as of mid-period)",
    "history of one offender",
    "export coverage by site (one quarter)",
    "report (one quarter, current and proposed)",
    "report (one year, current and proposed)",
    "report (one year, current only)",
)


def _prepared(url: str) -> dict[str, Any]:
    """Catch the store up (building snapshots on first use); the data's first instant (its first
    recording) and last, and an offender with a long history, for the children. Run in a child
    of its own, so the parent's peak memory (inherited by every later child's figure) stays small."""
    from caseledger.domain.store.application import open_application
    from caseledger.domain.store.log import read_log
    from caseledger.projections.engine.projector import Projector

    projector = Projector(open_application(url))
    started = time.perf_counter()
    projector.catch_up()
    caught_up = time.perf_counter() - started
    db = projector.db
    with db.transaction(write=False) as cursor:
        # the first instant is the first recording: the sites and the standing population are dated before it
        cursor.execute(f"SELECT MIN(recorded_us), MAX(occurred_us) FROM {db.table('cl_timeline')}")
        first, last = cursor.fetchone() or (0, 0)
        cursor.execute(f"SELECT position FROM {db.table('cl_timeline')} WHERE type = 'CaseAssigned' ORDER BY position LIMIT 1")
        (position,) = cursor.fetchone() or (1,)
    offender = next(iter(read_log(projector.app, after=int(position) - 1, upto=int(position)))).envelope.data.offender
    return {"first_us": int(first), "last_us": int(last), "offender": offender, "catch_up_s": caught_up}


def _child(url: str, figure: str, naive: bool, context: dict[str, Any]) -> dict[str, Any]:
    """One measurement in this process."""
    import datetime as dt

    from caseledger.application.exports import ExportSpec, export_projection
    from caseledger.application.history import case_history
    from caseledger.application.ledger import Ledger
    from caseledger.domain.model.clock import Clock
    from caseledger.domain.model.times import iso_week

    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    now = epoch + dt.timedelta(microseconds=context["last_us"] + 3_600_000_000)
    middle = epoch + dt.timedelta(microseconds=(context["first_us"] + context["last_us"]) // 2)
    started = time.perf_counter()
    session = Ledger.open(url, "bench", clock=Clock(now))
    if naive:
        from unittest import mock

        from caseledger.projections.replay.snapshots import Snapshots

        mock.patch.object(Snapshots, "usable", lambda *_: None).start()  # the baseline: no snapshot is ever valid (for this child's one measurement)
    rows = 0
    if figure == "week":
        rows = len(session.week(session.officer_for("bench")).weekly_hours)
    elif figure == "caseload":
        rows = len(session.caseload(session.officer_for("bench")))
    elif figure == "due":
        rows = len(session.due(session.officer_for("bench")))
    elif figure.startswith("site of one supervisor"):
        from caseledger.projections.screens.site import site_officers

        session.projector.catch_up()
        with session.projector.db.transaction(write=False) as cursor:  # the site with the most officers registered
            cursor.execute(f"SELECT at_site, COUNT(*) FROM {session.projector.db.table('cl_timeline')} WHERE type = 'OfficerRegistered' GROUP BY at_site")
            site = max(cursor.fetchall(), key=lambda row: (row[1], row[0]))[0]
        rows = len(site_officers(session.projector, session.rules, session.view(), frozenset({str(session.projector.db.app.cloak.unname(site))}))[0])
    elif figure.startswith("site"):
        rows = len(session.officers())
    elif figure == "history of one offender":
        rows = len(case_history(session.app, context["offender"]))
    elif figure.startswith("report"):
        from caseledger.application.report import ReportSpec, write_report

        last = (now - dt.timedelta(hours=2)).date()
        first = last - dt.timedelta(days=364 if "year" in figure else 90)
        report = ReportSpec.of(str(first), str(last), rules="current" if "current only" in figure else "current,proposed", now=now)
        with tempfile.TemporaryDirectory() as folder:
            write_report(session.projector, report, os.path.join(folder, "report.html"), sites=None)
        rows = 8
    else:
        name = figure.split()[1]
        far = (now + dt.timedelta(days=1)).isoformat() if naive and name == "addon_burden" else None
        cuts: dict[str, Any] = {"known_at": far}
        if "as of mid" in figure:
            cuts = {"as_of": middle.isoformat(), "known_at": (middle + dt.timedelta(days=10)).isoformat() if "known at" in figure else None}
        if "quarter" in figure:
            cuts |= {"first_week": iso_week(middle.date()), "last_week": iso_week(middle.date() + dt.timedelta(weeks=12))}
        spec = ExportSpec.of(name, now=now, by_site=" by site" in figure, **cuts)
        with tempfile.TemporaryDirectory() as folder:
            rows = export_projection(session.projector, spec, fmt="csv", output=os.path.join(folder, "out.csv"), deidentified=False)
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run_child(*arguments: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", "bench.scale_bench", "--child", *arguments], check=True, capture_output=True, text=True)
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def _measure(url: str, figure: str, naive: bool, context: dict[str, Any]) -> dict[str, Any]:
    return _run_child(url, figure, "naive" if naive else "product", json.dumps(context))


def _growth(before: tuple[int, float] | None, size: int, seconds: float) -> str:
    if before is None:
        return ""
    events, earlier = before
    return f"{math.log(seconds / earlier) / math.log(size / events):.2f}"


def _table(stores: list[tuple[str, int, str, str]], figures: list[str], prepared: dict[str, Any] | None = None) -> None:
    """Measure ``figures`` on each (label, events, url for the screens, url for the exports);
    ``prepared``: the store was caught up already (its figures)."""
    print("| store | events | figure | snapshots (product) | peak RSS | replay everything | peak RSS | ratio | growth (product) | growth (replay) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    before: dict[tuple[str, str, bool], tuple[int, float]] = {}
    for label, size, screens, exports in stores:
        context = prepared or _run_child(screens, "prepare", "-", "{}")
        print(f"| {label} | {size:,} | catch-up before measuring (snapshots etc. on first use) | {context['catch_up_s']:.2f} s | | | | | | |", flush=True)
        for figure in figures:
            url = exports if figure.startswith("export") else screens
            _measure(url, figure, False, context)  # a warm-up run: both paths then meet the same caches
            product, naive = _measure(url, figure, False, context), _measure(url, figure, True, context)
            rows = f" ({product['rows']:,} rows, {product['rows'] / product['seconds']:,.0f} rows/s)" if figure.startswith("export addon") else ""
            print(
                f"| {label} | {size:,} | {figure} | {product['seconds']:.3f} s{rows} | {product['peak_mb']:.0f} MB | {naive['seconds']:.3f} s "
                f"| {naive['peak_mb']:.0f} MB | {naive['seconds'] / product['seconds']:.1f}× | {_growth(before.get((label, figure, False)), size, product['seconds'])} "
                f"| {_growth(before.get((label, figure, True)), size, naive['seconds'])} |",
                flush=True,
            )
            before[(label, figure, False)], before[(label, figure, True)] = (size, product["seconds"]), (size, naive["seconds"])


def _postgres(size: int, seed: int, figures: list[str]) -> None:
    """Load a durable throwaway cluster, start a streaming replica of it, measure."""
    from bench.import_bench import _events_file
    from caseledger.application.imports import import_lines
    from caseledger.domain.store.application import open_application
    from tests.support.postgres import streaming_replica, throwaway_cluster, wait_for_replay

    with throwaway_cluster(durable=True) as primary:
        url = primary.create_database("ledger")
        print(f"importing {size:,} events into PostgreSQL …", file=sys.stderr)
        with open(_events_file(size, seed), "rb") as handle:
            import_lines(open_application(url), handle, "bench", keep_recorded=True)
        prepared = _run_child(url, "prepare", "-", "{}")  # read models and snapshots, on the primary
        with streaming_replica(primary) as replica:
            wait_for_replay(primary, replica, timeout=600)
            _table([("PostgreSQL (exports on the replica)", size, url, replica.url("ledger"))], figures, prepared)


def main() -> None:
    parsed = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parsed.add_argument("--sizes", default="250000,1000000,3000000", help="comma-separated SQLite store sizes (events); empty for none")
    parsed.add_argument("--postgres-size", type=int, default=1_000_000, help="events in the PostgreSQL store (0: skip PostgreSQL)")
    parsed.add_argument("--seed", type=int, default=7)
    parsed.add_argument("--only", help="measure only the figures whose name contains this text")
    parsed.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parsed.parse_args()
    if args.child:
        url, figure, mode, context = args.child
        print(json.dumps(_prepared(url) if figure == "prepare" else _child(url, figure, mode == "naive", json.loads(context))))
        return
    figures = [figure for figure in FIGURES if not args.only or args.only in figure]
    print(f"\nscale benchmark — {machine()}\n")
    sizes = [int(size) for size in args.sizes.split(",") if size]
    _table([("SQLite", size, _store(size, args.seed), _store(size, args.seed)) for size in sizes], figures)
    if args.postgres_size:
        print()
        _postgres(args.postgres_size, args.seed, figures)


if __name__ == "__main__":
    main()
