"""The demo: a year of one region's events, seeded into a store only while it is empty."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from caseledger.application.identity import identity
from caseledger.application.imports import ImportReport, import_lines
from caseledger.domain.model.clock import Clock
from caseledger.domain.store.application import LedgerApplication
from caseledger.fixtures.demo import DEMO_ZONE, demo_lines, demo_people


def seed_demo(app: LedgerApplication, seed: int, clock: Clock, lines: Callable[[bytes], Iterator[bytes]] | None = None) -> ImportReport | None:
    """Import the demo data set for ``seed`` up to today in the demo's region at ``clock``
    (:data:`~caseledger.fixtures.demo.DEMO_ZONE`), recorded times kept (so it has real back-dated
    entries), with its people and roles (:func:`~caseledger.fixtures.demo.demo_people`: whoever
    seeds it is its admin, linked to a parole officer), and return the report; None, recording
    nothing, when the store already holds events. ``lines`` splits the data into lines (the
    command line's shows a progress bar)."""
    if app.head_position() != 0:
        return None
    login = identity(app)
    events = list(demo_lines(seed, clock.today_in(DEMO_ZONE)))
    opening, people = demo_people(events, login)
    data = opening + b"".join(events) + b"".join(people)
    stream: Iterable[bytes] = lines(data) if lines else data.splitlines(keepends=True)
    return import_lines(app, stream, login, keep_recorded=True)
