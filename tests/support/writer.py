"""A writer process for concurrency tests and the load benchmark.

``python -m tests.support.writer URL USER --commands N [--rate R] [--seed S]`` records commands on
the hand-checked scenario's officers and offenders (so writers overlap on the same cases):
case assignments, complexity flags, CCLO contacts and add-on tasks, each through the service
with the read models caught up after every command (unless ``--no-catch-up``). With ``--rate`` it paces itself to R
commands a second. It prints one JSON object: the positions it recorded, how many commands were
refused (a refusal is a correct answer to a race, e.g. a case that changed under it), and each
command's latency in seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

import msgspec

from caseledger.domain.errors import ConflictError, DomainError
from caseledger.domain.store.application import open_application
from caseledger.projections.engine.projector import Projector
from tests.support.commands import ScriptedService

OFFICERS = ("po.adams", "po.brown", "po.chen", "po.diaz")
OFFENDERS = ("off-001", "off-002", "off-004", "off-005", "off-007")


def run(url: str, user: str, commands: int, rate: float | None, seed: int, *, catch_up: bool = True) -> dict[str, object]:
    app = open_application(url)
    projector = Projector(app)
    service = ScriptedService(app, user, on_recorded=(lambda _position: projector.catch_up()) if catch_up else None)
    rng = random.Random(seed)
    positions: list[int] = []
    latencies: list[float] = []
    refused = 0
    started = time.perf_counter()
    for index in range(commands):
        if rate:
            wait = started + index / rate - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        when = dt.datetime.now(dt.UTC)
        offender, officer = rng.choice(OFFENDERS), rng.choice(OFFICERS)
        choice = rng.random()
        begin = time.perf_counter()
        try:
            if choice < 0.3:
                position = service.assign_case(offender, officer, occurred_at=when)
            elif choice < 0.45:
                position = service.flag_complexity(offender, rng.choice(("medical", "language")), occurred_at=when)
            elif choice < 0.55:
                position = service.record_cclo_contact(offender, "cclo1", "OPP", "risk_consultation", rng.randrange(5, 60), occurred_at=when)
            else:
                position = service.log_addon_task(officer, "scanning_faxing", rng.randrange(1, 30), occurred_at=when)
            positions.append(position)
        except (DomainError, ConflictError):
            refused += 1
        latencies.append(time.perf_counter() - begin)
    return {"user": service.user, "positions": positions, "refused": refused, "latencies": latencies}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("user")
    parser.add_argument("--commands", type=int, required=True)
    parser.add_argument("--rate", type=float, default=None, help="commands per second (default: as fast as possible)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-catch-up", action="store_true", help="leave the read models to someone else")
    args = parser.parse_args()
    report = run(args.url, args.user, args.commands, args.rate, args.seed, catch_up=not args.no_catch_up)
    sys.stdout.buffer.write(msgspec.json.encode(report) + b"\n")


if __name__ == "__main__":
    main()
