"""Every error in the specification's list is refused, names its field, and records nothing —
on SQLite and on PostgreSQL alike. Realistic messiness is accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest

from caseledger.domain.errors import DomainError
from caseledger.domain.events.catalogue import LeaveKind
from tests.support.commands import ScriptedService
from tests.support.world import open_ledger, seed_world

Command = Callable[[ScriptedService], object]

D = "2026-01-07"

REFUSED: list[tuple[str, Command, str, str]] = [
    ("unknown site", lambda s: s.register_officer("po9", "X", "NOPE", "institutional_po", occurred_at=D), "site", "unknown site"),
    ("unknown officer", lambda s: s.assign_case("O1", "ghost", occurred_at=D), "officer", "unknown officer"),
    ("unknown offender", lambda s: s.assign_case("O404", "po1", occurred_at=D), "offender", "unknown offender"),
    ("unknown covering officer", lambda s: s.start_coverage("po1", "ghost", occurred_at=D), "covering_officer", "unknown officer"),
    (
        "duplicate site",
        lambda s: s.register_site("KP", "Again", "institution", "ontario", "America/Toronto", security_levels=["medium"], occurred_at=D),
        "site",
        "already registered",
    ),
    ("duplicate officer", lambda s: s.register_officer("po1", "Again", "KP", "institutional_po", occurred_at=D), "officer", "already registered"),
    (
        "duplicate offender",
        lambda s: s.admit_offender("O1", "KP", "medium", "2025-01-01", "2027-01-01", warrant_expiry="2028-01-01", occurred_at=D),
        "offender",
        "already admitted",
    ),
    ("transfer to current site", lambda s: s.request_transfer("O1", "KP", "voluntary", "why", occurred_at=D), "to_site", "already at"),
    ("transfer to unknown site", lambda s: s.request_transfer("O1", "XX", "voluntary", "why", occurred_at=D), "to_site", "unknown site"),
    ("complete never requested", lambda s: s.complete_transfer("O1", occurred_at=D), "offender", "no pending transfer"),
    ("end SIU never started", lambda s: s.end_siu_placement("O1", "mainstream", occurred_at=D), "offender", "no SIU stay"),
    (
        "admission at a CCC",
        lambda s: s.admit_offender("O2", "CCC1", "minimum", "2025-01-01", "2027-01-01", warrant_expiry="2028-01-01", occurred_at=D),
        "site",
        "not an institution",
    ),
    ("release to an institution", lambda s: s.release_offender("O1", "day_parole", "PEN", occurred_at=D), "destination_site", "community office or a CCC"),
    (
        "institution without levels",
        lambda s: s.register_site("X1", "X", "institution", "ontario", "America/Toronto", occurred_at=D),
        "security_levels",
        "at least one",
    ),
    (
        "CCC with levels",
        lambda s: s.register_site("X2", "X", "ccc", "ontario", "America/Toronto", security_levels=["minimum"], occurred_at=D),
        "security_levels",
        "no security levels",
    ),
    ("unknown time zone", lambda s: s.register_site("X3", "X", "ccc", "ontario", "Mars/Olympus", occurred_at=D), "timezone", "unknown IANA"),
    ("minutes too low", lambda s: s.log_addon_task("po1", "clerical", 0, occurred_at=D), "minutes", ">= 1"),
    ("minutes too high", lambda s: s.record_cclo_contact("O1", "cclo1", "OPP", "information_sharing", 721, occurred_at=D), "minutes", "<= 720"),
    ("more than a day in the future", lambda s: s.log_addon_task("po1", "clerical", 10, occurred_at="2999-01-01"), "occurred_at", "more than 1 day"),
    ("malformed date", lambda s: s.log_addon_task("po1", "clerical", 10, occurred_at="2026-13-01"), "occurred_at", "not an ISO 8601"),
    ("timestamp without offset", lambda s: s.log_addon_task("po1", "clerical", 10, occurred_at="2026-01-07T09:00:00"), "occurred_at", "UTC offset"),
    ("wrong type", lambda s: s.log_addon_task("po1", "clerical", cast(int, "ten"), occurred_at=D), "minutes", "Expected `int`"),  # deliberately not an int
    ("bad enum", lambda s: s.start_leave("po1", cast(LeaveKind, "holiday"), occurred_at=D), "kind", "Invalid enum value"),  # deliberately not a kind
    ("bad identifier", lambda s: s.register_officer("po 1", "X", "KP", "mai", occurred_at=D), "officer", "matching regex"),
    ("retract a position that does not exist", lambda s: s.retract(999_999, "typo", occurred_at=D), "position", "no event at position"),
    ("note too long", lambda s: s.log_addon_task("po1", "clerical", 10, occurred_at=D, note="x" * 2001), "note", "1 to 2000"),
]


@pytest.mark.parametrize(("name", "command", "field", "rule"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_commands_record_nothing(store_url: str, name: str, command: Command, field: str, rule: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    head = app.head_position()
    with pytest.raises(DomainError) as caught:
        command(service)
    assert caught.value.field == field, str(caught.value)
    assert rule in caught.value.rule, str(caught.value)
    assert app.head_position() == head


def test_siu_needs_an_institution(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    service.release_offender("O1", "statutory_release", "KPO", occurred_at=D)
    head = app.head_position()
    with pytest.raises(DomainError, match="SIU placement needs an institution"):
        service.start_siu_placement("O1", "safety", occurred_at=D)
    assert app.head_position() == head


def test_completing_twice_is_refused(store_url: str) -> None:
    _, service = open_ledger(store_url)
    seed_world(service)
    service.request_transfer("O1", "PEN", "involuntary", "population", occurred_at=D)
    service.complete_transfer("O1", occurred_at="2026-01-20")
    with pytest.raises(DomainError, match="no pending transfer"):
        service.complete_transfer("O1", occurred_at="2026-01-21")


def test_realistic_messiness_is_accepted(store_url: str) -> None:
    """Odd but real: a decision with no plan, an SIU review outside a stay, a cancel with nothing
    pending, leave ending with no leave, an event back-dated months."""
    app, service = open_ledger(store_url)
    seed_world(service)
    head = app.head_position()
    service.record_release_decision("O1", "granted", "day_parole", "2026-02-01", occurred_at=D)
    service.hold_siu_review("O1", "institutional_head", "maintain", occurred_at=D)
    service.cancel_transfer("O1", "nothing pending", occurred_at=D)
    service.end_leave("po1", occurred_at=D)
    service.log_addon_task("po1", "scanning_faxing", 15, occurred_at="2025-06-30")
    assert app.head_position() == head + 5


def test_transfer_completion_moves_the_offender_and_ends_the_assignment(store_url: str) -> None:
    _app, service = open_ledger(store_url)
    seed_world(service)
    service.assign_case("O1", "po1", occurred_at=D)
    service.request_transfer("O1", "PEN", "voluntary", "closer to family", occurred_at=D)
    service.complete_transfer("O1", occurred_at="2026-02-02")
    with pytest.raises(DomainError, match="already at 'PEN'"):
        service.request_transfer("O1", "PEN", "voluntary", "again", occurred_at="2026-02-03")
    service.request_transfer("O1", "KP", "voluntary", "back", occurred_at="2026-02-03")


def test_bare_dates_are_local_midnight_at_the_events_site(store_url: str) -> None:
    from caseledger.domain.store.log import read_log

    app, service = open_ledger(store_url)
    seed_world(service)
    service.request_transfer("O1", "PEN", "voluntary", "west", occurred_at=D)
    position = service.complete_transfer("O1", occurred_at="2026-02-02")
    completed = next(e for e in read_log(app) if e.position == position)
    assert completed.envelope.at_site == "PEN"
    assert completed.envelope.occurred_at.isoformat() == "2026-02-02T00:00:00-08:00"
