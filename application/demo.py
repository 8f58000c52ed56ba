"""The demo: a year of one region's events, seeded into a store only while it is empty."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from caseledger.application.imports import ImportReport, import_lines
from caseledger.domain.store.application import LedgerApplication
from caseledger.fixtures.demo import demo_lines


def seed_demo(app: LedgerApplication, seed: int, user: str, lines: Callable[[bytes], Iterator[bytes]] | None = None) -> ImportReport | None:
    """Import the demo data set for ``seed`` (recorded times kept, so it has real back-dated
    entries) and return the report; None, recording nothing, when the store already holds
    events. ``lines`` splits the data into lines (the command line's shows a progress bar)."""
    if app.head_position() != 0:
        return None
    data = b"".join(demo_lines(seed))
    stream: Iterable[bytes] = lines(data) if lines else data.splitlines(keepends=True)
    return import_lines(app, stream, user, keep_recorded=True)
