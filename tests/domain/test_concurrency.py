"""Two writers racing on one case: every accepted command lands exactly once; the loser of a
race is re-run against the winner's state (and refused if that state no longer allows it)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from functools import partial

import pytest
from eventsourcing.persistence import IntegrityError

from caseledger.domain.errors import DomainError
from caseledger.domain.events.catalogue import CaseAssigned
from caseledger.domain.model.aggregates import OffenderCase, entity_id
from caseledger.domain.model.recording import Entry, record_entry
from caseledger.domain.store.log import read_log
from caseledger.domain.store.views import StoreView
from tests.support.commands import ScriptedService
from tests.support.threads import race
from tests.support.world import open_ledger, seed_world


def test_a_stale_write_is_detected_by_the_store(store_url: str) -> None:
    app_a, _ = open_ledger(store_url, "alice")
    _app_b, service_b = open_ledger(store_url, "bob")
    seed_world(service_b)
    import datetime as dt

    _, stale = record_entry(StoreView(app_a), Entry(CaseAssigned("O1", "po1"), dt.date(2026, 1, 7), "alice"), dt.datetime.now(dt.UTC))
    service_b.assign_case("O1", "po2", occurred_at="2026-01-07")
    with pytest.raises(IntegrityError):
        app_a.save(stale)
    assert Counter(e.type for e in read_log(app_a))["CaseAssigned"] == 1


def test_racing_writers_lose_nothing_and_duplicate_nothing(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    for n in range(3):
        service.grant(f"writer{n}", "supervisor", "KP")
    writers = [open_ledger(store_url, f"writer{n}")[1] for n in range(3)]
    rounds = 40

    def writer(service: ScriptedService, n: int) -> Callable[[int], object]:
        return lambda i: service.assign_case("O1", ("po1", "po2")[(i + n) % 2], occurred_at="2026-01-08")

    race([writer(s, n) for n, s in enumerate(writers)], rounds)
    case_events = app.ledger_recorder.aggregate_events(entity_id(OffenderCase.KIND, "O1"))
    versions = [e.stored.originator_version for e in case_events]
    assert versions == list(range(1, len(versions) + 1))
    by_writer = Counter(e.envelope.recorded_by for e in read_log(app) if e.type == "CaseAssigned")
    login = app.ledger_recorder.login  # PostgreSQL: the database login records, whatever name a script gives
    assert by_writer == ({login: 3 * rounds} if login else {f"writer{n}": rounds for n in range(3)})


def test_the_loser_of_a_race_is_refused_against_the_winners_state(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    for n in range(2):
        service.grant(f"racer{n}", "admin")  # completing a transfer happens at its destination
    racers = [open_ledger(store_url, f"racer{n}")[1] for n in range(2)]
    for round_number in range(4):
        destination = ("PEN", "KP")[round_number % 2]
        service.request_transfer("O1", destination, "voluntary", "race", occurred_at="2026-01-09")
        outcomes: list[str] = []
        lock = threading.Lock()

        def complete(_: int, racer: ScriptedService, lock: threading.Lock = lock, outcomes: list[str] = outcomes) -> None:
            try:
                racer.complete_transfer("O1", occurred_at="2026-01-10")
                result = "completed"
            except DomainError as error:
                assert "no pending transfer" in error.rule
                result = "refused"
            with lock:
                outcomes.append(result)

        race([partial(complete, racer=r) for r in racers], 1)
        assert sorted(outcomes) == ["completed", "refused"]
    assert Counter(e.type for e in read_log(app))["TransferCompleted"] == 4
