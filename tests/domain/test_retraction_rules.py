"""Issue #11's retraction rules: one retraction per event, and a retraction says why.

A second retraction of one event was accepted (so was a retraction of it made at the same
moment by two people); a retraction whose reason was blank (spaces) too. Both are refused in one
line naming the field, by commands and imports alike, and nothing is recorded; a retraction of
the retraction (reviving the event) and the revived event's own retraction chain still work."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseledger.domain.errors import DomainError
from tests.support.cli import refused, run_cli, verified
from tests.support.paths import SCENARIO
from tests.support.world import open_ledger, seed_world


def test_a_second_retraction_of_one_event_is_refused_and_a_retraction_can_be_retracted(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    target = service.assign_case("O1", "po1", occurred_at="2026-01-08")
    first = service.retract(target, "assigned to the wrong officer", occurred_at="2026-01-09")
    head = app.head_position()
    with pytest.raises(DomainError, match=f"the event at position {target} was already retracted: one retraction per event"):
        service.retract(target, "again", occurred_at="2026-01-09")
    assert app.head_position() == head
    revived = service.retract(first, "the assignment was right after all", occurred_at="2026-01-10")  # a retraction of the retraction
    with pytest.raises(DomainError, match=f"position {first} was already retracted"):
        service.retract(first, "and again", occurred_at="2026-01-10")
    assert app.head_position() == revived


@pytest.mark.parametrize("reason", [" ", "\t\n"])
def test_a_blank_reason_is_refused(store_url: str, reason: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    target = service.assign_case("O1", "po1", occurred_at="2026-01-08")
    with pytest.raises(DomainError, match="reason: a retraction must say why"):
        service.retract(target, reason, occurred_at="2026-01-09")
    assert app.head_position() == target


@pytest.mark.slow
def test_the_command_line_and_an_import_refuse_both_in_one_line(sqlite_url: str, tmp_path: Path) -> None:
    assert run_cli(sqlite_url, "import", str(SCENARIO)).returncode == 0
    before = verified(sqlite_url)
    refused(run_cli(sqlite_url, "retract", "5", "--reason", "   "), "reason: a retraction must say why (the reason is blank)")
    refused(run_cli(sqlite_url, "retract", "5", "--reason", ""), "reason:")
    twice = tmp_path / "twice.jsonl"
    line = '{"type":"EventRetracted","occurred_at":"2026-03-20","by":"auditor","position":5,"reason":"%s"}\n'
    twice.write_text(line % "first" + line % "second")
    refused(run_cli(sqlite_url, "import", str(twice)), "line 2: position: the event at position 5 was already retracted")
    assert verified(sqlite_url) == before
