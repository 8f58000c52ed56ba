"""Import and command speed before and after a change, in one run (issue #23: "within 20 % of today's").

``python -m bench.before_after --base 5c16002 [--head main] [--sizes 20000,100000] [--rounds 3] [--postgres-size 20000]``

Each revision is checked out with ``git worktree add --detach`` into a temporary folder, and its
command line runs with this ``.venv`` (the same interpreter and packages) and a ``caseledger``
folder of links to the checkout's rooms first on ``PYTHONPATH``: the editable install's finder
comes after the path, so the checkout's code is what runs (each side is asked where
``caseledger.domain`` comes from before anything is timed). Both sides are checkouts, the head
too, so ``--base main --head main`` measures the method's own noise.

For each size N, one generated file (``caseledger.fixtures.generate --events N``, by the base's
generator, kept in ``bench/out``), then for each round both sides — base first in odd rounds,
head first in even ones — each in a fresh SQLite store and a fresh user config folder, one
process per command, as a person runs them: ``--version`` (the interpreter's and the imports'
fixed cost, which every command carries), ``import --keep-recorded`` of the N events (it brings
the timeline and add-on read models up to date in the same run), the first ``export workload``
(it catches up what the import left: the world snapshots and weekly figures), a second
``export workload`` (nothing to catch up), ``status``, ``verify`` and ``rebuild`` (every read model
emptied and refilled from the log). On PostgreSQL (a throwaway
*durable* cluster, one fresh database per side and round, at ``--postgres-size`` events): the
import and both exports.

Printed: the median over the rounds of each command's wall time (interpreter start-up included:
what a person waits for) and CPU time (user + system of the command's process: less disturbed by
whatever else the machine runs; on PostgreSQL it leaves out the server's work), the ratio head/base
of each, flagged past 1.20, and each command's growth with N between consecutive sizes,
log(t₂/t₁)/log(N₂/N₁) (0 flat, 1 linear).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import machine
from tests.support.postgres import PostgresServer, throwaway_cluster

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ROOMS = ("domain", "projections", "application", "cli", "tui", "fixtures")
"""The folders setup.py maps into the ``caseledger`` namespace (read from each checkout's setup.py when it says otherwise)."""
UNTIL = "2026-11-30"
"""The day the generated data is made on: fixed, so a later run times the same data."""
ADMIN = "admin"
"""The generated stream's admin: the login every command runs as (SQLite records the OS login)."""
LIMIT = 1.20
"""The issue's bound: head within 20 % of base."""

SQLITE_COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("start-up (--version)", ("--version",)),
    ("import", ("import", "--keep-recorded", "{file}")),
    ("export workload (first)", ("export", "workload")),
    ("export workload (again)", ("export", "workload")),
    ("status", ("status",)),
    ("verify", ("verify",)),
    ("rebuild", ("rebuild",)),
)
POSTGRES_COMMANDS = SQLITE_COMMANDS[1:4]


@dataclass(frozen=True)
class Side:
    """One revision, checked out, and the environment that makes its code the one that runs."""

    label: str
    revision: str
    commit: str
    checkout: Path
    packages: Path

    def env(self, config: Path) -> dict[str, str]:
        inherited = {name: value for name, value in os.environ.items() if not name.startswith("CASELEDGER_")}  # noqa: TID251 — the child's settings are its own
        path = os.pathsep.join(filter(None, [str(self.packages), inherited.get("PYTHONPATH")]))
        return {**inherited, "PYTHONPATH": path, "XDG_CONFIG_HOME": str(config), "LOGNAME": ADMIN, "USER": ADMIN}


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def checked_out(label: str, revision: str, folder: Path) -> Iterator[Side]:
    """``revision`` in a detached worktree under ``folder``, with its package of links; removed after."""
    commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}")
    checkout = folder / label
    _git("worktree", "add", "--detach", str(checkout), commit)
    try:
        packages = folder / f"{label}-packages"
        (packages / "caseledger").mkdir(parents=True)
        for room in _rooms(checkout):
            (packages / "caseledger" / room).symlink_to(checkout / room, target_is_directory=True)
        side = Side(label, revision, commit[:7], checkout, packages)
        _check_imports(side, folder)
        yield side
    finally:
        _git("worktree", "remove", "--force", str(checkout))


def _rooms(checkout: Path) -> Sequence[str]:
    found = re.search(r"^ROOMS = \(([^)]*)\)", (checkout / "setup.py").read_text(), re.MULTILINE)
    return re.findall(r'"(\w+)"', found[1]) if found else ROOMS


def _check_imports(side: Side, folder: Path) -> None:
    """Refuse to time anything unless the side's ``caseledger`` is its checkout's."""
    where = subprocess.run(
        [sys.executable, "-c", "import caseledger.domain, caseledger.cli.main; print(caseledger.domain.__file__)"],
        env=side.env(folder / "config-check"),
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not where.startswith(str(side.packages)):
        raise SystemExit(f"before_after: {side.label} imports caseledger from {where}, not from its checkout {side.checkout}")


def _events_file(base: Side, events: int, seed: int, folder: Path) -> Path:
    """The generator's N-event file (the base's generator, a fixed day), made once into bench/out."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"before-after-{events}-seed{seed}-{base.commit}.jsonl"
    if not path.exists():
        print(f"generating {path.name} …", file=sys.stderr)
        command = ["-m", "caseledger.fixtures.generate", "--events", str(events), "--seed", str(seed), "--until", UNTIL, "-o", str(path)]
        subprocess.run([sys.executable, *command], env=base.env(folder / "config-generate"), cwd=folder, check=True)
    return path


def _timed(side: Side, store: str, arguments: Sequence[str], config: Path, folder: Path) -> Timing:
    """One command in its own process: wall and CPU seconds (it must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "caseledger.cli.main", "--store", store, *arguments],
        env=side.env(config),
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"before_after: {side.label} ({side.commit}): caseledger {' '.join(arguments)} exit {done.returncode}: {done.stderr.decode()[-500:]}")
    return Timing(wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


Results = dict[tuple[str, int, str, str], list[Timing]]
"""(store, N, command, side label) → one timing per round."""


@dataclass(frozen=True)
class Run:
    """Where one run works (its temporary folder), the generated files, and what it measured."""

    folder: Path
    files: dict[int, Path]
    results: Results

    def commands(self, side: Side, backend: str, events: int, store: str, commands: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Each of ``commands`` once, on ``store`` (holding nothing yet), with a fresh user config folder."""
        config = self.folder / f"config-{store.rsplit('/', 1)[1]}"
        for name, arguments in commands:
            timing = _timed(side, store, [argument.format(file=self.files[events]) for argument in arguments], config, self.folder)
            self.results.setdefault((backend, events, name, side.label), []).append(timing)


def measure(sides: Sequence[Side], sizes: Sequence[int], *, rounds: int, postgres_size: int, seed: int, folder: Path) -> Results:
    """Every round: each side (alternating which goes first) on every size, then on PostgreSQL."""
    needed = sorted({*sizes, *([postgres_size] if postgres_size else [])})
    run = Run(folder, {events: _events_file(sides[0], events, seed, folder) for events in needed}, {})
    cluster: contextlib.AbstractContextManager[PostgresServer | None] = throwaway_cluster(durable=True) if postgres_size else contextlib.nullcontext(None)
    with cluster as server:
        for round_ in range(rounds):
            for side in sides if round_ % 2 == 0 else list(reversed(sides)):
                for events in sizes:
                    print(f"round {round_ + 1}/{rounds}: {side.label}, SQLite, {events:,} events", file=sys.stderr)
                    run.commands(side, "SQLite", events, f"sqlite:///{folder}/{side.label}-{round_}-{events}.db", SQLITE_COMMANDS)
                if server is not None:
                    print(f"round {round_ + 1}/{rounds}: {side.label}, PostgreSQL, {postgres_size:,} events", file=sys.stderr)
                    run.commands(side, "PostgreSQL", postgres_size, server.create_database(f"{side.label}_{round_}"), POSTGRES_COMMANDS)
    return run.results


def _median(timings: Sequence[Timing], field: str) -> float:
    return statistics.median(getattr(timing, field) for timing in timings)


def _ratio(head: float, base: float) -> str:
    ratio = head / base
    return f"{ratio:.2f}" + (" ⚠" if ratio > LIMIT else "")


def report(results: Results, base: Side, head: Side, sizes: Sequence[int], rounds: int) -> str:
    lines = [
        f"before/after — {machine()}",
        f"base {base.revision} ({base.commit}), head {head.revision} ({head.commit}); median of {rounds} rounds, sides alternated; ⚠ past {LIMIT:.2f}",
        "",
        "| store | events | command | base wall s | head wall s | head/base | base CPU s | head CPU s | head/base |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    order = [command for command, _ in SQLITE_COMMANDS]
    keys = sorted({(store, events, command) for store, events, command, _ in results}, key=lambda key: (key[0] != "SQLite", key[1], order.index(key[2])))
    for store, events, command in keys:
        before, after = results[(store, events, command, base.label)], results[(store, events, command, head.label)]
        wall = (_median(before, "wall"), _median(after, "wall"))
        cpu = (_median(before, "cpu"), _median(after, "cpu"))
        lines.append(
            f"| {store} | {events:,} | {command} | {wall[0]:.2f} | {wall[1]:.2f} | {_ratio(wall[1], wall[0])} | {cpu[0]:.2f} | {cpu[1]:.2f} | {_ratio(cpu[1], cpu[0])} |"
        )
    ordered = sorted(sizes)
    if len(ordered) > 1:
        steps = list(itertools.pairwise(ordered))
        lines += ["", "Growth with N (SQLite; wall / CPU): log(t₂/t₁)/log(N₂/N₁)", ""]
        lines.append("| command | " + " | ".join(f"base {a:,}→{b:,} | head {a:,}→{b:,}" for a, b in steps) + " |")
        lines.append("|---|" + "---:|---:|" * len(steps))
        for command, _ in SQLITE_COMMANDS:
            cells = []
            for small, large in steps:
                for side in (base, head):
                    growth = [
                        math.log(
                            _median(results[("SQLite", large, command, side.label)], field) / _median(results[("SQLite", small, command, side.label)], field)
                        )
                        / math.log(large / small)
                        for field in ("wall", "cpu")
                    ]
                    cells.append(" / ".join(f"{exponent:.2f}" for exponent in growth))
            lines.append(f"| {command} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parsed = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parsed.add_argument("--base", required=True, help="the revision before (a commit, tag or branch)")
    parsed.add_argument("--head", default="HEAD", help="the revision after (default: HEAD)")
    parsed.add_argument("--sizes", default="20000,100000", help="events in the SQLite stores, comma-separated")
    parsed.add_argument("--rounds", type=int, default=3, help="rounds of both sides (the median is printed)")
    parsed.add_argument("--postgres-size", type=int, default=None, help="events in the PostgreSQL store (default: the smallest size; 0: no PostgreSQL)")
    parsed.add_argument("--seed", type=int, default=7, help="generator seed")
    args = parsed.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    postgres_size = min(sizes) if args.postgres_size is None else args.postgres_size
    with tempfile.TemporaryDirectory(prefix="caseledger-before-after-") as name:
        folder = Path(name)
        with checked_out("base", args.base, folder) as base, checked_out("head", args.head, folder) as head:
            results = measure([base, head], sizes, rounds=args.rounds, postgres_size=postgres_size, seed=args.seed, folder=folder)
    print(report(results, base, head, sizes, args.rounds))


if __name__ == "__main__":
    main()
