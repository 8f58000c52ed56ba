"""Properties of the projections on random valid streams, on SQLite and PostgreSQL, every query
starting from world snapshots taken each day (:data:`FINE`):

* incremental catch-up (in random chunks) gives exactly what a rebuild from scratch gives;
* ``--as-of D`` gives what a store holding only the events that occurred by D gives (plus the
  retractions of those events: a known retraction applies whatever its own occurred time);
* ``--known-at R`` gives what a store holding only the events recorded by R gives.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from caseledger.application.imports import import_lines
from caseledger.domain.model.times import LocalDay, zone
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.domain.store.log import read_log
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import View
from tests.support.projection_helpers import FINE, everything, snapshotted
from tests.support.stores import NewStore
from tests.support.streams import NOW, encoded, stream, streams


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=5)
@given(lines=streams, cuts=st.lists(st.integers(1, 10**6), min_size=1, max_size=4))
def test_incremental_catch_up_equals_rebuild(new_store: NewStore, lines: list[dict[str, Any]], cuts: list[int]) -> None:
    app = open_application(new_store())
    projector = Projector(app, snapshot_policy=FINE)
    bounds = sorted({cut % len(lines) for cut in cuts} | {len(lines)})
    start = 0
    for bound in bounds:
        import_lines(app, encoded(lines[start:bound]), "admin", keep_recorded=True)  # the stream's first user (its registrations' recorder)
        projector.catch_up()
        start = bound
    incremental = everything(app, View(now=NOW))
    projector.rebuild()
    assert everything(app, View(now=NOW)) == incremental


def _local_dates(app: LedgerApplication) -> dict[int, dt.date]:
    zones = {e.envelope.data.site: e.envelope.data.timezone for e in read_log(app, types=["SiteRegistered"])}
    return {e.position: e.envelope.occurred_at.astimezone(zone(zones.get(e.envelope.at_site or "", "UTC"))).date() for e in read_log(app)}


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=5)
@given(lines=streams, fraction=st.floats(0.1, 0.95))
@example(lines=stream(2000, 276, 3), fraction=0.5)  # a retraction of a retraction across the cut
def test_as_of_equals_a_store_of_the_events_that_occurred_by_then(new_store: NewStore, lines: list[dict[str, Any]], fraction: float) -> None:
    full = open_application(new_store())
    import_lines(full, encoded(lines), "importer", keep_recorded=True)
    dates = _local_dates(full)
    ordinary = sorted(day for position, day in dates.items())
    cutoff = ordinary[int(fraction * (len(ordinary) - 1))]
    kept: set[int] = set()
    subset = []
    for number, line in enumerate(lines, 1):
        retraction = line["type"] == "EventRetracted"
        # A retraction is kept with its target (a retraction of a retraction, transitively).
        if (line["position"] in kept) if retraction else (dates[number] <= cutoff):
            kept.add(number)
            subset.append(line)
    partial = open_application(new_store())
    import_lines(partial, encoded(subset), "importer", keep_recorded=True)
    view = View(as_of=LocalDay(cutoff), now=NOW)
    assert everything(snapshotted(full), view) == everything(snapshotted(partial), view)


@pytest.mark.slow  # a property over random streams of hundreds of events, each replayed many times
@settings(max_examples=5)
@given(lines=streams, fraction=st.floats(0.05, 0.95))
def test_known_at_equals_a_store_of_the_events_recorded_by_then(new_store: NewStore, lines: list[dict[str, Any]], fraction: float) -> None:
    full = open_application(new_store())
    import_lines(full, encoded(lines), "importer", keep_recorded=True)
    moments = [dt.datetime.fromisoformat(line["recorded_at"]) for line in lines]
    cutoff = moments[int(fraction * (len(moments) - 1))]
    prefix = [line for line, moment in zip(lines, moments, strict=True) if moment <= cutoff]
    partial = open_application(new_store())
    import_lines(partial, encoded(prefix), "importer", keep_recorded=True)
    snapshotted(full), snapshotted(partial)
    for rules in ("current", "proposed"):
        assert everything(full, View(known_at=cutoff, now=NOW), rules) == everything(partial, View(now=NOW), rules)
