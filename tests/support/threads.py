"""Running work in racing threads, for the concurrency tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence


def race(workers: Sequence[Callable[[int], object]], rounds: int = 1) -> None:
    """Start every worker at the same moment (a barrier), each running ``rounds`` times; fail if any raised."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(work: Callable[[int], object]) -> None:
        try:
            barrier.wait()
            for index in range(rounds):
                work(index)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors


def each_round(action: Callable[[], object]) -> Callable[[int], object]:
    """``action`` as a worker of :func:`race`, the same whatever the round."""
    return lambda _round: action()
