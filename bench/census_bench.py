"""What trust costs an export, before and after the read models were sealed in blocks (issue #25, point 2), in one run.

``python -m bench.census_bench --base 3af341d [--head main] [--sizes 1000000,3000000] [--rounds 2]``

Each revision is checked out into a worktree (as :mod:`bench.before_after` does) and runs the
same measurements of :mod:`bench.scale_bench` (``--child``: one process per figure, wall time
from opening the store to the last row written, after a warm-up run) on the rebuild benchmark's
SQLite store of N events (``bench/out/rebuild-N-seed7.db``, made once by ``bench.rebuild_bench``):
the head on that store, the base on a copy of it (``bench/out/census-base-N.db``, made once),
so neither side's tables or indexes are the other's. ``status`` and ``status --full`` are timed
as whole processes (interpreter start-up included); the base's ``status`` counted every row (it
has no ``--full``), so it stands against both. Printed: the median of the rounds for each
side, head/base, and each side's growth with N between consecutive sizes (log t₂/t₁ / log N₂/N₁).

The base counts every row of each table an export reads against its seal (the census); the head
counts the blocks its queries reach. The stores are prefixes of one generated stream, so a
bigger store also has more staff and cases (the figures grow with those as well as with history).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench import machine
from bench.before_after import OUT, Side, checked_out

FIGURES = (
    "export workload (now)",
    "export transfers (now)",
    "export deadlines (now)",
    "export staffing (as of mid-period)",
    "export release_lead_time (as of mid, known at mid + 10 d)",
    "export deadlines (as of mid-period)",
    "export addon_burden (one quarter)",
    "export addon_burden (now)",
    "site (every officer, with overdue deadlines)",
)
STATUS = (("status", ()), ("status --full", ("--full",)))


def _env(side: Side) -> dict[str, str]:
    """The side's code first on the path, and its own ``bench`` package; the user's keys as they are."""
    path = os.pathsep.join([str(side.packages), str(side.checkout)])
    return {**os.environ, "PYTHONPATH": path}  # noqa: TID251 — the child's environment, not a setting


def _child(side: Side, *arguments: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale_bench", "--child", *arguments], cwd=side.checkout, env=_env(side), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"census_bench: {side.label}: {arguments[1]}: {done.stderr[-600:]}")
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def _status(side: Side, url: str, flags: Sequence[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "caseledger.cli.main", "--store", url, "--user", "admin", "status", *flags],
        cwd=side.checkout,
        env=_env(side),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"census_bench: {side.label}: status {' '.join(flags)}: {done.stderr.decode()[-600:]}")
    return time.perf_counter() - started


def _store(size: int, base: bool) -> str:
    head = OUT / f"rebuild-{size}-seed7.db"
    if not head.exists():
        raise SystemExit(f"census_bench: {head} is missing: make it with `python -m bench.rebuild_bench --sizes {size}`")
    if not base:
        return f"sqlite:///{head}"
    copy = OUT / f"census-base-{size}.db"
    if not copy.exists():
        print(f"copying {head.name} to {copy.name} …", file=sys.stderr)
        shutil.copyfile(head, copy)
    return f"sqlite:///{copy}"


def _growth(seconds: dict[int, float], size: int, sizes: Sequence[int]) -> str:
    index = list(sizes).index(size)
    if index == 0:
        return ""
    before = sizes[index - 1]
    return f"{math.log(seconds[size] / seconds[before]) / math.log(size / before):+.2f}"


def main(argv: Sequence[str] | None = None) -> None:
    parsed = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parsed.add_argument("--base", required=True)
    parsed.add_argument("--head", default="HEAD")
    parsed.add_argument("--sizes", default="1000000,3000000")
    parsed.add_argument("--rounds", type=int, default=2)
    args = parsed.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"\ncensus benchmark — {machine()}\n")
    with tempfile.TemporaryDirectory() as folder, checked_out("base", args.base, Path(folder)) as base, checked_out("head", args.head, Path(folder)) as head:
        results: dict[tuple[str, str], dict[int, float]] = {}
        for size in sizes:
            for side in (base, head):
                url = _store(size, side is base)
                context = json.dumps(_child(side, url, "prepare", "product", "{}"))
                for figure in FIGURES:
                    _child(side, url, figure, "product", context)  # warm-up
                    runs = [_child(side, url, figure, "product", context)["seconds"] for _ in range(args.rounds)]
                    results.setdefault((figure, side.label), {})[size] = statistics.median(runs)
                for name, flags in STATUS:
                    asked = flags if side is head else ()  # the base's status counts every row, and knows no --full
                    _status(side, url, asked)
                    results.setdefault((name, side.label), {})[size] = statistics.median(_status(side, url, asked) for _ in range(args.rounds))
                print(f"measured {side.label} ({side.commit}) at {size:,} events", file=sys.stderr, flush=True)
        print(f"base {base.commit}, head {head.commit}; median of {args.rounds} after a warm-up; seconds\n")
        print("| figure | events | base | head | head/base | growth base | growth head |\n|---|---:|---:|---:|---:|---:|---:|")
        for figure in (*FIGURES, *(name for name, _ in STATUS)):
            for size in sizes:
                before, after = results[(figure, "base")], results[(figure, "head")]
                print(
                    f"| {figure} | {size:,} | {before[size]:.3f} | {after[size]:.3f} | {after[size] / before[size]:.2f} | "
                    f"{_growth(before, size, sizes)} | {_growth(after, size, sizes)} |"
                )


if __name__ == "__main__":
    main()
