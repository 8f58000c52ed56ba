"""``verify`` in full against ``verify --since-checkpoint``: the first grows with the whole log,
the second with what came after the checkpoint.

``python -m bench.verify_bench [--sizes 250000,1000000,3000000] [--seed 7]`` (SQLite; reuses the
stores ``bench.rebuild_bench`` made in ``bench/out``). For each size: the full walk, then the
walk from checkpoints signed at 50% and at 99% of the log.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench import machine
from bench.rebuild_bench import _store


def main() -> None:
    from caseledger.domain.integrity.checkpoint import check, signed
    from caseledger.domain.integrity.verify import verify
    from caseledger.domain.secrets.keys import signing_key
    from caseledger.domain.store.application import open_application

    parsed = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parsed.add_argument("--sizes", default="250000,1000000,3000000")
    parsed.add_argument("--seed", type=int, default=7)
    args = parsed.parse_args()
    print(f"\nverify benchmark — {machine()} — SQLite\n")
    print("| events | full walk (naive) | since a checkpoint at 50% | since one at 99% | full / since-99% |")
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        key = signing_key(Path(folder) / "key.pem")
        for size in (int(value) for value in args.sizes.split(",")):
            app = open_application(_store(size, args.seed))
            marks = {size // 2, size * 99 // 100}
            started = time.perf_counter()
            full = verify(app, keep_heads_at=marks)
            full_seconds = time.perf_counter() - started
            assert full.ok and full.heads is not None
            since: list[float] = []
            for mark in sorted(marks):
                checkpoint = signed(mark, full.heads[mark], mark, key)
                started = time.perf_counter()
                verdict = check(app, checkpoint, since=True)
                since.append(time.perf_counter() - started)
                assert verdict.ok and verdict.head == full.head
            print(f"| {size:,} | {full_seconds:.2f} s | {since[0]:.2f} s | {since[1]:.3f} s | {full_seconds / since[1]:,.0f}× |")


if __name__ == "__main__":
    main()
