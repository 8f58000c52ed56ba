"""``history``: occurred order, who and when, as-of / known-at, retractions shown as such."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from caseledger.application.history import case_history
from caseledger.domain.errors import DomainError
from caseledger.domain.model.times import LocalDay
from caseledger.domain.store.log import site_zones
from tests.support.identity import recorder_for
from tests.support.world import open_ledger, seed_world


def test_history_is_in_occurred_order_with_actor_and_times(store_url: str) -> None:
    app, service = open_ledger(store_url, "po1")
    seed_world(service)
    service.assign_case("O1", "po1", occurred_at="2026-02-10")
    service.flag_complexity("O1", "mental_health", occurred_at="2026-01-20")  # back-dated
    lines = case_history(app, "O1", site_zones(app))
    assert [line.event.type for line in lines] == ["OffenderAdmitted", "ComplexityFlagged", "CaseAssigned"]
    assert [line.event.envelope.recorded_by for line in lines] == [recorder_for(store_url, "po1")] * 3
    assert lines[1].event.envelope.recorded_at > lines[2].event.envelope.recorded_at


def test_as_of_and_known_at(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    service.assign_case("O1", "po1", occurred_at="2026-01-10")
    time.sleep(0.01)
    cut = dt.datetime.now(dt.UTC)
    time.sleep(0.01)
    service.flag_complexity("O1", "medical", occurred_at="2026-01-08")
    zones = site_zones(app)
    as_of = [line.event.type for line in case_history(app, "O1", zones, as_of=LocalDay(dt.date(2026, 1, 9)))]
    assert as_of == ["OffenderAdmitted", "ComplexityFlagged"]
    known = [line.event.type for line in case_history(app, "O1", zones, known_at=cut)]
    assert known == ["OffenderAdmitted", "CaseAssigned"]


def test_a_bare_date_as_of_means_the_end_of_that_day_at_the_events_site(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    service.request_transfer("O1", "PEN", "voluntary", "west", occurred_at="2026-01-07")
    service.complete_transfer("O1", occurred_at="2026-01-20T23:30:00-08:00")  # 2026-01-21 in UTC and Toronto
    zones = site_zones(app)
    types = [line.event.type for line in case_history(app, "O1", zones, as_of=LocalDay(dt.date(2026, 1, 20)))]
    assert types[-1] == "TransferCompleted"


def test_retracted_events_are_shown_as_retracted_and_revived_by_retracting_the_retraction(store_url: str) -> None:
    app, service = open_ledger(store_url, "auditor")
    seed_world(service)
    assigned = service.assign_case("O1", "po1", occurred_at="2026-01-10")
    time.sleep(0.01)
    before = dt.datetime.now(dt.UTC)
    retraction = service.retract(assigned, "wrong officer", occurred_at="2026-01-11")
    zones = site_zones(app)
    line = next(item for item in case_history(app, "O1", zones) if item.event.position == assigned)
    assert line.retracted_by == (retraction, "wrong officer")
    earlier = next(item for item in case_history(app, "O1", zones, known_at=before) if item.event.position == assigned)
    assert earlier.retracted_by is None
    service.retract(retraction, "the first retraction was itself a mistake", occurred_at="2026-01-12")
    revived = next(item for item in case_history(app, "O1", zones) if item.event.position == assigned)
    assert revived.retracted_by is None


def test_unknown_offender_is_an_error(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    with pytest.raises(DomainError, match="unknown offender 'NOPE'"):
        case_history(app, "NOPE", {})
